package dev.tiergate.core.gate;

import dev.tiergate.core.gate.PullRequestCase.TierHold;
import dev.tiergate.core.gate.PullRequestPlan.Action;
import dev.tiergate.core.gate.PullRequestPlan.EndPullRequest;
import dev.tiergate.core.gate.PullRequestPlan.ForgetRehearsal;
import dev.tiergate.core.gate.PullRequestPlan.MigrateBase;
import dev.tiergate.core.gate.PullRequestPlan.Post;
import dev.tiergate.core.gate.PullRequestPlan.RecordVerdict;
import dev.tiergate.core.gate.PullRequestPlan.RecordViolation;
import dev.tiergate.core.gate.PullRequestPlan.Rehearse;
import dev.tiergate.core.gate.PullRequestPlan.RemoveHeadDatabase;
import dev.tiergate.core.gate.PullRequestPlan.RequestReviews;
import dev.tiergate.core.gate.PullRequestPlan.SetUpTiers;
import dev.tiergate.core.gate.PullRequestPlan.Step;
import dev.tiergate.core.gate.PullRequestPlan.Track;
import dev.tiergate.core.gate.PullRequestPlan.TrackHead;
import dev.tiergate.core.migration.TestFiles;
import dev.tiergate.core.naming.DbBranchName;
import dev.tiergate.core.policy.ActorClass;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.state.Claim;
import dev.tiergate.core.verdict.Refusal;
import dev.tiergate.core.workflow.WorkflowState;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The gate's judgement of one pull request, level-triggered and pure: from the facts re-read for it (never the
 * webhook's claims) it returns the plan — the state steps of {@code ci-pr-<N>}, the verdict to post with its rule,
 * the audit records, and what happens to the database branches. The rules it applies are core's: the workflow's
 * steps ({@link PullRequestWorkflow}), the state files, {@code tests.agent-deleted} ({@link TestFiles}) and the merge
 * gate ({@link MergeGate}); holds on the base tier come first because no merge may land on a tier that is held.
 */
public final class PullRequestJudge {
    private PullRequestJudge() {}

    public static PullRequestPlan judge(PullRequestCase c) {
        PullRequestFacts pr = c.pr();
        List<Action> plan = new ArrayList<>();
        if (!pr.open() && c.ci().isEmpty()) {
            Optional<RecordedBranch> head = mergedHead(c);
            if (head.isEmpty()) {
                return new PullRequestPlan(plan); // closed, never tracked: nothing of tiergate's to end
            }
            if (head.get().state() == WorkflowState.MERGED) {
                if (c.headDatabaseLeftOver().get()) { // an attempt stopped between ci-pr-<N> and the head's database
                    plan.add(new RemoveHeadDatabase());
                }
                return new PullRequestPlan(plan); // otherwise a duplicate: all done already
            }
            // merged before tiergate heard of it (its deliveries lost, or reached only after the merge): merge it now
        }
        PullRequestCase.PolicyAtBase atBase = c.policy().get();
        if (atBase.error() != null) {
            if (pr.open()) {
                plan.add(new Post(
                        GateStatus.failure(
                                Rule.POLICY_INVALID.id(),
                                "The policy on the base commit does not validate; fix .tiergate/policy.yaml on "
                                        + pr.baseBranch()),
                        atBase.error()));
            }
            return new PullRequestPlan(plan);
        }
        if (atBase.policy() == null) {
            if (pr.open()) {
                plan.add(new Post(
                        new GateStatus(
                                StatusState.SUCCESS,
                                Rule.GATE_NO_POLICY.id(),
                                "No .tiergate/policy.yaml on the base commit: tiergate does not gate this repository"),
                        null));
            }
            return new PullRequestPlan(plan);
        }
        Policy policy = atBase.policy();
        Optional<Tier> baseTier = policy.tierForBranch(pr.baseBranch());
        plan.add(new SetUpTiers());
        if (pr.open() && c.head().isEmpty()) {
            plan.add(new TrackHead());
        }
        WorkflowState recorded = c.ci().map(RecordedBranch::state).orElse(null);
        boolean headMoved =
                c.ci().isPresent() && !pr.headSha().equals(c.ci().get().headSha());
        if (c.ci().isEmpty()) {
            plan.add(new Track(baseTier.map(t -> DbBranchName.of(t.name())).orElse(null)));
        }
        WorkflowState target = PullRequestWorkflow.stateFor(policy, pr, pr.open() ? c.checksOnHead() : List.of());
        WorkflowState from = recorded;
        WorkflowState state = recorded;
        for (WorkflowState step : PullRequestWorkflow.steps(recorded, headMoved, target)) {
            plan.add(new Step(from, step, TransitionReason.of(from, step, headMoved)));
            from = step;
            state = step;
        }
        if (pr.merged()) {
            baseTier.ifPresent(t -> plan.add(new MigrateBase()));
            plan.add(new ForgetRehearsal());
            StatusState last = c.ci().map(RecordedBranch::lastStatus).orElse(null);
            String lastSha = c.ci().map(RecordedBranch::lastStatusSha).orElse(null);
            if (PullRequestWorkflow.mergeWasViolation(last, lastSha, pr.headSha())) {
                plan.add(new RecordViolation(
                        Rule.GATE_MERGED_WITHOUT_SUCCESS.id(),
                        "PR #" + pr.number() + " merged while tiergate/workflow was "
                                + (last == null ? "never posted" : last.name().toLowerCase(Locale.ROOT)) + " on "
                                + pr.headSha()));
            }
            plan.add(new EndPullRequest(true));
            return new PullRequestPlan(plan);
        }
        if (!pr.open()) {
            plan.add(new ForgetRehearsal());
            plan.add(new EndPullRequest(false));
            return new PullRequestPlan(plan);
        }
        List<ApprovalRouting.Shortfall> missing = new ArrayList<>();
        GateStatus status = verdict(c, policy, baseTier, state, missing);
        plan.add(new Post(status, status.description()));
        plan.add(new RecordVerdict(status));
        for (ApprovalRouting.Shortfall s : missing) {
            ApprovalRouting.ReviewRequest ask = ApprovalRouting.reviewersFor(
                    policy, s, pr.author(), pr.headSha(), c.approvals().get());
            if (!ask.isEmpty()) {
                plan.add(new RequestReviews(ask));
            }
        }
        if (baseTier.isPresent() && !c.rehearsed().get()) {
            plan.add(new Rehearse()); // ci-pr-<N> is made (or made afresh) and the PR's migrations run on it
        }
        return new PullRequestPlan(plan);
    }

    /** As below, without the shortfalls. */
    static GateStatus verdict(PullRequestCase c, Policy policy, Optional<Tier> baseTier, WorkflowState state) {
        return verdict(c, policy, baseTier, state, new ArrayList<>());
    }

    /**
     * The verdict on an open PR's head: a hold on its base tier, then the state files, the tests, the merge gate, and
     * last the policy's approval rules; the rules' unmet requirements go to {@code missing}.
     */
    static GateStatus verdict(
            PullRequestCase c,
            Policy policy,
            Optional<Tier> baseTier,
            WorkflowState state,
            List<ApprovalRouting.Shortfall> missing) {
        PullRequestFacts pr = c.pr();
        if (baseTier.isPresent()) {
            String tier = baseTier.get().name();
            Optional<TierHold> hold = c.tierHold().get();
            if (hold.isPresent()) {
                return GateStatus.failure(Rule.MIGRATION_TIER_HELD.id(), heldDescription(tier, hold.get()));
            }
            if (c.privilegesDrifted().get()) {
                return GateStatus.failure(
                        Rule.PERMISSIONS_DRIFTED.id(),
                        "Tier " + tier + "'s privileges drifted from the policy; tiergate grants apply --tier " + tier);
            }
            if (baseTier.get().holdsOnDrift()) {
                Optional<String> drift = c.tierDrift().get();
                if (drift.isPresent()) {
                    return GateStatus.failure(
                            Rule.MIGRATION_TIER_DRIFTED.id(),
                            "Tier " + tier + " drifted from its migrations (" + drift.get()
                                    + "); tiergate drift --tier " + tier
                                    + ", then fix it by a migration or tiergate drift accept");
                }
            }
        }
        Optional<Refusal> stateFile = c.stateFileRefusal().get();
        if (stateFile.isPresent()) {
            Refusal r = stateFile.get();
            return GateStatus.failure(
                    r.rule(),
                    r.where() + " at " + MergeGate.shortSha(pr.headSha()) + ": " + r.message() + "; " + r.fix());
        }
        if (policy.actorFor(pr.author().login(), pr.author().bot()).actorClass() == ActorClass.AGENT) {
            Optional<GateStatus> tests = testsDeletedByAgent(c);
            if (tests.isPresent()) {
                return tests.get();
            }
        }
        GateStatus gate = MergeGate.evaluate(policy, pr, state, pr.headSha(), c.approvals()); // this head's state
        if (gate.state() != StatusState.SUCCESS
                || baseTier.isEmpty()
                || policy.approvalRules().isEmpty()) {
            return gate;
        }
        return routedReview(c, policy, baseTier.get().name(), missing).orElse(gate);
    }

    /**
     * The approval rules over a PR the merge gate lets through: pending until this head's rehearsal is in when a
     * rule routes by what it measures, then pending while a matched rule's reviewers have not approved this head.
     */
    private static Optional<GateStatus> routedReview(
            PullRequestCase c, Policy policy, String tier, List<ApprovalRouting.Shortfall> missing) {
        PullRequestFacts pr = c.pr();
        Optional<RehearsalEvidence> evidence = Optional.empty();
        if (ApprovalRouting.needsRehearsal(policy, tier)) {
            evidence = c.evidence().get().filter(e -> e.of(pr.headSha(), pr.baseSha()));
            if (evidence.isEmpty()) {
                return Optional.of(GateStatus.pending(
                        Rule.GATE_APPROVALS_AWAITING_REHEARSAL.id(),
                        "Waiting for the rehearsal of " + MergeGate.shortSha(pr.headSha())
                                + ": the policy routes review by what it measures"));
            }
        }
        boolean onFiles = policy.approvalRules().stream()
                .anyMatch(r -> r.judges(tier) && !r.when().files().isEmpty());
        List<ApprovalRouting.Demand> demands = ApprovalRouting.demands(
                policy,
                tier,
                evidence,
                onFiles ? c.touchedFiles().get() : List.of(),
                policy.actorFor(pr.author().login(), pr.author().bot()).actorClass());
        if (demands.isEmpty()) {
            return Optional.empty();
        }
        List<ApprovalRouting.Shortfall> unmet = ApprovalRouting.shortfalls(
                policy, demands, pr.author(), pr.headSha(), c.approvals().get(), c.teamMembers());
        if (unmet.isEmpty()) {
            return Optional.empty();
        }
        missing.addAll(unmet);
        return Optional.of(GateStatus.pending(
                Rule.GATE_APPROVALS_ROLE_MISSING.id(), unmet.get(0).describe()));
    }

    /**
     * {@code tests.agent-deleted} over the PR's removals since its merge base: an agent's PR may not delete test
     * files unless its claim (tiergate's state file at the head) lists them as superseded.
     */
    private static Optional<GateStatus> testsDeletedByAgent(PullRequestCase c) {
        List<String> removed = c.removedFiles().get();
        if (removed.isEmpty()) {
            return Optional.empty();
        }
        Optional<Claim> claim = c.claimAtHead().get();
        List<Refusal> refusals = TestFiles.deletedByAgent(
                removed, path -> claim.map(cl -> cl.supersedes(path)).orElse(false), "PR #" + c.pr().number());
        if (refusals.isEmpty()) {
            return Optional.empty();
        }
        Refusal first = refusals.get(0);
        return Optional.of(GateStatus.failure(
                first.rule(),
                first.where() + (refusals.size() > 1 ? " and " + (refusals.size() - 1) + " more" : "") + ": "
                        + first.message())); // the count before the words: a long message is cut at the end
    }

    /**
     * The working branch a merged PR came from, while it still shows the PR's merged head: the branch record the
     * merge has to end. Empty for a closed, unmerged PR and for a branch pushed again after the merge.
     */
    private static Optional<RecordedBranch> mergedHead(PullRequestCase c) {
        if (!c.pr().merged()) {
            return Optional.empty();
        }
        return c.head()
                .filter(h -> h.kind() == BranchKind.WORKING && c.pr().headSha().equals(h.headSha()));
    }

    /**
     * Why a PR into a held tier is refused, as its status says it: what failed, not how. The reason recorded with the
     * hold quotes the database's error in full (a row a migration or a seed printed), so it stays on the tier's page
     * of the dashboard, behind its sign-in.
     */
    static String heldDescription(String tier, TierHold hold) {
        return "Tier " + tier + " is held: "
                + (hold.pullRequest() != null && hold.pullRequest() > 0
                        ? "PR #" + hold.pullRequest() + "'s migration failed on it"
                        : "setting it up failed")
                + "; roll it back with tiergate rollback or fix it, then release it";
    }
}
