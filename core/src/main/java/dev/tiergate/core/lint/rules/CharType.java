package dev.tiergate.core.lint.rules;

import dev.tiergate.core.lint.LintRule;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.PgStatement;
import dev.tiergate.core.rules.Rule;

/** {@link Rule#SQL_CHAR_TYPE}: a column of type char(n) / character(n). */
public final class CharType implements LintRule {
    @Override
    public Rule rule() {
        return Rule.SQL_CHAR_TYPE;
    }

    @Override
    public void check(PgStatement s, LintState state, Reporter out) {
        for (LintRules.Typed typed : LintRules.types(s)) {
            PgStatement.TypeName t = typed.type();
            if (t.base().equals("bpchar")) {
                out.report(typed.offset(), "type " + t.text() + " pads values with spaces");
            }
        }
    }
}
