package dev.tiergate.hooks.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.core.migration.MigrationChecksums;
import dev.tiergate.core.migration.MigrationLedger;
import dev.tiergate.core.migration.MigrationRules;
import dev.tiergate.core.policy.KitPolicy;
import dev.tiergate.core.policy.MigrationSettings;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.state.StateFileValidator;
import dev.tiergate.hooks.Workspace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code tiergate init} in a Lakebase kit project: the policy that matches the kit (tiers from {@code tier_topology},
 * {@code feature-*} branches, {@code main} or {@code master} as production, the migration directory the repository
 * has) and the migrations already there, recorded as the baseline so they count as committed.
 */
record KitAdoption(
        int tierTopology,
        boolean topologyRead,
        String productionBranch,
        MigrationSettings migrations,
        MigrationLedger baseline,
        int baselineCount) {

    /** Where migration tools keep their files, most specific first: the kit's Flyway layout leads. */
    static final List<String> CANDIDATE_DIRECTORIES = List.of(
            "src/main/resources/db/migration",
            "db/migration",
            "db/migrations",
            "migrations",
            "alembic/versions",
            "supabase/migrations");

    static KitAdoption of(Workspace ws, byte[] kitState, String productionBranch) throws IOException {
        int topology = 2;
        boolean read = false;
        try {
            JsonNode root = new ObjectMapper().readTree(kitState);
            JsonNode t = root == null ? null : root.get("tier_topology");
            if (t != null && t.isInt() && t.asInt() >= 1 && t.asInt() <= 3) {
                topology = t.asInt();
                read = true;
            }
        } catch (IOException e) {
            // an unreadable kit file: the default topology, and the hooks will say what is wrong with the file
        }
        List<String> tracked = ws.index().paths();
        String dir = migrationDirectory(tracked);
        MigrationSettings settings = new MigrationSettings(dir, namingFor(dir, tracked));
        MigrationLedger ledger = ws.index()
                .staged(MigrationChecksums.PATH)
                .map(b -> MigrationLedger.parse(new String(b, StandardCharsets.UTF_8)))
                .orElse(MigrationLedger.empty());
        int count = 0;
        for (String path : tracked) {
            if (MigrationRules.isMigrationPath(path, settings) && !ledger.records(path)) {
                ledger = ledger.record(path, ws.index().staged(path).orElseThrow());
                count++;
            }
        }
        return new KitAdoption(topology, read, productionBranch, settings, count == 0 ? null : ledger, count);
    }

    /** The first candidate directory with tracked files, else any tracked {@code .../db/migration}, else the default. */
    static String migrationDirectory(List<String> tracked) {
        for (String candidate : CANDIDATE_DIRECTORIES) {
            if (tracked.stream().anyMatch(p -> p.startsWith(candidate + "/"))) {
                return candidate;
            }
        }
        Optional<String> nested = tracked.stream()
                .filter(p -> p.contains("/db/migration/"))
                .map(p -> p.substring(0, p.indexOf("/db/migration/") + "/db/migration".length()))
                .sorted()
                .findFirst();
        return nested.orElse("src/main/resources/db/migration");
    }

    /** Flyway's naming for SQL; for a directory of Knex (.js, .ts) or Alembic (.py) files, their extension. */
    static String namingFor(String dir, List<String> tracked) {
        long sql = tracked.stream()
                .filter(p ->
                        p.startsWith(dir + "/") && p.toLowerCase(Locale.ROOT).endsWith(".sql"))
                .count();
        for (String ext : List.of(".js", ".ts", ".py")) {
            long n = tracked.stream()
                    .filter(p -> p.startsWith(dir + "/") && p.endsWith(ext) && !p.endsWith("/__init__.py"))
                    .count();
            if (n > 0 && sql == 0) {
                return "{timestamp}_{description}" + ext;
            }
        }
        return MigrationSettings.DEFAULT_NAMING;
    }

    String policyYaml() {
        return KitPolicy.yaml(tierTopology, productionBranch, migrations);
    }

    /** What init chose, one line each, for the person who ran it. */
    List<String> describe() {
        List<String> tiers = KitPolicy.tierNames(tierTopology);
        List<String> lines = new ArrayList<>();
        lines.add("found " + StateFileValidator.KIT_STATE_PATH + ": adopting the Lakebase kit's workflow");
        lines.add("wrote " + Policy.PATH + ":");
        lines.add("  tiers (tier_topology " + tierTopology
                + (topologyRead ? "" : ", not readable in the kit file: assumed") + "): "
                + String.join(" <- ", tiers) + "; production = " + productionBranch
                + " (main or master, whichever exists: the kit maps both to production)");
        lines.add("  working branches feature-* (the kit's naming) and feature/* merge into "
                + tiers.get(tiers.size() - 1));
        lines.add("  migrations: " + migrations.directory() + " (" + migrations.naming() + ")");
        lines.add("  migration.header: warning (the kit's migrations have no '-- refactoring:' and '-- phase:' lines;"
                + " warnings are counted on every commit)");
        lines.add(
                baselineCount == 0
                        ? "  no migrations there yet: nothing to record as the baseline"
                        : "  recorded " + baselineCount + " existing migration" + (baselineCount == 1 ? "" : "s")
                                + " as the baseline in " + MigrationChecksums.PATH + " (immutable from now on)");
        return lines;
    }
}
