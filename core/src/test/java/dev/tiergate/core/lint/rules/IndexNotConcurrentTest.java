package dev.tiergate.core.lint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class IndexNotConcurrentTest {
    private static final String RULE = "sql.index-not-concurrent";

    @Test
    void flagsWhatTheRuleIsAbout() {
        assertEquals(
                1,
                Lint.count(RULE, "CREATE INDEX i ON orders (customer_id);"),
                "CREATE INDEX i ON orders (customer_id);");
    }

    @Test
    void leavesLookAlikesAlone() {
        assertEquals(
                0,
                Lint.count(RULE, "CREATE TABLE orders (id bigint);\nCREATE INDEX i ON orders (id);"),
                "CREATE TABLE orders (id bigint);\nCREATE INDEX i ON orders (id);");
        assertEquals(
                0,
                Lint.count(RULE, "-- flyway:executeInTransaction=false\nCREATE INDEX CONCURRENTLY i ON orders (c);"),
                "-- flyway:executeInTransaction=false\nCREATE INDEX CONCURRENTLY i ON orders (c);");
        assertEquals(
                0,
                Lint.count(RULE, "SELECT 'CREATE INDEX i ON orders (c)';"),
                "SELECT 'CREATE INDEX i ON orders (c)';");
    }

    @Test
    void anIndexOnAMaterializedViewCreatedEarlierInTheFileIsOnANewRelation() {
        // issue 26, the shape of a lemmy migration: a materialized view, then its unique index for REFRESH CONCURRENTLY
        String sql =
                "CREATE MATERIALIZED VIEW post_aggregates_mview AS\nSELECT\n    *\nFROM\n    post_aggregates_view;\n\n"
                        + "CREATE UNIQUE INDEX idx_post_aggregates_mview_id ON post_aggregates_mview (id);\n";
        assertEquals(0, Lint.count(RULE, sql));
        assertEquals(
                1, Lint.count(RULE, "CREATE UNIQUE INDEX idx_post_aggregates_mview_id ON post_aggregates_mview (id);"));
    }

    @Test
    void theMessageSaysHowTheToolRunsAStatementOutsideATransaction() {
        String message =
                Lint.findings(RULE, "CREATE INDEX i ON orders (c);").get(0).message();
        assertEquals(
                "CREATE INDEX without CONCURRENTLY on existing table orders blocks writes to it while the index"
                        + " builds; build it CONCURRENTLY alone in its own script (Flyway runs a script of only non-transactional"
                        + " statements outside a transaction), or with executeInTransaction=false in the script's .sql.conf file",
                message);
    }

    @Test
    void aTemporaryTableCreatedAsAQueryWithItsClausesFirstIsNew() {
        String sql = "CREATE TEMPORARY TABLE repair_runs ON COMMIT DROP AS\nSELECT id FROM billing_invoices;\n"
                + "CREATE INDEX ON repair_runs (id);\n";
        assertEquals(0, Lint.count(RULE, sql));
        assertEquals(0, Lint.count("sql.not-analysed", sql));
    }
}
