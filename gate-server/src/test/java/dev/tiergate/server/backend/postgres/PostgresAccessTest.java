package dev.tiergate.server.backend.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.access.GrantDrift;
import dev.tiergate.core.access.Privilege;
import dev.tiergate.core.policy.DatabaseAccess;
import dev.tiergate.server.backend.BranchConnection;
import dev.tiergate.server.backend.MigrationSession;
import dev.tiergate.server.backend.RunLimits;
import dev.tiergate.server.forge.RepoRef;
import dev.tiergate.server.support.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The policy's database access on the postgres backend: group roles and their privileges in a branch (current and
 * later tables), an actor's own login that holds exactly its groups, expires and is replaced, and the drift a
 * hand-run GRANT makes, found and taken away. Real PostgreSQL, passwords required.
 */
class PostgresAccessTest {
    static final DatabaseAccess.Group READ = new DatabaseAccess.Group("app_read", List.of("select"), List.of("public"), List.of());
    static final DatabaseAccess.Group WRITE = new DatabaseAccess.Group("app_write", List.of("select", "insert", "update", "delete"),
            List.of("*"), List.of());
    static final DatabaseAccess.Group ORDERS = new DatabaseAccess.Group("orders_only", List.of("select"), List.of(), List.of("public.orders"));
    static final List<DatabaseAccess.Group> GROUPS = List.of(READ, WRITE, ORDERS);
    PostgresBranchBackend backend;
    RepoRef repo;

    @BeforeEach
    void setUp() throws Exception {
        backend = TestPostgres.branchBackend("access-secret");
        repo = new RepoRef("github", null, "acme/" + UUID.randomUUID());
        backend.createTier(repo, "staging", null);
        migrate("staging", "create table orders (id bigserial primary key, card text); create table customers (id int);"
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
             Connection c = DriverManager.getConnection(s.connection().jdbcUrl(), s.connection().user(), s.connection().password());
             Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    static Connection connect(BranchConnection c) throws SQLException {
        return DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
    }

    static boolean can(Connection c, String table, String privilege) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select has_table_privilege('" + table + "', '" + privilege + "')")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    @Test
    void anActorsLoginHoldsExactlyItsGroupsPrivilegesIncludingOnATableALaterMigrationCreates() throws Exception {
        BranchConnection reader = backend.credential(repo, "staging", "alice", List.of("app_read"), Instant.now().plusSeconds(3600));
        BranchConnection orders = backend.credential(repo, "staging", "claude-agent", List.of("orders_only"), Instant.now().plusSeconds(3600));
        migrate("staging", "create table later (id int)");
        backend.applyAccess(repo, "staging", GROUPS); // after every run, as the server does
        try (Connection c = connect(reader)) {
            assertTrue(can(c, "public.orders", "select"));
            assertTrue(can(c, "public.later", "select"), "a table a later migration created");
            assertFalse(can(c, "public.orders", "insert"));
            assertThrows(SQLException.class, () -> c.createStatement().executeQuery("select * from app.jobs"), "not its schema");
        }
        try (Connection c = connect(orders)) {
            assertTrue(can(c, "public.orders", "select"));
            assertFalse(can(c, "public.customers", "select"), "a group of one table reads that table alone");
        }
        BranchConnection writer = backend.credential(repo, "staging", "bob", List.of("app_write"), null);
        try (Connection c = connect(writer); Statement st = c.createStatement()) {
            st.execute("insert into orders (card) values ('5500')"); // its sequence too
            st.execute("insert into app.jobs values (1)");
            assertThrows(SQLException.class, () -> st.execute("drop table customers"), "schema is the migrations'");
            assertThrows(SQLException.class, () -> st.execute("create table mine (id int)"));
        }
    }

    @Test
    void aLoginReachesItsBranchOnlyExpiresAndIsReplacedByTheNextOne() throws Exception {
        backend.create(repo, "feature-x", "staging");
        BranchConnection first = backend.credential(repo, "feature-x", "alice", List.of("app_write"), Instant.now().plusSeconds(3600));
        SQLException elsewhere = assertThrows(SQLException.class, () -> DriverManager.getConnection(
                "jdbc:postgresql://" + first.host() + ":" + first.port() + "/" + backend.physical(repo, "staging"), first.user(), first.password()));
        assertTrue(elsewhere.getMessage().contains("permission denied for database"), elsewhere.getMessage());
        BranchConnection second = backend.credential(repo, "feature-x", "alice", List.of("app_read"), Instant.now().plusSeconds(2));
        assertEquals(first.user(), second.user(), "one login per actor and branch");
        assertNotEquals(first.password(), second.password());
        assertThrows(SQLException.class, () -> connect(first).close(), "the password before stops working");
        try (Connection c = connect(second)) {
            assertFalse(can(c, "public.orders", "insert"), "and the groups before go too");
        }
        long deadline = System.currentTimeMillis() + 15_000;
        while (true) { // VALID UNTIL passes
            try (Connection c = connect(second)) {
                assertTrue(System.currentTimeMillis() < deadline, "the login was still valid 15 s after its VALID UNTIL");
                Thread.sleep(200);
            } catch (SQLException e) {
                assertTrue(e.getMessage().contains("password authentication failed"), e.getMessage());
                break;
            }
        }
        backend.delete(repo, "feature-x");
        try (Connection c = TestPostgres.branches().admin().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from pg_roles where rolname = '" + second.user() + "'")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "the login goes with its branch");
        }
    }

    @Test
    void aHandRunGrantToPublicIsDriftTheSnapshotShowsAndRevokeTakesAway() throws Exception {
        assertTrue(GrantDrift.between(GROUPS, backend.accessSnapshot(repo, "staging")).none(),
                GrantDrift.between(GROUPS, backend.accessSnapshot(repo, "staging")).toString());
        // by hand, on the tier, as its admin: the kind of change the policy does not know
        try (Connection c = DriverManager.getConnection(TestPostgres.branches().jdbcBase() + backend.physical(repo, "staging"),
                TestPostgres.branches().user(), TestPostgres.branches().password()); Statement st = c.createStatement()) {
            st.execute("grant select on orders to public");
            st.execute("revoke select on customers from \"" + PostgresBranchBackend.groupRole(repo, "app_read") + "\"");
        }
        GrantDrift.Diff d = GrantDrift.between(GROUPS, backend.accessSnapshot(repo, "staging"));
        assertEquals(List.of(new Privilege(Privilege.PUBLIC, Privilege.Kind.TABLE, "public.orders", "SELECT")), d.extra());
        assertEquals(List.of(new Privilege("group:app_read", Privilege.Kind.TABLE, "public.customers", "SELECT")), d.missing());
        assertEquals("revoke select on table \"public\".\"orders\" from public;", backend.statement(repo, d.extra().get(0), false));
        backend.revoke(repo, "staging", d.extra());
        backend.applyAccess(repo, "staging", GROUPS);
        assertTrue(GrantDrift.between(GROUPS, backend.accessSnapshot(repo, "staging")).none(), "repaired");
    }

    @Test
    void namesFromThePolicyCannotReachSqlUnchecked() {
        DatabaseAccess.Group hostile = new DatabaseAccess.Group("x; drop database postgres", List.of("select"), List.of("public"), List.of());
        assertThrows(dev.tiergate.server.backend.BackendException.class, () -> backend.applyAccess(repo, "staging", List.of(hostile)));
        DatabaseAccess.Group odd = new DatabaseAccess.Group("odd", List.of("select; drop table orders"), List.of("public"), List.of());
        backend.applyAccess(repo, "staging", List.of(odd)); // an unknown privilege is left out, not run
        assertTrue(GrantDrift.between(GROUPS, backend.accessSnapshot(repo, "staging")).extra().isEmpty());
    }
}
