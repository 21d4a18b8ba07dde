package dev.tiergate.core.lint;

import dev.tiergate.core.policy.FlywaySettings;
import dev.tiergate.core.policy.MigrationSettings;
import dev.tiergate.core.policy.MigrationTool;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What the lint knows of how the migrations run, from the policy ({@code migrations.tool}, {@code migrations.flyway},
 * {@code migrations.extensions}) and the command line ({@code --[no-]assume-in-transaction}).
 *
 * @param tool                the tool that applies the migrations: its transaction semantics
 * @param assumeInTransaction when present, every file runs in one transaction (true) or each statement on its own
 *                            (false), whatever the tool would do, as squawk's {@code --assume-in-transaction}
 * @param flyway              the team's Flyway settings that change how a script runs
 * @param extensions          the extensions tiergate creates before migrations run (the policy's allow-list)
 */
public record LintSettings(
        MigrationTool tool, Optional<Boolean> assumeInTransaction, FlywaySettings flyway, Set<String> extensions) {
    public static final LintSettings DEFAULTS = of(MigrationSettings.DEFAULTS);

    public LintSettings {
        extensions = Set.copyOf(extensions);
    }

    /** The policy's migration settings; the tool decides about transactions. */
    public static LintSettings of(MigrationSettings m) {
        return new LintSettings(m.tool(), Optional.empty(), m.flyway(), Set.copyOf(lower(m.extensions())));
    }

    /** The same, with the command line's answer to "does the runner wrap each file in a transaction?". */
    public LintSettings assumingInTransaction(Optional<Boolean> assume) {
        return new LintSettings(tool, assume, flyway, extensions);
    }

    private static List<String> lower(List<String> names) {
        List<String> out = new ArrayList<>(names.size());
        for (String n : names) {
            out.add(n.toLowerCase(Locale.ROOT));
        }
        return out;
    }
}
