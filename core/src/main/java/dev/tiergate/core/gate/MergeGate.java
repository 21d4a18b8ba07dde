package dev.tiergate.core.gate;

import dev.tiergate.core.policy.Actor;
import dev.tiergate.core.policy.ActorClass;
import dev.tiergate.core.policy.Permission;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.policy.TierEdge;
import dev.tiergate.core.policy.WorkingBranchType;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.workflow.WorkflowState;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * May this pull request merge? {@code success} only when the branch is ci-green for this very head SHA, the base
 * is the allowed target (one parent hop), the author's class may use the edge, and the edge's approvals are there.
 * Structural breaks are {@code failure}; things still to come (CI, approvals) are {@code pending}.
 */
public final class MergeGate {
    private MergeGate() {}

    /** The edge every merge uses when the policy names none: anyone, no approvals, agents need a human. */
    static final TierEdge DEFAULT_EDGE = new TierEdge(null, null, Permission.EVERYONE, 0, true);

    public static GateStatus evaluate(
            Policy policy, PullRequestFacts pr, WorkflowState state, String stateSha, List<Approval> approvals) {
        return evaluate(policy, pr, state, stateSha, () -> approvals);
    }

    /**
     * As above, reading the approvals only when the verdict depends on them (once CI is green on this head):
     * the server saves a forge API call on every PR that is still waiting for CI.
     */
    public static GateStatus evaluate(
            Policy policy,
            PullRequestFacts pr,
            WorkflowState state,
            String stateSha,
            Supplier<List<Approval>> approvalsWhenNeeded) {
        Optional<Tier> base = policy.tierForBranch(pr.baseBranch());
        if (base.isEmpty()) {
            return GateStatus.failure(
                    Rule.GATE_BASE_NOT_A_TIER.id(),
                    "Base '" + pr.baseBranch()
                            + "' is not a tier in .tiergate/policy.yaml; aim the PR at a tier branch");
        }
        Actor author = policy.actorFor(pr.author().login(), pr.author().bot());
        String from;
        Optional<Tier> headTier = policy.tierForBranch(pr.headBranch());
        if (headTier.isPresent()) {
            from = headTier.get().name();
            if (!base.get().name().equals(headTier.get().parent())) {
                String allowed = headTier.get().parent() == null
                        ? "nowhere (it is the root tier)"
                        : branchOf(policy, headTier.get().parent());
                return GateStatus.failure(
                        Rule.GATE_EDGE_ONE_HOP.id(),
                        "Tier " + from + " promotes only to " + allowed + ", not " + pr.baseBranch());
            }
        } else {
            Optional<WorkingBranchType> type = policy.typeForBranch(pr.headBranch());
            if (type.isEmpty()) {
                return GateStatus.failure(
                        Rule.GATE_UNKNOWN_BRANCH.id(),
                        "Head '" + pr.headBranch() + "' matches no tier or branch type; rename it e.g. feature/<id>");
            }
            from = type.get().name();
            boolean toTarget = type.get().target().equals(base.get().name());
            boolean hotfixEdge =
                    type.get().hotfix() && policy.edge(from, base.get().name()).isPresent();
            if (!toTarget && !hotfixEdge) {
                return GateStatus.failure(
                        Rule.GATE_EDGE_SKIPS_TIER.id(),
                        from + " branches merge into "
                                + branchOf(policy, type.get().target()) + ", not " + pr.baseBranch() + " ("
                                + base.get().name() + "); retarget the PR");
            }
            if (!type.get().actors().contains(author.actorClass())) {
                return GateStatus.failure(
                        Rule.GATE_ACTOR_TYPE_NOT_ALLOWED.id(),
                        author.actorClass().wireName() + " " + author.id() + " may not use " + from + " branches");
            }
        }
        TierEdge edge = policy.edge(from, base.get().name()).orElse(DEFAULT_EDGE);
        if (!edge.allows(author)) {
            return GateStatus.failure(
                    Rule.GATE_ACTOR_EDGE_NOT_ALLOWED.id(),
                    author.actorClass().wireName() + " " + author.id() + " may not merge " + from + " -> "
                            + base.get().name() + "; allowed: " + edge.mergers().describe());
        }
        if (state != WorkflowState.CI_GREEN || !pr.headSha().equals(stateSha)) {
            return GateStatus.pending(
                    Rule.GATE_CI_NOT_GREEN.id(),
                    "Waiting for required CI on " + shortSha(pr.headSha()) + " (state " + state + ")");
        }
        List<Approval> approvals = approvalsWhenNeeded.get();
        Set<String> approvers = approvals.stream()
                .filter(a -> a.commitSha() == null || a.commitSha().equals(pr.headSha()))
                .map(a -> a.reviewer().login())
                .filter(login -> !login.equalsIgnoreCase(pr.author().login()))
                .collect(Collectors.toCollection(TreeSet::new));
        if (approvers.size() < edge.approvals()) {
            return GateStatus.pending(
                    Rule.GATE_APPROVALS_MISSING.id(),
                    "Needs " + edge.approvals() + " approval(s) on " + shortSha(pr.headSha()) + ", has "
                            + approvers.size());
        }
        if (author.actorClass() == ActorClass.AGENT && edge.agentChangeNeedsHumanApprover()) {
            boolean human = approvals.stream()
                    .filter(a -> a.commitSha() == null || a.commitSha().equals(pr.headSha()))
                    .filter(a ->
                            !a.reviewer().login().equalsIgnoreCase(pr.author().login()))
                    .anyMatch(a ->
                            policy.actorFor(a.reviewer().login(), a.reviewer().bot())
                                            .actorClass()
                                    == ActorClass.HUMAN);
            if (!human) {
                return GateStatus.pending(
                        Rule.GATE_APPROVALS_AGENT_NEEDS_HUMAN.id(),
                        "Agent " + author.id() + "'s PR needs approval from a human other than the author");
            }
        }
        return GateStatus.success();
    }

    private static String branchOf(Policy policy, String tierName) {
        return policy.tier(tierName).map(Tier::branch).orElse(tierName);
    }

    static String shortSha(String sha) {
        return sha == null ? "?" : sha.substring(0, Math.min(7, sha.length()));
    }
}
