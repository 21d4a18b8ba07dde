package dev.tiergate.server.security;

import static dev.tiergate.server.security.Scene.file;
import static dev.tiergate.server.security.Scene.migration;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tiergate.server.security.Scene.Pr;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A pushed migration acts on the cluster beyond its own database: drops or alters a database beside tiergate's store
 * or another repository's tier (a real second repository served by the same server), grants itself into it, takes
 * over another repository's login, creates a superuser, makes itself one, changes the server's configuration, acts as
 * another role, ends another database's session, or writes into tiergate's own store through dblink. Each attack's own
 * effect is checked, then the whole cluster's catalog against a picture taken before ({@link ClusterCatalog}), then the
 * refusal: a plain-text cluster statement is refused by {@code sql.cluster-statement} before anything runs.
 *
 * <p>The same attacks hidden in dynamic SQL are {@link DynamicSqlTest}'s.
 */
class StoreAndOtherDatabasesTest {
    static final String ATTACK = "V20260102000000__attack.sql";
    Scene s;

    @AfterEach
    void end() {
        if (s != null) {
            s.close();
        }
    }

    static Stream<Attack> attacks() {
        return Attacks.onTheCluster().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    void aPullRequestsMigrationChangesNothingOutsideItsOwnDatabase(Attack attack) throws Exception {
        s = Scene.start();
        Attack.Armed a = attack.arm(s);
        Map<String, ClusterCatalog> before = s.catalogs();
        Pr pr = s.openPullRequest(1, file(ATTACK, migration(a.plain())));
        a.noEffect().verify();
        s.assertCatalogsUnchanged(before);
        s.assertRefused(pr, SandboxRules.CLUSTER_STATEMENT);
    }

    @Test
    void anotherRepositorysTierSurvivesAWorkingBranchsMigration() throws Exception {
        s = Scene.start();
        String tier = s.otherTierDatabase();
        Map<String, ClusterCatalog> before = s.catalogs();
        s.pushWorkingBranch("feature/drop", file(ATTACK, migration("DROP DATABASE \"" + tier + "\" WITH (FORCE);")));
        Attacks.otherTierIntact(s).verify();
        s.assertCatalogsUnchanged(before);
        assertFalse(
                s.applied("feature-drop", "20260102000000"),
                "the working branch's database took the attack as applied");
    }

    @Test
    void anotherRepositorysTierSurvivesAMigrationMergedOntoThisTier() throws Exception {
        s = Scene.start();
        String tier = s.otherTierDatabase();
        Map<String, ClusterCatalog> before = s.catalogs();
        s.mergeOntoTier(1, file(ATTACK, migration("DROP DATABASE \"" + tier + "\" WITH (FORCE);")));
        Attacks.otherTierIntact(s).verify();
        s.assertCatalogsUnchanged(before);
        assertFalse(s.applied("staging", "20260102000000"), "the tier took the attack as applied");
    }

    /** The trust boundary's first line: branch SQL runs "in a cluster that holds neither tiergate's own store nor anything the role was not given". */
    @Test
    void theClusterWhereMigrationsRunDoesNotHoldTiergatesStore() throws Exception {
        s = Scene.start();
        String store = s.storeDatabase();
        try (Connection c = s.branchCluster();
                PreparedStatement ps = c.prepareStatement("select 1 from pg_database where datname = ?")) {
            ps.setString(1, store);
            try (ResultSet rs = ps.executeQuery()) {
                assertFalse(
                        rs.next(),
                        "tiergate's store (" + store + ") is a database of the cluster where branch migrations run ("
                                + s.branchClusterAddress() + "): one privilege mistake from any repository reaches it");
            }
        }
        assertFalse(
                s.oneCluster(),
                "the branch cluster (" + s.branchClusterAddress() + ") is the store's cluster ("
                        + s.storeClusterAddress() + ")");
    }
}
