package dev.tiergate.core.lint;

import dev.tiergate.core.rules.Rule;

/** One SQL lint rule: its catalog entry, and a check of one parsed statement in the state of the migration set. */
public interface LintRule {
    Rule rule();

    void check(PgStatement statement, LintState state, Reporter out);

    /** Where a rule reports: an offset inside the statement (0 = its start) and a message. */
    interface Reporter {
        void report(int offset, String message);
    }
}
