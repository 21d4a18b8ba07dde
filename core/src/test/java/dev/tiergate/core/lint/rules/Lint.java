package dev.tiergate.core.lint.rules;

import dev.tiergate.core.lint.Finding;
import dev.tiergate.core.lint.LintSettings;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.SqlLint;
import dev.tiergate.core.policy.FlywaySettings;
import dev.tiergate.core.policy.MigrationTool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Lints files of one migration set and returns the findings of one rule. */
final class Lint {
    private Lint() {}

    static List<Finding> findings(String rule, String... files) {
        return findings(LintSettings.DEFAULTS, rule, files);
    }

    /** Files named V0.sql, V1.sql, ... of one set, linted with the settings. */
    static List<Finding> findings(LintSettings settings, String rule, String... files) {
        LintState set = LintState.newMigrationSet(settings);
        List<Finding> out = new ArrayList<>();
        for (int i = 0; i < files.length; i++) {
            SqlLint.lint("V" + i + ".sql", files[i], set, Map.of()).findings().stream()
                    .filter(f -> f.rule().equals(rule))
                    .forEach(out::add);
        }
        return out;
    }

    /** One file with a name and, for Flyway, its script configuration file's text (or null). */
    static List<Finding> file(LintSettings settings, String rule, String name, String sql, String scriptConfig) {
        return SqlLint.lint(name, sql, scriptConfig, LintState.newMigrationSet(settings), Map.of()).findings().stream()
                .filter(f -> f.rule().equals(rule))
                .toList();
    }

    static int count(String rule, String... files) {
        return findings(rule, files).size();
    }

    static LintSettings tool(MigrationTool tool) {
        return new LintSettings(tool, Optional.empty(), FlywaySettings.DEFAULTS, Set.of());
    }

    static LintSettings flyway(boolean mixed, boolean transactionalLock) {
        return new LintSettings(
                MigrationTool.FLYWAY, Optional.empty(), new FlywaySettings(mixed, transactionalLock), Set.of());
    }

    static LintSettings extensions(String... allowed) {
        return new LintSettings(MigrationTool.FLYWAY, Optional.empty(), FlywaySettings.DEFAULTS, Set.of(allowed));
    }

    static LintSettings assumeInTransaction(boolean assume) {
        return LintSettings.DEFAULTS.assumingInTransaction(Optional.of(assume));
    }
}
