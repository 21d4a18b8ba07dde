package dev.tiergate.core.lint.rules;

import dev.tiergate.core.lint.LintRule;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.PgStatement;
import dev.tiergate.core.rules.Rule;

/**
 * {@link Rule#SQL_UNIQUE_WITHOUT_INDEX}: a UNIQUE or PRIMARY KEY constraint added to an existing table without USING
 * INDEX, as a table constraint or on a column added by ADD COLUMN.
 */
public final class UniqueWithoutIndex implements LintRule {
    @Override
    public Rule rule() {
        return Rule.SQL_UNIQUE_WITHOUT_INDEX;
    }

    @Override
    public void check(PgStatement s, LintState state, Reporter out) {
        if (s instanceof PgStatement.AlterTable a && state.isExisting(a.table())) {
            for (PgStatement.Action action : a.actions()) {
                if (action instanceof PgStatement.AddConstraint add
                        && add.constraint().usingIndex() == null
                        && (add.constraint().kind() == PgStatement.ConstraintKind.UNIQUE
                                || add.constraint().kind() == PgStatement.ConstraintKind.PRIMARY_KEY)) {
                    out.report(
                            action.offset(),
                            "UNIQUE/PRIMARY KEY added to existing table " + a.table()
                                    + " builds its index under an ACCESS EXCLUSIVE lock");
                } else if (action instanceof PgStatement.AddColumn add
                        && (add.column().unique() || add.column().primaryKey())) {
                    out.report(
                            action.offset(),
                            "column " + add.column().name() + " added with "
                                    + (add.column().primaryKey() ? "PRIMARY KEY" : "UNIQUE") + " to existing table "
                                    + a.table()
                                    + ": its index is built under the ACCESS EXCLUSIVE lock of the ALTER TABLE");
                }
            }
        }
    }
}
