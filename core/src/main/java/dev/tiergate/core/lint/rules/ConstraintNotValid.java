package dev.tiergate.core.lint.rules;

import dev.tiergate.core.lint.LintRule;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.PgStatement;
import dev.tiergate.core.rules.Rule;

/** {@link Rule#SQL_CONSTRAINT_NOT_VALID}: a foreign key or CHECK added to an existing table without NOT VALID. */
public final class ConstraintNotValid implements LintRule {
    @Override
    public Rule rule() {
        return Rule.SQL_CONSTRAINT_NOT_VALID;
    }

    @Override
    public void check(PgStatement s, LintState state, Reporter out) {
        if (s instanceof PgStatement.AlterTable a && state.isExisting(a.table())) {
            for (PgStatement.Action action : a.actions()) {
                if (action instanceof PgStatement.AddConstraint add && !add.constraint().notValid()
                        && (add.constraint().kind() == PgStatement.ConstraintKind.FOREIGN_KEY
                        || add.constraint().kind() == PgStatement.ConstraintKind.CHECK)) {
                    out.report(action.offset(), (add.constraint().kind() == PgStatement.ConstraintKind.CHECK
                            ? "CHECK" : "FOREIGN KEY") + " constraint added to existing table " + a.table()
                            + " without NOT VALID: it checks every row while holding a lock");
                }
            }
        }
    }
}
