package dev.tiergate.core.lint.rules;

import dev.tiergate.core.lint.LintRule;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.PgStatement;
import dev.tiergate.core.rules.Rule;

/** {@link Rule#SQL_INDEX_NOT_CONCURRENT}: CREATE INDEX without CONCURRENTLY on a table not created in the migration set. */
public final class IndexNotConcurrent implements LintRule {
    @Override
    public Rule rule() {
        return Rule.SQL_INDEX_NOT_CONCURRENT;
    }

    @Override
    public void check(PgStatement s, LintState state, Reporter out) {
        if (s instanceof PgStatement.CreateIndex i && !i.concurrently() && state.isExisting(i.table())) {
            out.report(
                    0,
                    "CREATE INDEX without CONCURRENTLY on existing table " + i.table()
                            + " blocks writes to it while the index builds; build it CONCURRENTLY "
                            + state.howToRunOutsideATransaction());
        }
    }
}
