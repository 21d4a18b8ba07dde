package dev.tiergate.core.lint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SetNotNullTest {
    private static final String RULE = "sql.set-not-null";

    @Test
    void flagsWhatTheRuleIsAbout() {
        assertEquals(
                1,
                Lint.count(RULE, "ALTER TABLE orders ALTER COLUMN region SET NOT NULL;"),
                "ALTER TABLE orders ALTER COLUMN region SET NOT NULL;");
    }

    @Test
    void leavesLookAlikesAlone() {
        assertEquals(
                0,
                Lint.count(RULE, "CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;"),
                "CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;");
    }

    @Test
    void aCheckAddedNotValidThenValidatedInALaterMigrationMakesSetNotNullSafe() {
        String add = "ALTER TABLE orders ADD CONSTRAINT region_nn CHECK (region IS NOT NULL) NOT VALID;";
        String validate = "ALTER TABLE orders VALIDATE CONSTRAINT region_nn;";
        String set = "ALTER TABLE orders ALTER COLUMN region SET NOT NULL;";
        assertEquals(0, Lint.count(RULE, add, validate, set));
        assertEquals(1, Lint.count(RULE, add, set), "not yet validated");
        assertEquals(0, Lint.count("sql.constraint-not-valid", add, validate), "NOT VALID, then VALIDATE: both fine");
    }
}
