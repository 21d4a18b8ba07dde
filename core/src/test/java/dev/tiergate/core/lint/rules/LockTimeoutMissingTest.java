package dev.tiergate.core.lint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LockTimeoutMissingTest {
    private static final String RULE = "sql.lock-timeout-missing";

    @Test
    void flagsWhatTheRuleIsAbout() {
        assertEquals(1, Lint.count(RULE, "ALTER TABLE orders ADD COLUMN note text;"), "ALTER TABLE orders ADD COLUMN note text;");
        assertEquals(1, Lint.count(RULE, "DROP INDEX orders_note_idx;"));
    }

    @Test
    void leavesLookAlikesAlone() {
        assertEquals(0, Lint.count(RULE, "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text;"), "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text;");
        assertEquals(0, Lint.count(RULE, "ALTER TABLE orders VALIDATE CONSTRAINT fk;"), "ALTER TABLE orders VALIDATE CONSTRAINT fk;");
        // CONCURRENTLY takes SHARE UPDATE EXCLUSIVE, not ACCESS EXCLUSIVE
        assertEquals(0, Lint.count(RULE, "DROP INDEX CONCURRENTLY IF EXISTS orders_note_idx;"));
        assertEquals(0, Lint.count(RULE, "SET lock_timeout = '2s';\nDROP INDEX orders_note_idx;"));
    }
}
