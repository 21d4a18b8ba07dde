package dev.tiergate.core.lint.rules;

import dev.tiergate.core.lint.LintRule;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.PgStatement;
import dev.tiergate.core.rules.Rule;

/** {@link Rule#SQL_RENAME}: RENAME of a column or a table that exists. */
public final class Rename implements LintRule {
    @Override
    public Rule rule() {
        return Rule.SQL_RENAME;
    }

    @Override
    public void check(PgStatement s, LintState state, Reporter out) {
        if (s instanceof PgStatement.AlterTable a && state.isExisting(a.table())) {
            for (PgStatement.Action action : a.actions()) {
                if (action instanceof PgStatement.RenameColumn r) {
                    out.report(
                            action.offset(),
                            "column " + a.table() + "." + r.from() + " renamed to " + r.to()
                                    + ": code still running uses the old name");
                } else if (action instanceof PgStatement.RenameTable r) {
                    out.report(
                            action.offset(),
                            "table " + a.table() + " renamed to " + r.to() + ": code still running uses the old name");
                }
            }
        }
    }
}
