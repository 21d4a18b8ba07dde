package dev.tiergate.core.policy;

import static dev.tiergate.core.policy.PolicyValidator.EDGE_ENDS;
import static dev.tiergate.core.policy.PolicyValidator.EDGE_SKIPS;
import static dev.tiergate.core.policy.PolicyValidator.EDGE_UNIQUE;

import java.util.HashSet;
import java.util.Set;

/**
 * The policy's {@code edges}: each is listed once, its ends exist (from a working-branch type or a tier, to a tier),
 * and none skips a tier: a tier promotes to its parent (judged only when {@code treeIsSound}, the tiers forming one
 * tree), a type merges into its target unless it is marked {@code hotfix}.
 */
final class EdgesSection {
    private EdgesSection() {}

    static void check(PolicyProblems problems, boolean treeIsSound) {
        Policy p = problems.policy();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < p.edges().size(); i++) {
            TierEdge e = p.edges().get(i);
            String at = "/edges/" + i;
            String label = "edge " + e.from() + " -> " + e.to();
            if (!seen.add(e.from() + "\u0000" + e.to())) {
                problems.refuse(EDGE_UNIQUE, at, label + " is listed twice", "keep one entry per edge");
            }
            var fromType = p.workingBranchTypes().stream()
                    .filter(w -> w.name().equals(e.from()))
                    .findFirst();
            var fromTier = p.tier(e.from());
            boolean ok = true;
            if (fromType.isEmpty() && fromTier.isEmpty()) {
                problems.refuse(
                        EDGE_ENDS,
                        at + "/from",
                        label + ": '" + e.from() + "' is neither a working-branch type nor a tier",
                        "set from to one of " + problems.typeNames() + " or " + problems.tierNames());
                ok = false;
            }
            if (p.tier(e.to()).isEmpty()) {
                problems.refuse(
                        EDGE_ENDS,
                        at + "/to",
                        label + ": '" + e.to() + "' is not a tier",
                        "set to to one of " + problems.tierNames());
                ok = false;
            }
            if (!ok) {
                continue;
            }
            if (fromTier.isPresent() && treeIsSound) {
                Tier from = fromTier.get();
                if (!e.to().equals(from.parent())) {
                    problems.refuse(
                            EDGE_SKIPS,
                            at + "/to",
                            label + " does not lead to the parent of tier '" + from.name() + "' ("
                                    + (from.parent() == null ? "it is the root" : from.parent())
                                    + "); promotion goes one parent hop at a time",
                            from.parent() == null
                                    ? "remove this edge: nothing merges out of the root tier"
                                    : "set to: " + from.parent());
                }
            } else if (fromTier.isEmpty()) {
                WorkingBranchType w = fromType.get();
                if (!w.hotfix() && !e.to().equals(w.target())) {
                    problems.refuse(
                            EDGE_SKIPS,
                            at + "/to",
                            label + " skips the target tier of type '" + w.name() + "' (" + w.target()
                                    + "); only a type marked hotfix may merge into another tier",
                            "set to: " + w.target() + ", or mark type '" + w.name() + "' with 'hotfix: true'");
                }
            }
        }
    }
}
