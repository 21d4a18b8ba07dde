package dev.tiergate.core.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.PolicyReader;
import dev.tiergate.core.workflow.WorkflowState;
import java.util.List;
import org.junit.jupiter.api.Test;

class MergeGateTest {
    static final String SHA = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
    static final Policy POLICY = PolicyReader.read("""
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: staging, actors: [human, agent]}
              - {name: hotfix, pattern: "hotfix/*", target: production, actors: [human], hotfix: true}
            actors:
              - {id: claude-agent, class: agent}
              - {id: alice, class: human, roles: [release-manager]}
              - {id: ci-bot, class: bot}
            edges:
              - {from: feature, to: staging, approvals: 1, agent_needs_human_approval: true}
              - {from: hotfix, to: production, mergers: {classes: [human]}, approvals: 1}
              - {from: staging, to: production, mergers: {classes: [human], roles: [release-manager]}, approvals: 1}
            """, "test");

    static PullRequestFacts pr(String head, String base, String author) {
        return new PullRequestFacts(
                7, head, SHA, base, "b".repeat(40), new ForgeIdentity(author, false), true, false, "u");
    }

    static Approval approval(String login) {
        return new Approval(new ForgeIdentity(login, false), SHA);
    }

    @Test
    void greenFeatureWithApprovalSucceeds() {
        GateStatus s = MergeGate.evaluate(
                POLICY, pr("feature/f1", "staging", "bob"), WorkflowState.CI_GREEN, SHA, List.of(approval("alice")));
        assertEquals(StatusState.SUCCESS, s.state());
    }

    @Test
    void featureStraightIntoProductionFails() {
        GateStatus s = MergeGate.evaluate(
                POLICY, pr("feature/f1", "main", "bob"), WorkflowState.CI_GREEN, SHA, List.of(approval("alice")));
        assertEquals(StatusState.FAILURE, s.state());
        assertEquals("gate.edge.skips-tier", s.rule());
        assertTrue(s.description().contains("merge into staging, not main"), s.description());
        assertTrue(s.description().length() <= 140);
    }

    @Test
    void hotfixMayGoToProduction() {
        GateStatus s = MergeGate.evaluate(
                POLICY, pr("hotfix/h1", "main", "bob"), WorkflowState.CI_GREEN, SHA, List.of(approval("alice")));
        assertEquals(StatusState.SUCCESS, s.state());
    }

    @Test
    void agentMayNotOpenHotfix() {
        GateStatus s = MergeGate.evaluate(
                POLICY,
                pr("hotfix/h1", "main", "claude-agent"),
                WorkflowState.CI_GREEN,
                SHA,
                List.of(approval("alice")));
        assertEquals("gate.actor.type-not-allowed", s.rule());
    }

    @Test
    void promotionNeedsReleaseManagerAuthor() {
        GateStatus s = MergeGate.evaluate(
                POLICY, pr("staging", "main", "bob"), WorkflowState.CI_GREEN, SHA, List.of(approval("carol")));
        assertEquals(StatusState.FAILURE, s.state());
        assertEquals("gate.actor.edge-not-allowed", s.rule());
        assertTrue(s.description().contains("role release-manager"), s.description());
        assertEquals(
                StatusState.SUCCESS,
                MergeGate.evaluate(
                                POLICY,
                                pr("staging", "main", "alice"),
                                WorkflowState.CI_GREEN,
                                SHA,
                                List.of(approval("carol")))
                        .state());
    }

    @Test
    void tierMayNotSkipUpwards() {
        GateStatus s =
                MergeGate.evaluate(POLICY, pr("main", "staging", "alice"), WorkflowState.CI_GREEN, SHA, List.of());
        assertEquals("gate.edge.one-hop", s.rule());
    }

    @Test
    void notGreenForThisShaIsPending() {
        GateStatus s = MergeGate.evaluate(
                POLICY,
                pr("feature/f1", "staging", "bob"),
                WorkflowState.CI_GREEN,
                "0".repeat(40),
                List.of(approval("alice")));
        assertEquals(StatusState.PENDING, s.state());
        assertEquals("gate.ci-not-green", s.rule());
        assertEquals(
                "gate.ci-not-green",
                MergeGate.evaluate(
                                POLICY,
                                pr("feature/f1", "staging", "bob"),
                                WorkflowState.PR_READY,
                                SHA,
                                List.of(approval("alice")))
                        .rule());
    }

    @Test
    void approvalsOnOldShaOrByAuthorDoNotCount() {
        Approval stale = new Approval(new ForgeIdentity("alice", false), "c".repeat(40));
        GateStatus s = MergeGate.evaluate(
                POLICY,
                pr("feature/f1", "staging", "bob"),
                WorkflowState.CI_GREEN,
                SHA,
                List.of(stale, approval("bob")));
        assertEquals("gate.approvals.missing", s.rule());
        assertEquals(StatusState.PENDING, s.state());
    }

    @Test
    void agentPrNeedsHumanApprover() {
        GateStatus s = MergeGate.evaluate(
                POLICY,
                pr("feature/f2", "staging", "claude-agent"),
                WorkflowState.CI_GREEN,
                SHA,
                List.of(approval("ci-bot")));
        assertEquals("gate.approvals.agent-needs-human", s.rule());
        assertEquals(
                StatusState.SUCCESS,
                MergeGate.evaluate(
                                POLICY,
                                pr("feature/f2", "staging", "claude-agent"),
                                WorkflowState.CI_GREEN,
                                SHA,
                                List.of(approval("alice")))
                        .state());
    }

    @Test
    void unknownHeadOrBaseFails() {
        assertEquals(
                "gate.unknown-branch",
                MergeGate.evaluate(POLICY, pr("wip", "staging", "bob"), WorkflowState.CI_GREEN, SHA, List.of())
                        .rule());
        assertEquals(
                "gate.base-not-a-tier",
                MergeGate.evaluate(POLICY, pr("feature/x", "feature/y", "bob"), WorkflowState.CI_GREEN, SHA, List.of())
                        .rule());
    }

    @Test
    void ciVerdictFollowsRequiredChecksOrAnySuccess() {
        Policy none = PolicyReader.read("version: 1\ntiers: [{name: production, branch: main}]\n", "t");
        assertFalse(CiVerdict.green(none, List.of()));
        assertFalse(CiVerdict.green(none, List.of(new CheckResult("tiergate/workflow", CheckResult.Outcome.SUCCESS))));
        assertTrue(CiVerdict.green(none, List.of(new CheckResult("build", CheckResult.Outcome.SUCCESS))));
        assertFalse(CiVerdict.green(
                none,
                List.of(
                        new CheckResult("build", CheckResult.Outcome.SUCCESS),
                        new CheckResult("lint", CheckResult.Outcome.FAILURE))));
        Policy req = PolicyReader.read(
                "version: 1\ntiers: [{name: production, branch: main}]\nrequired_checks: [build]\n", "t");
        assertFalse(CiVerdict.green(req, List.of(new CheckResult("lint", CheckResult.Outcome.SUCCESS))));
        assertTrue(CiVerdict.green(req, List.of(new CheckResult("build", CheckResult.Outcome.SUCCESS))));
    }

    @Test
    void stepsWalkOneStateAtATime() {
        assertEquals(
                List.of(WorkflowState.PR_READY, WorkflowState.CI_GREEN),
                PullRequestWorkflow.steps(WorkflowState.FEATURE_CLAIMED, false, WorkflowState.CI_GREEN));
        assertEquals(
                List.of(WorkflowState.PR_READY),
                PullRequestWorkflow.steps(WorkflowState.CI_GREEN, true, WorkflowState.PR_READY));
        assertEquals(
                List.of(WorkflowState.PR_READY, WorkflowState.CI_GREEN),
                PullRequestWorkflow.steps(WorkflowState.CI_GREEN, true, WorkflowState.CI_GREEN));
        assertEquals(
                List.of(WorkflowState.MERGED),
                PullRequestWorkflow.steps(WorkflowState.CI_GREEN, false, WorkflowState.MERGED));
        assertEquals(List.of(), PullRequestWorkflow.steps(WorkflowState.PR_READY, false, WorkflowState.PR_READY));
    }
}
