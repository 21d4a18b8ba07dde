package dev.tiergate.core.lint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.lint.Finding;
import dev.tiergate.core.policy.MigrationTool;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Flyway refuses a script that mixes statements it runs in a transaction with ones it cannot (ParserSqlScript.parse). */
class MixedTransactionTest {
    private static final String RULE = "sql.mixed-transaction";
    private static final String MIXED = "SET lock_timeout = '2s';\n"
            + "ALTER TABLE versions ADD COLUMN IF NOT EXISTS yanked_at timestamptz;\n"
            + "CREATE INDEX CONCURRENTLY IF NOT EXISTS versions_yanked_idx ON versions (yanked_at);\n"
            + "CREATE INDEX CONCURRENTLY IF NOT EXISTS versions_crate_idx ON versions (crate_id);\n";

    @Test
    void aMixedScriptIsOneFindingAtItsFirstNonTransactionalStatement() {
        List<Finding> f = Lint.findings(RULE, MIXED);
        assertEquals(1, f.size(), f.toString());
        assertEquals(3, f.get(0).line());
        assertTrue(
                f.get(0)
                        .message()
                        .startsWith("CREATE INDEX CONCURRENTLY is non-transactional to Flyway and the statement"
                                + " on line 1 is transactional: Flyway refuses a script that mixes"),
                f.get(0).message());
        assertTrue(f.get(0).fix().startsWith("split the file"));
        // the in-transaction rule does not say it twice
        assertEquals(0, Lint.count("sql.concurrently-in-transaction", MIXED));
    }

    @Test
    void mixedOnOrAScriptConfigurationFileLetsFlywayRunIt() {
        assertEquals(List.of(), Lint.findings(Lint.flyway(true, false), RULE, MIXED));
        assertEquals(
                List.of(),
                Lint.file(Lint.tool(MigrationTool.FLYWAY), RULE, "V3__x.sql", MIXED, "executeInTransaction=false"));
    }

    @Test
    void otherToolsAndScriptsOfOneKindAreNotMixed() {
        assertEquals(List.of(), Lint.findings(Lint.tool(MigrationTool.PLAIN), RULE, MIXED));
        assertEquals(List.of(), Lint.findings(RULE, "CREATE INDEX CONCURRENTLY a ON t (a);\nVACUUM t;"));
        assertEquals(List.of(), Lint.findings(RULE, "ALTER TABLE t ADD COLUMN IF NOT EXISTS a int;"));
    }
}
