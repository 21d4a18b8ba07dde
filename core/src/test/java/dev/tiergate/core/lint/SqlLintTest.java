package dev.tiergate.core.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.verdict.Severity;
import java.util.List;
import java.util.Map;
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
        LintReport r = lint("SET lock_timeout = '1s';\nALTER TABLE orders FROBNICATE c;\nCREAT TABLE x (a int);\n"
                + "CREATE INDEX i ON orders (c);", Map.of());
        assertEquals(4, r.statements());
        assertEquals(2, r.notAnalysed());
        List<Finding> notAnalysed = r.findings().stream().filter(f -> f.rule().equals("sql.not-analysed")).toList();
        assertEquals(List.of(2, 3), notAnalysed.stream().map(Finding::line).toList());
        assertTrue(ids(r).contains("sql.index-not-concurrent"));
        assertEquals(4, r.findings().stream().filter(f -> f.rule().equals("sql.index-not-concurrent"))
                .findFirst().orElseThrow().line());
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
        assertEquals(Map.of("sql.char-type", Severity.WARNING, "sql.index-not-concurrent", Severity.ERROR),
                severityByRule(defaults));
        assertTrue(defaults.hasErrors());
        LintReport lowered = lint(sql, Map.of("sql.index-not-concurrent", Severity.WARNING, "sql.char-type", Severity.OFF));
        assertEquals(Map.of("sql.index-not-concurrent", Severity.WARNING), severityByRule(lowered));
        assertFalse(lowered.hasErrors());
    }

    @Test
    void findingsHaveLineAndColumnOfTheAction() {
        LintReport r = lint("SET lock_timeout = '1s';\nALTER TABLE IF EXISTS t\n    ADD COLUMN IF NOT EXISTS a int,\n"
                + "    RENAME COLUMN b TO c;", Map.of());
        Finding rename = r.findings().stream().filter(f -> f.rule().equals("sql.rename")).findFirst().orElseThrow();
        assertEquals(4, rename.line());
        assertEquals(5, rename.column());
        assertTrue(rename.renderText().startsWith("V1__x.sql:4:5: error sql.rename: column t.b renamed to c"),
                rename.renderText());
    }

    private static Map<String, Severity> severityByRule(LintReport r) {
        return r.findings().stream().collect(java.util.stream.Collectors.toMap(Finding::rule, Finding::severity));
    }
}
