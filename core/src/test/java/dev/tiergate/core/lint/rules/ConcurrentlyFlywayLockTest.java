package dev.tiergate.core.lint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.lint.Finding;
import dev.tiergate.core.policy.MigrationTool;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Flyway's default transactional advisory lock and CONCURRENTLY (flyway/flyway#3682, #3854). */
class ConcurrentlyFlywayLockTest {
    private static final String RULE = "sql.concurrently-flyway-lock";
    private static final String INDEX = "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_crates_name ON crates (name);";

    @Test
    void aConcurrentIndexUnderFlywaysDefaultLockWaitsForever() {
        List<Finding> f = Lint.findings(RULE, INDEX);
        assertEquals(1, f.size());
        assertTrue(
                f.get(0)
                        .message()
                        .startsWith("CREATE INDEX CONCURRENTLY waits for transactions older than it to end,"
                                + " and Flyway keeps one open holding its lock"),
                f.get(0).message());
        assertTrue(f.get(0).fix().contains("migrations.flyway.transactional_lock: false"));
        assertEquals(1, Lint.count(RULE, "DROP INDEX CONCURRENTLY IF EXISTS i;"));
        // Flyway runs REINDEX ... CONCURRENTLY in a transaction: sql.concurrently-in-transaction's finding, not this
        // one
        assertEquals(0, Lint.count(RULE, "REINDEX INDEX CONCURRENTLY i;"));
    }

    @Test
    void notWithTheLockOffNorUnderAnotherToolNorWhereTheStatementCannotRunAtAll() {
        assertEquals(List.of(), Lint.findings(Lint.flyway(false, false), RULE, INDEX));
        assertEquals(List.of(), Lint.findings(Lint.tool(MigrationTool.GOLANG_MIGRATE), RULE, INDEX));
        assertEquals(List.of(), Lint.findings(Lint.assumeInTransaction(true), RULE, INDEX));
        assertEquals(List.of(), Lint.findings(RULE, "CREATE INDEX idx ON crates (name);"));
    }
}
