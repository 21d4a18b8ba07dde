package dev.tiergate.server.backend.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.backend.BranchAccessContract;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.support.TestPostgres;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The database-access contract (per-actor logins, groups, drift) on the postgres backend, as on neon and lakebase. */
class PostgresBranchAccessContractTest extends BranchAccessContract {
    @Override
    protected BranchBackend newBackend() {
        return TestPostgres.branchBackend("access-contract-secret");
    }

    @Override
    protected RepoRef newRepo() {
        return new RepoRef("github", null, "acme/access-" + UUID.randomUUID());
    }

    /** The branch cluster's superuser, tiergate's admin. */
    @Override
    protected String serviceAdminRole() {
        return TestPostgres.branches().user();
    }

    @Override
    protected TestPostgres.BranchCluster cluster() {
        return TestPostgres.branches();
    }

    /**
     * An ACL entry whose role no longer exists (its oid alone) reaches no one and no statement can revoke it by name, so
     * it is no drift: a repair that tried failed the reconcile pass now and then.
     */
    @Test
    void aPrivilegeLeftToADroppedRolesOidInACopyIsNoDrift() throws Exception {
        stagingWithAccess();
        String gone = "gone" + java.util.concurrent.ThreadLocalRandom.current().nextInt(100_000_000, 999_999_999);
        asSuperuser("staging", "create role \"" + gone + "\"; grant select on public.inventory to \"" + gone + "\"");
        backend.tierMoved(repo, "staging"); // the copies come from the tier as it is now
        backend.create(repo, "feature-x", "staging");
        // what the flake met: an ACL entry whose role is gone. PostgreSQL keeps the dependency, so only a catalog
        // that lost it (a crash between steps, a restore) gets there; made here by hand, as the superuser
        asSuperuser(
                "staging",
                "delete from pg_shdepend where refobjid = (select oid from pg_roles where rolname = '" + gone + "');"
                        + " drop role \"" + gone + "\"");
        try (java.sql.Connection c = superuserOn("feature-x")) {
            assertEquals(
                    List.of("1"),
                    column(
                            c,
                            "select count(*) from pg_class c, aclexplode(c.relacl) x where c.relname = 'inventory'"
                                    + " and x.grantee <> 0 and not exists (select 1 from pg_roles r where r.oid = x.grantee)"),
                    "the copy still names the dropped role's oid");
        }
        assertTrue(
                backend.accessSnapshot(repo, "feature-x").privileges().stream()
                        .noneMatch(x -> x.grantee().startsWith("role ")),
                backend.accessSnapshot(repo, "feature-x").privileges().toString());
    }
}
