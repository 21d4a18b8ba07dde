package dev.tiergate.core.lint.rules;

import dev.tiergate.core.lint.LintRule;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.PgStatement;
import dev.tiergate.core.rules.Rule;

/** {@link Rule#SQL_INT_PRIMARY_KEY}: a serial or 32/16-bit integer primary key column. */
public final class IntPrimaryKey implements LintRule {
    @Override
    public Rule rule() {
        return Rule.SQL_INT_PRIMARY_KEY;
    }

    @Override
    public void check(PgStatement s, LintState state, Reporter out) {
        for (PgStatement.ColumnDef c : LintRules.columns(s)) {
            if (c.primaryKey() && java.util.Set.of("serial", "smallserial", "int4", "int2").contains(c.type().base())) {
                out.report(c.offset(), "primary key " + c.name() + " is " + c.type().text() + ", which runs out at "
                        + (c.type().base().contains("small") || c.type().base().equals("int2") ? "32,767" : "2,147,483,647"));
            }
        }
    }
}
