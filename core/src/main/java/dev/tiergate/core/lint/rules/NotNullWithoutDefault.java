package dev.tiergate.core.lint.rules;

import dev.tiergate.core.lint.LintRule;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.PgStatement;
import dev.tiergate.core.rules.Rule;

/** {@link Rule#SQL_NOT_NULL_WITHOUT_DEFAULT}: ADD COLUMN ... NOT NULL without DEFAULT on an existing table. */
public final class NotNullWithoutDefault implements LintRule {
    @Override
    public Rule rule() {
        return Rule.SQL_NOT_NULL_WITHOUT_DEFAULT;
    }

    @Override
    public void check(PgStatement s, LintState state, Reporter out) {
        if (s instanceof PgStatement.AlterTable a && state.isExisting(a.table())) {
            for (PgStatement.Action action : a.actions()) {
                if (action instanceof PgStatement.AddColumn add
                        && add.column().notNull()
                        && !add.column().hasDefault()) {
                    out.report(
                            action.offset(),
                            "column " + add.column().name() + " added NOT NULL without a DEFAULT to"
                                    + " existing table " + a.table() + ": fails as soon as the table has a row");
                }
            }
        }
    }
}
