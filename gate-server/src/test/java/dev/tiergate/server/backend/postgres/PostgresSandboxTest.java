package dev.tiergate.server.backend.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.backend.BackendException;
import dev.tiergate.server.backend.BranchConnection;
import dev.tiergate.server.backend.MigrationSession;
import dev.tiergate.server.backend.RunLimits;
import dev.tiergate.server.backend.RunStop;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.support.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox at the database: what repository SQL may do when it runs as a branch's migration role, tried as an
 * attacker would, statement by statement, on the real branch cluster (passwords required, as in production). Each
 * attack must fail for want of privilege and leave the cluster as it was; the watchdog must end what runs too long or
 * writes too much, whatever the run does to its own settings.
 */
class PostgresSandboxTest {
    static final RunLimits MINUTE = RunLimits.deadline(Duration.ofMinutes(1));
    PostgresBranchBackend backend;
    RepoRef repo;
    RepoRef other;

    @TempDir
    Path tmp;

    @BeforeEach
    void setUp() {
        backend = TestPostgres.branchBackend("sandbox-secret");
        repo = new RepoRef("github", null, "acme/" + UUID.randomUUID());
        other = new RepoRef("github", null, "rival/" + UUID.randomUUID());
        backend.createTier(repo, "production", null);
        backend.createTier(repo, "staging", "production");
        backend.create(repo, "ci-pr-1", "staging");
        backend.createTier(other, "production", null);
    }

    @AfterEach
    void tearDown() {
        backend.close();
    }

    static Connection connect(BranchConnection c) throws SQLException {
        return DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
    }

    /** Runs {@code sql} as the migration role of ci-pr-1 and returns PostgreSQL's refusal. */
    SQLException refused(String sql) throws SQLException {
        try (MigrationSession run = backend.openRun(repo, "ci-pr-1", MINUTE);
                Connection c = connect(run.connection());
                Statement st = c.createStatement()) {
            return assertThrows(SQLException.class, () -> st.execute(sql), "allowed, and must not be: " + sql);
        }
    }

    List<String> databases() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = TestPostgres.branches().admin().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "select datname || ' ' || coalesce(datacl::text, '') from pg_database order by 1")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    List<String> roles() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = TestPostgres.branches().admin().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "select rolname || ' ' || rolsuper || rolcreatedb || rolcreaterole from pg_roles order by 1")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void theMigrationRoleHasNoAttributeAndNoPredefinedRole() throws SQLException {
        String migrator = backend.migrationConnection(repo, "ci-pr-1").user();
        try (Connection c = TestPostgres.branches().admin().getConnection();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery("select rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls,"
                                + " (select count(*) from pg_auth_members m join pg_roles g on g.oid = m.roleid where m.member = r.oid and g.rolname like 'pg\\_%')"
                                + " from pg_roles r where rolname = '" + migrator + "'")) {
            assertTrue(rs.next());
            for (int i = 1; i <= 5; i++) {
                assertFalse(rs.getBoolean(i), "attribute " + i);
            }
            assertEquals(0, rs.getInt(6), "member of a predefined role");
        }
    }

    @Test
    void noProgramRunsAndNoServerFileIsReadOrWritten() throws Exception {
        Path pwned = tmp.resolve("pwned");
        Path secret = Files.writeString(tmp.resolve("secret"), "s3cr3t-" + UUID.randomUUID());
        assertTrue(refused("copy (select 1) to program 'id > " + pwned + "'")
                .getMessage()
                .contains("permission denied"));
        assertTrue(refused("create table e (t text); copy e from program 'cat " + secret + "'")
                .getMessage()
                .contains("permission denied"));
        assertTrue(refused("select pg_read_file('" + secret + "')").getMessage().contains("permission denied"));
        assertTrue(refused("select pg_read_binary_file('/etc/passwd')")
                .getMessage()
                .contains("permission denied"));
        assertTrue(refused("select lo_import('" + secret + "')").getMessage().contains("permission denied"));
        assertTrue(refused("copy (select 1) to '" + pwned + "'").getMessage().contains("permission denied"));
        assertTrue(refused("select pg_ls_dir('.')").getMessage().contains("permission denied"));
        assertFalse(Files.exists(pwned), "no file written");
    }

    @Test
    void noDatabaseRoleOrSettingOfTheClusterChanges() throws Exception {
        List<String> dbs = databases();
        List<String> roles = roles();
        String otherProduction = backend.physical(other, "production");
        String staging = backend.physical(repo, "staging");
        for (String attack : List.of(
                "drop database if exists \"" + otherProduction + "\" with (force)",
                "drop database if exists postgres with (force)",
                "drop database if exists \"" + staging + "\"",
                "alter database \"" + staging + "\" rename to x",
                "grant connect on database \"" + otherProduction + "\" to public",
                "create database evil",
                "create role evil superuser login",
                "alter role current_user superuser",
                "alter role current_user createrole",
                "alter system set log_statement = 'all'",
                "select pg_reload_conf()",
                "create extension dblink",
                "create extension postgres_fdw",
                "set role \"" + BranchRoles.ownerRole(other) + "\"",
                "set role postgres",
                "set session authorization postgres",
                "grant \"" + BranchRoles.ownerRole(repo) + "\" to public",
                "load 'auto_explain'",
                "create language plpython3u")) {
            SQLException e = refused(attack);
            assertTrue(
                    e.getSQLState().startsWith("42") || e.getSQLState().startsWith("58"),
                    attack + ": " + e.getSQLState() + " " + e.getMessage());
        }
        // its own database: not refused, but PostgreSQL grants nothing (the role holds no grant option on it)
        try (MigrationSession run = backend.openRun(repo, "ci-pr-1", MINUTE);
                Connection c = connect(run.connection());
                Statement st = c.createStatement()) {
            st.execute("grant connect on database \"" + backend.physical(repo, "ci-pr-1") + "\" to public");
            assertTrue(
                    st.getWarnings() != null && st.getWarnings().getMessage().contains("no privileges were granted"),
                    "a warning, no grant");
        }
        assertEquals(dbs, databases(), "no database made, dropped, renamed or opened");
        assertEquals(roles, roles(), "no role made or changed");
    }

    @Test
    void noOtherSessionIsSignalled() throws Exception {
        try (Connection victim = TestPostgres.branches().admin().getConnection();
                Statement st = victim.createStatement();
                ResultSet rs = st.executeQuery("select pg_backend_pid()")) {
            rs.next();
            int pid = rs.getInt(1);
            assertTrue(refused("select pg_terminate_backend(" + pid + ")")
                    .getMessage()
                    .contains("permission denied"));
            assertTrue(refused("select pg_cancel_backend(" + pid + ")")
                    .getMessage()
                    .contains("permission denied"));
            assertTrue(victim.isValid(2), "the admin's session lives");
        }
    }

    @Test
    void theBranchLoginReachesItsOwnDatabaseAndNothingElse() throws Exception {
        try (MigrationSession run = backend.openRun(repo, "ci-pr-1", MINUTE)) {
            reachesItsOwnDatabaseAndNothingElse(List.of(backend.connection(repo, "ci-pr-1"), run.connection()));
        }
    }

    /**
     * The migration role logs in only while a run is open; a run that set the role's password itself (any role may)
     * loses the session it opened with it when the run ends, and cannot log in with it afterwards.
     */
    @Test
    void theMigrationRoleLogsInOnlyWhileARunIsOpenWhateverPasswordTheRunSet() throws Exception {
        BranchConnection migrator = backend.migrationConnection(repo, "ci-pr-1");
        SQLException before = assertThrows(
                SQLException.class, () -> connect(migrator).close(), "the migration role logged in with no run open");
        assertTrue(
                before.getMessage().contains("not permitted to log in")
                        || before.getMessage().contains("authentication failed"),
                before.getMessage());
        Connection kept;
        try (MigrationSession run = backend.openRun(repo, "ci-pr-1", MINUTE);
                Connection c = connect(run.connection());
                Statement st = c.createStatement()) {
            st.execute("set role none"); // the session's own role (RESET ROLE would go back to the role's default, the
            // owner)
            st.execute("alter role current_user password 'chosen-by-the-migration'");
            kept = DriverManager.getConnection(migrator.jdbcUrl(), migrator.user(), "chosen-by-the-migration");
            assertTrue(kept.isValid(2), "the password the run set works while the run is open");
        }
        try (Statement st = kept.createStatement()) {
            assertThrows(
                    SQLException.class,
                    () -> st.execute("select 1"),
                    "the session opened with the run's own password outlived the run");
        } finally {
            kept.close();
        }
        SQLException after = assertThrows(
                SQLException.class,
                () -> DriverManager.getConnection(migrator.jdbcUrl(), migrator.user(), "chosen-by-the-migration")
                        .close(),
                "the run's own password let the migration role back in after the run");
        assertTrue(after.getMessage().contains("not permitted to log in"), after.getMessage());
        try (MigrationSession again = backend.openRun(repo, "ci-pr-1", MINUTE);
                Connection c = connect(again.connection())) {
            assertTrue(c.isValid(2), "the next run logs in with tiergate's password again");
        }
    }

    /**
     * A migration whose query or index build gets parallel workers runs: on PostgreSQL 16.6 a worker checks CONNECT
     * for the role the session acts as (the owner role), and the migration role still reaches no other database.
     */
    @Test
    void aMigrationWithParallelWorkersRuns() throws Exception {
        parallelWorkersRun();
    }

    /** A branch made now needs no repair at its runs: its owner role connects, its migration role inherits nothing. */
    @Test
    void aNewBranchIsAlreadyAsARunWantsIt() throws Exception {
        String db = backend.physical(repo, "ci-pr-1");
        try (Connection admin = TestPostgres.branches().admin().getConnection()) {
            BranchRoles.MigratorState state = BranchRoles.MigratorState.read(
                    admin, BranchRoles.migratorRole(db), BranchRoles.ownerRole(repo), db);
            assertTrue(state.ownerConnects(), "the owner role connects to " + db);
            assertFalse(state.inheritsOwner(), "the migration role inherits the owner role");
        }
    }

    /** The same on a database made by an earlier version, whose owner role had no CONNECT: the run gives it. */
    @Test
    void aMigrationWithParallelWorkersRunsOnADatabaseFromAnEarlierVersion() throws Exception {
        try (Connection admin = TestPostgres.branches().admin().getConnection();
                Statement st = admin.createStatement()) {
            st.execute("revoke connect on database \"" + backend.physical(repo, "ci-pr-1") + "\" from \""
                    + BranchRoles.ownerRole(repo) + "\"");
        }
        parallelWorkersRun();
    }

    private void parallelWorkersRun() throws Exception {
        try (MigrationSession run = backend.openRun(repo, "ci-pr-1", MINUTE);
                Connection c = connect(run.connection());
                Statement st = c.createStatement()) {
            st.execute("create table wide as select g as id from generate_series(1, 20000) g");
            st.execute("set debug_parallel_query = on"); // every query through a parallel worker
            try (ResultSet rs = st.executeQuery("select count(*) from wide")) {
                rs.next();
                assertEquals(20000, rs.getInt(1));
            }
            st.execute("set min_parallel_table_scan_size = 0; set max_parallel_maintenance_workers = 2");
            st.execute("create index wide_id on wide (id)");
        }
    }

    /**
     * A migration role made by an earlier version (its membership in the owner role granted with INHERIT, PostgreSQL
     * 16+) inherits nothing once a run opens: otherwise the owner role's CONNECT would let it reach every database of
     * the repository.
     */
    @Test
    void aMigrationRoleFromAnEarlierVersionReachesOnlyItsOwnDatabaseOnceARunOpens() throws Exception {
        String migrator = BranchRoles.migratorRole(backend.physical(repo, "ci-pr-1"));
        String owner = BranchRoles.ownerRole(repo);
        String staging = backend.physical(repo, "staging");
        try (Connection admin = TestPostgres.branches().admin().getConnection();
                Statement st = admin.createStatement()) {
            boolean membershipOptions = admin.getMetaData().getDatabaseMajorVersion() >= 16;
            st.execute("alter role \"" + migrator + "\" inherit");
            if (membershipOptions) {
                st.execute("grant \"" + owner + "\" to \"" + migrator + "\" with inherit true");
            }
            try (MigrationSession run = backend.openRun(repo, "ci-pr-1", MINUTE)) {
                try (ResultSet rs = st.executeQuery("select has_database_privilege('" + migrator + "', '" + staging
                        + "', 'CONNECT'), has_database_privilege('" + migrator + "', '"
                        + backend.physical(repo, "ci-pr-1") + "', 'CONNECT')")) {
                    rs.next();
                    assertFalse(rs.getBoolean(1), "the migration role reaches the repository's staging tier");
                    assertTrue(rs.getBoolean(2), "the migration role reaches its own database");
                }
                BranchConnection own = run.connection();
                String otherUrl = own.jdbcUrl().replace(backend.physical(repo, "ci-pr-1"), staging);
                SQLException refused = assertThrows(
                        SQLException.class, () -> DriverManager.getConnection(otherUrl, own.user(), own.password()));
                assertTrue(refused.getMessage().contains("permission denied for database"), refused.getMessage());
            }
        }
    }

    /** Two runs on one database never at once: the second is refused while the first's watchdog holds the run lock. */
    @Test
    void aSecondRunOnTheSameDatabaseIsRefusedWhileTheFirstIsOpen() throws Exception {
        try (MigrationSession first = backend.openRun(repo, "ci-pr-1", MINUTE);
                Connection c = connect(first.connection())) {
            BackendException refused = assertThrows(
                    BackendException.class,
                    () -> backend.openRun(repo, "ci-pr-1", MINUTE).close());
            assertTrue(
                    refused.getMessage().contains("another run is under way on " + backend.physical(repo, "ci-pr-1")),
                    refused.getMessage());
            assertTrue(c.isValid(2), "the refused run ended the first run's session");
        }
        try (MigrationSession next = backend.openRun(repo, "ci-pr-1", MINUTE)) {
            assertTrue(next.stopped().isEmpty(), "the lock went with the first run");
        }
    }

    void reachesItsOwnDatabaseAndNothingElse(List<BranchConnection> logins) throws Exception {
        for (BranchConnection who : logins) {
            for (String db : List.of(
                    "postgres",
                    "template1",
                    backend.physical(repo, "staging"),
                    backend.physical(other, "production"))) {
                SQLException e = assertThrows(
                        SQLException.class,
                        () -> DriverManager.getConnection(
                                        "jdbc:postgresql://" + who.host() + ":" + who.port() + "/" + db,
                                        who.user(),
                                        who.password())
                                .close(),
                        who.user() + " on " + db);
                assertTrue(
                        e.getMessage().contains("permission denied for database")
                                || e.getMessage().contains("not currently accepting"),
                        e.getMessage());
            }
            try (Connection c = connect(who)) {
                assertTrue(c.isValid(2));
            }
        }
    }

    @Test
    void anExtensionThePolicyListsIsCreatedBeforeTheRunAndOneItDoesNotIsRefused() throws Exception {
        assertTrue(
                refused("create extension if not exists pg_buffercache")
                        .getMessage()
                        .contains("permission denied"),
                "not trusted, not listed: the migration may not create it");
        backend.createExtensions(repo, "ci-pr-1", List.of("pg_buffercache"));
        try (MigrationSession run = backend.openRun(repo, "ci-pr-1", MINUTE);
                Connection c = connect(run.connection());
                Statement st = c.createStatement()) {
            st.execute("create extension if not exists pg_buffercache"); // the migration's own statement: already there
            st.execute("create extension if not exists pgcrypto"); // trusted: a migration may create it itself
            try (ResultSet rs = st.executeQuery(
                    "select count(*) from pg_extension where extname in ('pg_buffercache', 'pgcrypto')")) {
                rs.next();
                assertEquals(2, rs.getInt(1));
            }
            try (ResultSet rs = st.executeQuery(
                    "select extnamespace::regnamespace::text from pg_extension where extname = 'pg_buffercache'")) {
                rs.next();
                assertEquals(
                        "extensions",
                        rs.getString(1),
                        "the admin's extension went into a schema the repository's SQL owns");
            }
            try (ResultSet rs = st.executeQuery(
                    "select to_regclass('pg_buffercache')::text")) { // unqualified: the search_path has the schema
                rs.next();
                assertEquals("pg_buffercache", rs.getString(1), "the extension's view is not found by its name alone");
            }
            SQLException plant = assertThrows(
                    SQLException.class,
                    () -> st.execute("create function extensions.planted() returns int language sql as 'select 1'"));
            assertTrue(
                    plant.getMessage().contains("permission denied"),
                    "a migration could write where the admin's extension scripts run: " + plant.getMessage());
        }
    }

    /** A schema named like the admin's, made first by the repository's SQL, is not where the admin runs extension scripts. */
    @Test
    void anExtensionsSchemaTheRepositoryMadeFirstIsRefused() throws Exception {
        try (MigrationSession run = backend.openRun(repo, "ci-pr-1", MINUTE);
                Connection c = connect(run.connection());
                Statement st = c.createStatement()) {
            st.execute("create schema extensions");
            st.execute("create function extensions.hijack() returns int language sql as 'select 1'");
        }
        BackendException refused = assertThrows(
                BackendException.class, () -> backend.createExtensions(repo, "ci-pr-1", List.of("pg_buffercache")));
        assertTrue(
                refused.getMessage()
                        .contains("its schema extensions was made by the repository's SQL, not by tiergate"),
                refused.getMessage());
        try (MigrationSession run = backend.openRun(repo, "ci-pr-1", MINUTE);
                Connection c = connect(run.connection());
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select count(*) from pg_extension where extname = 'pg_buffercache'")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "the extension was created all the same");
        }
    }

    @Test
    void theDeadlineEndsARunWhateverItSetsAndWhateverItCatches() throws Exception {
        RunLimits two = RunLimits.deadline(Duration.ofSeconds(2));
        try (MigrationSession run = backend.openRun(repo, "ci-pr-1", two);
                Connection c = connect(run.connection());
                Statement st = c.createStatement()) {
            st.execute("set statement_timeout = 0");
            st.execute("set lock_timeout = 0");
            // a loop that swallows every cancel: only a terminate ends it
            assertThrows(SQLException.class, () -> st.execute("""
                    do $$ begin
                      loop
                        begin perform pg_sleep(60); exception when query_canceled then null; end;
                      end loop;
                    end $$"""));
            assertEquals(RunStop.DEADLINE, run.stopped().orElseThrow());
        }
    }

    @Test
    void aBranchThatGrowsPastItsBoundIsStopped() throws Exception {
        RunLimits small = new RunLimits(Duration.ofMinutes(1), 12L * 1024 * 1024);
        try (MigrationSession run = backend.openRun(repo, "ci-pr-1", small);
                Connection c = connect(run.connection());
                Statement st = c.createStatement()) {
            assertThrows(SQLException.class, () -> {
                st.execute("create table big (t text)");
                for (int i = 0; i < 200; i++) {
                    st.execute("insert into big select repeat(md5(g::text), 30) from generate_series(1, 20000) g");
                }
            });
            assertEquals(RunStop.SIZE, run.stopped().orElseThrow());
        }
    }

    @Test
    void aRunCannotLoosenTheSettingsOfItsNextRun() throws Exception {
        try (MigrationSession run = backend.openRun(repo, "ci-pr-1", MINUTE);
                Connection c = connect(run.connection());
                Statement st = c.createStatement()) {
            st.execute(
                    "set role none"); // the session's own role, the migration role, which may change its own defaults
            st.execute("alter role current_user set statement_timeout = 0");
            st.execute("alter role current_user reset role");
        }
        try (MigrationSession run = backend.openRun(repo, "ci-pr-1", MINUTE);
                Connection c = connect(run.connection());
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select current_setting('statement_timeout'), current_user")) {
            rs.next();
            assertEquals(
                    "65s",
                    rs.getString(1),
                    "the next run's bound is tiergate's again (the deadline, plus the slack that lets the watchdog act first)");
            assertEquals(BranchRoles.ownerRole(repo), rs.getString(2), "and it acts as the owner role again");
        }
    }
}
