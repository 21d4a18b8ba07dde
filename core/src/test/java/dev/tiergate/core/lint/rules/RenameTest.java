package dev.tiergate.core.lint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RenameTest {
    private static final String RULE = "sql.rename";

    @Test
    void flagsWhatTheRuleIsAbout() {
        assertEquals(
                1,
                Lint.count(RULE, "ALTER TABLE orders RENAME COLUMN qty TO quantity;"),
                "ALTER TABLE orders RENAME COLUMN qty TO quantity;");
        assertEquals(
                1,
                Lint.count(RULE, "ALTER TABLE orders RENAME TO purchases;"),
                "ALTER TABLE orders RENAME TO purchases;");
    }

    @Test
    void leavesLookAlikesAlone() {
        assertEquals(
                0,
                Lint.count(RULE, "ALTER TABLE orders RENAME CONSTRAINT a TO b;"),
                "ALTER TABLE orders RENAME CONSTRAINT a TO b;");
        assertEquals(
                0,
                Lint.count(RULE, "CREATE TABLE t (a int);\nALTER TABLE t RENAME COLUMN a TO b;"),
                "CREATE TABLE t (a int);\nALTER TABLE t RENAME COLUMN a TO b;");
    }
}
