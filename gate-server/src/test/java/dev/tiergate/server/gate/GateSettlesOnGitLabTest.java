package dev.tiergate.server.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.core.workflow.WorkflowState;
import dev.tiergate.server.support.ApiBudget;
import dev.tiergate.server.support.GitLabHarness;
import dev.tiergate.server.support.GitLabPayloads;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gate against a stand-in GitLab that, like GitLab, folds every commit status into the SHA's pipeline as a
 * job, recomputes the pipeline's status over all its jobs (tiergate's own included) and fires a Pipeline Hook
 * when it changes. The pipeline is a required check here: the gate must not wait on its own job, and must
 * settle.
 */
class GateSettlesOnGitLabTest {
    static final String POLICY = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: staging, actors: [human, agent]}
            edges:
              - {from: feature, to: staging, approvals: 1}
            required_checks: [pipeline]
            """;
    static final String MAIN = "1111111111111111111111111111111111111111";
    static final String STAGING = "2222222222222222222222222222222222222222";
    static final String F1 = "e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1";

    GitLabHarness h;

    GitLabHarness start(int reconcileSeconds) {
        h = new GitLabHarness(Map.of("TIERGATE_RECONCILE_SECONDS", Integer.toString(reconcileSeconds)));
        for (String ref : List.of("main", MAIN, STAGING)) {
            h.gitlab.policy(ref, POLICY);
        }
        h.gitlab.branch("main", MAIN);
        h.gitlab.branch("staging", STAGING);
        return h;
    }

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    void openMr(long iid, String branch, String sha) throws Exception {
        h.gitlab.branch(branch, sha);
        h.gitlab.runJob(sha, "build", "pending"); // the push starts the CI pipeline, before tiergate posts anything
        h.awaitIdle();
        assertEquals(202, h.deliver("Push Hook", GitLabPayloads.push(h.path, branch, GitLabPayloads.ZERO, sha, 1)));
        h.gitlab.mergeRequest(iid, branch, sha, "staging", STAGING, "alice", false, "opened");
        assertEquals(
                202,
                h.deliver(
                        "Merge Request Hook",
                        GitLabPayloads.mergeRequest(h.path, iid, "open", branch, "staging", sha, null, "alice")));
    }

    @Test
    void aMergeRequestsWholeLifeThenIdleSettlesWithoutWaitingOnItself() throws Exception {
        start(1);
        openMr(1, "feature/F1", F1);
        h.gitlab.runJob(F1, "build", "running"); // GitLab fires Pipeline Hooks as the CI pipeline moves
        h.awaitIdle();
        h.gitlab.runJob(F1, "build", "success");
        h.awaitIdle();
        // tiergate's own job is pending in that pipeline, yet CI counts as green: the gate does not wait on itself.
        // (GitLab calls [build: success, tiergate: pending] "running", as it was while the build ran: no Pipeline
        // Hook told the gate; the Job Hook of the finished build did.)
        assertEquals(WorkflowState.CI_GREEN, h.branch("pull/1").orElseThrow().state());
        assertEquals("running", h.gitlab.pipelineStatus(F1), "the pipeline holds tiergate's own pending job");

        h.gitlab.approve(1, "bob", false);
        h.deliver(
                "Merge Request Hook",
                GitLabPayloads.mergeRequest(h.path, 1, "approved", "feature/F1", "staging", F1, null, "alice"));
        assertEquals("success", h.gitlab.lastPosted(F1).path("state").asText());
        assertEquals("success", h.gitlab.pipelineStatus(F1));

        h.awaitPasses(3);
        List<JsonNode> posted = h.gitlab.posted(F1);
        assertEquals(
                List.of("pending", "success"),
                posted.stream().map(s -> s.path("state").asText()).toList(),
                "one status per distinct state GitLab can show: " + posted);
        int audit = h.server.audit().all().size();
        h.awaitPasses(3);
        assertEquals(audit, h.server.audit().all().size(), "the audit trail grows while nothing happens");
        assertEquals(2, h.gitlab.posted(F1).size());
        assertTrue(h.server.audit().verify().isEmpty());
    }

    @Test
    void apiBudget() throws Exception {
        start(600);
        ApiBudget budget = new ApiBudget("gitlab", h.gitlab);
        h.gitlab.branch("feature/F1", F1);
        h.gitlab.jobStatus(F1, "build", "pending");
        budget.measure(
                "Push Hook (new working branch)",
                () -> h.deliver("Push Hook", GitLabPayloads.push(h.path, "feature/F1", GitLabPayloads.ZERO, F1, 1)));
        h.gitlab.mergeRequest(1, "feature/F1", F1, "staging", STAGING, "alice", false, "opened");
        budget.measure(
                "Merge Request Hook open (status posted, and GitLab's Pipeline Hook for it)",
                () -> h.deliver(
                        "Merge Request Hook",
                        GitLabPayloads.mergeRequest(h.path, 1, "open", "feature/F1", "staging", F1, null, "alice")));
        budget.measure("Job Hook, CI job succeeded (ci-green; GitLab already shows pending, nothing posted)", () -> {
            h.gitlab.runJob(F1, "build", "success");
            h.awaitIdle();
        });
        h.gitlab.approve(1, "bob", false);
        budget.measure(
                "Merge Request Hook approved (success posted, and the Pipeline Hook it causes)",
                () -> h.deliver(
                        "Merge Request Hook",
                        GitLabPayloads.mergeRequest(
                                h.path, 1, "approved", "feature/F1", "staging", F1, null, "alice")));
        h.server.processor("gitlab").reconcile(h.repo);
        ApiBudget.Cost one = budget.measure(
                "reconcile pass, 1 open MR, nothing changed",
                () -> h.server.processor("gitlab").reconcile(h.repo));
        for (long n = 2; n <= 5; n++) {
            String sha = String.format("%040x", n * 7919);
            h.gitlab.branch("feature/P" + n, sha);
            h.gitlab.mergeRequest(n, "feature/P" + n, sha, "staging", STAGING, "alice", false, "opened");
        }
        h.server.processor("gitlab").reconcile(h.repo);
        h.awaitIdle();
        ApiBudget.Cost five = budget.measure(
                "reconcile pass, 5 open MRs, nothing changed",
                () -> h.server.processor("gitlab").reconcile(h.repo));
        budget.note(
                "per open MR per idle pass (marginal)",
                new ApiBudget.Cost(
                        (five.requests() - one.requests()) / 4.0, (five.charged() - one.charged()) / 4.0, 0));
        budget.write();
        assertEquals(0, five.writes(), "an idle pass writes nothing: " + five);
        assertTrue((five.requests() - one.requests()) / 4.0 <= 3, "per MR at most 3 requests: " + budget);
    }
}
