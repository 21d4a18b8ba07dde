package dev.tiergate.core.lint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.lint.Finding;
import dev.tiergate.core.policy.MigrationTool;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rule follows the migration tool: each case is how that tool runs the file (MigrationTool cites its docs). */
class ConcurrentlyInTransactionTest {
    private static final String RULE = "sql.concurrently-in-transaction";
    private static final String INDEX = "-- the fix sql.index-not-concurrent asks for, alone in its migration\n"
            + "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_crates_name ON crates (name);\n";

    @Test
    void flywayRunsAScriptOfOnlyNonTransactionalStatementsOutsideATransaction() {
        // issue 26: Flyway's log says "[non-transactional]" for this script; the lint refused it before
        assertEquals(List.of(), Lint.findings(RULE, INDEX));
        assertEquals(
                List.of(),
                Lint.findings(
                        RULE, "DROP INDEX CONCURRENTLY IF EXISTS idx_a;\nDROP INDEX CONCURRENTLY IF EXISTS idx_b;"));
    }

    @Test
    void flywayRunsReindexConcurrentlyInATransactionEvenAloneAndTheScriptConfigurationFixesIt() {
        List<Finding> f = Lint.findings(RULE, "REINDEX INDEX CONCURRENTLY idx_crates_name;");
        assertEquals(1, f.size());
        assertTrue(
                f.get(0)
                        .message()
                        .startsWith("REINDEX INDEX CONCURRENTLY cannot run inside a transaction block, and"
                                + " Flyway runs this script in one transaction"),
                f.get(0).message());
        assertTrue(f.get(0).message().contains("give the script a .sql.conf file with executeInTransaction=false"));
        assertEquals(
                List.of(),
                Lint.file(
                        Lint.tool(MigrationTool.FLYWAY),
                        RULE,
                        "V2__reindex.sql",
                        "REINDEX INDEX CONCURRENTLY idx_crates_name;",
                        "executeInTransaction=false\n"));
    }

    @Test
    void theFlywayCommentIsNotScriptConfigurationAndTheMessageSaysSo() {
        List<Finding> f =
                Lint.findings(RULE, "-- flyway:executeInTransaction=false\nREINDEX TABLE CONCURRENTLY crates;");
        assertEquals(1, f.size());
        assertTrue(f.get(0).message().contains("Flyway 13 does not read '-- flyway:executeInTransaction=false'"));
        // and a script configuration file that says true puts even CREATE INDEX CONCURRENTLY in a transaction
        assertEquals(
                1,
                Lint.file(Lint.tool(MigrationTool.FLYWAY), RULE, "V2__i.sql", INDEX, "executeInTransaction=true")
                        .size());
    }

    @Test
    void theFilesOwnBeginIsATransactionBlockWhateverTheTool() {
        List<Finding> f =
                Lint.findings(Lint.tool(MigrationTool.PLAIN), RULE, "BEGIN;\nDROP INDEX CONCURRENTLY i;\nCOMMIT;");
        assertEquals(
                List.of(
                        "DROP INDEX CONCURRENTLY cannot run inside a transaction block, and the file's own BEGIN opened one"),
                f.stream().map(Finding::message).toList());
    }

    @Test
    void golangMigrateRunsAFileOfOneStatementOutsideAndOfSeveralAsOneTransaction() {
        assertEquals(List.of(), Lint.findings(Lint.tool(MigrationTool.GOLANG_MIGRATE), RULE, INDEX));
        List<Finding> f = Lint.findings(
                Lint.tool(MigrationTool.GOLANG_MIGRATE),
                RULE,
                "CREATE INDEX CONCURRENTLY idx_a ON entitlements (a);\nCREATE INDEX CONCURRENTLY idx_b ON entitlements (b);");
        assertEquals(2, f.size());
        assertTrue(
                f.get(0)
                        .message()
                        .contains("golang-migrate sends the file as one query, which PostgreSQL runs as one"
                                + " transaction (it has 2 statements)"),
                f.get(0).message());
        assertTrue(
                f.get(0).message().contains("alone in its own file"), f.get(0).message());
    }

    @Test
    void gooseAndDbmateRunInATransactionUnlessTheFileOptsOut() {
        assertEquals(
                1,
                Lint.findings(Lint.tool(MigrationTool.GOOSE), RULE, "-- +goose Up\n" + INDEX)
                        .size());
        assertEquals(
                0,
                Lint.findings(Lint.tool(MigrationTool.GOOSE), RULE, "-- +goose NO TRANSACTION\n-- +goose Up\n" + INDEX)
                        .size());
        assertEquals(
                1,
                Lint.findings(Lint.tool(MigrationTool.DBMATE), RULE, "-- migrate:up\n" + INDEX)
                        .size());
        assertEquals(
                0,
                Lint.findings(Lint.tool(MigrationTool.DBMATE), RULE, "-- migrate:up transaction:false\n" + INDEX)
                        .size());
    }

    @Test
    void railsAndAlembicRunInATransactionAndPsqlDoesNot() {
        assertTrue(Lint.findings(Lint.tool(MigrationTool.RAILS), RULE, INDEX)
                .get(0)
                .message()
                .contains("disable_ddl_transaction!"));
        assertTrue(Lint.findings(Lint.tool(MigrationTool.ALEMBIC), RULE, INDEX)
                .get(0)
                .message()
                .contains("autocommit_block"));
        assertEquals(List.of(), Lint.findings(Lint.tool(MigrationTool.PLAIN), RULE, INDEX));
    }

    @Test
    void theCommandLineOverridesTheTool() {
        List<Finding> f = Lint.findings(Lint.assumeInTransaction(true), RULE, INDEX);
        assertEquals(1, f.size());
        assertTrue(
                f.get(0).message().contains("(--assume-in-transaction)"),
                f.get(0).message());
        assertEquals(List.of(), Lint.findings(Lint.assumeInTransaction(false), RULE, "VACUUM crates;"));
        assertEquals(
                1,
                Lint.findings(Lint.assumeInTransaction(true), RULE, "VACUUM crates;")
                        .size());
    }

    @Test
    void leavesLookAlikesAlone() {
        assertEquals(0, Lint.count(RULE, "CREATE INDEX i ON orders (c);"));
        assertEquals(0, Lint.count(RULE, "REINDEX INDEX i;"));
        assertEquals(0, Lint.count(RULE, "REFRESH MATERIALIZED VIEW CONCURRENTLY mv;"));
    }
}
