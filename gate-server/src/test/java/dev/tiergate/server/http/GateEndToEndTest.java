package dev.tiergate.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.core.workflow.WorkflowState;
import dev.tiergate.server.forge.github.GitHubSignature;
import dev.tiergate.server.support.ServerHarness;
import dev.tiergate.server.support.TestPostgres;
import dev.tiergate.testkit.GitHubPayloads;
import dev.tiergate.testkit.Pull;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The whole server against a real PostgreSQL and the testkit's GitHub stand-in, driven by signed deliveries. */
class GateEndToEndTest {
    static final String POLICY = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: staging, actors: [human, agent]}
            actors:
              - {id: alice, class: human, roles: [release-manager]}
              - {id: claude-agent, class: agent}
            edges:
              - {from: feature, to: staging, approvals: 1, agent_needs_human_approval: true}
              - {from: staging, to: production, mergers: {classes: [human], roles: [release-manager]}, approvals: 1}
            required_checks: [build]
            """;
    static final String MAIN = "1111111111111111111111111111111111111111";
    static final String STAGING = "2222222222222222222222222222222222222222";
    static final String F1 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    static final String F1_NEXT = "abababababababababababababababababababab";
    static final ObjectMapper JSON = new ObjectMapper();

    ServerHarness h;

    @BeforeEach
    void start() {
        h = new ServerHarness();
        h.github.policy("main", POLICY);
        h.github.policy(MAIN, POLICY);
        h.github.policy(STAGING, POLICY);
        h.github.branch("main", MAIN);
        h.github.branch("staging", STAGING);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    Pull openPr(long n, String head, String sha, String base, String baseSha, String author) throws Exception {
        h.github.branch(head, sha);
        h.github.pull(n, head, sha, base, baseSha, author, false, "open", false);
        Pull p = new Pull(n, head, sha, base, baseSha, author, false, "open", false);
        assertEquals(202, h.deliver("pull_request", GitHubPayloads.pullRequest(h.repoPath, "opened", p)));
        return p;
    }

    void ciGreen(String sha) throws Exception {
        h.github.ciStatus(sha, "build", "success");
        assertEquals(202, h.deliver("status", GitHubPayloads.status(h.repoPath, sha, "build", "success")));
    }

    @Test
    void fiveStatePathWithDatabaseBranchesAppearingAndDisappearing() throws Exception {
        h.github.branch("feature/F1-split", F1);
        assertEquals(
                202,
                h.deliver(
                        "push", GitHubPayloads.push(h.repoPath, "feature/F1-split", GitHubPayloads.ZERO, F1, "alice")));
        assertEquals(
                WorkflowState.SCAFFOLD_COMPLETE, h.branch("main").orElseThrow().state());
        assertEquals(
                WorkflowState.FEATURE_CLAIMED,
                h.branch("feature/F1-split").orElseThrow().state());
        assertTrue(h.dbBranchExists("production"));
        assertTrue(h.dbBranchExists("staging"));
        assertTrue(h.dbBranchExists("feature-f1-split"));

        Pull pr = openPr(1, "feature/F1-split", F1, "staging", STAGING, "alice");
        assertEquals(WorkflowState.PR_READY, h.branch("pull/1").orElseThrow().state());
        assertTrue(h.dbBranchExists("ci-pr-1"));
        JsonNode s = h.github.lastPosted(F1);
        assertEquals("pending", s.path("state").asText());
        assertEquals("tiergate/workflow", s.path("context").asText());
        assertTrue(s.path("description").asText().contains("gate.ci-not-green"), s.toString());
        assertTrue(
                s.path("target_url").asText().startsWith("https://tiergate.example/ui/" + h.repoPath + "/branches/"));

        ciGreen(F1);
        assertEquals(WorkflowState.CI_GREEN, h.branch("pull/1").orElseThrow().state());
        assertTrue(h.github.lastPosted(F1).path("description").asText().contains("gate.approvals.missing"));

        h.github.review(1, "bob", false, "APPROVED", F1);
        h.deliver("pull_request_review", GitHubPayloads.review(h.repoPath, pr, "bob"));
        assertEquals("success", h.github.lastPosted(F1).path("state").asText());

        h.github.pull(1, "feature/F1-split", F1, "staging", STAGING, "alice", false, "closed", true);
        h.deliver(
                "pull_request",
                GitHubPayloads.pullRequest(
                        h.repoPath,
                        "closed",
                        new Pull(1, "feature/F1-split", F1, "staging", STAGING, "alice", false, "closed", true)));
        assertEquals(
                WorkflowState.MERGED, h.branch("feature/F1-split").orElseThrow().state());
        assertFalse(h.dbBranchExists("ci-pr-1"));
        assertFalse(h.dbBranchExists("feature-f1-split"));
        assertTrue(h.branch("pull/1").isEmpty());

        // REST API shape and history
        JsonNode list =
                JSON.readTree(h.get("/api/v1/repos/" + h.repoPath + "/branches").body());
        JsonNode feature = null;
        for (JsonNode b : list) {
            if (b.path("git_branch").asText().equals("feature/F1-split")) {
                feature = b;
            }
            assertTrue(
                    b.has("db_branch") && b.has("parent") && b.has("kind") && b.has("state") && b.has("head_sha"),
                    b.toString());
        }
        assertEquals("working", feature.path("kind").asText());
        assertEquals("merged", feature.path("state").asText());
        JsonNode one = JSON.readTree(h.get("/api/v1/repos/" + h.repoPath + "/branches/feature/F1-split")
                .body());
        List<String> states = JSON.convertValue(one.path("history").findValuesAsText("to"), List.class);
        assertEquals(List.of("feature-claimed", "pr-ready", "ci-green", "merged"), states);
        assertEquals(
                200, h.get("/ui/" + h.repoPath + "/branches/feature%2FF1-split").statusCode());
        assertTrue(h.server.audit().verify().isEmpty());
        assertTrue(h.server.audit().all().stream().noneMatch(r -> r.kind().equals("violation")));
    }

    @Test
    void newPushSendsCiGreenBackToPrReady() throws Exception {
        openPr(2, "feature/F2", F1, "staging", STAGING, "alice");
        ciGreen(F1);
        assertEquals(WorkflowState.CI_GREEN, h.branch("pull/2").orElseThrow().state());
        h.github.branch("feature/F2", F1_NEXT);
        h.github.pull(2, "feature/F2", F1_NEXT, "staging", STAGING, "alice", false, "open", false);
        h.deliver(
                "pull_request",
                GitHubPayloads.pullRequest(
                        h.repoPath,
                        "synchronize",
                        new Pull(2, "feature/F2", F1_NEXT, "staging", STAGING, "alice", false, "open", false)));
        assertEquals(WorkflowState.PR_READY, h.branch("pull/2").orElseThrow().state());
        assertEquals("pending", h.github.lastPosted(F1_NEXT).path("state").asText());
    }

    @Test
    void featureAimedAtProductionIsRefused() throws Exception {
        openPr(3, "feature/F3", F1, "main", MAIN, "alice");
        ciGreen(F1);
        h.github.review(3, "bob", false, "APPROVED", F1);
        h.deliver(
                "pull_request_review",
                GitHubPayloads.review(
                        h.repoPath, new Pull(3, "feature/F3", F1, "main", MAIN, "alice", false, "open", false), "bob"));
        JsonNode s = h.github.lastPosted(F1);
        assertEquals("failure", s.path("state").asText());
        assertEquals(
                "feature branches merge into staging, not main (production); retarget the PR [gate.edge.skips-tier]",
                s.path("description").asText());
        assertTrue(h.server.audit().all().stream()
                .anyMatch(r -> r.kind().equals("refusal") && r.details().contains("gate.edge.skips-tier")));
    }

    @Test
    void agentPrIsHeldWithoutHumanApproval() throws Exception {
        openPr(4, "feature/F4", F1, "staging", STAGING, "claude-agent");
        ciGreen(F1);
        h.github.review(4, "claude-agent", false, "APPROVED", F1);
        h.github.review(4, "dependabot[bot]", true, "APPROVED", F1);
        h.deliver(
                "pull_request_review",
                GitHubPayloads.review(
                        h.repoPath,
                        new Pull(4, "feature/F4", F1, "staging", STAGING, "claude-agent", false, "open", false),
                        "x"));
        JsonNode s = h.github.lastPosted(F1);
        assertEquals("pending", s.path("state").asText());
        assertTrue(s.path("description").asText().endsWith("[gate.approvals.agent-needs-human]"), s.toString());
        h.github.review(4, "alice", false, "APPROVED", F1);
        h.deliver(
                "pull_request_review",
                GitHubPayloads.review(
                        h.repoPath,
                        new Pull(4, "feature/F4", F1, "staging", STAGING, "claude-agent", false, "open", false),
                        "alice"));
        assertEquals("success", h.github.lastPosted(F1).path("state").asText());
    }

    @Test
    void policyIsReadFromTheBaseCommitNotTheHead() throws Exception {
        // the head commit's policy would let features go to production; the base's does not
        h.github.policy(F1, POLICY.replace("target: staging", "target: production"));
        openPr(5, "feature/F5", F1, "main", MAIN, "alice");
        ciGreen(F1);
        assertEquals("failure", h.github.lastPosted(F1).path("state").asText());
    }

    @Test
    void redeliveryIsANoOp() throws Exception {
        h.github.branch("feature/F6", F1);
        byte[] body =
                JSON.writeValueAsBytes(GitHubPayloads.push(h.repoPath, "feature/F6", GitHubPayloads.ZERO, F1, "alice"));
        String id = UUID.randomUUID().toString();
        assertEquals(202, h.hooks.send("push", body, id));
        h.awaitIdle();
        int auditBefore = h.server.audit().all().size();
        assertEquals(202, h.hooks.send("push", body, id));
        h.awaitIdle();
        assertEquals(auditBefore, h.server.audit().all().size());
        assertEquals(
                1,
                h.server.store().list(h.repo).stream()
                        .filter(b -> b.gitBranch().equals("feature/F6"))
                        .count());
    }

    @Test
    void outOfOrderDeliveriesConverge() throws Exception {
        // CI success and the approval arrive before the PR-opened delivery
        h.github.branch("feature/F7", F1);
        h.github.pull(7, "feature/F7", F1, "staging", STAGING, "alice", false, "open", false);
        h.github.ciStatus(F1, "build", "success");
        h.github.review(7, "bob", false, "APPROVED", F1);
        h.deliver("status", GitHubPayloads.status(h.repoPath, F1, "build", "success"));
        h.deliver(
                "pull_request_review",
                GitHubPayloads.review(
                        h.repoPath,
                        new Pull(7, "feature/F7", F1, "staging", STAGING, "alice", false, "open", false),
                        "bob"));
        h.deliver(
                "pull_request",
                GitHubPayloads.pullRequest(
                        h.repoPath,
                        "opened",
                        new Pull(7, "feature/F7", F1, "staging", STAGING, "alice", false, "open", false)));
        assertEquals(WorkflowState.CI_GREEN, h.branch("pull/7").orElseThrow().state());
        assertEquals("success", h.github.lastPosted(F1).path("state").asText());
        assertEquals(
                List.of("feature-claimed", "pr-ready", "ci-green"),
                h.server.store().history(h.repo, "pull/7").stream()
                        .map(e -> e.to().wireName())
                        .toList());
    }

    @Test
    void mergeWithoutSuccessIsRecordedAsViolation() throws Exception {
        openPr(8, "feature/F8", F1, "staging", STAGING, "alice");
        h.github.pull(8, "feature/F8", F1, "staging", STAGING, "alice", false, "closed", true);
        h.deliver(
                "pull_request",
                GitHubPayloads.pullRequest(
                        h.repoPath,
                        "closed",
                        new Pull(8, "feature/F8", F1, "staging", STAGING, "alice", false, "closed", true)));
        assertTrue(h.server.audit().all().stream()
                .anyMatch(r -> r.kind().equals("violation") && r.details().contains("gate.merged-without-success")));
        assertFalse(h.dbBranchExists("ci-pr-8"));
    }

    /**
     * Found by bench/crash-mix.sh: every delivery of a PR's life before its merge was lost (the server was down, or
     * its backlog reached the PR only after the merge). The merge must still end the head branch's database branch
     * and be audited as a merge without tiergate's success, as when the PR was seen open.
     */
    @Test
    void aPrFirstHeardOfAfterItsMergeStillEndsItsHeadBranchAndIsAViolation() throws Exception {
        h.github.branch("feature/F15", F1);
        h.deliver("push", GitHubPayloads.push(h.repoPath, "feature/F15", GitHubPayloads.ZERO, F1, "alice"));
        assertTrue(h.dbBranchExists("feature-f15"));
        // opened, approved and merged on the forge while no delivery about it reached tiergate
        h.github.pull(15, "feature/F15", F1, "staging", STAGING, "alice", false, "closed", true);
        h.deliver(
                "pull_request",
                GitHubPayloads.pullRequest(
                        h.repoPath,
                        "closed",
                        new Pull(15, "feature/F15", F1, "staging", STAGING, "alice", false, "closed", true)));
        assertEquals(WorkflowState.MERGED, h.branch("feature/F15").orElseThrow().state());
        assertFalse(h.dbBranchExists("feature-f15"));
        assertFalse(h.dbBranchExists("ci-pr-15"));
        assertTrue(h.branch("pull/15").isEmpty());
        assertTrue(
                h.server.audit().all().stream()
                        .anyMatch(r -> r.kind().equals("violation")
                                && r.details().contains("PR #15 merged while tiergate/workflow was never posted")),
                "violation audited");
        // a redelivery of the merge changes nothing more
        long records = h.server.audit().all().size();
        h.deliver(
                "pull_request",
                GitHubPayloads.pullRequest(
                        h.repoPath,
                        "closed",
                        new Pull(15, "feature/F15", F1, "staging", STAGING, "alice", false, "closed", true)));
        assertEquals(records + 1, h.server.audit().all().size(), "only the redelivery's own delivery record");
    }

    /**
     * A PR opened and merged while every delivery about it was lost (the server was down; GitHub does not deliver a
     * failed webhook again by itself): no delivery and no pull/N record point at it, so the reconcile pass finds it
     * through the working branch still in flight (found by bench/crash-mix.sh, seed 7).
     */
    @Test
    void aPrOpenedAndMergedWhileEveryDeliveryWasLostIsFoundByTheReconcilePass() throws Exception {
        h.github.branch("feature/F17", F1);
        h.deliver("push", GitHubPayloads.push(h.repoPath, "feature/F17", GitHubPayloads.ZERO, F1, "alice"));
        assertTrue(h.dbBranchExists("feature-f17"));
        h.github.pull(17, "feature/F17", F1, "staging", STAGING, "alice", false, "closed", true);
        h.github.pull(
                18,
                "feature/F18",
                F1,
                "staging",
                STAGING,
                "bob",
                false,
                "closed",
                true); // another branch's: not touched
        h.server.processor("github").reconcile(h.repo);
        assertEquals(WorkflowState.MERGED, h.branch("feature/F17").orElseThrow().state());
        assertFalse(h.dbBranchExists("feature-f17"));
        assertTrue(
                h.server.audit().all().stream()
                        .anyMatch(r -> r.kind().equals("violation")
                                && r.details().contains("PR #17 merged while tiergate/workflow was never posted")),
                "violation audited");
        assertTrue(h.branch("feature/F18").isEmpty(), "a closed PR of a branch tiergate does not track is left alone");
        long records = h.server.audit().all().size();
        h.server.processor("github").reconcile(h.repo);
        assertEquals(records, h.server.audit().all().size(), "the next pass finds nothing to repair");
    }

    /**
     * A merged head's drop cut short between its database and its login (a kill inside the postgres backend's delete):
     * the reconcile pass finishes it, although no delivery about the PR comes again (found by bench/crash-mix.sh).
     */
    @Test
    void aLoginLeftByADropCutShortIsDroppedByTheReconcilePass() throws Exception {
        h.github.branch("feature/F19", F1);
        h.deliver("push", GitHubPayloads.push(h.repoPath, "feature/F19", GitHubPayloads.ZERO, F1, "alice"));
        openPr(19, "feature/F19", F1, "staging", STAGING, "alice");
        String login = h.server.backend().connection(h.repo, "feature-f19").user();
        h.github.pull(19, "feature/F19", F1, "staging", STAGING, "alice", false, "closed", true);
        h.deliver(
                "pull_request",
                GitHubPayloads.pullRequest(
                        h.repoPath,
                        "closed",
                        new Pull(19, "feature/F19", F1, "staging", STAGING, "alice", false, "closed", true)));
        assertEquals(WorkflowState.MERGED, h.branch("feature/F19").orElseThrow().state());
        try (var c = TestPostgres.branches().admin().getConnection();
                var st = c.createStatement()) {
            assertFalse(
                    st.executeQuery("select 1 from pg_roles where rolname = '" + login + "'")
                            .next(),
                    "the merge dropped the login");
            st.execute("create role \"" + login + "\" login"); // what a kill between the two drops leaves
        }
        assertTrue(h.server.backend().leftOver(h.repo, "feature-f19"));
        h.server.processor("github").reconcile(h.repo);
        assertFalse(h.server.backend().leftOver(h.repo, "feature-f19"), "the pass finished the drop");
        assertTrue(
                h.server.audit().all().stream()
                        .anyMatch(r ->
                                r.kind().equals("branch.delete") && r.details().contains("a delete cut short")),
                "and audited it");
    }

    /** A merge's clean-up that stopped (a crash) after ci-pr-N was gone but before the head's database was: the next delivery finishes it. */
    @Test
    void aMergeCleanUpCutShortIsFinishedByTheNextDelivery() throws Exception {
        h.github.branch("feature/F16", F1);
        h.deliver("push", GitHubPayloads.push(h.repoPath, "feature/F16", GitHubPayloads.ZERO, F1, "alice"));
        openPr(16, "feature/F16", F1, "staging", STAGING, "alice");
        Pull merged = new Pull(16, "feature/F16", F1, "staging", STAGING, "alice", false, "closed", true);
        h.github.pull(16, "feature/F16", F1, "staging", STAGING, "alice", false, "closed", true);
        h.deliver("pull_request", GitHubPayloads.pullRequest(h.repoPath, "closed", merged));
        assertFalse(h.dbBranchExists("feature-f16"));
        h.server.backend().create(h.repo, "feature-f16", "staging"); // the state a crash before its drop leaves
        h.deliver("pull_request", GitHubPayloads.pullRequest(h.repoPath, "closed", merged));
        assertFalse(h.dbBranchExists("feature-f16"));
        assertEquals(WorkflowState.MERGED, h.branch("feature/F16").orElseThrow().state());
        assertEquals(
                2,
                h.server.audit().all().stream()
                        .filter(r -> r.kind().equals("branch.delete") && "feature/F16".equals(r.subject()))
                        .count(),
                "the second drop is audited too");
    }

    @Test
    void closedUnmergedPrDeletesOnlyTheCiBranch() throws Exception {
        openPr(9, "feature/F9", F1, "staging", STAGING, "alice");
        h.github.pull(9, "feature/F9", F1, "staging", STAGING, "alice", false, "closed", false);
        h.deliver(
                "pull_request",
                GitHubPayloads.pullRequest(
                        h.repoPath,
                        "closed",
                        new Pull(9, "feature/F9", F1, "staging", STAGING, "alice", false, "closed", false)));
        assertFalse(h.dbBranchExists("ci-pr-9"));
        assertTrue(h.dbBranchExists("feature-f9"));
        assertEquals(
                WorkflowState.FEATURE_CLAIMED,
                h.branch("feature/F9").orElseThrow().state());
    }

    @Test
    void deletedGitBranchDeletesItsDatabaseBranchButNeverAProtectedTier() throws Exception {
        h.github.branch("feature/F10", F1);
        h.deliver("push", GitHubPayloads.push(h.repoPath, "feature/F10", GitHubPayloads.ZERO, F1, "alice"));
        assertTrue(h.dbBranchExists("feature-f10"));
        h.github.branch("feature/F10", null);
        h.deliver(
                "delete",
                Map.of("ref", "feature/F10", "ref_type", "branch", "repository", Map.of("full_name", h.repoPath)));
        assertFalse(h.dbBranchExists("feature-f10"));
        assertTrue(h.branch("feature/F10").isEmpty());
        h.github.branch("staging", null);
        h.deliver(
                "delete",
                Map.of("ref", "staging", "ref_type", "branch", "repository", Map.of("full_name", h.repoPath)));
        assertTrue(h.dbBranchExists("staging"));
        assertTrue(h.server.audit().all().stream()
                .anyMatch(r -> r.kind().equals("refusal") && r.details().contains("branch.protected-tier")));
    }

    @Test
    void collidingBranchNamesGetSeparateDatabaseBranches() throws Exception {
        h.github.branch("feature/a_b", F1);
        h.github.branch("feature/a.b", F1_NEXT);
        h.deliver("push", GitHubPayloads.push(h.repoPath, "feature/a_b", GitHubPayloads.ZERO, F1, "alice"));
        h.deliver("push", GitHubPayloads.push(h.repoPath, "feature/a.b", GitHubPayloads.ZERO, F1_NEXT, "alice"));
        String first = h.branch("feature/a_b").orElseThrow().dbBranch();
        String second = h.branch("feature/a.b").orElseThrow().dbBranch();
        assertEquals("feature-a-b", first);
        assertTrue(second.startsWith("feature-a-b-") && !second.equals(first), second);
        assertTrue(h.server.audit().all().stream()
                .anyMatch(r -> r.details().contains("map to the same database branch name")));
    }

    @Test
    void mergeGroupGetsTheStatusOnItsHeadSha() throws Exception {
        openPr(11, "feature/F11", F1, "staging", STAGING, "alice");
        ciGreen(F1);
        h.github.review(11, "bob", false, "APPROVED", F1);
        String groupSha = "9999999999999999999999999999999999999999";
        h.deliver(
                "merge_group",
                Map.of(
                        "action",
                        "checks_requested",
                        "merge_group",
                        Map.of(
                                "head_sha",
                                groupSha,
                                "head_ref",
                                "refs/heads/gh-readonly-queue/staging/pr-11-" + F1,
                                "base_ref",
                                "refs/heads/staging"),
                        "repository",
                        Map.of("full_name", h.repoPath)));
        assertEquals("success", h.github.lastPosted(groupSha).path("state").asText());
    }

    @Test
    void tamperedSignatureIsRefusedAndNothingIsStored() throws Exception {
        byte[] body =
                JSON.writeValueAsBytes(GitHubPayloads.push(h.repoPath, "feature/x", GitHubPayloads.ZERO, F1, "alice"));
        var r = h.postRaw(
                "/webhooks/github",
                Map.of(
                        "X-GitHub-Event",
                        "push",
                        "X-GitHub-Delivery",
                        "d-1",
                        "X-Hub-Signature-256",
                        GitHubSignature.sign(ServerHarness.SECRET, "other".getBytes(StandardCharsets.UTF_8)),
                        "Content-Type",
                        "application/json"),
                body);
        assertEquals(401, r.statusCode());
        assertTrue(r.body().contains("does not match the body"), r.body());
        assertTrue(h.server.inbox().statusOf("github", "d-1").isEmpty());
        var missing = h.postRaw("/webhooks/github", Map.of("X-GitHub-Event", "push", "X-GitHub-Delivery", "d-2"), body);
        assertEquals(401, missing.statusCode());
        assertTrue(missing.body().contains("missing X-Hub-Signature-256"));
        assertTrue(h.server.inbox().statusOf("github", "d-2").isEmpty());
    }

    @Test
    void anInvalidKitStateFileAtThePrHeadIsRefusedByTheGate() throws Exception {
        // committed with --no-verify: the hooks never saw it, the gate does
        h.github.file(F1, ".lakebase/workflow-state.json", """
                {"version": 1, "state": "feature-claimed", "tier_topology": 2, "project_id": ""}
                """);
        openPr(12, "feature/F12", F1, "staging", STAGING, "alice");
        ciGreen(F1);
        h.github.review(12, "bob", false, "APPROVED", F1);
        h.deliver(
                "pull_request_review",
                GitHubPayloads.review(
                        h.repoPath,
                        new Pull(12, "feature/F12", F1, "staging", STAGING, "alice", false, "open", false),
                        "bob"));
        JsonNode s = h.github.lastPosted(F1);
        assertEquals("failure", s.path("state").asText());
        assertTrue(
                s.path("description").asText().startsWith(".lakebase/workflow-state.json at aaaaaaa: "), s.toString());
        assertTrue(s.path("description").asText().endsWith("[state.schema]"), s.toString());
        assertEquals("state.schema", h.branch("pull/12").orElseThrow().lastRule());

        // fixed on a new head: the gate lets it through
        h.github.file(F1_NEXT, ".lakebase/workflow-state.json", """
                {"$schema": "./scm-workflow-state.schema.json", "version": 1, "state": "pr-ready", "tier_topology": 2,
                 "project_id": "proj-1", "feature_id": "F12", "branch": "feature/F12", "parent_branch": "staging",
                 "lakebase_branch_uid": "br-1", "claimed_at": "2026-06-16T09:30:00.123Z",
                 "pr_url": "https://github.com/acme/inv/pull/12", "pushed_at": "2026-06-16T10:30:00.456Z"}
                """);
        h.github.branch("feature/F12", F1_NEXT);
        h.github.pull(12, "feature/F12", F1_NEXT, "staging", STAGING, "alice", false, "open", false);
        h.github.ciStatus(F1_NEXT, "build", "success");
        h.github.review(12, "bob", false, "APPROVED", F1_NEXT);
        h.deliver(
                "pull_request",
                GitHubPayloads.pullRequest(
                        h.repoPath,
                        "synchronize",
                        new Pull(12, "feature/F12", F1_NEXT, "staging", STAGING, "alice", false, "open", false)));
        assertEquals(
                "success",
                h.github.lastPosted(F1_NEXT).path("state").asText(),
                h.github.lastPosted(F1_NEXT).toString());
    }

    @Test
    void anAgentsPrThatDeletesATestIsRefusedAHumansIsNot() throws Exception {
        h.github.removed(STAGING, F1, "src/test/java/dev/acme/InventoryTest.java", "docs/old.md");
        openPr(13, "feature/F13", F1, "staging", STAGING, "claude-agent");
        JsonNode s = h.github.lastPosted(F1);
        assertEquals("failure", s.path("state").asText());
        assertTrue(
                s.path("description")
                        .asText()
                        .startsWith(
                                "src/test/java/dev/acme/InventoryTest.java (PR #13): an agent's change deletes a test"),
                s.toString());
        assertTrue(s.path("description").asText().endsWith("[tests.agent-deleted]"), s.toString());

        h.github.removed(STAGING, F1_NEXT, "src/test/java/dev/acme/InventoryTest.java");
        openPr(14, "feature/F14", F1_NEXT, "staging", STAGING, "alice");
        assertTrue(
                h.github.lastPosted(F1_NEXT).path("description").asText().endsWith("[gate.ci-not-green]"),
                "a human may delete a test: " + h.github.lastPosted(F1_NEXT));
    }

    /**
     * GitHub's compare API lists at most 300 changed files: a test deleted as the 301st removal is still found (the
     * gate reads the two commits' trees when the list is full) and refused.
     */
    @Test
    void anAgentsPrThatHidesADeletedTestBehind300OtherRemovalsIsRefused() throws Exception {
        String[] gone = new String[301];
        for (int i = 0; i < 300; i++) {
            gone[i] = "docs/old/page-" + i + ".md";
        }
        gone[300] = "src/test/java/dev/acme/InventoryTest.java";
        for (String path : gone) {
            h.github.file(STAGING, path, "was here\n");
        }
        h.github.removed(STAGING, F1, gone);
        openPr(15, "feature/F15", F1, "staging", STAGING, "claude-agent");
        JsonNode s = h.github.lastPosted(F1);
        assertEquals("failure", s.path("state").asText(), s.toString());
        assertTrue(
                s.path("description")
                        .asText()
                        .startsWith(
                                "src/test/java/dev/acme/InventoryTest.java (PR #15): an agent's change deletes a test"),
                s.toString());
    }
}
