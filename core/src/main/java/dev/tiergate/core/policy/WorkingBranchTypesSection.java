package dev.tiergate.core.policy;

import static dev.tiergate.core.policy.PolicyValidator.TARGET_EXISTS;
import static dev.tiergate.core.policy.PolicyValidator.TYPE_SKIPS;
import static dev.tiergate.core.policy.PolicyValidator.UNIQUE_TYPE;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The policy's {@code working_branch_types}: each name is its own (and no tier's), each targets an existing tier, and
 * none targets the root over the tiers below it unless it is marked {@code hotfix}.
 */
final class WorkingBranchTypesSection {
    private WorkingBranchTypesSection() {}

    static void check(PolicyProblems problems) {
        Policy p = problems.policy();
        Map<String, Integer> names = new HashMap<>();
        boolean rootHasChildren = p.rootTier()
                .map(r -> p.tiers().stream().anyMatch(t -> r.name().equals(t.parent())))
                .orElse(false);
        for (int i = 0; i < p.workingBranchTypes().size(); i++) {
            WorkingBranchType w = p.workingBranchTypes().get(i);
            Integer first = names.putIfAbsent(w.name(), i);
            if (first != null) {
                problems.refuse(
                        UNIQUE_TYPE,
                        "/working_branch_types/" + i + "/name",
                        "working-branch type name '" + w.name() + "' is used twice",
                        "give each working-branch type its own name");
            } else if (p.tier(w.name()).isPresent()) {
                problems.refuse(
                        UNIQUE_TYPE,
                        "/working_branch_types/" + i + "/name",
                        "'" + w.name()
                                + "' names both a tier and a working-branch type, so an edge from it is ambiguous",
                        "rename the working-branch type, e.g. " + w.name() + "-work");
            }
            var target = p.tier(w.target());
            if (target.isEmpty()) {
                problems.refuse(
                        TARGET_EXISTS,
                        "/working_branch_types/" + i + "/target",
                        "working-branch type '" + w.name() + "' targets '" + w.target() + "', which is not a tier",
                        "set target to one of " + problems.tierNames());
            } else if (!w.hotfix() && target.get().isRoot() && rootHasChildren) {
                problems.refuse(
                        TYPE_SKIPS,
                        "/working_branch_types/" + i + "/target",
                        "working-branch type '" + w.name() + "' targets the root tier '" + w.target()
                                + "' and would skip the tiers below it",
                        "target the entry tier (e.g. " + entryTierName(p) + "), or mark the type 'hotfix: true' if it"
                                + " really is an emergency path");
            }
        }
    }

    private static String entryTierName(Policy p) {
        Set<String> parents = new HashSet<>();
        p.tiers().forEach(t -> parents.add(t.parent()));
        return p.tiers().stream()
                .filter(t -> !parents.contains(t.name()))
                .map(Tier::name)
                .findFirst()
                .orElse("staging");
    }
}
