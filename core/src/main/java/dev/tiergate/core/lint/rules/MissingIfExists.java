package dev.tiergate.core.lint.rules;

import dev.tiergate.core.lint.LintRule;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.PgStatement;
import dev.tiergate.core.rules.Rule;

/** {@link Rule#SQL_MISSING_IF_EXISTS}: CREATE TABLE/INDEX and ADD COLUMN without IF NOT EXISTS, DROP and DROP COLUMN without IF EXISTS. */
public final class MissingIfExists implements LintRule {
    @Override
    public Rule rule() {
        return Rule.SQL_MISSING_IF_EXISTS;
    }

    @Override
    public void check(PgStatement s, LintState state, Reporter out) {
        if (s instanceof PgStatement.CreateTable c && !c.ifNotExists()) {
            out.report(0, "CREATE TABLE " + c.table() + " without IF NOT EXISTS fails when re-run");
        } else if (s instanceof PgStatement.CreateIndex i && !i.ifNotExists() && i.name() != null) {
            out.report(0, "CREATE INDEX " + i.name() + " without IF NOT EXISTS fails when re-run");
        } else if (s instanceof PgStatement.Drop d && !d.ifExists() && !d.names().isEmpty()) {
            out.report(0, "DROP " + d.kind().toUpperCase(java.util.Locale.ROOT) + " " + d.names().get(0)
                    + " without IF EXISTS fails when re-run");
        } else if (s instanceof PgStatement.AlterTable a) {
            for (PgStatement.Action action : a.actions()) {
                if (action instanceof PgStatement.AddColumn add && !add.ifNotExists()) {
                    out.report(action.offset(), "ADD COLUMN " + add.column().name() + " without IF NOT EXISTS fails when re-run");
                } else if (action instanceof PgStatement.DropColumn d && !d.ifExists()) {
                    out.report(action.offset(), "DROP COLUMN " + d.column() + " without IF EXISTS fails when re-run");
                }
            }
        }
    }
}
