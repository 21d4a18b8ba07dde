package dev.tiergate.core.lint.rules;

import dev.tiergate.core.lint.LintRule;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.PgStatement;
import dev.tiergate.core.rules.Rule;

/** {@link Rule#SQL_COLUMN_TYPE_CHANGE}: ALTER COLUMN ... TYPE on an existing table. */
public final class ColumnTypeChange implements LintRule {
    @Override
    public Rule rule() {
        return Rule.SQL_COLUMN_TYPE_CHANGE;
    }

    @Override
    public void check(PgStatement s, LintState state, Reporter out) {
        if (s instanceof PgStatement.AlterTable a && state.isExisting(a.table())) {
            for (PgStatement.Action action : a.actions()) {
                if (action instanceof PgStatement.AlterColumnType c) {
                    out.report(
                            action.offset(),
                            "type of " + a.table() + "." + c.column() + " changed to "
                                    + c.type().text()
                                    + ": usually a table rewrite under an ACCESS EXCLUSIVE lock, and running code breaks");
                }
            }
        }
    }
}
