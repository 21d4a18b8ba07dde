package dev.tiergate.core.lint.rules;

import dev.tiergate.core.lint.LintRule;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.PgStatement;
import dev.tiergate.core.migration.Phase;
import dev.tiergate.core.rules.Rule;
import java.util.Optional;

/** {@link Rule#MIGRATION_DESTRUCTIVE}: DROP TABLE, DROP COLUMN, TRUNCATE, DELETE without WHERE outside a contract-phase migration (the rule that split SQL by hand before; same id). */
public final class DestructiveOutsideContract implements LintRule {
    @Override
    public Rule rule() {
        return Rule.MIGRATION_DESTRUCTIVE;
    }

    @Override
    public void check(PgStatement s, LintState state, Reporter out) {
        Optional<Phase> p = state.phase();
        if (p.isPresent() && p.get() == Phase.CONTRACT) {
            return;
        }
        boolean destructive = s instanceof PgStatement.Drop
                || s instanceof PgStatement.AlterTable
                || s instanceof PgStatement.Truncate
                || s instanceof PgStatement.Delete;
        if (!destructive) {
            return;
        }
        String phase = p.isEmpty()
                ? "a header-less"
                : (p.get() == Phase.EXPAND ? "an " : "a ") + p.get().wireName() + "-phase";
        if (s instanceof PgStatement.Drop d && d.kind().equals("table")) {
            for (PgStatement.QName t : d.names()) {
                if (state.isExisting(t)) {
                    out.report(0, "DROP TABLE " + t + " in " + phase + " migration");
                }
            }
        } else if (s instanceof PgStatement.AlterTable a && state.isExisting(a.table())) {
            for (PgStatement.Action action : a.actions()) {
                if (action instanceof PgStatement.DropColumn c) {
                    out.report(
                            action.offset(),
                            "DROP COLUMN " + a.table() + "." + c.column() + " in " + phase + " migration");
                }
            }
        } else if (s instanceof PgStatement.Truncate t) {
            out.report(0, "TRUNCATE " + t.tables() + " in " + phase + " migration");
        } else if (s instanceof PgStatement.Delete d && !d.hasWhere()) {
            out.report(0, "DELETE without WHERE on " + d.table() + " in " + phase + " migration");
        }
    }
}
