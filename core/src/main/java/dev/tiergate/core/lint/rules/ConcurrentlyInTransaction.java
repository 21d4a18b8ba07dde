package dev.tiergate.core.lint.rules;

import dev.tiergate.core.lint.LintRule;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.NonTransactionalStatements;
import dev.tiergate.core.lint.PgStatement;
import dev.tiergate.core.policy.MigrationTool;
import dev.tiergate.core.rules.Rule;
import java.util.Optional;

/**
 * {@link Rule#SQL_CONCURRENTLY_IN_TRANSACTION}: a statement PostgreSQL refuses inside a transaction block, where the
 * migration tool runs the file in one (see {@link dev.tiergate.core.lint.FileTransaction}) or after the file's own BEGIN.
 * A Flyway script that mixes such statements with others is {@link MixedTransaction}'s finding instead.
 */
public final class ConcurrentlyInTransaction implements LintRule {
    @Override
    public Rule rule() {
        return Rule.SQL_CONCURRENTLY_IN_TRANSACTION;
    }

    @Override
    public void check(PgStatement s, LintState state, Reporter out) {
        Optional<String> what = NonTransactionalStatements.inPostgres(s);
        if (what.isEmpty()) {
            return;
        }
        if (state.inExplicitTransaction()) {
            out.report(0, what.get() + " cannot run inside a transaction block, and the file's own BEGIN opened one");
            return;
        }
        if (state.file().mixedAt() >= 0 || !state.file().inTransaction()) {
            return;
        }
        boolean flyway = state.settings().tool() == MigrationTool.FLYWAY
                && state.settings().assumeInTransaction().isEmpty();
        StringBuilder m = new StringBuilder(what.get())
                .append(" cannot run inside a transaction block, and ")
                .append(state.file().fact());
        if (flyway && !NonTransactionalStatements.inFlyway(s)) {
            m.append("; Flyway's PostgreSQL parser does not count ")
                    .append(what.get())
                    .append(
                            " as non-transactional, so it runs it in a transaction even alone in a script: give the script"
                                    + " a .sql.conf file with executeInTransaction=false");
        } else {
            m.append("; run it ").append(state.howToRunOutsideATransaction());
        }
        if (flyway && state.hasFlywayComment()) {
            m.append(" (Flyway 13 does not read '-- flyway:executeInTransaction=false' in a script: its script"
                    + " configuration is the .sql.conf file)");
        }
        out.report(0, m.toString());
    }
}
