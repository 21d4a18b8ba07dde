package dev.tiergate.core.lint.rules;

import dev.tiergate.core.lint.LintRule;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.NonTransactionalStatements;
import dev.tiergate.core.lint.PgStatement;
import dev.tiergate.core.policy.MigrationTool;
import dev.tiergate.core.rules.Rule;

/**
 * {@link Rule#SQL_CONCURRENTLY_FLYWAY_LOCK}: a CONCURRENTLY statement Flyway runs outside a transaction while it holds
 * its migration lock the default way: {@code pg_try_advisory_xact_lock} inside a transaction it keeps open on its own
 * connection until the migrations end (flyway-database-postgresql, PostgreSQLAdvisoryLockTemplate, when
 * PostgreSQLConfigurationExtension.isTransactionalLock(), true unless {@code postgresql.transactional.lock=false}). A
 * concurrent index build waits for older transactions to end (PostgreSQL's CREATE INDEX reference, "Building Indexes
 * Concurrently"), so the migration never ends: flyway/flyway
 * issues 3682 and 3854, and tiergate's own server runs Flyway with the lock off for this reason (FlywayRunner). A
 * statement that runs inside a transaction is {@link ConcurrentlyInTransaction}'s finding instead.
 */
public final class ConcurrentlyFlywayLock implements LintRule {
    @Override
    public Rule rule() {
        return Rule.SQL_CONCURRENTLY_FLYWAY_LOCK;
    }

    @Override
    public void check(PgStatement s, LintState state, Reporter out) {
        if (state.settings().tool() != MigrationTool.FLYWAY
                || !state.settings().flyway().transactionalLock()
                || state.runsInTransaction() && state.file().mixedAt() < 0
                || !NonTransactionalStatements.isConcurrently(s)) {
            return;
        }
        String what = NonTransactionalStatements.inPostgres(s).orElse("CONCURRENTLY");
        out.report(
                0,
                what + " waits for transactions older than it to end, and Flyway keeps one open holding its"
                        + " lock (pg_try_advisory_xact_lock; postgresql.transactional.lock is on unless the policy says"
                        + " migrations.flyway.transactional_lock: false): the migration waits forever (flyway/flyway#3682)");
    }
}
