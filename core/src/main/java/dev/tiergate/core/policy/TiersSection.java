package dev.tiergate.core.policy;

import static dev.tiergate.core.policy.PolicyValidator.NO_CYCLE;
import static dev.tiergate.core.policy.PolicyValidator.ONE_ROOT;
import static dev.tiergate.core.policy.PolicyValidator.PARENT_EXISTS;
import static dev.tiergate.core.policy.PolicyValidator.UNIQUE_TIER;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The policy's {@code tiers}: names and git branches are unique, parents exist, and the tiers form one tree with one
 * root (no tier without a parent but the root, no cycle of parents).
 */
final class TiersSection {
    private TiersSection() {}

    static void check(PolicyProblems problems) {
        tiersAreUnique(problems);
        parentsExist(problems);
        oneRoot(problems);
        noCycles(problems);
    }

    private static void tiersAreUnique(PolicyProblems problems) {
        Policy p = problems.policy();
        Map<String, Integer> names = new HashMap<>();
        Map<String, Integer> branches = new HashMap<>();
        for (int i = 0; i < p.tiers().size(); i++) {
            Tier t = p.tiers().get(i);
            Integer first = names.putIfAbsent(t.name(), i);
            if (first != null) {
                problems.refuse(
                        UNIQUE_TIER,
                        "/tiers/" + i + "/name",
                        "tier name '" + t.name() + "' is used twice (tiers " + first + " and " + i + ")",
                        "give each tier its own name");
            }
            Integer firstBranch = branches.putIfAbsent(t.branch(), i);
            if (firstBranch != null) {
                problems.refuse(
                        UNIQUE_TIER,
                        "/tiers/" + i + "/branch",
                        "tiers '" + p.tiers().get(firstBranch).name() + "' and '" + t.name() + "' share git branch '"
                                + t.branch() + "'",
                        "give each tier its own long-running git branch");
            }
        }
    }

    private static void parentsExist(PolicyProblems problems) {
        Policy p = problems.policy();
        for (int i = 0; i < p.tiers().size(); i++) {
            Tier t = p.tiers().get(i);
            if (t.parent() != null && p.tier(t.parent()).isEmpty()) {
                problems.refuse(
                        PARENT_EXISTS,
                        "/tiers/" + i + "/parent",
                        "tier '" + t.name() + "' has parent '" + t.parent() + "', which is not a tier",
                        "set parent to one of " + problems.tierNames() + " (or remove it on the root tier)");
            }
        }
    }

    private static void oneRoot(PolicyProblems problems) {
        Policy p = problems.policy();
        List<Integer> roots = new ArrayList<>();
        for (int i = 0; i < p.tiers().size(); i++) {
            if (p.tiers().get(i).isRoot()) {
                roots.add(i);
            }
        }
        if (roots.isEmpty()) {
            problems.refuse(
                    ONE_ROOT,
                    "/tiers",
                    "no tier is the root: every tier has a parent",
                    "remove 'parent' from the production tier, the end of the promotion path");
        } else if (roots.size() > 1) {
            List<String> names =
                    roots.stream().map(i -> "'" + p.tiers().get(i).name() + "'").toList();
            problems.refuse(
                    ONE_ROOT,
                    "/tiers/" + roots.get(1),
                    "the tiers must form one tree with one root, but " + String.join(" and ", names)
                            + " have no parent",
                    "give every tier but the production tier a 'parent', e.g. parent: "
                            + p.tiers().get(roots.get(0)).name());
        }
    }

    private static void noCycles(PolicyProblems problems) {
        Policy p = problems.policy();
        Set<String> reported = new HashSet<>();
        for (int i = 0; i < p.tiers().size(); i++) {
            Tier t = p.tiers().get(i);
            LinkedHashSet<String> chain = new LinkedHashSet<>();
            Tier cur = t;
            while (cur != null && cur.parent() != null && chain.add(cur.name())) {
                cur = p.tier(cur.parent()).orElse(null);
            }
            if (cur != null && chain.contains(cur.name()) && cur.name().equals(t.name()) && reported.add(t.name())) {
                reported.addAll(chain);
                problems.refuse(
                        NO_CYCLE,
                        "/tiers/" + i + "/parent",
                        "tier parents form a cycle: " + String.join(" -> ", chain) + " -> " + t.name(),
                        "break the cycle: the promotion path must end at the root tier (the one without a parent)");
            }
        }
    }
}
