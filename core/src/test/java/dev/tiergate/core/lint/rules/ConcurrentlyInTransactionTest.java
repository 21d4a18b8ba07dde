package dev.tiergate.core.lint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ConcurrentlyInTransactionTest {
    private static final String RULE = "sql.concurrently-in-transaction";

    @Test
    void flagsWhatTheRuleIsAbout() {
        assertEquals(1, Lint.count(RULE, "CREATE INDEX CONCURRENTLY i ON orders (c);"), "CREATE INDEX CONCURRENTLY i ON orders (c);");
        assertEquals(1, Lint.count(RULE, "-- flyway:executeInTransaction=false\nBEGIN;\nDROP INDEX CONCURRENTLY i;\nCOMMIT;"), "-- flyway:executeInTransaction=false\nBEGIN;\nDROP INDEX CONCURRENTLY i;\nCOMMIT;");
    }

    @Test
    void leavesLookAlikesAlone() {
        assertEquals(0, Lint.count(RULE, "-- flyway:executeInTransaction=false\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON orders (c);"), "-- flyway:executeInTransaction=false\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON orders (c);");
        assertEquals(0, Lint.count(RULE, "CREATE INDEX i ON orders (c);"), "CREATE INDEX i ON orders (c);");
    }
}
