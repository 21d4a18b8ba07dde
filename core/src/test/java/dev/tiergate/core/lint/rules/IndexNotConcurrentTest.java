package dev.tiergate.core.lint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class IndexNotConcurrentTest {
    private static final String RULE = "sql.index-not-concurrent";

    @Test
    void flagsWhatTheRuleIsAbout() {
        assertEquals(1, Lint.count(RULE, "CREATE INDEX i ON orders (customer_id);"), "CREATE INDEX i ON orders (customer_id);");
    }

    @Test
    void leavesLookAlikesAlone() {
        assertEquals(0, Lint.count(RULE, "CREATE TABLE orders (id bigint);\nCREATE INDEX i ON orders (id);"), "CREATE TABLE orders (id bigint);\nCREATE INDEX i ON orders (id);");
        assertEquals(0, Lint.count(RULE, "-- flyway:executeInTransaction=false\nCREATE INDEX CONCURRENTLY i ON orders (c);"), "-- flyway:executeInTransaction=false\nCREATE INDEX CONCURRENTLY i ON orders (c);");
        assertEquals(0, Lint.count(RULE, "SELECT 'CREATE INDEX i ON orders (c)';"), "SELECT 'CREATE INDEX i ON orders (c)';");
    }
}
