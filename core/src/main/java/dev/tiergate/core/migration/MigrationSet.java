package dev.tiergate.core.migration;

import dev.tiergate.core.policy.MigrationSettings;
import dev.tiergate.core.verdict.Verdict;
import java.util.HashMap;
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
    private final Map<String, String> versionToPath = new HashMap<>();
    private final Set<String> versions = new TreeSet<>();

    public MigrationSet(MigrationSettings settings, Iterable<String> allPaths) {
        this.settings = settings;
        for (String p : allPaths) {
            MigrationName.parse(fileName(p), settings.naming()).ifPresent(n -> {
                versions.add(n.version());
                versionToPath.putIfAbsent(n.version(), p);
            });
        }
    }

    public Verdict checkNew(String path, String sql, String newestOnTier) {
        Verdict v = MigrationRules.checkName(path, settings);
        Optional<MigrationName> name = MigrationName.parse(fileName(path), settings.naming());
        if (name.isPresent()) {
            // a duplicate among the other files in the tree
            String clash = null;
            for (Map.Entry<String, String> e : versionToPath.entrySet()) {
                if (e.getKey().equals(name.get().version()) && !e.getValue().equals(path)) {
                    clash = e.getValue();
                }
            }
            if (clash != null) {
                v = v.and(MigrationRules.checkVersionUnique(path, name.get(), Map.of(name.get().version(), clash)));
            }
            v = v.and(MigrationRules.checkNewerThanTier(path, name.get(), newestOnTier, versions));
        }
        if (!MigrationRules.isSql(path)) {
            return v; // an Alembic, Knex, ... migration: naming, versions and immutability only
        }
        v = v.and(MigrationRules.checkHeader(path, sql));
        Optional<MigrationHeader> header = MigrationHeader.parse(sql).header();
        return v.and(MigrationRules.checkDestructive(path, sql, header));
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
