package dev.tiergate.core.lint.rules;

import dev.tiergate.core.lint.LintRule;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.PgStatement;
import dev.tiergate.core.rules.Rule;

/** {@link Rule#SQL_TIMESTAMP_WITHOUT_TIME_ZONE}: a column of type timestamp without time zone. */
public final class TimestampWithoutTimeZone implements LintRule {
    @Override
    public Rule rule() {
        return Rule.SQL_TIMESTAMP_WITHOUT_TIME_ZONE;
    }

    @Override
    public void check(PgStatement s, LintState state, Reporter out) {
        for (LintRules.Typed typed : LintRules.types(s)) {
            PgStatement.TypeName t = typed.type();
            if (t.base().equals("timestamp")) {
                out.report(typed.offset(), "type " + t.text() + " has no time zone");
            }
        }
    }
}
