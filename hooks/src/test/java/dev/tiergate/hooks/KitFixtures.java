package dev.tiergate.hooks;

/**
 * Files as the Lakebase app development kit writes them, shape for shape: the kit always writes {@code $schema},
 * keeps the fields of earlier states, writes millisecond timestamps ({@code new Date().toISOString()}), names claimed
 * branches {@code feature-<slug>} and pretty-prints with two spaces and a final newline.
 */
final class KitFixtures {
    private KitFixtures() {}

    static final String SCAFFOLD_COMPLETE = """
            {
              "$schema": "./scm-workflow-state.schema.json",
              "version": 1,
              "state": "scaffold-complete",
              "tier_topology": 2,
              "project_id": "proj-7f3a"
            }
            """;

    /** A row in flight for {@code branch}: feature-claimed, pr-ready or ci-green, with the fields of every earlier state. */
    static String row(String state, String branch) {
        StringBuilder b = new StringBuilder();
        b.append("{\n  \"$schema\": \"./scm-workflow-state.schema.json\",\n  \"version\": 1,\n  \"state\": \"")
                .append(state)
                .append("\",\n  \"tier_topology\": 2,\n  \"project_id\": \"proj-7f3a\",\n");
        b.append("  \"feature_id\": \"")
                .append(branch.replaceFirst("^feature-", ""))
                .append("\",\n");
        b.append("  \"branch\": \"").append(branch).append("\",\n  \"parent_branch\": \"staging\",\n");
        b.append(
                "  \"lakebase_branch_uid\": \"br-cool-water-a1b2c3\",\n  \"claimed_at\": \"2026-06-16T09:30:00.123Z\"");
        if (!state.equals("feature-claimed")) {
            b.append(
                    ",\n  \"pr_url\": \"https://github.com/acme/inventory/pull/42\",\n  \"pushed_at\": \"2026-06-16T11:02:17.456Z\"");
        }
        if (state.equals("ci-green") || state.equals("merged")) {
            b.append(",\n  \"ci_run_url\": \"https://github.com/acme/inventory/actions/runs/123456\",\n"
                    + "  \"ci_green_at\": \"2026-06-16T11:15:40.789Z\"");
        }
        if (state.equals("merged")) {
            b.append(",\n  \"merged_at\": \"2026-06-17T08:00:00.001Z\",\n"
                    + "  \"migrate_run_url\": \"https://github.com/acme/inventory/actions/runs/123999\",\n"
                    + "  \"migrate_completed_at\": \"2026-06-17T08:03:12.500Z\"");
        }
        return b.append("\n}\n").toString();
    }

    /** What the kit's merge writes after checking out the parent tier (staging). */
    static final String MERGED_ON_STAGING = row("merged", "feature-split-inventory");
}
