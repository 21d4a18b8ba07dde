package dev.tiergate.core.policy;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The two Flyway settings the SQL lint's transaction rules depend on, as the team's own Flyway is configured (policy
 * {@code migrations.flyway}); both default to Flyway's defaults.
 *
 * @param mixed             Flyway's {@code mixed}: a script may mix transactional and non-transactional statements,
 *                          and then runs outside a transaction (default false: Flyway refuses such a script)
 * @param transactionalLock Flyway's {@code postgresql.transactional.lock}: Flyway takes its advisory lock with
 *                          {@code pg_try_advisory_xact_lock} inside a transaction it keeps open while migrating
 *                          (flyway-database-postgresql, PostgreSQLAdvisoryLockTemplate; default true)
 */
public record FlywaySettings(
        @JsonProperty("mixed") boolean mixed,
        @JsonProperty("transactional_lock") boolean transactionalLock) {
    public static final FlywaySettings DEFAULTS = new FlywaySettings(false, true);
}
