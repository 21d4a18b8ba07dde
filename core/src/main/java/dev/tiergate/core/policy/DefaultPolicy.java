package dev.tiergate.core.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What {@code tiergate init} writes: two tiers, {@code production} (the git default branch) ← {@code staging};
 * {@code feature/*}, {@code test/*}, {@code uat/*} and {@code perf/*} branches merge into staging (people and
 * agents), {@code hotfix/*} into production (people only). Every edge needs one approval, and an agent's change
 * needs a human approver.
 */
public final class DefaultPolicy {
    public static final String PRODUCTION = "production";
    public static final String STAGING = "staging";

    private DefaultPolicy() {
    }

    public static Policy create(String defaultBranch) {
        Permission humans = new Permission(Set.of(ActorClass.HUMAN), Set.of());
        List<Tier> tiers = List.of(
                new Tier(PRODUCTION, defaultBranch, null, true, null),
                new Tier(STAGING, STAGING.equals(defaultBranch) ? "staging-tier" : STAGING, PRODUCTION, true, null));
        List<WorkingBranchType> types = new ArrayList<>();
        List<TierEdge> edges = new ArrayList<>();
        for (String name : List.of("feature", "test", "uat", "perf")) {
            types.add(new WorkingBranchType(name, name + "/*", STAGING, Set.of(ActorClass.HUMAN, ActorClass.AGENT), false));
            edges.add(new TierEdge(name, STAGING, null, 1, true));
        }
        types.add(new WorkingBranchType("hotfix", "hotfix/*", PRODUCTION, Set.of(ActorClass.HUMAN), true));
        edges.add(new TierEdge("hotfix", PRODUCTION, humans, 1, true));
        edges.add(new TierEdge(STAGING, PRODUCTION, humans, 1, true));
        return new Policy(1, tiers, types, List.of(), edges, List.of(), MigrationSettings.DEFAULTS);
    }
}
