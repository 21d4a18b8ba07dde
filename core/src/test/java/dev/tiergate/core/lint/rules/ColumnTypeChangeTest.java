package dev.tiergate.core.lint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ColumnTypeChangeTest {
    private static final String RULE = "sql.column-type-change";

    @Test
    void flagsWhatTheRuleIsAbout() {
        assertEquals(
                1,
                Lint.count(RULE, "ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);"),
                "ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);");
        assertEquals(
                1,
                Lint.count(RULE, "ALTER TABLE orders ALTER COLUMN total SET DATA TYPE bigint USING total::bigint;"),
                "ALTER TABLE orders ALTER COLUMN total SET DATA TYPE bigint USING total::bigint;");
    }

    @Test
    void leavesLookAlikesAlone() {
        assertEquals(
                0,
                Lint.count(RULE, "ALTER TABLE orders ALTER COLUMN total SET DEFAULT 0;"),
                "ALTER TABLE orders ALTER COLUMN total SET DEFAULT 0;");
        assertEquals(
                0,
                Lint.count(RULE, "-- ALTER TABLE orders ALTER COLUMN total TYPE int;\nSELECT 1;"),
                "-- ALTER TABLE orders ALTER COLUMN total TYPE int;\nSELECT 1;");
    }
}
