package dev.tiergate.core.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tiergate.core.gate.PullRequestCase.PolicyAtBase;
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
import dev.tiergate.core.gate.PullRequestPlan.SetUpTiers;
import dev.tiergate.core.gate.PullRequestPlan.Step;
import dev.tiergate.core.gate.PullRequestPlan.Track;
import dev.tiergate.core.gate.PullRequestPlan.TrackHead;
import dev.tiergate.core.policy.ActorClass;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.state.Claim;
import dev.tiergate.core.verdict.Refusal;
import dev.tiergate.core.workflow.WorkflowState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The judge of one pull request, table by table and without a database: each case is the facts the server would
 * read, each expectation the plan it must carry out. The lazy reads are checked too: a supplier the verdict does
 * not depend on must not be asked (each is a forge or backend call on the server).
 */
class PullRequestJudgeTest {
    static final String SHA = MergeGateTest.SHA;
    static final String OLD = "0".repeat(40);
    static final List<CheckResult> GREEN = List.of(new CheckResult("build", CheckResult.Outcome.SUCCESS));
    static final List<CheckResult> RED = List.of(new CheckResult("build", CheckResult.Outcome.FAILURE));

    /** The facts of one case, each read counted; start from {@link #open}, {@link #merged} or {@link #closed}. */
    static final class Facts {
        PullRequestFacts pr;
        PolicyAtBase policy = PolicyAtBase.valid(MergeGateTest.POLICY);
        Optional<RecordedBranch> ci = Optional.empty();
        Optional<RecordedBranch> head = Optional.empty();
        List<CheckResult> checks = List.of();
        boolean leftOver;
        Optional<TierHold> hold = Optional.empty();
        boolean drifted;
        boolean rehearsed;
        Optional<Refusal> stateFile = Optional.empty();
        List<String> removed = List.of();
        Optional<Claim> claim = Optional.empty();
        List<Approval> approvals = List.of();
        Optional<RehearsalEvidence> evidence = Optional.empty();
        List<String> touched = List.of();
        Map<String, Set<String>> teams = Map.of();
        Optional<String> tierDrift = Optional.empty();
        final List<String> asked = new ArrayList<>();

        Facts(PullRequestFacts pr) {
            this.pr = pr;
        }

        Facts ci(WorkflowState state, String sha) {
            return ci(state, sha, null, null);
        }

        Facts ci(WorkflowState state, String sha, StatusState last, String lastSha) {
            ci = Optional.of(new RecordedBranch(BranchKind.CI, state, sha, "ci-pr-7", 7L, last, lastSha));
            return this;
        }

        Facts head(WorkflowState state, String sha) {
            head = Optional.of(new RecordedBranch(BranchKind.WORKING, state, sha, "feature_f1", null, null, null));
            return this;
        }

        <T> Supplier<T> read(String what, T value) {
            return () -> {
                asked.add(what);
                return value;
            };
        }

        PullRequestCase build() {
            return new PullRequestCase(
                    pr,
                    read("policy", policy),
                    ci,
                    head,
                    checks,
                    read("leftOver", leftOver),
                    read("hold", hold),
                    read("drifted", drifted),
                    read("rehearsed", rehearsed),
                    read("stateFile", stateFile),
                    read("removed", removed),
                    read("claim", claim),
                    read("approvals", approvals),
                    read("evidence", evidence),
                    read("touched", touched),
                    team -> {
                        asked.add("team " + team);
                        return teams.getOrDefault(team, Set.of());
                    },
                    read("tierDrift", tierDrift));
        }

        PullRequestPlan judge() {
            return PullRequestJudge.judge(build());
        }
    }

    static PullRequestFacts pr(String head, String base, String author, boolean open, boolean merged) {
        return new PullRequestFacts(
                7, head, SHA, base, "b".repeat(40), new ForgeIdentity(author, false), open, merged, "u");
    }

    static Facts open(String head, String base, String author) {
        return new Facts(pr(head, base, author, true, false));
    }

    static Facts open() {
        return open("feature/f1", "staging", "bob").head(WorkflowState.FEATURE_CLAIMED, SHA);
    }

    static Facts merged() {
        return new Facts(pr("feature/f1", "staging", "bob", false, true));
    }

    static Facts closed() {
        return new Facts(pr("feature/f1", "staging", "bob", false, false));
    }

    static Approval approval(String login) {
        return new Approval(new ForgeIdentity(login, false), SHA);
    }

    static GateStatus posted(PullRequestPlan plan) {
        return plan.posted().orElseThrow(() -> new AssertionError("no status posted: " + plan));
    }

    // --- the first sight of a PR and its state steps -------------------------------------------------------------

    @Test
    void aNewPrIsTrackedStepByStepPostedPendingAndRehearsed() {
        PullRequestPlan plan = open("feature/f1", "staging", "bob").judge();
        GateStatus pending = posted(plan);
        assertEquals(
                List.of(
                        new SetUpTiers(),
                        new TrackHead(),
                        new Track("staging"),
                        new Step(null, WorkflowState.FEATURE_CLAIMED, "PR seen"),
                        new Step(WorkflowState.FEATURE_CLAIMED, WorkflowState.PR_READY, "PR opened"),
                        new Post(pending, pending.description()),
                        new RecordVerdict(pending),
                        new Rehearse()),
                plan.actions());
        assertEquals(StatusState.PENDING, pending.state());
        assertEquals(Rule.GATE_CI_NOT_GREEN.id(), pending.rule());
    }

    @Test
    void approvalsAreNotReadWhileCiIsNotGreen() {
        Facts f = open().ci(WorkflowState.PR_READY, SHA);
        f.checks = RED;
        PullRequestPlan plan = f.judge();
        assertEquals(Rule.GATE_CI_NOT_GREEN.id(), posted(plan).rule());
        assertFalse(f.asked.contains("approvals"), f.asked.toString());
        assertFalse(plan.has(Step.class), "pr-ready stays pr-ready: " + plan);
    }

    @Test
    void ciGreenStepsAndSucceedsWithTheEdgesApproval() {
        Facts f = open().ci(WorkflowState.PR_READY, SHA);
        f.checks = GREEN;
        f.approvals = List.of(approval("alice"));
        f.rehearsed = true;
        PullRequestPlan plan = f.judge();
        assertEquals(
                List.of(
                        new SetUpTiers(),
                        new Step(WorkflowState.PR_READY, WorkflowState.CI_GREEN, "required CI checks green"),
                        new Post(GateStatus.success(), GateStatus.success().description()),
                        new RecordVerdict(GateStatus.success())),
                plan.actions());
    }

    @Test
    void aNewPushOnACiGreenPrGoesBackToPrReadyFirst() {
        Facts f = open().ci(WorkflowState.CI_GREEN, OLD, StatusState.SUCCESS, OLD);
        PullRequestPlan plan = f.judge();
        assertEquals(
                List.of(new Step(WorkflowState.CI_GREEN, WorkflowState.PR_READY, "new push: CI must pass again")),
                steps(plan));
        assertTrue(plan.has(Rehearse.class));
    }

    @Test
    void aNewPushThatIsGreenAlreadyStillPassesThroughPrReady() {
        Facts f = open().ci(WorkflowState.CI_GREEN, OLD, StatusState.SUCCESS, OLD);
        f.checks = GREEN;
        f.approvals = List.of(approval("alice"));
        assertEquals(
                List.of(
                        new Step(WorkflowState.CI_GREEN, WorkflowState.PR_READY, "new push: CI must pass again"),
                        new Step(WorkflowState.PR_READY, WorkflowState.CI_GREEN, "required CI checks green")),
                steps(f.judge()));
    }

    @Test
    void ciTurningRedOnTheSameHeadIsNoLongerGreen() {
        Facts f = open().ci(WorkflowState.CI_GREEN, SHA, StatusState.SUCCESS, SHA);
        f.checks = RED;
        PullRequestPlan plan = f.judge();
        assertEquals(
                List.of(new Step(WorkflowState.CI_GREEN, WorkflowState.PR_READY, "CI no longer green")), steps(plan));
        assertEquals(Rule.GATE_CI_NOT_GREEN.id(), posted(plan).rule());
    }

    @Test
    void aPrReopenedAfterItsMergeIsClaimedAgain() {
        Facts f = open().ci(WorkflowState.MERGED, SHA);
        assertEquals(
                List.of(
                        new Step(WorkflowState.MERGED, WorkflowState.FEATURE_CLAIMED, "PR reopened"),
                        new Step(WorkflowState.FEATURE_CLAIMED, WorkflowState.PR_READY, "PR opened")),
                steps(f.judge()));
    }

    @Test
    void aTrackedHeadIsNotTrackedAgainAndARehearsedHeadIsNotRehearsedAgain() {
        Facts f = open().ci(WorkflowState.PR_READY, SHA);
        f.rehearsed = true;
        PullRequestPlan plan = f.judge();
        assertFalse(plan.has(TrackHead.class));
        assertFalse(plan.has(Track.class));
        assertFalse(plan.has(Rehearse.class));
    }

    @Test
    void aBaseThatIsNoTierIsRefusedAndNothingIsRehearsed() {
        Facts f = open("feature/f1", "develop", "bob");
        PullRequestPlan plan = f.judge();
        assertEquals(Rule.GATE_BASE_NOT_A_TIER.id(), posted(plan).rule());
        assertTrue(plan.actions().contains(new Track(null)), plan.toString());
        assertFalse(plan.has(Rehearse.class));
        assertFalse(f.asked.contains("hold"), "no tier, no hold to read: " + f.asked);
    }

    // --- the rules, in the order the judge applies them ----------------------------------------------------------

    static Stream<Arguments> verdicts() {
        return Stream.of(
                Arguments.of(
                        "a held tier",
                        (Fix) f -> f.hold = Optional.of(new TierHold(12L)),
                        StatusState.FAILURE,
                        Rule.MIGRATION_TIER_HELD,
                        "PR #12's migration failed on it"),
                Arguments.of(
                        "a tier held by its set-up",
                        (Fix) f -> f.hold = Optional.of(new TierHold(null)),
                        StatusState.FAILURE,
                        Rule.MIGRATION_TIER_HELD,
                        "setting it up failed"),
                Arguments.of(
                        "drifted privileges",
                        (Fix) f -> f.drifted = true,
                        StatusState.FAILURE,
                        Rule.PERMISSIONS_DRIFTED,
                        "tiergate grants apply --tier staging"),
                Arguments.of(
                        "a bad state file",
                        (Fix) f -> f.stateFile = Optional.of(new Refusal(
                                "state.schema", ".tiergate/workflow-state.json", "claims[0].state is wrong", "fix it")),
                        StatusState.FAILURE,
                        null,
                        ".tiergate/workflow-state.json at a1b2c3d: claims[0].state"),
                Arguments.of(
                        "an agent deleting a test",
                        (Fix) f -> {
                            f.pr = pr("feature/f1", "staging", "claude-agent", true, false);
                            f.removed = List.of("src/test/java/FooTest.java", "README.md");
                        },
                        StatusState.FAILURE,
                        Rule.TESTS_AGENT_DELETED,
                        "src/test/java/FooTest.java (PR #7)"),
                Arguments.of(
                        "a promotion still waiting for CI",
                        (Fix) f -> f.pr = pr("staging", "main", "alice", true, false),
                        StatusState.PENDING,
                        Rule.GATE_CI_NOT_GREEN,
                        "Waiting for required CI"),
                Arguments.of(
                        "a feature into production",
                        (Fix) f -> f.pr = pr("feature/f1", "main", "bob", true, false),
                        StatusState.FAILURE,
                        Rule.GATE_EDGE_SKIPS_TIER,
                        "merge into staging, not main"),
                Arguments.of(
                        "production promoting anywhere",
                        (Fix) f -> f.pr = pr("main", "staging", "alice", true, false),
                        StatusState.FAILURE,
                        Rule.GATE_EDGE_ONE_HOP,
                        "promotes only to nowhere"),
                Arguments.of(
                        "an unknown head",
                        (Fix) f -> f.pr = pr("wip", "staging", "bob", true, false),
                        StatusState.FAILURE,
                        Rule.GATE_UNKNOWN_BRANCH,
                        "rename it e.g. feature/<id>"),
                Arguments.of(
                        "an agent's hotfix",
                        (Fix) f -> f.pr = pr("hotfix/h1", "main", "claude-agent", true, false),
                        StatusState.FAILURE,
                        Rule.GATE_ACTOR_TYPE_NOT_ALLOWED,
                        "may not use hotfix branches"),
                Arguments.of(
                        "a promotion by a non-release-manager",
                        (Fix) f -> f.pr = pr("staging", "main", "bob", true, false),
                        StatusState.FAILURE,
                        Rule.GATE_ACTOR_EDGE_NOT_ALLOWED,
                        "may not merge staging -> production"),
                Arguments.of(
                        "green, no approval",
                        (Fix) f -> green(f),
                        StatusState.PENDING,
                        Rule.GATE_APPROVALS_MISSING,
                        "Needs 1 approval(s)"),
                Arguments.of(
                        "green, the author approving self",
                        (Fix) f -> {
                            green(f);
                            f.approvals = List.of(approval("bob"));
                        },
                        StatusState.PENDING,
                        Rule.GATE_APPROVALS_MISSING,
                        "has 0"),
                Arguments.of(
                        "green, an agent's PR approved by a bot only",
                        (Fix) f -> {
                            f.pr = pr("feature/f1", "staging", "claude-agent", true, false);
                            green(f);
                            f.approvals = List.of(approval("ci-bot"));
                        },
                        StatusState.PENDING,
                        Rule.GATE_APPROVALS_AGENT_NEEDS_HUMAN,
                        "needs approval from a human"),
                Arguments.of(
                        "green and approved",
                        (Fix) f -> {
                            green(f);
                            f.approvals = List.of(approval("alice"));
                        },
                        StatusState.SUCCESS,
                        Rule.GATE_OK,
                        "All tiergate rules hold"));
    }

    interface Fix {
        void apply(Facts f);
    }

    static void green(Facts f) {
        f.ci(WorkflowState.CI_GREEN, SHA);
        f.checks = GREEN;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("verdicts")
    void eachRuleDecidesTheVerdict(String name, Fix fix, StatusState state, Rule rule, String words) {
        Facts f = open();
        fix.apply(f);
        GateStatus s = posted(f.judge());
        assertEquals(state, s.state(), s.toString());
        assertEquals(rule == null ? "state.schema" : rule.id(), s.rule(), s.toString());
        assertTrue(s.description().contains(words), s.description());
        assertTrue(s.description().length() <= GateStatus.MAX_DESCRIPTION);
    }

    @Test
    void aHoldComesFirstAndTheRestIsNotRead() {
        Facts f = open();
        f.hold = Optional.of(new TierHold(3L));
        f.drifted = true;
        f.stateFile = Optional.of(new Refusal("state.schema", "f", "m", "x"));
        green(f);
        assertEquals(Rule.MIGRATION_TIER_HELD.id(), posted(f.judge()).rule());
        assertEquals(List.of("policy", "hold", "rehearsed"), f.asked);
    }

    @Test
    void aHumanDeletingTestsIsNotAskedForItsRemovals() {
        Facts f = open();
        f.removed = List.of("src/test/java/FooTest.java");
        f.judge();
        assertFalse(f.asked.contains("removed"), f.asked.toString());
    }

    @Test
    void anAgentMayDeleteATestItsClaimSupersedes() {
        Facts f = open("feature/f1", "staging", "claude-agent").head(WorkflowState.FEATURE_CLAIMED, SHA);
        f.removed = List.of("src/test/java/FooTest.java");
        f.claim = Optional.of(new Claim(
                "f1",
                WorkflowState.FEATURE_CLAIMED,
                "feature/f1",
                "staging",
                "feature_f1",
                "claude-agent",
                ActorClass.AGENT,
                null,
                Map.of(),
                null,
                null,
                null,
                List.of("src/test/java/FooTest.java")));
        assertEquals(Rule.GATE_CI_NOT_GREEN.id(), posted(f.judge()).rule());
        assertTrue(f.asked.contains("claim"));
    }

    @Test
    void twoDeletedTestsNameTheFirstAndCountTheRest() {
        Facts f = open("feature/f1", "staging", "claude-agent").head(WorkflowState.FEATURE_CLAIMED, SHA);
        f.removed = List.of("src/test/java/ATest.java", "src/test/java/BTest.java");
        assertTrue(posted(f.judge()).description().startsWith("src/test/java/ATest.java (PR #7) and 1 more: "));
    }

    // --- policy at the base ----------------------------------------------------------------------------------------

    @Test
    void anInvalidPolicyFailsThePrAndTheAuditKeepsTheParsersWords() {
        Facts f = open();
        f.policy = PolicyAtBase.invalid(".tiergate/policy.yaml@b: tiers[0].name missing");
        PullRequestPlan plan = f.judge();
        GateStatus s = posted(plan);
        assertEquals(Rule.POLICY_INVALID.id(), s.rule());
        assertEquals(StatusState.FAILURE, s.state());
        assertTrue(s.description().contains("fix .tiergate/policy.yaml on staging"), s.description());
        assertEquals(List.of(new Post(s, ".tiergate/policy.yaml@b: tiers[0].name missing")), plan.actions());
    }

    @Test
    void noPolicyMeansNotGatedAndNothingTracked() {
        Facts f = open();
        f.policy = PolicyAtBase.absent();
        PullRequestPlan plan = f.judge();
        assertEquals(1, plan.actions().size(), plan.toString());
        assertEquals(StatusState.SUCCESS, posted(plan).state());
        assertEquals(Rule.GATE_NO_POLICY.id(), posted(plan).rule());
    }

    @Test
    void aClosedPrUnderAnInvalidPolicyChangesNothing() {
        Facts f = closed().ci(WorkflowState.PR_READY, SHA);
        f.policy = PolicyAtBase.invalid("broken");
        assertEquals(List.of(), f.judge().actions());
    }

    // --- the end of a PR -------------------------------------------------------------------------------------------

    @Test
    void aMergeAfterSuccessOnThatHeadMigratesTheBaseAndEndsThePr() {
        Facts f = merged().ci(WorkflowState.CI_GREEN, SHA, StatusState.SUCCESS, SHA);
        assertEquals(
                List.of(
                        new SetUpTiers(),
                        new Step(WorkflowState.CI_GREEN, WorkflowState.MERGED, "PR merged"),
                        new MigrateBase(),
                        new ForgetRehearsal(),
                        new EndPullRequest(true)),
                f.judge().actions());
        assertFalse(f.asked.contains("approvals"));
    }

    @Test
    void aMergePastTheGateIsAViolation() {
        Facts f = merged().ci(WorkflowState.PR_READY, SHA, StatusState.PENDING, SHA);
        PullRequestPlan plan = f.judge();
        assertTrue(
                plan.actions()
                        .contains(new RecordViolation(
                                Rule.GATE_MERGED_WITHOUT_SUCCESS.id(),
                                "PR #7 merged while tiergate/workflow was pending on " + SHA)),
                plan.toString());
        assertEquals(
                List.of(new Step(WorkflowState.PR_READY, WorkflowState.MERGED, "PR merged")),
                steps(plan),
                "a merge that skipped states is recorded as the one step it was");
    }

    @Test
    void successOnAnOlderHeadDoesNotCoverTheMergedOne() {
        Facts f = merged().ci(WorkflowState.CI_GREEN, SHA, StatusState.SUCCESS, OLD);
        assertTrue(f.judge().has(RecordViolation.class));
    }

    @Test
    void aMergeTiergateNeverHeardOfIsMergedNowAsAViolation() {
        Facts f = merged().head(WorkflowState.PR_READY, SHA);
        PullRequestPlan plan = f.judge();
        assertEquals(
                List.of(
                        new SetUpTiers(),
                        new Track("staging"),
                        new Step(null, WorkflowState.FEATURE_CLAIMED, "PR seen"),
                        new Step(WorkflowState.FEATURE_CLAIMED, WorkflowState.MERGED, "PR merged"),
                        new MigrateBase(),
                        new ForgetRehearsal(),
                        new RecordViolation(
                                Rule.GATE_MERGED_WITHOUT_SUCCESS.id(),
                                "PR #7 merged while tiergate/workflow was never posted on " + SHA),
                        new EndPullRequest(true)),
                plan.actions());
    }

    @Test
    void aMergeIntoABranchThatIsNoTierMigratesNothing() {
        Facts f = new Facts(pr("feature/f1", "develop", "bob", false, true))
                .ci(WorkflowState.CI_GREEN, SHA, StatusState.SUCCESS, SHA);
        PullRequestPlan plan = f.judge();
        assertFalse(plan.has(MigrateBase.class));
        assertTrue(plan.has(EndPullRequest.class));
    }

    @Test
    void aDuplicateOfAFinishedMergeChangesNothingAndReadsNoPolicy() {
        Facts f = merged().head(WorkflowState.MERGED, SHA);
        assertEquals(List.of(), f.judge().actions());
        assertEquals(List.of("leftOver"), f.asked);
    }

    @Test
    void aMergeWhoseCleanUpStoppedHalfwayRemovesTheHeadsDatabase() {
        Facts f = merged().head(WorkflowState.MERGED, SHA);
        f.leftOver = true;
        assertEquals(List.of(new RemoveHeadDatabase()), f.judge().actions());
    }

    @Test
    void aHeadPushedAgainAfterTheMergeIsNotEnded() {
        Facts f = merged().head(WorkflowState.FEATURE_CLAIMED, OLD);
        assertEquals(List.of(), f.judge().actions());
        assertEquals(List.of(), f.asked);
    }

    @Test
    void aClosedPrNeverTrackedChangesNothingAndReadsNothing() {
        Facts f = closed().head(WorkflowState.PR_READY, SHA);
        assertEquals(List.of(), f.judge().actions());
        assertEquals(List.of(), f.asked);
    }

    @Test
    void aPrClosedWithoutMergeGoesBackToClaimedAndEnds() {
        Facts f = closed().ci(WorkflowState.PR_READY, SHA, StatusState.PENDING, SHA);
        assertEquals(
                List.of(
                        new SetUpTiers(),
                        new Step(WorkflowState.PR_READY, WorkflowState.FEATURE_CLAIMED, "PR closed without merge"),
                        new ForgetRehearsal(),
                        new EndPullRequest(false)),
                f.judge().actions());
    }

    @Test
    void everyStateTheWorkflowKnowsIsReachedOrLeftByAPlan() {
        // the transitions table: from each recorded state (and untracked), to each target the facts can give
        List<WorkflowState> recorded = new ArrayList<>(List.of(WorkflowState.values()));
        recorded.add(null);
        for (WorkflowState from : recorded) {
            for (Facts f : List.of(open(), merged(), closed())) {
                if (from != null) {
                    f.ci(from, SHA, StatusState.SUCCESS, SHA);
                } else if (!f.pr.open()) {
                    f.head(WorkflowState.PR_READY, SHA);
                }
                f.checks = GREEN;
                f.approvals = List.of(approval("alice"));
                PullRequestPlan plan = f.judge();
                WorkflowState at = from;
                for (Step s : steps(plan)) {
                    assertEquals(at, s.from(), "steps chain: " + plan);
                    assertTrue(allowed(s.from(), s.to()), s + " is not a step the workflow allows");
                    at = s.to();
                }
                WorkflowState expected = f.pr.merged()
                        ? WorkflowState.MERGED
                        : f.pr.open() ? WorkflowState.CI_GREEN : WorkflowState.FEATURE_CLAIMED;
                if (from == null && !f.pr.open() && !f.pr.merged()) {
                    assertEquals(List.of(), plan.actions(), "closed and never tracked: " + plan);
                    continue;
                }
                assertEquals(expected, at, "from " + from + " for " + f.pr + ": " + plan);
            }
        }
    }

    /** The steps the workflow allows; a merge may come from any state (a merge past the gate is a violation). */
    static boolean allowed(WorkflowState from, WorkflowState to) {
        if (to == WorkflowState.MERGED) {
            return true;
        }
        if (from == null) {
            return to == WorkflowState.FEATURE_CLAIMED;
        }
        return switch (from) {
            case SCAFFOLD_COMPLETE, MERGED -> to == WorkflowState.FEATURE_CLAIMED;
            case FEATURE_CLAIMED -> to == WorkflowState.PR_READY;
            case PR_READY -> to == WorkflowState.CI_GREEN || to == WorkflowState.FEATURE_CLAIMED;
            case CI_GREEN -> to == WorkflowState.PR_READY || to == WorkflowState.FEATURE_CLAIMED;
        };
    }

    static List<Step> steps(PullRequestPlan plan) {
        List<Step> out = new ArrayList<>();
        for (Action a : plan.actions()) {
            if (a instanceof Step s) {
                out.add(s);
            }
        }
        return out;
    }

    @Test
    void theJudgeNeverPostsOnAnEndedPr() {
        for (Facts f : List.of(merged().ci(WorkflowState.CI_GREEN, SHA), closed().ci(WorkflowState.PR_READY, SHA))) {
            PullRequestPlan plan = f.judge();
            if (plan.has(Post.class) || plan.has(RecordVerdict.class) || plan.has(Rehearse.class)) {
                fail("an ended PR gets no status, verdict or rehearsal: " + plan);
            }
        }
    }
    // ---------------------------------------------------------------- approval rules (issue 29)

    static final PolicyAtBase ROUTED = PolicyAtBase.valid(dev.tiergate.core.policy.PolicyReader.read("""
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: staging, actors: [human, agent]}
            actors:
              - {id: pat, class: human, roles: [platform-engineer]}
            edges:
              - {from: feature, to: staging, approvals: 1}
            approval_rules:
              - name: big-table-lock
                when: {lock: {min_rows: 1000000}}
                require: {role: platform-engineer}
            """, "test"));

    static Facts routedAndGreen() {
        Facts f = open().ci(WorkflowState.CI_GREEN, SHA);
        f.checks = GREEN;
        f.policy = ROUTED;
        f.rehearsed = true;
        return f;
    }

    static RehearsalEvidence bigLock(String head) {
        return new RehearsalEvidence(
                head,
                "b".repeat(40),
                RehearsalEvidence.Outcome.PASSED,
                List.of(new RehearsalEvidence.MigrationFacts(
                        "2",
                        "V2__x.sql",
                        "expand",
                        10,
                        List.of(new RehearsalEvidence.StatementFacts(
                                3,
                                10,
                                List.of(new RehearsalEvidence.TableLock("AccessExclusiveLock", "orders", 2_000_000, 0)),
                                List.of())))),
                List.of());
    }

    @Test
    void underRulesThatRouteByTheRehearsalTheVerdictWaitsForThisHeadsRehearsal() {
        Facts f = routedAndGreen();
        f.approvals = List.of(approval("alice"));
        f.evidence = Optional.of(bigLock(OLD)); // of an earlier head
        GateStatus s = posted(f.judge());
        assertEquals(StatusState.PENDING, s.state());
        assertEquals(Rule.GATE_APPROVALS_AWAITING_REHEARSAL.id(), s.rule());
    }

    @Test
    void aMatchedRuleWithoutItsRolesApprovalIsPendingAndAsksThemForAReview() {
        Facts f = routedAndGreen();
        f.approvals = List.of(approval("alice"));
        f.evidence = Optional.of(bigLock(SHA));
        PullRequestPlan plan = f.judge();
        GateStatus s = posted(plan);
        assertEquals(StatusState.PENDING, s.state());
        assertEquals(Rule.GATE_APPROVALS_ROLE_MISSING.id(), s.rule());
        assertEquals(
                "Needs 1 approval from platform-engineer: AccessExclusiveLock on orders (2.0 M rows, 0.0 s) in V2:3"
                        + " [gate.approvals.role-missing]",
                s.description());
        assertTrue(
                plan.actions()
                        .contains(new PullRequestPlan.RequestReviews(
                                new ApprovalRouting.ReviewRequest(List.of("pat"), List.of(), "big-table-lock"))),
                plan.toString());
    }

    @Test
    void theRolesApprovalOnTheHeadTurnsItGreenAndNoReviewIsAsked() {
        Facts f = routedAndGreen();
        f.approvals = List.of(approval("pat"));
        f.evidence = Optional.of(bigLock(SHA));
        PullRequestPlan plan = f.judge();
        assertEquals(StatusState.SUCCESS, posted(plan).state());
        assertFalse(plan.has(PullRequestPlan.RequestReviews.class));
    }

    @Test
    void withoutApprovalRulesTheEvidenceIsNeverRead() {
        Facts f = open().ci(WorkflowState.CI_GREEN, SHA);
        f.checks = GREEN;
        f.approvals = List.of(approval("alice"));
        assertEquals(StatusState.SUCCESS, posted(f.judge()).state());
        assertFalse(f.asked.contains("evidence"), f.asked.toString());
        assertFalse(f.asked.contains("touched"), f.asked.toString());
    }

    @Test
    void whileCiIsNotGreenTheRulesAreNotAsked() {
        Facts f = routedAndGreen();
        f.checks = RED;
        assertEquals(Rule.GATE_CI_NOT_GREEN.id(), posted(f.judge()).rule());
        assertFalse(f.asked.contains("evidence"), f.asked.toString());
    }

    // ---------------------------------------------------------------- drift (issue 28)

    static PolicyAtBase driftPolicy(String drift) {
        return PolicyAtBase.valid(dev.tiergate.core.policy.PolicyReader.read("""
                version: 1
                tiers:
                  - {name: production, branch: main}
                  - {name: staging, branch: staging, parent: production, drift: %s}
                working_branch_types:
                  - {name: feature, pattern: "feature/*", target: staging, actors: [human, agent]}
                """.formatted(drift), "test"));
    }

    @Test
    void aTierThatHoldsOnDriftRefusesPrsWhileItIsDrifted() {
        Facts f = open();
        green(f);
        f.policy = driftPolicy("hold");
        f.tierDrift = Optional.of("1 schema");
        GateStatus s = posted(f.judge());
        assertEquals(StatusState.FAILURE, s.state());
        assertEquals(Rule.MIGRATION_TIER_DRIFTED.id(), s.rule());
        assertTrue(
                s.description()
                        .startsWith(
                                "Tier staging drifted from its migrations (1 schema); tiergate drift --tier staging"),
                s.description());
    }

    @Test
    void aTierThatOnlyWarnsOnDriftIsNotAskedForIt() {
        Facts f = open();
        green(f);
        f.policy = driftPolicy("warn");
        f.tierDrift = Optional.of("schema: anything");
        assertFalse(posted(f.judge()).rule().equals(Rule.MIGRATION_TIER_DRIFTED.id()));
        assertFalse(f.asked.contains("tierDrift"), f.asked.toString());
    }
}
