package dev.tiergate.core.migration;

import dev.tiergate.core.policy.MigrationSettings;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.verdict.Refusal;
import dev.tiergate.core.verdict.Verdict;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The migration rules, as pure functions of file paths, contents and recorded facts. Each refusal names the
 * file (and line), the rule id and a concrete fix. The hooks, {@code tiergate check} and the server call these
 * same functions.
 */
public final class MigrationRules {
    public static final String NAMING = Rule.MIGRATION_NAMING.id();
    public static final String VERSION_DUPLICATE = Rule.MIGRATION_VERSION_DUPLICATE.id();
    public static final String VERSION_ORDER = Rule.MIGRATION_VERSION_ORDER.id();
    public static final String HEADER = Rule.MIGRATION_HEADER.id();
    public static final String IMMUTABLE = Rule.MIGRATION_IMMUTABLE.id();

    private MigrationRules() {}

    /**
     * True when the path is a migration: a file under the policy's migration directory (subfolders included) with the
     * naming template's extension ({@code .sql}, or {@code .py}, {@code .js}, ... for other tools). Hidden files and
     * Python's {@code __init__.py} are not migrations. Naming, versions, duplicates and immutability apply to every
     * migration; the SQL rules (header, destructive statements) only to {@link #isSql SQL files}.
     */
    public static boolean isMigrationPath(String path, MigrationSettings s) {
        if (!path.startsWith(s.directory() + "/")) {
            return false;
        }
        String name = path.substring(path.lastIndexOf('/') + 1);
        return !name.startsWith(".")
                && !name.startsWith("__")
                && name.toLowerCase(Locale.ROOT).endsWith(s.extension());
    }

    /** A SQL migration: the header and destructive-statement rules read SQL, so they apply to these only. */
    public static boolean isSql(String path) {
        return path.toLowerCase(Locale.ROOT).endsWith(".sql");
    }

    public static Verdict checkName(String path, MigrationSettings s) {
        return checkName(path, s, Clock.systemUTC().instant());
    }

    /** @param now the time the suggested file name's version is taken from */
    public static Verdict checkName(String path, MigrationSettings s, Instant now) {
        if (!isMigrationPath(path, s) || MigrationName.parse(path, s.naming()).isPresent()) {
            return Verdict.allowed();
        }
        String name = path.substring(path.lastIndexOf('/') + 1);
        String dir = path.substring(0, path.lastIndexOf('/') + 1);
        String suggestion = dir + MigrationName.fileNameFor(nextFreeVersion(now, Set.of()), describe(name), s.naming());
        return Verdict.refused(
                NAMING,
                path,
                "migration file name '" + name + "' breaks the naming rule " + MigrationName.namingRuleText(s.naming()),
                "rename it, e.g. git mv " + path + " " + suggestion);
    }

    public static Verdict checkVersionUnique(String path, MigrationName n, Map<String, String> versionToPathOthers) {
        return checkVersionUnique(
                path, n, versionToPathOthers, Clock.systemUTC().instant());
    }

    /** @param versionToPathOthers the versions of every other migration the branch can see, with their paths */
    public static Verdict checkVersionUnique(
            String path, MigrationName n, Map<String, String> versionToPathOthers, Instant now) {
        String other = versionToPathOthers.get(n.version());
        if (other == null || other.equals(path)) {
            return Verdict.allowed();
        }
        String next = nextFreeVersion(now, versionToPathOthers.keySet());
        return Verdict.refused(
                VERSION_DUPLICATE,
                path,
                "version " + n.version() + " is already used by " + other,
                "give this migration the next free version: git mv " + path + " " + sibling(path, n.withVersion(next)));
    }

    public static Verdict checkNewerThanTier(
            String path, MigrationName n, String newestVersionOnTier, Set<String> taken) {
        return checkNewerThanTier(
                path, n, newestVersionOnTier, taken, Clock.systemUTC().instant());
    }

    /**
     * A migration must sort after every migration already on its tier branch: a tier applies migrations in
     * version order and would otherwise skip it (or fail) there.
     */
    public static Verdict checkNewerThanTier(
            String path, MigrationName n, String newestVersionOnTier, Set<String> taken, Instant now) {
        if (newestVersionOnTier == null
                || newestVersionOnTier.isBlank()
                || compareVersions(n.version(), newestVersionOnTier) > 0) {
            return Verdict.allowed();
        }
        Set<String> all = new HashSet<>(taken);
        all.add(newestVersionOnTier);
        String next = nextFreeVersion(now, all);
        return Verdict.refused(
                VERSION_ORDER,
                path,
                "version " + n.version() + " is not newer than the newest migration on the tier branch ("
                        + newestVersionOnTier + "); the tier would apply it out of order",
                "rename it to the next free version: git mv " + path + " " + sibling(path, n.withVersion(next)));
    }

    public static Verdict checkHeader(String path, String sql) {
        HeaderResult r = MigrationHeader.parse(sql);
        if (r.isValid()) {
            return Verdict.allowed();
        }
        return Verdict.refused(
                HEADER,
                path + ":" + r.line(),
                String.join("; ", r.problems()),
                "start the file with a header naming a refactoring from the catalog (Refactoring Databases) and its phase:\n"
                        + "    " + MigrationHeader.EXAMPLE.replace("\n", "\n    "));
    }

    /**
     * {@code migration.immutable}, the one rule the hooks and the server apply alike: a migration that was committed
     * (the hooks: recorded in {@code .tiergate/migrations.sum}; the server: on the PR's base) may not change or go.
     *
     * @param recordedChecksum its checksum when it was committed, or null when it was not yet
     * @param nowOrNull        the file's content now, or null when it was deleted
     * @param recordedWhere    where that checksum comes from, for the message (e.g. {@code .tiergate/migrations.sum})
     * @param restoreFrom      what to restore it from, for the fix ({@code HEAD}, the base branch)
     */
    public static Verdict checkUnchanged(
            String path, String recordedChecksum, byte[] nowOrNull, String recordedWhere, String restoreFrom) {
        if (recordedChecksum == null) {
            return Verdict.allowed();
        }
        String fix = "restore it (git checkout " + restoreFrom + " -- " + path
                + ") and put the change in a new migration with the"
                + " next free version; a committed migration is immutable";
        if (nowOrNull == null) {
            return Verdict.refused(
                    IMMUTABLE,
                    path,
                    "committed migration was deleted (recorded checksum sha256:" + recordedChecksum + " in "
                            + recordedWhere + ")",
                    fix);
        }
        String now = MigrationChecksums.checksum(nowOrNull);
        if (now.equals(recordedChecksum)) {
            return Verdict.allowed();
        }
        return Verdict.refused(
                IMMUTABLE,
                path,
                "committed migration was edited: recorded checksum sha256:" + recordedChecksum + " (" + recordedWhere
                        + "), now sha256:" + now,
                fix);
    }

    /** As above, the checksum recorded by the hooks in {@code .tiergate/migrations.sum}. */
    public static Verdict checkUnchanged(String path, String recordedChecksum, byte[] nowOrNull) {
        return checkUnchanged(path, recordedChecksum, nowOrNull, MigrationChecksums.PATH, "HEAD");
    }

    /**
     * {@code migration.contract-before-expand}: a new contract-phase migration needs an expand phase of the same
     * refactoring (by name) already applied on the tier, in an earlier merge. {@code newFiles}: path → text of the
     * migrations the change adds; {@code appliedTexts}: the texts of the migrations the tier has applied.
     */
    public static List<Refusal> contractBeforeExpand(
            Map<String, String> newFiles, Collection<String> appliedTexts, String tier) {
        List<Refusal> out = new ArrayList<>();
        for (Map.Entry<String, String> f : newFiles.entrySet()) {
            if (!isSql(f.getKey())) {
                continue;
            }
            Optional<MigrationHeader> h = MigrationHeader.parse(f.getValue()).header();
            if (h.isEmpty() || h.get().phase() != Phase.CONTRACT) {
                continue;
            }
            boolean expanded = appliedTexts.stream()
                    .map(t -> MigrationHeader.parse(t).header())
                    .anyMatch(e -> e.isPresent()
                            && e.get().phase() == Phase.EXPAND
                            && e.get().refactoring().equalsIgnoreCase(h.get().refactoring()));
            if (!expanded) {
                out.add(new Refusal(
                        Rule.MIGRATION_CONTRACT_BEFORE_EXPAND.id(),
                        f.getKey(),
                        "contract phase of '" + h.get().refactoring()
                                + "' but no expand phase of it has been applied on " + tier,
                        "merge the expand-phase migration into " + tier + " first; contract in a later pull request"));
            }
        }
        return out;
    }

    /** A UTC {@code yyyyMMddHHmmss} version at or after {@code now} and greater than every taken version. */
    public static String nextFreeVersion(Instant now, Set<String> taken) {
        LocalDateTime candidate = LocalDateTime.ofInstant(now, ZoneOffset.UTC).withNano(0);
        for (String t : taken) {
            if (t.matches("\\d{14}") && MigrationName.isTimestamp(t)) {
                LocalDateTime tt = LocalDateTime.parse(t, MigrationName.VERSION_FORMAT);
                if (!candidate.isAfter(tt)) {
                    candidate = tt.plusSeconds(1);
                }
            }
        }
        return candidate.format(MigrationName.VERSION_FORMAT);
    }

    /** Numeric comparison, so versions of different lengths still order correctly. */
    static int compareVersions(String a, String b) {
        return new BigInteger(a.replaceAll("\\D", "0")).compareTo(new BigInteger(b.replaceAll("\\D", "0")));
    }

    private static String sibling(String path, String fileName) {
        return path.substring(0, path.lastIndexOf('/') + 1) + fileName;
    }

    private static String describe(String badName) {
        String base = badName.replaceFirst("\\.[A-Za-z0-9]+$", "").replaceFirst("^[Vv][0-9._]*_*", "");
        String d =
                base.replaceAll("[^A-Za-z0-9]+", "_").replaceAll("^_+|_+$", "").toLowerCase(Locale.ROOT);
        return d.isEmpty() ? "describe_the_change" : d;
    }
}
