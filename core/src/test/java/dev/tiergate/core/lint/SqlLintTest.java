package dev.tiergate.core.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.verdict.Severity;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SqlLintTest {

    private static LintReport lint(String sql, Map<String, Severity> severities) {
        return SqlLint.lint("V1__x.sql", sql, LintState.newMigrationSet(), severities);
    }

    private static List<String> ids(LintReport r) {
        return r.findings().stream().map(Finding::rule).toList();
    }

    @Test
    void anUnparseableStatementIsReportedNotAnalysedWithItsLineAndTheRestIsStillLinted() {
        LintReport r = lint(
                "SET lock_timeout = '1s';\nALTER TABLE orders FROBNICATE c;\nCREAT TABLE x (a int);\n"
                        + "CREATE INDEX i ON orders (c);",
                Map.of());
        assertEquals(4, r.statements());
        assertEquals(2, r.notAnalysed());
        List<Finding> notAnalysed = r.findings().stream()
                .filter(f -> f.rule().equals("sql.not-analysed"))
                .toList();
        assertEquals(List.of(2, 3), notAnalysed.stream().map(Finding::line).toList());
        assertTrue(ids(r).contains("sql.index-not-concurrent"));
        assertEquals(
                4,
                r.findings().stream()
                        .filter(f -> f.rule().equals("sql.index-not-concurrent"))
                        .findFirst()
                        .orElseThrow()
                        .line());
    }

    @Test
    void anIgnoreCommentWithAReasonSuppressesThatRuleOnTheNextStatementAndIsCounted() {
        String sql = "SET lock_timeout = '1s';\n-- tiergate:ignore sql.index-not-concurrent table has 10 rows\n"
                + "CREATE INDEX IF NOT EXISTS i ON orders (c);\nCREATE INDEX IF NOT EXISTS j ON orders (d);";
        LintReport r = lint(sql, Map.of());
        assertEquals(1, r.suppressed());
        assertEquals(List.of(4), r.findings().stream().map(Finding::line).toList());
    }

    @Test
    void anIgnoreCommentWithoutAReasonOrForAnotherRuleSuppressesNothing() {
        String sql = "-- tiergate:ignore sql.index-not-concurrent\nCREATE INDEX IF NOT EXISTS i ON orders (c);\n"
                + "-- tiergate:ignore sql.rename because\nCREATE INDEX IF NOT EXISTS j ON orders (d);";
        LintReport r = lint(sql, Map.of("sql.lock-timeout-missing", Severity.OFF));
        assertEquals(0, r.suppressed());
        assertEquals(2, r.findings().size());
    }

    @Test
    void severitiesComeFromThePolicyElseTheCatalogDefault() {
        String sql = "SET lock_timeout = '1s';\nCREATE TABLE IF NOT EXISTS t (code char(3));\n"
                + "CREATE INDEX IF NOT EXISTS i ON orders (c);";
        LintReport defaults = lint(sql, Map.of());
        assertEquals(
                Map.of("sql.char-type", Severity.WARNING, "sql.index-not-concurrent", Severity.ERROR),
                severityByRule(defaults));
        assertTrue(defaults.hasErrors());
        LintReport lowered =
                lint(sql, Map.of("sql.index-not-concurrent", Severity.WARNING, "sql.char-type", Severity.OFF));
        assertEquals(Map.of("sql.index-not-concurrent", Severity.WARNING), severityByRule(lowered));
        assertFalse(lowered.hasErrors());
    }

    @Test
    void findingsHaveLineAndColumnOfTheAction() {
        LintReport r = lint(
                "SET lock_timeout = '1s';\nALTER TABLE IF EXISTS t\n    ADD COLUMN IF NOT EXISTS a int,\n"
                        + "    RENAME COLUMN b TO c;",
                Map.of());
        Finding rename = r.findings().stream()
                .filter(f -> f.rule().equals("sql.rename"))
                .findFirst()
                .orElseThrow();
        assertEquals(4, rename.line());
        assertEquals(5, rename.column());
        assertTrue(
                rename.renderText().startsWith("V1__x.sql:4:5: error sql.rename: column t.b renamed to c"),
                rename.renderText());
    }

    private static Map<String, Severity> severityByRule(LintReport r) {
        return r.findings().stream().collect(Collectors.toMap(Finding::rule, Finding::severity));
    }

    @Test
    void twoStatementsWithoutASemicolonBetweenThemAreReportedAndBothAreLinted() {
        // issue 26: the DROP TABLE was read as part of the CREATE INDEX and never seen
        String sql = "SET lock_timeout = '2s';\nCREATE INDEX idx_big_a ON big (a)\nDROP TABLE users;\n";
        LintReport r = lint(sql, Map.of());
        List<Finding> joined = r.findings().stream()
                .filter(f -> f.rule().equals("sql.missing-semicolon"))
                .toList();
        assertEquals(1, joined.size(), r.findings().toString());
        assertEquals(3, joined.get(0).line());
        assertEquals(
                "no semicolon between 'CREATE INDEX idx_big_a ON big (a)' and 'DROP TABLE users': PostgreSQL reads"
                        + " them as one statement and fails on it; each was linted as if the semicolon were there",
                joined.get(0).message());
        assertEquals("error", joined.get(0).severity().wireName());
        assertTrue(ids(r).contains("migration.destructive-outside-contract"), ids(r).toString());
        assertTrue(ids(r).contains("sql.index-not-concurrent"), ids(r).toString());
        assertEquals(3, r.statements());
        assertEquals(2, lint("SELECT 1\nCOMMENT ON TABLE t IS 'x';", Map.of()).statements());
        assertEquals(2, lint("SELECT 1\nTRUNCATE audit_log;", Map.of()).statements());
    }

    @Test
    void statementsThatContainStatementsOrContinueOnTheNextLineAreNotSplit() {
        for (String sql : List.of(
                "CREATE SCHEMA app\n  CREATE TABLE t (a int)\n  CREATE VIEW v AS SELECT a FROM t;",
                "WITH moved AS (DELETE FROM a RETURNING *)\nINSERT INTO b SELECT * FROM moved;",
                "ALTER TABLE t\n  DROP COLUMN a,\n  ALTER COLUMN b TYPE bigint,\n  DROP CONSTRAINT c;",
                "ALTER DEFAULT PRIVILEGES IN SCHEMA s\nGRANT SELECT ON TABLES TO app;",
                "INSERT INTO t (a) VALUES (1)\nON CONFLICT (a) DO\nUPDATE SET a = 2;",
                "CREATE TRIGGER tr BEFORE INSERT OR\nUPDATE OF a ON t FOR EACH ROW EXECUTE FUNCTION f();",
                "GRANT SELECT, INSERT,\nUPDATE, DELETE ON t TO app;",
                "CREATE RULE r AS ON INSERT TO v DO INSTEAD\nINSERT INTO t VALUES (NEW.a);",
                "UPDATE t\nSET a = 1\nWHERE b IN (SELECT b FROM u);",
                // a lemmy migration, formatted: a table named comment on its own line, then ON CONFLICT
                "INSERT INTO comment_aggregates\nSELECT\n    id AS comment_id\nFROM\n    COMMENT\nON CONFLICT (comment_id)\n"
                        + "    DO UPDATE SET\n        score = excluded.score;",
                "SELECT a\nFROM\n    truncate AS t;")) {
            LintReport r = lint(sql, Map.of());
            assertEquals(1, r.statements(), sql + " -> " + r.findings());
            assertFalse(ids(r).contains("sql.missing-semicolon"), sql);
        }
    }

    @Test
    void tokensLeftOverAfterACompleteStatementAreNotAnalysedWithTheirLine() {
        LintReport r = lint(
                "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a) foo;\n"
                        + "TRUNCATE t RESTART IDENTITY CASCADE oops;\nCREATE TABLE IF NOT EXISTS u (a int) TABLESPACE x y;",
                Map.of());
        List<Finding> na = r.findings().stream()
                .filter(f -> f.rule().equals("sql.not-analysed"))
                .toList();
        assertEquals(List.of(2, 3, 4), na.stream().map(Finding::line).toList(), na.toString());
        assertTrue(
                na.get(0)
                        .message()
                        .startsWith("statement not analysed: tokens left over after a complete CREATE INDEX: 'foo'"),
                na.get(0).message());
        assertEquals(3, r.notAnalysed());
        // what the grammar has after the parts it reads is read, not left over
        LintReport fine = lint(
                "CREATE INDEX IF NOT EXISTS i ON t USING gin (a) INCLUDE (b) WITH (fillfactor = 70)"
                        + " TABLESPACE fast WHERE a IS NOT NULL;\nCREATE TABLE IF NOT EXISTS m (a int) PARTITION BY RANGE (a);\n"
                        + "CREATE TEMP TABLE IF NOT EXISTS x (a int) ON COMMIT DROP;\nTRUNCATE TABLE ONLY a, b RESTART IDENTITY;",
                Map.of(
                        "sql.lock-timeout-missing",
                        Severity.OFF,
                        "sql.index-not-concurrent",
                        Severity.OFF,
                        "migration.destructive-outside-contract",
                        Severity.OFF));
        assertEquals(List.of(), fine.findings());
    }
}
