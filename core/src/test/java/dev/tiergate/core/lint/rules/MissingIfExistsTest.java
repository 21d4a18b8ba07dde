package dev.tiergate.core.lint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MissingIfExistsTest {
    private static final String RULE = "sql.missing-if-exists";

    @Test
    void flagsWhatTheRuleIsAbout() {
        assertEquals(1, Lint.count(RULE, "CREATE TABLE t (a int);"), "CREATE TABLE t (a int);");
        assertEquals(1, Lint.count(RULE, "DROP TABLE t;"), "DROP TABLE t;");
        assertEquals(1, Lint.count(RULE, "CREATE INDEX i ON t (a);"), "CREATE INDEX i ON t (a);");
        assertEquals(1, Lint.count(RULE, "ALTER TABLE t ADD COLUMN b int;"), "ALTER TABLE t ADD COLUMN b int;");
    }

    @Test
    void leavesLookAlikesAlone() {
        assertEquals(0, Lint.count(RULE, "CREATE TABLE IF NOT EXISTS t (a int);"), "CREATE TABLE IF NOT EXISTS t (a int);");
        assertEquals(0, Lint.count(RULE, "DROP TABLE IF EXISTS t;"), "DROP TABLE IF EXISTS t;");
        assertEquals(0, Lint.count(RULE, "CREATE INDEX IF NOT EXISTS i ON t (a);"), "CREATE INDEX IF NOT EXISTS i ON t (a);");
        assertEquals(0, Lint.count(RULE, "ALTER TABLE t ADD COLUMN IF NOT EXISTS b int;"), "ALTER TABLE t ADD COLUMN IF NOT EXISTS b int;");
    }
}
