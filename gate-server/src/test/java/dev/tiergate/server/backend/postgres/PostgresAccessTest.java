package dev.tiergate.server.backend.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.access.GrantDrift;
import dev.tiergate.core.access.Privilege;
import dev.tiergate.core.policy.DatabaseAccess;
import dev.tiergate.server.backend.BranchConnection;
import dev.tiergate.server.backend.MigrationSession;
import dev.tiergate.server.backend.RunLimits;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.support.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the postgres backend adds to the database-access contract (PostgresBranchAccessContractTest runs that): a
 * group privilege revoked by hand shows as missing beside a grant to PUBLIC as extra, and the statements that mend them
 * are PostgreSQL's, every name quoted. Real PostgreSQL, passwords required.
 */
class PostgresAccessTest {
    static final DatabaseAccess.Group READ =
            new DatabaseAccess.Group("app_read", List.of("select"), List.of("public"), List.of());
    static final DatabaseAccess.Group WRITE = new DatabaseAccess.Group(
            "app_write", List.of("select", "insert", "update", "delete"), List.of("*"), List.of());
    static final DatabaseAccess.Group ORDERS =
            new DatabaseAccess.Group("orders_only", List.of("select"), List.of(), List.of("public.orders"));
    static final List<DatabaseAccess.Group> GROUPS = List.of(READ, WRITE, ORDERS);
    PostgresBranchBackend backend;
    RepoRef repo;

    @BeforeEach
    void setUp() throws Exception {
        backend = TestPostgres.branchBackend("access-secret");
        repo = new RepoRef("github", null, "acme/" + UUID.randomUUID());
        backend.createTier(repo, "staging", null);
        migrate(
                "staging",
                "create table orders (id bigserial primary key, card text); create table customers (id int);"
                        + " insert into orders (card) values ('4111'); create schema app; create table app.jobs (id int)");
        backend.applyAccess(repo, "staging", GROUPS);
        backend.tierMoved(repo, "staging"); // as after every tier migration: branches copy the tier as it is now
    }

    @AfterEach
    void tearDown() {
        backend.close();
    }

    void migrate(String branch, String sql) throws SQLException {
        try (MigrationSession s = backend.openRun(repo, branch, RunLimits.deadline(Duration.ofMinutes(1)));
                Connection c = DriverManager.getConnection(
                        s.connection().jdbcUrl(),
                        s.connection().user(),
                        s.connection().password());
                Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    static Connection connect(BranchConnection c) throws SQLException {
        return DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
    }

    static boolean can(Connection c, String table, String privilege) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select has_table_privilege('" + table + "', '" + privilege + "')")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /**
     * The reconcile pass repairs a tier's grants while a run on that tier opens (and repairs its roles' CONNECT) or
     * another worker applies the same grants: PostgreSQL then fails one of two concurrent GRANTs on one catalog row
     * with "tuple concurrently updated" (seen in CI). Each side must get through, not fail the pass or the run.
     */
    @Test
    void grantsAppliedAtOnceFromThreeWorkersAllGetThrough() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                int worker = w;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 15; i++) {
                        if (worker == 2) {
                            try (MigrationSession s =
                                    backend.openRun(repo, "staging", RunLimits.deadline(Duration.ofMinutes(1)))) {
                                s.connection();
                            }
                        } else {
                            backend.applyAccess(repo, "staging", GROUPS);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(2, TimeUnit.MINUTES); // throws the worker's BackendException if one failed
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(
                GrantDrift.between(GROUPS, backend.accessSnapshot(repo, "staging"))
                        .none(),
                "and nothing drifted");
    }

    @Test
    void aHandRunGrantToPublicIsDriftTheSnapshotShowsAndRevokeTakesAway() throws Exception {
        assertTrue(
                GrantDrift.between(GROUPS, backend.accessSnapshot(repo, "staging"))
                        .none(),
                GrantDrift.between(GROUPS, backend.accessSnapshot(repo, "staging"))
                        .toString());
        // by hand, on the tier, as its admin: the kind of change the policy does not know
        try (Connection c = DriverManager.getConnection(
                        TestPostgres.branches().jdbcBase() + backend.physical(repo, "staging"),
                        TestPostgres.branches().user(),
                        TestPostgres.branches().password());
                Statement st = c.createStatement()) {
            st.execute("grant select on orders to public");
            st.execute("revoke select on customers from \"" + PostgresBranchBackend.groupRole(repo, "app_read") + "\"");
        }
        GrantDrift.Diff d = GrantDrift.between(GROUPS, backend.accessSnapshot(repo, "staging"));
        assertEquals(
                List.of(new Privilege(Privilege.PUBLIC, Privilege.Kind.TABLE, "public.orders", "SELECT")), d.extra());
        assertEquals(
                List.of(new Privilege("group:app_read", Privilege.Kind.TABLE, "public.customers", "SELECT")),
                d.missing());
        assertEquals(
                "revoke select on table \"public\".\"orders\" from public;",
                backend.statement(repo, d.extra().get(0), false));
        backend.revoke(repo, "staging", d.extra());
        backend.applyAccess(repo, "staging", GROUPS);
        assertTrue(
                GrantDrift.between(GROUPS, backend.accessSnapshot(repo, "staging"))
                        .none(),
                "repaired");
    }

    @Test
    void theSchemaOfThePolicysExtensionsIsTiergatesNotTheRepositorysSoNoDrift() {
        backend.createExtensions(
                repo, "staging", List.of("pg_buffercache")); // schema extensions: the admin's, USAGE to PUBLIC
        backend.applyAccess(repo, "staging", GROUPS);
        GrantDrift.Diff d = GrantDrift.between(GROUPS, backend.accessSnapshot(repo, "staging"));
        assertTrue(d.none(), "PUBLIC's USAGE there is no drift to take away: " + d);
        assertFalse(backend.accessSnapshot(repo, "staging").schemas().contains("extensions"));
    }
}
