package dev.tiergate.core.policy;

import static dev.tiergate.core.policy.PolicyValidator.MIGRATION_NAMING;

import dev.tiergate.core.migration.MigrationName;

/**
 * The policy's {@code migrations}: the naming template holds {@code {timestamp}} and {@code {description}} once
 * each.
 */
final class MigrationsSection {
    private MigrationsSection() {}

    static void check(PolicyProblems problems) {
        Policy p = problems.policy();
        String naming = p.migrations().naming();
        if (!MigrationName.isUsableTemplate(naming)) {
            problems.refuse(
                    MIGRATION_NAMING,
                    "/migrations/naming",
                    "migration naming '" + naming + "' must contain {timestamp}" + " and {description} once each",
                    "use the default, naming: \"" + MigrationSettings.DEFAULT_NAMING + "\" (or e.g."
                            + " \"{timestamp}_{description}.js\" for Knex, \"{timestamp}_{description}.py\" for Alembic)");
        }
    }
}
