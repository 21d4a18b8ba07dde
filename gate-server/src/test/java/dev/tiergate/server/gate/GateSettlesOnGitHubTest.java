package dev.tiergate.server.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.core.workflow.WorkflowState;
import dev.tiergate.server.support.ApiBudget;
import dev.tiergate.server.support.ServerHarness;
import dev.tiergate.server.support.TestPolicies;
import dev.tiergate.testkit.GitHubPayloads;
import dev.tiergate.testkit.Pull;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gate against a stand-in GitHub that, like github.com, sends a signed {@code status} webhook for every
 * status posted (tiergate's own included): the gate must settle, post once per distinct verdict, stop writing
 * to the audit trail when nothing happens, and stay within its API budget.
 */
class GateSettlesOnGitHubTest {
    static final String POLICY = TestPolicies.TWO_TIERS;
    static final String MAIN = "1111111111111111111111111111111111111111";
    static final String STAGING = "2222222222222222222222222222222222222222";
    static final String F1 = "f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1";
    static final String F2 = "f2f2f2f2f2f2f2f2f2f2f2f2f2f2f2f2f2f2f2f2";

    ServerHarness h;

    ServerHarness start(int reconcileSeconds) {
        h = new ServerHarness(Map.of("TIERGATE_RECONCILE_SECONDS", Integer.toString(reconcileSeconds)));
        for (String ref : List.of("main", MAIN, STAGING)) {
            h.github.policy(ref, POLICY);
        }
        h.github.branch("main", MAIN);
        h.github.branch("staging", STAGING);
        return h;
    }

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    Pull open(long n, String branch, String sha) throws Exception {
        h.github.branch(branch, sha);
        assertEquals(
                202, h.deliver("push", GitHubPayloads.push(h.repoPath, branch, GitHubPayloads.ZERO, sha, "alice")));
        h.github.pull(n, branch, sha, "staging", STAGING, "alice", false, "open", false);
        Pull p = new Pull(n, branch, sha, "staging", STAGING, "alice", false, "open", false);
        assertEquals(202, h.deliver("pull_request", GitHubPayloads.pullRequest(h.repoPath, "opened", p)));
        return p;
    }

    void awaitPasses(int passes) throws InterruptedException {
        long target = h.server.reconcilePasses() + passes;
        long deadline = System.currentTimeMillis() + 30_000;
        while (h.server.reconcilePasses() < target) {
            assertTrue(
                    System.currentTimeMillis() < deadline, "reconciler did not run " + passes + " passes within 30 s");
            Thread.sleep(50);
        }
        h.awaitIdle();
    }

    @Test
    void aPrsWholeLifeThenIdlePostsOnePerVerdictAndTheAuditStopsGrowing() throws Exception {
        start(1);
        Pull pr = open(1, "feature/F1", F1);
        h.github.ciReports(F1, "build", "success"); // CI posts through the API; GitHub sends the status webhook
        h.awaitIdle();
        assertEquals(WorkflowState.CI_GREEN, h.branch("pull/1").orElseThrow().state());
        h.github.review(1, "bob", false, "APPROVED", F1);
        h.deliver("pull_request_review", GitHubPayloads.review(h.repoPath, pr, "bob"));
        assertEquals("success", h.github.lastPosted(F1).path("state").asText());

        awaitPasses(3);
        List<JsonNode> posted = h.github.posted(F1);
        Set<String> verdicts = new HashSet<>();
        posted.forEach(s -> verdicts.add(
                s.path("state").asText() + " " + s.path("description").asText()));
        assertEquals(verdicts.size(), posted.size(), "one status per distinct verdict: " + posted);
        assertEquals(3, posted.size(), "waiting for CI, waiting for an approval, success: " + posted);

        int audit = h.server.audit().all().size();
        long requests = h.github.requests();
        awaitPasses(3);
        assertEquals(audit, h.server.audit().all().size(), "the audit trail grows while nothing happens");
        assertEquals(3, h.github.posted(F1).size());
        assertTrue(h.github.requests() > requests, "the reconciler did read the forge");

        // the merge, then idle again
        h.github.pull(1, "feature/F1", F1, "staging", STAGING, "alice", false, "closed", true);
        h.github.branch("feature/F1", null);
        h.deliver(
                "pull_request",
                GitHubPayloads.pullRequest(
                        h.repoPath,
                        "closed",
                        new Pull(1, "feature/F1", F1, "staging", STAGING, "alice", false, "closed", true)));
        assertEquals(WorkflowState.MERGED, h.branch("feature/F1").orElseThrow().state());
        awaitPasses(1);
        int afterMerge = h.server.audit().all().size();
        awaitPasses(3);
        assertEquals(
                afterMerge,
                h.server.audit().all().size(),
                "the audit trail grows after the merge while nothing happens");
        assertTrue(h.server.audit().verify().isEmpty());
    }

    /**
     * GitHub Actions: a failed job run again on the same head makes a new check run of the same name. GitHub lists
     * only the most recent run per name (the check-runs API's default filter), so the re-run's success turns CI green.
     */
    @Test
    void aJobRunAgainOnTheSameHeadCountsOnlyItsLatestRun() throws Exception {
        start(600);
        open(3, "feature/F1", F1);
        Map<String, Object> first = h.github.checkRunCreated(F1, "build");
        h.deliver("check_run", GitHubPayloads.checkRun(h.repoPath, "created", first));
        long firstId = ((Number) first.get("id")).longValue();
        h.deliver(
                "check_run",
                GitHubPayloads.checkRun(h.repoPath, "completed", h.github.checkRunCompleted(F1, firstId, "failure")));
        assertEquals(WorkflowState.PR_READY, h.branch("pull/3").orElseThrow().state());
        assertTrue(
                h.github.lastPosted(F1).path("description").asText().contains("[gate.ci-not-green]"),
                h.github.lastPosted(F1).toString());

        Map<String, Object> rerun = h.github.checkRunCreated(F1, "build");
        h.deliver("check_run", GitHubPayloads.checkRun(h.repoPath, "created", rerun));
        h.deliver(
                "check_run",
                GitHubPayloads.checkRun(
                        h.repoPath,
                        "completed",
                        h.github.checkRunCompleted(F1, ((Number) rerun.get("id")).longValue(), "success")));
        h.deliver("check_suite", GitHubPayloads.checkSuiteCompleted(h.repoPath, F1, "feature/F1", "success"));
        assertEquals(
                WorkflowState.CI_GREEN, h.branch("pull/3").orElseThrow().state(), "the failed first run still counted");
        assertTrue(
                h.github.lastPosted(F1).path("description").asText().contains("approval"),
                h.github.lastPosted(F1).toString());
    }

    /**
     * A big CI matrix: GitHub lists 100 check runs or statuses a page (per_page at most 100). The required check on a
     * later page must still be read: as the 120th check run on one head, and as the oldest of 111 statuses on another
     * (the combined status lists the newest first).
     */
    @Test
    void theRequiredCheckOnALaterPageOfCheckRunsOrStatusesIsRead() throws Exception {
        start(600);
        open(4, "feature/F1", F1);
        for (int i = 1; i <= 119; i++) {
            long id = ((Number) h.github.checkRunCreated(F1, "matrix-" + i).get("id")).longValue();
            h.github.checkRunCompleted(F1, id, "success");
        }
        Map<String, Object> build = h.github.checkRunCreated(F1, "build");
        h.deliver(
                "check_run",
                GitHubPayloads.checkRun(
                        h.repoPath,
                        "completed",
                        h.github.checkRunCompleted(F1, ((Number) build.get("id")).longValue(), "success")));
        assertEquals(
                WorkflowState.CI_GREEN,
                h.branch("pull/4").orElseThrow().state(),
                "build, the 120th check run, was not read");

        open(5, "feature/F2", F2);
        h.github.ciStatus(F2, "build", "success");
        for (int i = 1; i <= 110; i++) {
            h.github.ciStatus(F2, "lint-" + i, "success");
        }
        h.deliver("status", GitHubPayloads.status(h.repoPath, F2, "lint-110", "success"));
        assertEquals(
                WorkflowState.CI_GREEN,
                h.branch("pull/5").orElseThrow().state(),
                "build, the oldest of 111 statuses, was not read");
    }

    @Test
    void ownStatusDeliveryChangesNothingAndPostsNothing() throws Exception {
        start(600);
        open(2, "feature/F2", F2);
        int audit = h.server.audit().all().size();
        long requests = h.github.requests();
        JsonNode last = h.github.lastPosted(F2);
        h.deliver(
                "status",
                Map.of(
                        "sha",
                        F2,
                        "context",
                        "tiergate/workflow",
                        "state",
                        last.path("state").asText(),
                        "description",
                        last.path("description").asText(),
                        "repository",
                        Map.of("full_name", h.repoPath)));
        assertEquals(audit + 1, h.server.audit().all().size(), "only the delivery itself is recorded");
        assertEquals(requests, h.github.requests(), "no forge call for tiergate's own status");
        assertEquals(1, h.github.posted(F2).size());
    }

    @Test
    void onePullRequestsFailureDoesNotStopTheReconcilePass() throws Exception {
        start(600);
        // two PRs the server was never told about (lost deliveries)
        h.github.branch("feature/F1", F1);
        h.github.branch("feature/F2", F2);
        h.github.pull(1, "feature/F1", F1, "staging", STAGING, "alice", false, "open", false);
        h.github.pull(2, "feature/F2", F2, "staging", STAGING, "alice", false, "open", false);
        h.github.failPath("/commits/" + F1 + "/status", 502, Map.of(), "{\"message\":\"Server Error\"}");
        GateProcessor.ReconcileReport report = h.server.processor("github").reconcile(h.repo);
        assertEquals(1, report.failures().size(), report.toString());
        assertTrue(report.failures().get(0).startsWith("PR #1: "), report.toString());
        assertEquals(2, report.pullRequests());
        assertEquals(
                WorkflowState.PR_READY,
                h.branch("pull/2").orElseThrow().state(),
                "PR #2 was reconciled after PR #1 failed");
        assertEquals("pending", h.github.lastPosted(F2).path("state").asText());
        h.github.heal();
        GateProcessor.ReconcileReport again = h.server.processor("github").reconcile(h.repo);
        assertTrue(again.failures().isEmpty(), again.toString());
        assertEquals("pending", h.github.lastPosted(F1).path("state").asText(), "the next pass repaired PR #1");
    }

    @Test
    void aRateLimitedForgeIsAskedAgainOnlyAfterItsRetryAfter() throws Exception {
        start(600);
        h.github.branch("feature/F3", F1);
        h.github.failNext(
                1, 403, Map.of("Retry-After", "120"), "{\"message\":\"You have exceeded a secondary rate limit.\"}");
        h.hooks.send("push", GitHubPayloads.push(h.repoPath, "feature/F3", GitHubPayloads.ZERO, F1, "alice"));
        long deadline = System.currentTimeMillis() + 10_000;
        double waitSeconds = -1;
        while (System.currentTimeMillis() < deadline && waitSeconds < 0) {
            try (Connection c = h.db.dataSource().getConnection();
                    PreparedStatement ps = c.prepareStatement(
                            "select extract(epoch from next_attempt_at - now()), last_error from inbox where status = 'retry' and event_type = 'push'");
                    ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    waitSeconds = rs.getDouble(1);
                    assertTrue(rs.getString(2).contains("rate limited; retry in 120 s"), rs.getString(2));
                }
            }
            Thread.sleep(20);
        }
        assertTrue(
                waitSeconds > 100,
                "the retry waits for GitHub's Retry-After (120 s), not the 50 ms backoff: " + waitSeconds);
    }

    /** The API budget in BENCHMARKS.md: calls per delivery by event and per idle reconcile pass, read off the stub. */
    @Test
    void apiBudget() throws Exception {
        start(600);
        ApiBudget budget = new ApiBudget("github", h.github);
        h.github.branch("feature/F1", F1);
        budget.measure(
                "push (new working branch)",
                () -> h.deliver(
                        "push", GitHubPayloads.push(h.repoPath, "feature/F1", GitHubPayloads.ZERO, F1, "alice")));
        h.github.pull(1, "feature/F1", F1, "staging", STAGING, "alice", false, "open", false);
        Pull pr = new Pull(1, "feature/F1", F1, "staging", STAGING, "alice", false, "open", false);
        budget.measure(
                "pull_request opened (status posted, and GitHub's status echo)",
                () -> h.deliver("pull_request", GitHubPayloads.pullRequest(h.repoPath, "opened", pr)));
        h.github.ciStatus(F1, "build", "success");
        budget.measure(
                "status from CI (verdict changes)",
                () -> h.deliver("status", GitHubPayloads.status(h.repoPath, F1, "build", "success")));
        budget.measure(
                "status from CI, repeated (nothing changes)",
                () -> h.deliver("status", GitHubPayloads.status(h.repoPath, F1, "build", "success")));
        budget.measure(
                "status of tiergate's own (echo)",
                () -> h.deliver(
                        "status",
                        Map.of(
                                "sha",
                                F1,
                                "context",
                                "tiergate/workflow",
                                "state",
                                "pending",
                                "repository",
                                Map.of("full_name", h.repoPath))));
        h.github.review(1, "bob", false, "APPROVED", F1);
        budget.measure(
                "pull_request_review approved (success posted)",
                () -> h.deliver("pull_request_review", GitHubPayloads.review(h.repoPath, pr, "bob")));
        budget.measure("reconcile pass right after a status was posted (its combined status is read anew)", () -> {
            h.server.processor("github").reconcile(h.repo);
            h.awaitIdle();
        });
        budget.measure(
                "reconcile pass, 1 open PR, nothing changed",
                () -> h.server.processor("github").reconcile(h.repo));
        for (long n = 2; n <= 5; n++) {
            String sha = String.format("%040x", n * 7919);
            h.github.branch("feature/P" + n, sha);
            h.github.pull(n, "feature/P" + n, sha, "staging", STAGING, "alice", false, "open", false);
        }
        h.server.processor("github").reconcile(h.repo); // first sight of four more PRs: statuses posted, runs asked for
        h.awaitIdle(); // their rehearsals and their branches' databases, run apart from the pass
        h.server
                .processor("github")
                .reconcile(h.repo); // their combined statuses, changed by those posts, read once more
        h.awaitIdle();
        ApiBudget.Cost five = budget.measure(
                "reconcile pass, 5 open PRs, nothing changed",
                () -> h.server.processor("github").reconcile(h.repo));
        ApiBudget.Cost one = budget.cost("reconcile pass, 1 open PR, nothing changed");
        budget.note(
                "per open PR per idle pass (marginal)",
                new ApiBudget.Cost(
                        (five.requests() - one.requests()) / 4.0, (five.charged() - one.charged()) / 4.0, 0));
        budget.write();
        assertEquals(0, five.charged(), "an idle pass is answered by 304s only: " + five);
        assertTrue((five.requests() - one.requests()) / 4.0 <= 3, "per PR at most 3 conditional requests: " + budget);
        assertEquals(0, budget.cost("status of tiergate's own (echo)").requests());
        assertEquals(
                0, budget.cost("status from CI, repeated (nothing changes)").writes());
    }
}
