package dev.tiergate.core.lint.rules;

import dev.tiergate.core.lint.LintRule;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.PgStatement;
import dev.tiergate.core.rules.Rule;

/** {@link Rule#SQL_SET_NOT_NULL}: SET NOT NULL with no validated CHECK (col IS NOT NULL) before it. */
public final class SetNotNull implements LintRule {
    @Override
    public Rule rule() {
        return Rule.SQL_SET_NOT_NULL;
    }

    @Override
    public void check(PgStatement s, LintState state, Reporter out) {
        if (s instanceof PgStatement.AlterTable a && state.isExisting(a.table())) {
            for (PgStatement.Action action : a.actions()) {
                if (action instanceof PgStatement.SetNotNull n
                        && !state.hasValidatedNotNullCheck(a.table(), n.column())) {
                    out.report(
                            action.offset(),
                            "SET NOT NULL on " + a.table() + "." + n.column() + " scans the table"
                                    + " under an ACCESS EXCLUSIVE lock (no validated CHECK (" + n.column()
                                    + " IS NOT NULL) first)");
                }
            }
        }
    }
}
