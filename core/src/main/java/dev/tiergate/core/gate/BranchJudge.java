package dev.tiergate.core.gate;

import dev.tiergate.core.gate.BranchClassifier.TrackedBranch;
import dev.tiergate.core.gate.BranchPlan.Action;
import dev.tiergate.core.gate.BranchPlan.Follow;
import dev.tiergate.core.gate.BranchPlan.Forget;
import dev.tiergate.core.gate.BranchPlan.KeepTierDatabase;
import dev.tiergate.core.gate.BranchPlan.MoveHead;
import dev.tiergate.core.gate.BranchPlan.SetUpTier;
import dev.tiergate.core.gate.BranchPlan.Track;
import dev.tiergate.core.workflow.WorkflowState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The gate's judgement of one git branch, pure: a branch first seen is tracked (a tier from scaffold-complete, a
 * working branch from feature-claimed) and gets the run that makes its database; a push moves the record's head,
 * makes a working branch's database follow it and sends its open PR back to be judged; a deleted working branch
 * loses its database; a deleted tier branch never does (protected tiers), and a PR's branch lives with its PR.
 */
public final class BranchJudge {
    private BranchJudge() {}

    public static BranchPlan judge(BranchCase c) {
        List<Action> plan = new ArrayList<>();
        if (c.headOnForge().isEmpty()) {
            c.recorded().ifPresent(r -> {
                if (r.kind() == BranchKind.TIER) {
                    plan.add(new KeepTierDatabase(r.dbBranch()));
                } else if (r.kind() == BranchKind.WORKING) {
                    plan.add(new Forget(r.dbBranch()));
                }
            });
            return new BranchPlan(plan, Optional.empty());
        }
        String head = c.headOnForge().get();
        if (c.recorded().isEmpty()) {
            Optional<TrackedBranch> tracked = BranchClassifier.classify(
                    c.policy(), c.gitBranch(), c.dbNamesInUse().get());
            if (tracked.isEmpty()) {
                return BranchPlan.nothing(); // neither a tier nor a working branch: not tiergate's
            }
            TrackedBranch t = tracked.get();
            boolean tier = t.kind() == BranchKind.TIER;
            plan.add(new Track(t, tier ? WorkflowState.SCAFFOLD_COMPLETE : WorkflowState.FEATURE_CLAIMED, head));
            if (tier) {
                c.policy().tierForBranch(t.gitBranch()).ifPresent(x -> plan.add(new SetUpTier(x.name())));
            } else {
                plan.add(new Follow(head, null, t.collisionNote()));
            }
            return new BranchPlan(plan, Optional.empty());
        }
        RecordedBranch r = c.recorded().get();
        if (head.equals(r.headSha())) {
            return BranchPlan.nothing(); // a duplicate, or the push tiergate already followed
        }
        plan.add(new MoveHead(head));
        if (r.kind() == BranchKind.WORKING && r.state() != WorkflowState.MERGED) {
            plan.add(new Follow(head, r.headSha(), null));
        }
        // an open PR from this branch goes back to pr-ready: what was tested is what merges
        Optional<Long> pr =
                r.prNumber() != null && c.pullRequestTracked().get() ? Optional.of(r.prNumber()) : Optional.empty();
        return new BranchPlan(plan, pr);
    }
}
