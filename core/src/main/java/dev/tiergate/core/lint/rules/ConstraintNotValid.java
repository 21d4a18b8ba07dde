package dev.tiergate.core.lint.rules;

import dev.tiergate.core.lint.LintRule;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.PgStatement;
import dev.tiergate.core.rules.Rule;

/**
 * {@link Rule#SQL_CONSTRAINT_NOT_VALID}: a constraint that PostgreSQL checks against every row of an existing table
 * while holding its lock, where NOT VALID exists: a FOREIGN KEY or CHECK, a PG 18 {@code NOT NULL col} constraint
 * (unless a validated CHECK (col IS NOT NULL) already proves it), and a column added with REFERENCES in an ALTER TABLE
 * that adds any column with a DEFAULT. PostgreSQL skips validating the column-level foreign keys of an ALTER TABLE
 * only when no column it adds has a default (parse_utilcmd.c, transformAlterTableStmt: one {@code skipValidation} for
 * the whole statement, cleared by "If the column has a non-null default, we can't skip validation of foreign keys",
 * then applied to every column-level foreign key by transformFKConstraints); a serial's nextval and a generated
 * expression are such defaults, an identity is not. And VALIDATE CONSTRAINT of a constraint the same file added NOT VALID,
 * where the tool runs the file in one transaction: the ADD's lock is held until commit, so the validation scans the
 * table under it and NOT VALID bought nothing.
 */
public final class ConstraintNotValid implements LintRule {
    @Override
    public Rule rule() {
        return Rule.SQL_CONSTRAINT_NOT_VALID;
    }

    @Override
    public void check(PgStatement s, LintState state, Reporter out) {
        if (!(s instanceof PgStatement.AlterTable a) || !state.isExisting(a.table())) {
            return;
        }
        String withDefault = null;
        for (PgStatement.Action action : a.actions()) {
            if (action instanceof PgStatement.AddColumn add && add.column().hasRawDefault() && withDefault == null) {
                withDefault = add.column().name();
            }
        }
        for (PgStatement.Action action : a.actions()) {
            if (action instanceof PgStatement.AddConstraint add
                    && !add.constraint().notValid()) {
                PgStatement.TableConstraint k = add.constraint();
                String what = switch (k.kind()) {
                    case FOREIGN_KEY -> "FOREIGN KEY";
                    case CHECK -> "CHECK";
                    case NOT_NULL ->
                        state.hasValidatedNotNullCheck(a.table(), k.columns().get(0)) ? null : "NOT NULL";
                    default -> null;
                };
                if (what != null) {
                    out.report(
                            action.offset(),
                            what + " constraint added to existing table " + a.table()
                                    + " without NOT VALID: it checks every row while holding a lock");
                }
            } else if (action instanceof PgStatement.ValidateConstraint v
                    && state.addedNotValidInThisFile(v.name())
                    && state.runsInTransaction()) {
                out.report(
                        action.offset(),
                        "VALIDATE CONSTRAINT " + v.name() + " in the transaction that added it NOT VALID ("
                                + state.file().fact() + "): the ADD's lock on " + a.table()
                                + " is held until commit, so the"
                                + " validation scans every row under it; validate in a later migration");
            } else if (action instanceof PgStatement.AddColumn add
                    && add.column().references()
                    && withDefault != null) {
                out.report(
                        action.offset(),
                        "column " + add.column().name() + " added to existing table " + a.table()
                                + " with REFERENCES "
                                + (withDefault.equals(add.column().name())
                                        ? "and a DEFAULT"
                                        : "in the same ALTER TABLE as column " + withDefault + " with a DEFAULT")
                                + ": PostgreSQL then validates the foreign key, checking every row while holding a lock");
            }
        }
    }
}
