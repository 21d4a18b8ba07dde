package dev.tiergate.core.lint.rules;

import dev.tiergate.core.lint.LintRule;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.NonTransactionalStatements;
import dev.tiergate.core.lint.PgStatement;
import dev.tiergate.core.rules.Rule;

/**
 * {@link Rule#SQL_MIXED_TRANSACTION}: a Flyway script with both transactional and non-transactional statements, with
 * Flyway's {@code mixed} off (policy {@code migrations.flyway.mixed}) and no script configuration file deciding: Flyway
 * stops with "Detected both transactional and non-transactional statements within the same migration" (flyway-core
 * ParserSqlScript.parse). Reported once, at the script's first non-transactional statement.
 */
public final class MixedTransaction implements LintRule {
    @Override
    public Rule rule() {
        return Rule.SQL_MIXED_TRANSACTION;
    }

    @Override
    public void check(PgStatement s, LintState state, Reporter out) {
        if (state.file().mixedAt() != state.statementIndex()) {
            return;
        }
        String what = NonTransactionalStatements.inPostgres(s).orElse("this statement");
        out.report(
                0,
                what + " is non-transactional to Flyway and the statement on line "
                        + state.file().firstTransactionalLine() + " is transactional: "
                        + state.file().fact()
                        + " ('Detected both transactional and non-transactional statements within the same migration')");
    }
}
