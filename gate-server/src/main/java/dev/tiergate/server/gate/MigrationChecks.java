package dev.tiergate.server.gate;

import dev.tiergate.core.migration.MigrationChecksums;
import dev.tiergate.core.migration.MigrationName;
import dev.tiergate.core.migration.MigrationRules;
import dev.tiergate.core.migration.MigrationSet;
import dev.tiergate.core.policy.MigrationSettings;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.verdict.Refusal;
import dev.tiergate.server.migrate.FlywayRunner;
import dev.tiergate.server.migrate.MigrationFile;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The migration rules the server applies to a PR's migrations: the hooks' own (one engine, {@link MigrationSet}) over
 * what the PR changed since its merge base, and what only the server knows, from the target tier's Flyway history:
 * applied migrations edited or removed, versions out of order, a contract phase whose expand has not reached the tier.
 */
final class MigrationChecks {
    MigrationChecks() {}

    /**
     * The hooks' rules on the PR's migrations, plus what only the server knows: what the tier has applied
     * ({@code applied}, its Flyway history) and what Flyway's validate found wrong with the head's files against it
     * ({@code problems}). Both are read by the caller in a run on a fresh copy of the tier, never here.
     */
    List<Refusal> of(
            List<MigrationFile> head,
            List<MigrationFile> base,
            MigrationSettings settings,
            String tierDb,
            List<FlywayRunner.Applied> applied,
            List<FlywayRunner.Problem> problems) {
        List<Refusal> out = new ArrayList<>();
        Map<String, MigrationFile> basePaths = new LinkedHashMap<>();
        base.forEach(f -> basePaths.put(f.path(), f));
        Map<String, MigrationFile> headPaths = new LinkedHashMap<>();
        head.forEach(f -> headPaths.put(f.path(), f));
        String newestOnTier = applied.stream()
                .map(FlywayRunner.Applied::version)
                .max(String::compareTo)
                .orElse(null);
        MigrationSet set = new MigrationSet(settings, headPaths.keySet());
        Map<String, String> added = new LinkedHashMap<>();
        for (MigrationFile f : head) {
            MigrationFile before = basePaths.get(f.path());
            if (before == null) {
                out.addAll(set.checkNew(f.path(), f.text(), newestOnTier).refusals());
                added.put(f.path(), f.text());
            } else {
                out.addAll(MigrationRules.checkUnchanged(
                                f.path(),
                                MigrationChecksums.checksum(before.content()),
                                f.content(),
                                "the base branch",
                                "<the base branch>")
                        .refusals());
            }
        }
        for (MigrationFile before : base) {
            if (!headPaths.containsKey(before.path())) {
                out.addAll(MigrationRules.checkUnchanged(
                                before.path(),
                                MigrationChecksums.checksum(before.content()),
                                null,
                                "the base branch",
                                "<the base branch>")
                        .refusals());
            }
        }
        // expand, then contract in a later merge: a contract needs its refactoring's expand applied on the tier already
        Set<String> appliedScripts = new HashSet<>();
        applied.forEach(a -> appliedScripts.add(a.script()));
        out.addAll(MigrationRules.contractBeforeExpand(
                added,
                head.stream()
                        .filter(e -> appliedScripts.contains(e.fileName()))
                        .map(MigrationFile::text)
                        .toList(),
                tierDb));
        if (DatabaseMigrations.runnable(settings) && !applied.isEmpty()) {
            for (FlywayRunner.Problem p : problems) {
                // tiergate's own words: Flyway's message names the folder it was staged in and links to its vendor's
                // site
                String where = head.stream()
                        .filter(f -> MigrationName.parse(f.fileName(), settings.naming())
                                .filter(n -> n.version().equals(p.version()))
                                .isPresent())
                        .map(MigrationFile::path)
                        .findFirst()
                        .orElse("V" + p.version());
                out.add(
                        switch (p.code()) {
                            case "CHECKSUM_MISMATCH" ->
                                new Refusal(
                                        DatabaseMigrations.APPLIED_EDITED,
                                        where,
                                        "the tier has applied version " + p.version() + checksums(p.message())
                                                + ", and the file differs",
                                        "restore the file as applied and put the change in a new migration");
                            case "APPLIED_VERSIONED_MIGRATION_NOT_RESOLVED" ->
                                new Refusal(
                                        DatabaseMigrations.APPLIED_REMOVED,
                                        "V" + p.version(),
                                        "the tier has applied version " + p.version()
                                                + " but the PR no longer has its file",
                                        "restore the file");
                            default ->
                                new Refusal(
                                        Rule.MIGRATION_VERSION_ORDER.id(),
                                        where,
                                        "version " + p.version() + " is older than " + newestOnTier
                                                + ", the newest the tier has applied, and not applied there ("
                                                + p.code() + ")",
                                        "give it a version newer than " + newestOnTier
                                                + ", the newest applied on the tier");
                        });
            }
        }
        return out;
    }

    private static final Pattern APPLIED = Pattern.compile("Applied to database\\s*:\\s*(-?\\d+)");
    private static final Pattern RESOLVED = Pattern.compile("Resolved locally\\s*:\\s*(-?\\d+)");

    /** " (checksum A as applied, B in the file)" from Flyway's message, or nothing when it names none. */
    static String checksums(String flywayMessage) {
        Matcher a = APPLIED.matcher(flywayMessage == null ? "" : flywayMessage);
        Matcher r = RESOLVED.matcher(flywayMessage == null ? "" : flywayMessage);
        return a.find() && r.find() ? " (checksum " + a.group(1) + " as applied, " + r.group(1) + " in the file)" : "";
    }
}
