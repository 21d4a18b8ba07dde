package dev.tiergate.core.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code tiergate init} writes in a Lakebase kit project (one with {@code .lakebase/workflow-state.json}): the
 * kit's tiers from its {@code tier_topology} (1 = production only, 2 = production ← staging, 3 = production ←
 * staging ← dev), working branches named as the kit names them ({@code feature-<slug>}) and as tiergate does
 * ({@code feature/<id>}), the migration directory the repository has, and {@code migration.header} as a warning: the
 * kit's generator writes {@code -- V<version>: <slug>}, not a refactoring and phase.
 */
public final class KitPolicy {
    private KitPolicy() {}

    /** The tier branches from the root down, as the kit's topology has them. */
    public static List<String> tierNames(int tierTopology) {
        List<String> tiers = new ArrayList<>(List.of(DefaultPolicy.PRODUCTION));
        if (tierTopology >= 2) {
            tiers.add(DefaultPolicy.STAGING);
        }
        if (tierTopology >= 3) {
            tiers.add("dev");
        }
        return tiers;
    }

    /**
     * The policy as commented YAML.
     *
     * @param productionBranch {@code main} or {@code master}, whichever the repository has
     */
    public static String yaml(int tierTopology, String productionBranch, MigrationSettings migrations) {
        List<String> tiers = tierNames(tierTopology);
        String entry = tiers.get(tiers.size() - 1);
        StringBuilder y = new StringBuilder();
        y.append("""
                # tiergate policy, adopted from the Lakebase kit's .lakebase/workflow-state.json (tier_topology %d).
                # Read by the git hooks and by the merge gate (from a pull request's base commit).
                # Check it with: tiergate policy validate
                version: 1

                # The kit's tiers, each a long-running branch with its own database; promotion is one parent hop at a time.
                tiers:
                  - name: production
                    branch: %s             # the kit maps main and master to production; this repository has %s
                    protected: true
                """.formatted(tierTopology, productionBranch, productionBranch));
        for (int i = 1; i < tiers.size(); i++) {
            y.append("  - name: ")
                    .append(tiers.get(i))
                    .append("\n    branch: ")
                    .append(tiers.get(i))
                    .append("\n    parent: ")
                    .append(tiers.get(i - 1))
                    .append("\n    protected: true\n");
        }
        y.append("""

                # Short-lived branches. The kit names a claimed branch feature-<slug>; tiergate's own claims use the first pattern.
                working_branch_types:
                  - {name: feature, pattern: ["feature-*", "feature/*"], target: %1$s, actors: [human, agent]}
                  - {name: test,    pattern: "test/*",    target: %1$s, actors: [human, agent]}
                  - {name: uat,     pattern: "uat/*",     target: %1$s, actors: [human, agent]}
                  - {name: perf,    pattern: "perf/*",    target: %1$s, actors: [human, agent]}
                  - {name: hotfix,  pattern: "hotfix/*",  target: production, actors: [human], hotfix: true}

                # Forge logins (and git e-mails) with their class (human, agent, bot) and roles.
                actors: []

                edges:
                  - {from: feature, to: %1$s, approvals: 1, agent_needs_human_approval: true}
                  - {from: test,    to: %1$s, approvals: 1, agent_needs_human_approval: true}
                  - {from: uat,     to: %1$s, approvals: 1, agent_needs_human_approval: true}
                  - {from: perf,    to: %1$s, approvals: 1, agent_needs_human_approval: true}
                  - {from: hotfix,  to: production, mergers: {classes: [human]}, approvals: 1}
                """.formatted(entry));
        for (int i = tiers.size() - 1; i >= 1; i--) {
            String from = tiers.get(i);
            String to = tiers.get(i - 1);
            y.append("  - {from: ")
                    .append(from)
                    .append(", to: ")
                    .append(to)
                    .append(to.equals(DefaultPolicy.PRODUCTION) ? ", mergers: {classes: [human]}" : "")
                    .append(", approvals: 1}\n");
        }
        y.append("""

                required_checks: []

                # The migrations the repository already had were recorded as the baseline in .tiergate/migrations.sum.
                migrations:
                  directory: %s
                  naming: "%s"

                # The kit's migrations carry no refactoring and phase: a missing header is a warning (counted on every
                # commit), not a refusal. Set it to error once the team writes '-- refactoring:' and '-- phase:' lines.
                severity:
                  migration.header: warning
                """.formatted(migrations.directory(), migrations.naming()));
        return y.toString();
    }
}
