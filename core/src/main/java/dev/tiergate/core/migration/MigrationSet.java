package dev.tiergate.core.migration;

import dev.tiergate.core.lint.Finding;
import dev.tiergate.core.lint.LintSettings;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.SqlLint;
import dev.tiergate.core.policy.MigrationSettings;
import dev.tiergate.core.verdict.Refusal;
import dev.tiergate.core.verdict.Verdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The rules one new migration must meet, given the others it will sit beside and the newest version already on
 * its tier. Shared by pre-commit (staged files), {@code tiergate check} (a commit range) and the server's PR
 * rehearsal (the PR head's files): one engine wherever the rules run.
 */
public final class MigrationSet {
    private final MigrationSettings settings;
    /** Every path of each version (more than one is a duplicate). */
    private final Map<String, List<String>> versionToPaths = new HashMap<>();

    private final Set<String> versions = new TreeSet<>();
    /**
     * The new migrations checked so far are one migration set for the SQL lint (a table they create is new), linted
     * with the policy's migration tool and extension allow-list.
     */
    private final LintState lintSet;

    public MigrationSet(MigrationSettings settings, Iterable<String> allPaths) {
        this.settings = settings;
        this.lintSet = LintState.newMigrationSet(LintSettings.of(settings));
        for (String p : allPaths) {
            MigrationName.parse(fileName(p), settings.naming()).ifPresent(n -> {
                versions.add(n.version());
                versionToPaths
                        .computeIfAbsent(n.version(), v -> new ArrayList<>(1))
                        .add(p);
            });
        }
    }

    public Verdict checkNew(String path, String sql, String newestOnTier) {
        Verdict v = MigrationRules.checkName(path, settings);
        Optional<MigrationName> name = MigrationName.parse(fileName(path), settings.naming());
        if (name.isPresent()) {
            // a duplicate among the other files in the tree
            String clash = null;
            for (String other : versionToPaths.getOrDefault(name.get().version(), List.of())) {
                if (clash == null && !other.equals(path)) {
                    clash = other;
                }
            }
            if (clash != null) {
                v = v.and(MigrationRules.checkVersionUnique(
                        path, name.get(), Map.of(name.get().version(), clash)));
            }
            v = v.and(MigrationRules.checkNewerThanTier(path, name.get(), newestOnTier, versions));
        }
        if (!MigrationRules.isSql(path)) {
            return v; // an Alembic, Knex, ... migration: naming, versions and immutability only
        }
        return v.and(MigrationRules.checkHeader(path, sql)).and(lint(path, sql));
    }

    /**
     * The SQL lint's findings (the destructive-statement rule among them) as refusals; the policy's severities are
     * applied to them with every other rule's.
     */
    private Verdict lint(String path, String sql) {
        List<Refusal> refusals = new ArrayList<>();
        for (Finding f : SqlLint.lint(path, sql, lintSet, Map.of()).findings()) {
            refusals.add(new Refusal(f.rule(), path + ":" + f.line() + ":" + f.column(), f.message(), f.fix()));
        }
        return new Verdict(refusals);
    }

    public boolean isMigration(String path) {
        return MigrationRules.isMigrationPath(path, settings);
    }

    public static String fileName(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }

    /** The newest version among migration files (by version order), or null. */
    public static String newestVersion(MigrationSettings settings, Iterable<String> paths) {
        String newest = null;
        for (String p : paths) {
            Optional<MigrationName> n = MigrationName.parse(fileName(p), settings.naming());
            if (n.isPresent() && (newest == null || n.get().version().compareTo(newest) > 0)) {
                newest = n.get().version();
            }
        }
        return newest;
    }
}
