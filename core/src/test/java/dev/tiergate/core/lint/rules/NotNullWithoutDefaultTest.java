package dev.tiergate.core.lint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NotNullWithoutDefaultTest {
    private static final String RULE = "sql.not-null-without-default";

    @Test
    void flagsWhatTheRuleIsAbout() {
        assertEquals(
                1,
                Lint.count(RULE, "ALTER TABLE orders ADD COLUMN region text NOT NULL;"),
                "ALTER TABLE orders ADD COLUMN region text NOT NULL;");
    }

    @Test
    void leavesLookAlikesAlone() {
        assertEquals(
                0,
                Lint.count(RULE, "ALTER TABLE orders ADD COLUMN region text NOT NULL DEFAULT 'eu';"),
                "ALTER TABLE orders ADD COLUMN region text NOT NULL DEFAULT 'eu';");
        assertEquals(
                0,
                Lint.count(RULE, "ALTER TABLE orders ADD COLUMN region text;"),
                "ALTER TABLE orders ADD COLUMN region text;");
        // serial is integer NOT NULL DEFAULT nextval(...): existing rows get numbers, nothing fails
        assertEquals(0, Lint.count(RULE, "ALTER TABLE orders ADD COLUMN id serial PRIMARY KEY;"));
        assertEquals(0, Lint.count(RULE, "ALTER TABLE orders ADD COLUMN n bigserial NOT NULL;"));
        assertEquals(
                0, Lint.count(RULE, "ALTER TABLE orders ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY NOT NULL;"));
        assertEquals(
                0,
                Lint.count(RULE, "CREATE TABLE o (a int);\nALTER TABLE o ADD COLUMN b int NOT NULL;"),
                "CREATE TABLE o (a int);\nALTER TABLE o ADD COLUMN b int NOT NULL;");
    }
}
