package dev.tiergate.core.agent;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.tiergate.core.policy.Actor;
import dev.tiergate.core.policy.ActorClass;
import dev.tiergate.core.policy.Permission;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.policy.TierEdge;
import dev.tiergate.core.policy.WorkingBranchType;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.state.Claim;
import dev.tiergate.core.workflow.WorkflowState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code tiergate next}: from where a branch stands (its claim, its commits, the server's view of its PR), the moves
 * the policy allows this actor, each with the exact command and whether it reaches outside the machine, and what
 * blocks the others, each with the command or the person that resolves it. Pure: it reads nothing and changes
 * nothing, so an orchestrating agent may call it as often as it likes. A move the policy would refuse is never
 * offered: an actor the edge does not let merge sees who can instead.
 */
public final class NextMoves {
    private NextMoves() {}

    /** Where the branch stands. {@code serverProblem}: why the server's view is missing (null when it answered). */
    public record Here(
            String branch,
            Optional<Claim> claim,
            Actor actor,
            int commitsAhead,
            boolean dirty,
            Optional<PrView> pr,
            String serverProblem) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Next(
            String branch,
            String actor,
            String actorClass,
            String state,
            Long pr,
            List<Move> moves,
            List<Blocker> blockers) {}

    /** A move: its name (the CLI verb), the command, and what it does outside this machine (empty: nothing). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Move(String name, String command, boolean reachesOutside, List<String> effects, String why) {}

    /** What stands in the way, and who or what resolves it: a command to run, or a person to ask. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Blocker(String what, String rule, String command, String person) {}

    public static Next of(Policy policy, Here h) {
        List<Move> moves = new ArrayList<>();
        List<Blocker> blockers = new ArrayList<>();
        Actor actor = h.actor();
        Optional<Tier> tier = policy.tierForBranch(h.branch());
        String state;
        Long number = h.pr().map(PrView::number).orElse(null);
        if (h.claim().isEmpty() || h.claim().get().state() == WorkflowState.MERGED && h.pr().isEmpty()) {
            state = WorkflowState.SCAFFOLD_COMPLETE.wireName();
            List<String> types = policy.workingBranchTypes().stream()
                    .filter(t -> t.actors().contains(actor.actorClass()))
                    .map(WorkingBranchType::name)
                    .toList();
            if (types.isEmpty()) {
                blockers.add(new Blocker(
                        actor.actorClass().wireName() + " " + actor.id() + " may claim no working-branch type",
                        Rule.CLAIM_ACTOR.id(),
                        null,
                        "a platform engineer who owns .tiergate/policy.yaml"));
            } else if (tier.isPresent() || h.claim().isPresent()) {
                for (String t : types) {
                    moves.add(local(
                            "claim",
                            "tiergate claim <feature-id>" + (t.equals("feature") ? "" : " --type " + t),
                            "start a " + t + " branch from its tier"));
                }
            } else {
                moves.add(local(
                        "claim", "tiergate claim <feature-id> --here", "claim the checked-out branch " + h.branch()));
                blockers.add(new Blocker(
                        "branch " + h.branch() + " is not claimed in .tiergate/state.json",
                        Rule.WORKFLOW_NO_CLAIM.id(),
                        "tiergate claim <feature-id> --here",
                        null));
            }
            return new Next(h.branch(), actor.id(), actor.actorClass().wireName(), state, number, moves, blockers);
        }
        Claim claim = h.claim().get();
        state = h.pr().map(PrView::state).orElse(claim.state().wireName());
        if (h.pr().isEmpty()) {
            beforeThePr(claim, h, moves, blockers);
        } else if (h.pr().get().merged()) {
            afterTheMerge(h.pr().get(), moves, blockers);
        } else {
            whileOpen(policy, claim, actor, h.pr().get(), moves, blockers);
        }
        if (h.serverProblem() != null) {
            blockers.add(new Blocker(
                    "the tiergate server did not answer: " + h.serverProblem(), null, "tiergate status", null));
        }
        return new Next(h.branch(), actor.id(), actor.actorClass().wireName(), state, number, moves, blockers);
    }

    private static void beforeThePr(Claim claim, Here h, List<Move> moves, List<Blocker> blockers) {
        if (h.dirty()) {
            blockers.add(
                    new Blocker("the working tree has uncommitted changes", null, "git add -A && git commit", null));
        }
        if (h.commitsAhead() == 0) {
            blockers.add(new Blocker(
                    "no commit on " + claim.branch() + " that " + claim.parentBranch() + " lacks",
                    null,
                    "write a migration and git commit it",
                    null));
        }
        if (!h.dirty() && h.commitsAhead() > 0 && h.serverProblem() == null) {
            moves.add(new Move(
                    "pr",
                    "tiergate pr",
                    true,
                    List.of("push", "open-pull-request"),
                    "push " + claim.branch() + " and open its pull request into " + claim.parentBranch()));
        }
        if (claim.state() == WorkflowState.FEATURE_CLAIMED) {
            moves.add(local("abandon", "tiergate abandon", "give the claim up (feature-claimed -> scaffold-complete)"));
        }
    }

    private static void whileOpen(
            Policy policy, Claim claim, Actor actor, PrView pr, List<Move> moves, List<Blocker> blockers) {
        String head = pr.headSha();
        PrView.Check wf = pr.workflow() == null ? PrView.Check.none() : pr.workflow();
        PrView.Check mig = pr.migrations() == null ? PrView.Check.none() : pr.migrations();
        if (mig.is(PrView.Check.FAILURE, head)) {
            blockers.add(new Blocker(
                    nonEmpty(mig.description(), "the rehearsal of the migrations failed"),
                    mig.rule(),
                    null,
                    fixOf(mig)));
        }
        TierEdge edge = edge(policy, claim, pr);
        boolean mayMerge = edge.allows(actor);
        if (wf.is(PrView.Check.SUCCESS, head) && !mig.is(PrView.Check.FAILURE, head)) {
            if (mayMerge) {
                moves.add(new Move(
                        "merge",
                        "tiergate merge --wait-migrate",
                        true,
                        List.of("merge", "migrate-tier"),
                        "merge PR #" + pr.number() + " into " + claim.parentBranch()
                                + " and wait for the tier's migrations"));
            }
        } else if (wf.state().equals(PrView.Check.NONE) || !head.equals(wf.sha())) {
            blockers.add(new Blocker(
                    "the server has not judged " + shortSha(head) + " yet",
                    null,
                    "tiergate wait --until mergeable",
                    null));
        } else {
            blockers.add(blockerFor(policy, actor, pr, wf, edge));
        }
        if (!mayMerge) {
            blockers.add(new Blocker(
                    actor.actorClass().wireName() + " " + actor.id() + " may not merge into " + claim.parentBranch()
                            + "; the policy lets " + edge.mergers().describe() + " merge it",
                    Rule.GATE_ACTOR_EDGE_NOT_ALLOWED.id(),
                    null,
                    "ask " + people(policy, edge.mergers(), actor) + " to merge PR #" + pr.number()));
        }
        moves.add(local("wait", "tiergate wait --until mergeable", "follow the server's verdict on this head"));
        moves.add(local("status", "tiergate status", "the server's view of PR #" + pr.number()));
    }

    private static Blocker blockerFor(Policy policy, Actor actor, PrView pr, PrView.Check wf, TierEdge edge) {
        String rule = wf.rule();
        String what = nonEmpty(wf.description(), rule);
        if (Rule.GATE_CI_NOT_GREEN.id().equals(rule)
                || Rule.GATE_APPROVALS_AWAITING_REHEARSAL.id().equals(rule)) {
            return new Blocker(what, rule, "tiergate wait --until mergeable", null);
        }
        if (Rule.GATE_APPROVALS_ROLE_MISSING.id().equals(rule) && !pr.reviews().isEmpty()) {
            List<String> asks = new ArrayList<>();
            for (PrView.Review r : pr.reviews()) {
                List<String> who = new ArrayList<>(r.reviewers());
                who.addAll(r.teams());
                asks.add((who.isEmpty() ? "a " + r.from() : String.join(" or ", who) + " (" + r.from() + ")") + " for "
                        + r.rule());
            }
            return new Blocker(what, rule, null, "request review from " + String.join("; ", asks));
        }
        if (Rule.GATE_APPROVALS_AGENT_NEEDS_HUMAN.id().equals(rule)
                || Rule.GATE_APPROVALS_MISSING.id().equals(rule)
                        && actor.actorClass() == ActorClass.AGENT
                        && edge.agentChangeNeedsHumanApprover()) {
            // an agent's change needs a human's approval (by default); asking one meets the edge's count too
            return new Blocker(
                    what,
                    rule,
                    null,
                    "ask a human to approve " + shortSha(pr.headSha()) + ": " + humans(policy, actor));
        }
        if (Rule.GATE_APPROVALS_MISSING.id().equals(rule)) {
            return new Blocker(
                    what,
                    rule,
                    null,
                    "ask a reviewer other than the author to approve " + shortSha(pr.headSha()) + ": "
                            + humans(policy, actor));
        }
        return new Blocker(what, rule, null, fixOf(wf));
    }

    private static void afterTheMerge(PrView pr, List<Move> moves, List<Blocker> blockers) {
        PrView.Merge m = pr.merge();
        if (m.failed()) {
            blockers.add(new Blocker(
                    nonEmpty(m.detail(), "the tier's migration did not apply; the tier is held"),
                    m.migration().equals("held")
                            ? Rule.MIGRATION_TIER_DRIFTED.id()
                            : Rule.MIGRATION_TIER_MIGRATE_FAILED.id(),
                    null,
                    "ask the server's operator to fix the tier, or to roll it back: " + m.rollback()));
        } else if (!m.migrated()) {
            moves.add(local(
                    "wait", "tiergate wait --until migrated", "follow the tier until it has applied the migrations"));
        } else {
            moves.add(local("claim", "tiergate claim <feature-id>", "start the next feature"));
        }
    }

    /** The edge the PR merges along (as the gate finds it), or the gate's default. */
    private static TierEdge edge(Policy policy, Claim claim, PrView pr) {
        String from = policy.tierForBranch(claim.branch())
                .map(Tier::name)
                .or(() -> policy.typeForBranch(claim.branch()).map(WorkingBranchType::name))
                .orElse(null);
        String to = policy.tierForBranch(claim.parentBranch()).map(Tier::name).orElse(pr.baseTier());
        return from == null ? DEFAULT_EDGE : policy.edge(from, to).orElse(DEFAULT_EDGE);
    }

    private static final TierEdge DEFAULT_EDGE = new TierEdge(null, null, Permission.EVERYONE, 0, true);

    private static String people(Policy policy, Permission who, Actor not) {
        List<String> ids = policy.actors().stream()
                .filter(who::allows)
                .filter(a -> !a.id().equalsIgnoreCase(not.id()))
                .map(Actor::id)
                .toList();
        return ids.isEmpty() ? who.describe() : String.join(" or ", ids) + " (" + who.describe() + ")";
    }

    private static String humans(Policy policy, Actor not) {
        return people(policy, new Permission(java.util.Set.of(ActorClass.HUMAN), java.util.Set.of()), not);
    }

    private static String fixOf(PrView.Check c) {
        if (c.fix() != null && !c.fix().isBlank()) {
            return c.fix();
        }
        return Rule.byId(c.rule()).map(Rule::fix).orElse("read the rule in docs/rules.md");
    }

    private static Move local(String name, String command, String why) {
        return new Move(name, command, false, List.of(), why);
    }

    private static String nonEmpty(String s, String otherwise) {
        return s == null || s.isBlank() ? otherwise : s;
    }

    private static String shortSha(String sha) {
        return sha == null ? "(none)" : sha.substring(0, Math.min(7, sha.length()));
    }
}
