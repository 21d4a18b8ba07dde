package dev.tiergate.core.lint.rules;

import dev.tiergate.core.lint.LintRule;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.PgStatement;
import dev.tiergate.core.rules.Rule;

/** {@link Rule#SQL_LOCK_TIMEOUT}: an ACCESS EXCLUSIVE lock on an existing table with no lock_timeout set before it in the file. */
public final class LockTimeoutMissing implements LintRule {
    @Override
    public Rule rule() {
        return Rule.SQL_LOCK_TIMEOUT;
    }

    @Override
    public void check(PgStatement s, LintState state, Reporter out) {
        if (state.lockTimeoutSet()) {
            return;
        }
        if (s instanceof PgStatement.AlterTable a && state.isExisting(a.table())
                && !a.actions().stream().allMatch(x -> x instanceof PgStatement.ValidateConstraint)) {
            out.report(0, "ALTER TABLE " + a.table() + " takes an ACCESS EXCLUSIVE lock and no lock_timeout is set before it");
        } else if (s instanceof PgStatement.Drop d && d.kind().equals("table") && d.names().stream().anyMatch(state::isExisting)) {
            out.report(0, "DROP TABLE takes an ACCESS EXCLUSIVE lock and no lock_timeout is set before it");
        } else if (s instanceof PgStatement.Drop d && d.kind().equals("index") && !d.concurrently()) {
            // PostgreSQL's DROP INDEX reference: a normal DROP INDEX takes an ACCESS EXCLUSIVE lock on the table
            out.report(0, "DROP INDEX takes an ACCESS EXCLUSIVE lock on its table and no lock_timeout is set before it");
        } else if (s instanceof PgStatement.Truncate) {
            out.report(0, "TRUNCATE takes an ACCESS EXCLUSIVE lock and no lock_timeout is set before it");
        }
    }
}
