package dev.tiergate.core.lint.rules;

import dev.tiergate.core.lint.LintRule;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.PgStatement;
import dev.tiergate.core.rules.Rule;

/** {@link Rule#SQL_CONCURRENTLY_IN_TRANSACTION}: CREATE/DROP INDEX CONCURRENTLY where it would run inside a transaction block. */
public final class ConcurrentlyInTransaction implements LintRule {
    @Override
    public Rule rule() {
        return Rule.SQL_CONCURRENTLY_IN_TRANSACTION;
    }

    @Override
    public void check(PgStatement s, LintState state, Reporter out) {
        boolean concurrently = s instanceof PgStatement.CreateIndex i && i.concurrently()
                || s instanceof PgStatement.Drop d && d.concurrently();
        if (concurrently && state.runsInTransaction()) {
            out.report(0, "CONCURRENTLY cannot run inside a transaction block, and Flyway runs this script in one"
                    + " (no '-- flyway:executeInTransaction=false' line, or an explicit BEGIN before it)");
        }
    }
}
