package dev.tiergate.server.backend.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.backend.BackendException;
import dev.tiergate.server.backend.RunLimits;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.support.MigratorSql;
import dev.tiergate.server.support.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PostgresBranchBackendTest {
    PostgresBranchBackend backend;
    RepoRef repo;

    @BeforeEach
    void setUp() {
        backend = TestPostgres.branchBackend("test-secret");
        repo = new RepoRef("github", null, "acme/" + UUID.randomUUID());
    }

    Connection connect(String branch) throws Exception {
        return MigratorSql.connect(backend, repo, branch);
    }

    @Test
    void branchIsACopyOfItsTierAndLeavesTheTierUsable() throws Exception {
        backend.createTier(repo, "production", null);
        backend.createTier(repo, "staging", "production");
        try (Connection tier = connect("staging");
                Statement st = tier.createStatement()) {
            st.execute("create table inventory (code text); insert into inventory values ('A-1')");
        }
        backend.tierMoved(repo, "staging"); // after a migration reached the tier
        try (Connection tier = connect("staging")) {
            // the tier stays in use (this connection is open) while a branch is cut from its idle template
            backend.create(repo, "feature-f1", "staging");
        }
        try (Connection c = connect("feature-f1");
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select code from inventory")) {
            assertTrue(rs.next());
            assertEquals("A-1", rs.getString(1));
        }
        assertEquals(List.of("feature-f1", "production", "staging"), backend.list(repo));
        backend.create(repo, "feature-f1", "staging"); // idempotent
        backend.delete(repo, "feature-f1");
        backend.delete(repo, "feature-f1"); // idempotent
        assertFalse(backend.exists(repo, "feature-f1"));
        assertEquals(List.of("production", "staging"), backend.list(repo));
    }

    @Test
    void failedCreateLeavesNothingBehind() {
        BackendException e = assertThrows(BackendException.class, () -> backend.create(repo, "feature-x", "staging"));
        assertTrue(e.getMessage().contains("its parent 'staging' does not exist"), e.getMessage());
        assertFalse(backend.exists(repo, "feature-x"));
        assertTrue(backend.list(repo).isEmpty());
    }

    @Test
    void repositoriesSharingOneServerAreKeptApart() {
        RepoRef other = new RepoRef("github", null, "acme/other-" + UUID.randomUUID());
        backend.create(repo, "production", null);
        backend.create(other, "production", null);
        backend.delete(other, "production");
        assertTrue(backend.exists(repo, "production"));
        assertFalse(backend.physical(repo, "x".repeat(80)).length() > 63);
    }

    @Test
    void eachBranchHasItsOwnLoginThatReachesItsOwnDatabaseOnly() throws Exception {
        backend.createTier(repo, "production", null);
        backend.create(repo, "feature-a", "production");
        backend.create(repo, "feature-b", "production");
        var a = backend.connection(repo, "feature-a");
        var b = backend.connection(repo, "feature-b");
        assertTrue(a.user().endsWith("_login") && !a.user().equals(b.user()), a + " " + b);
        assertTrue(a.password() != null
                && a.password().length() == 32
                && !a.password().equals(b.password()));
        assertFalse(a.toString().contains(a.password()), "no password in toString");
        assertTrue(a.url().startsWith("postgresql://" + a.user() + ":" + a.password() + "@localhost:"), a.url());
        try (Connection c = DriverManager.getConnection(a.jdbcUrl(), a.user(), a.password());
                Statement st = c.createStatement()) {
            st.execute("select 1");
        }
        var wrong = assertThrows(
                SQLException.class, () -> DriverManager.getConnection(b.jdbcUrl(), a.user(), a.password()));
        assertTrue(wrong.getMessage().contains("permission denied for database"), wrong.getMessage());
        backend.delete(repo, "feature-a");
        assertThrows(
                SQLException.class,
                () -> DriverManager.getConnection(b.jdbcUrl(), a.user(), a.password()),
                "the login goes with its branch");
    }

    @Test
    void aSnapshotKeepsTheTierAsItWasAndRestoreBringsItBack() throws Exception {
        backend.createTier(repo, "production", null);
        backend.createTier(repo, "staging", "production");
        try (Connection tier = connect("staging");
                Statement st = tier.createStatement()) {
            st.execute("create table inventory (code text); insert into inventory values ('A-1')");
        }
        backend.snapshot(repo, "staging", "staging-backup-1");
        try (Connection tier = connect("staging");
                Statement st = tier.createStatement()) {
            st.execute("drop table inventory");
        }
        backend.restore(repo, "staging", "staging-backup-1");
        try (Connection c = connect("staging");
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select code from inventory")) {
            assertTrue(rs.next());
        }
        // branches cut after the restore see the restored tier
        backend.create(repo, "feature-c", "staging");
        try (Connection c = connect("feature-c");
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select count(*) from inventory")) {
            assertTrue(rs.next());
            assertEquals(1, rs.getInt(1));
        }
        var login = backend.connection(repo, "staging");
        try (Connection c = DriverManager.getConnection(login.jdbcUrl(), login.user(), login.password())) {
            assertTrue(c.isValid(2), "the tier's login works after the restore");
        }
        BackendException missing =
                assertThrows(BackendException.class, () -> backend.restore(repo, "staging", "staging-backup-9"));
        assertTrue(missing.getMessage().contains("there is no such snapshot"), missing.getMessage());
    }

    @Test
    void aBranchLoginReadsAndWritesDataIncludingWhatALaterMigrationCreatesAndChangesNoSchema() throws Exception {
        backend.createTier(repo, "production", null);
        try (Connection tier = connect("production");
                Statement st = tier.createStatement()) {
            st.execute(
                    "create table inventory (id bigint generated always as identity, code text); insert into inventory (code) values ('A-1')");
        }
        backend.tierMoved(repo, "production");
        backend.create(repo, "feature-x", "production");
        try (var run = backend.openRun(repo, "feature-x", RunLimits.deadline(Duration.ofMinutes(1)));
                Connection m = DriverManager.getConnection(
                        run.connection().jdbcUrl(),
                        run.connection().user(),
                        run.connection().password());
                Statement st = m.createStatement()) {
            st.execute("create table added_later (id int)"); // what a migration creates after the branch was cut
            st.execute("create schema app");
            st.execute("create table app.orders (id int)");
        }
        var login = backend.connection(repo, "feature-x");
        try (Connection c = DriverManager.getConnection(login.jdbcUrl(), login.user(), login.password());
                Statement st = c.createStatement()) {
            st.execute("insert into inventory (code) values ('B-2')");
            st.execute("insert into added_later values (1)");
            st.execute("insert into app.orders values (1)");
            try (ResultSet rs = st.executeQuery("select count(*) from inventory")) {
                rs.next();
                assertEquals(2, rs.getInt(1));
            }
            var ddl = assertThrows(SQLException.class, () -> st.execute("drop table inventory"));
            assertTrue(
                    ddl.getMessage().contains("must be owner"), "schema changes are tiergate's: " + ddl.getMessage());
            var create = assertThrows(SQLException.class, () -> st.execute("create table mine (id int)"));
            assertTrue(create.getMessage().contains("permission denied for schema public"), create.getMessage());
        }
    }

    @Test
    void whatAMigrationCreatesBelongsToTheRepositorysOwnerRoleSoTheNextBranchMayChangeIt() throws Exception {
        backend.createTier(repo, "production", null);
        var limits = RunLimits.deadline(Duration.ofMinutes(1));
        try (var run = backend.openRun(repo, "production", limits);
                Connection m = DriverManager.getConnection(
                        run.connection().jdbcUrl(),
                        run.connection().user(),
                        run.connection().password());
                Statement st = m.createStatement()) {
            st.execute("create table inventory (code text)");
            // a migration that acts under its own name holds none of the owner role's rights (the role is NOINHERIT,
            // so that the owner role's CONNECT on the repository's other databases is not its own)
            st.execute("set role " + run.connection().user());
            var own = assertThrows(SQLException.class, () -> st.execute("create table own (id int)"));
            assertTrue(
                    own.getMessage().contains("no schema has been selected")
                            || own.getMessage().contains("permission denied"),
                    own.getMessage());
            st.execute("reset role"); // back to its default: the owner role
            st.execute("create table own (id int)");
        }
        backend.tierMoved(repo, "production");
        backend.create(repo, "feature-y", "production");
        try (var run = backend.openRun(repo, "feature-y", limits);
                Connection m = DriverManager.getConnection(
                        run.connection().jdbcUrl(),
                        run.connection().user(),
                        run.connection().password());
                Statement st = m.createStatement()) {
            st.execute("alter table inventory add column qty int");
            st.execute("alter table own add column x int");
        }
    }
}
