package dev.tiergate.server.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.backend.BranchConnection;
import dev.tiergate.server.backend.MigrationSession;
import dev.tiergate.server.backend.postgres.PostgresBranchBackend;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.support.MigratorSql;
import dev.tiergate.server.support.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Migrations run by Flyway on a real PostgreSQL, measured statement by statement. */
class FlywayRunnerTest {
    PostgresBranchBackend backend;
    RepoRef repo;
    BranchConnection db;
    MigrationSession run;

    static MigrationFile file(String name, String sql) {
        return new MigrationFile("db/migration/" + name, sql.getBytes(StandardCharsets.UTF_8));
    }

    @BeforeEach
    void setUp() {
        backend = TestPostgres.branchBackend("s");
        repo = new RepoRef("github", null, "acme/" + UUID.randomUUID());
        backend.createTier(repo, "staging", null);
        run = MigratorSql.open(backend, repo, "staging"); // the role logs in while a run is open
        db = run.connection();
    }

    @AfterEach
    void endRun() {
        run.close();
    }

    static final MigrationFile BASE = file("V20260101000000__inventory.sql", """
            -- refactoring: Introduce Table
            -- phase: expand
            create table inventory (id int primary key, code text);
            insert into inventory select g, 'A-' || g from generate_series(1, 1000) g;
            """);

    MigrationRun.Statement only(MigrationRun run, int migration) {
        assertTrue(run.ok(), String.valueOf(run.error()));
        List<MigrationRun.Statement> st = run.migrations().get(migration).statements();
        return st.get(st.size() - 1);
    }

    @Test
    void aConstantDefaultRewritesNothingAVolatileDefaultRewritesTheTable() {
        MigrationRun run = FlywayRunner.migrate(
                db,
                List.of(
                        BASE,
                        file(
                                "V20260102000000__qty.sql",
                                "alter table inventory add column qty int not null default 0;\n"),
                        file(
                                "V20260103000000__uid.sql",
                                "alter table inventory add column uid uuid default gen_random_uuid();\n")));
        MigrationRun.Statement qty = only(run, 1);
        assertEquals(List.of(), qty.rewritten(), "ADD COLUMN ... DEFAULT 0: no rewrite since PostgreSQL 11");
        assertTrue(
                qty.locks().contains("AccessExclusiveLock on inventory"),
                qty.locks().toString());
        MigrationRun.Statement uid = only(run, 2);
        assertEquals(List.of("inventory"), uid.rewritten(), "a volatile default rewrites every row");
        assertTrue(
                uid.locks().contains("AccessExclusiveLock on inventory"),
                uid.locks().toString());
        assertEquals(1, uid.line());
        assertEquals(3, FlywayRunner.history(db).size());
    }

    @Test
    void createIndexTakesAShareLockConcurrentlyHoldsNoneAndATypeChangeRewrites() {
        MigrationRun run = FlywayRunner.migrate(
                db,
                List.of(
                        BASE,
                        file("V20260102000000__idx.sql", "create index inventory_code on inventory (code);\n"),
                        file(
                                "V20260103000000__idx2.sql",
                                "create index concurrently inventory_code2 on inventory (code);\n"),
                        file("V20260104000000__type.sql", "alter table inventory alter column id type bigint;\n")));
        MigrationRun.Statement idx = only(run, 1);
        assertTrue(idx.locks().contains("ShareLock on inventory"), "CREATE INDEX blocks writes: " + idx.locks());
        assertEquals(List.of(), idx.rewritten());
        MigrationRun.Statement concurrently = only(run, 2);
        assertFalse(
                concurrently.locks().stream().anyMatch(l -> l.startsWith("ShareLock")),
                "CONCURRENTLY runs outside a transaction and holds no lock afterwards: " + concurrently.locks());
        MigrationRun.Statement type = only(run, 3);
        assertEquals(List.of("inventory"), type.rewritten(), "ALTER COLUMN ... TYPE int -> bigint rewrites the table");
        assertTrue(type.locks().contains("AccessExclusiveLock on inventory"));
    }

    @Test
    void aMigrationFailingHalfWayLeavesNoTrace() throws Exception {
        MigrationRun run = FlywayRunner.migrate(db, List.of(BASE, file("V20260102000000__half.sql", """
                -- refactoring: Introduce Column
                -- phase: expand
                create table audit_log (id int);
                alter table inventory add column qty int;
                alter table no_such_table add column x int;
                """)));
        assertFalse(run.ok());
        MigrationRun.Migration failed = run.migrations().get(1);
        assertEquals(MigrationRun.Outcome.FAILED, failed.outcome());
        assertEquals(5, failed.errorLine(), "the failing statement's line in the file");
        assertEquals(3, failed.statements().get(0).line(), "a statement's line is its own, not its header comment's");
        assertEquals(
                "create table audit_log (id int);", failed.statements().get(0).sql());
        assertTrue(failed.error().contains("no_such_table"), failed.error());
        assertTrue(
                run.error().contains("V20260102000000__half.sql") || run.error().contains("20260102000000"),
                run.error());
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                ResultSet rs = c.createStatement()
                        .executeQuery(
                                "select to_regclass('audit_log') is null, "
                                        + "(select count(*) from information_schema.columns where table_name = 'inventory' and column_name = 'qty')")) {
            rs.next();
            assertTrue(rs.getBoolean(1), "the first statement of the failed migration was rolled back");
            assertEquals(0, rs.getInt(2));
        }
        assertEquals(1, FlywayRunner.history(db).size(), "only the migration that applied is recorded");
    }

    @Test
    void validateNamesAnEditedAppliedMigrationWithBothChecksumsAndLeavesPendingOnesAlone() {
        assertTrue(FlywayRunner.migrate(db, List.of(BASE)).ok());
        MigrationFile edited = file(BASE.fileName(), BASE.text().replace("1000", "2000"));
        List<FlywayRunner.Problem> problems =
                FlywayRunner.validate(db, List.of(edited, file("V20260105000000__later.sql", "select 1;\n")));
        assertEquals(1, problems.size(), problems.toString());
        assertEquals("CHECKSUM_MISMATCH", problems.get(0).code());
        assertEquals("20260101000000", problems.get(0).version());
        assertTrue(
                problems.get(0).message().contains("Applied to database")
                        && problems.get(0).message().contains("Resolved locally"),
                problems.get(0).message());
        assertEquals(List.of(), FlywayRunner.validate(db, List.of(BASE)));
    }
}
