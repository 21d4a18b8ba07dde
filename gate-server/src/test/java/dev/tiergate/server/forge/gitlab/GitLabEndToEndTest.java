package dev.tiergate.server.forge.gitlab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.core.workflow.WorkflowState;
import dev.tiergate.server.config.ServerConfig;
import dev.tiergate.server.forge.ForgeEvent;
import dev.tiergate.server.http.GateServer;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.Database;
import dev.tiergate.server.support.GitLabPayloads;
import dev.tiergate.server.support.TestPostgres;
import dev.tiergate.server.wiring.ForgeBindings;
import dev.tiergate.testkit.GitLabApiStub;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The same gate for GitLab merge requests: real endpoint, real PostgreSQL, the testkit's GitLab API stand-in. */
class GitLabEndToEndTest {
    static final String SECRET = "gl-hook-secret";
    static final String SIGNING = "whsec_"
            + Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8));
    static final String POLICY = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: staging, actors: [human, agent]}
            actors:
              - {id: alice, class: human}
              - {id: duo-agent, class: agent}
            edges:
              - {from: feature, to: staging, approvals: 1, agent_needs_human_approval: true}
              - {from: staging, to: production, mergers: {classes: [human]}, approvals: 1}
            required_checks: [pipeline]
            """;
    static final String MAIN = "1111111111111111111111111111111111111111";
    static final String STAGING = "2222222222222222222222222222222222222222";
    static final String F1 = "cccccccccccccccccccccccccccccccccccccccc";
    static final String F1_NEXT = "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd";
    static final ObjectMapper JSON = new ObjectMapper();

    String path;
    RepoRef repo;
    GitLabApiStub gitlab;
    Database db;
    GateServer server;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        path = "acme/inv-" + UUID.randomUUID().toString().substring(0, 8);
        repo = new RepoRef("gitlab", null, path);
        gitlab = new GitLabApiStub(path);
        gitlab.policy("main", POLICY);
        gitlab.policy(MAIN, POLICY);
        gitlab.policy(STAGING, POLICY);
        gitlab.branch("main", MAIN);
        gitlab.branch("staging", STAGING);
        db = TestPostgres.freshStore();
        ServerConfig cfg = TestPostgres.config(Map.of(
                "TIERGATE_PORT",
                "0",
                "TIERGATE_GITLAB_URL",
                gitlab.url(),
                "TIERGATE_GITLAB_TOKEN",
                "glpat-test",
                "TIERGATE_GITLAB_WEBHOOK_SECRET",
                SECRET,
                "TIERGATE_GITLAB_SIGNING_TOKEN",
                SIGNING,
                "TIERGATE_RETRY_BASE_MS",
                "50",
                "TIERGATE_MAX_ATTEMPTS",
                "3"));
        assertEquals(null, cfg.missingSecretProblem(false));
        assertFalse(cfg.githubEnabled(), "GitLab alone: no GitHub endpoint");
        server = GateServer.start(cfg, db, ForgeBindings.fromConfig(cfg));
        // as on GitLab: a pipeline whose status changes (tiergate's own job included) fires a Pipeline Hook
        gitlab.deliverTo((event, payload) -> {
            try {
                byte[] body = JSON.writeValueAsBytes(payload);
                String id = UUID.randomUUID().toString();
                post(headers(event, id, body, Instant.now().getEpochSecond()), body);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @AfterEach
    void stop() {
        server.close();
        db.close();
        gitlab.close();
    }

    Map<String, String> headers(String event, String id, byte[] body, long timestamp) {
        Map<String, String> h = new HashMap<>();
        h.put("Content-Type", "application/json");
        h.put("X-Gitlab-Event", event);
        h.put("X-Gitlab-Token", SECRET);
        h.put("X-Gitlab-Event-UUID", UUID.randomUUID().toString());
        h.put("Idempotency-Key", id);
        h.put("X-Gitlab-Instance", gitlab.url());
        h.put("webhook-id", id);
        h.put("webhook-timestamp", Long.toString(timestamp));
        h.put("webhook-signature", GitLabWebhookReceiver.sign(SIGNING, id, Long.toString(timestamp), body));
        return h;
    }

    HttpResponse<String> post(Map<String, String> headers, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/webhooks/gitlab"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    int deliver(String event, Object payload) throws Exception {
        return deliver(event, JSON.writeValueAsBytes(payload), UUID.randomUUID().toString());
    }

    int deliver(String event, byte[] body, String id) throws Exception {
        int code = post(headers(event, id, body, Instant.now().getEpochSecond()), body)
                .statusCode();
        awaitIdle();
        return code;
    }

    /** Until the inbox is drained and every run it asked for is done. */
    void awaitIdle() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (server.pendingWork() > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
    }

    void openMr(long iid, String source, String sha, String target, String targetSha, String author) throws Exception {
        gitlab.branch(source, sha);
        gitlab.mergeRequest(iid, source, sha, target, targetSha, author, false, "opened");
        assertEquals(
                202,
                deliver(
                        "Merge Request Hook",
                        GitLabPayloads.mergeRequest(path, iid, "open", source, target, sha, null, author)));
    }

    void pipelineGreen(long iid, String sha, String ref) throws Exception {
        gitlab.jobStatus(sha, "build", "success");
        assertEquals(202, deliver("Pipeline Hook", GitLabPayloads.pipeline(path, sha, ref, "success", iid)));
    }

    @Test
    void fiveStatePathOfAMergeRequest() throws Exception {
        gitlab.branch("feature/F1", F1);
        assertEquals(202, deliver("Push Hook", GitLabPayloads.push(path, "feature/F1", GitLabPayloads.ZERO, F1, 1)));
        assertEquals(
                WorkflowState.FEATURE_CLAIMED,
                server.store().find(repo, "feature/F1").orElseThrow().state());
        assertTrue(server.backend().exists(repo, "feature-f1"));

        openMr(1, "feature/F1", F1, "staging", STAGING, "alice");
        assertEquals(
                WorkflowState.PR_READY,
                server.store().find(repo, "pull/1").orElseThrow().state());
        assertTrue(server.backend().exists(repo, "ci-pr-1"));
        JsonNode pending = gitlab.lastPosted(F1);
        assertEquals("pending", pending.path("state").asText());
        assertEquals("tiergate/workflow", pending.path("name").asText());

        pipelineGreen(1, F1, "feature/F1");
        assertEquals(
                WorkflowState.CI_GREEN,
                server.store().find(repo, "pull/1").orElseThrow().state());
        // GitLab keeps a pending job's text until its state changes: the gate does not post pending twice, and
        // the verdict in words is on tiergate's branch page and API
        assertEquals(1, gitlab.posted(F1).size(), "pending is not posted again: " + gitlab.posted(F1));
        assertEquals(
                "gate.approvals.missing",
                server.store().find(repo, "pull/1").orElseThrow().lastRule());

        gitlab.approve(1, "bob", false);
        deliver(
                "Merge Request Hook",
                GitLabPayloads.mergeRequest(path, 1, "approved", "feature/F1", "staging", F1, null, "alice"));
        assertEquals("success", gitlab.lastPosted(F1).path("state").asText());
        assertEquals(
                gitlab.latestPipelineId(F1),
                gitlab.lastPosted(F1).path("pipeline_id").asLong(),
                "pipeline_id passed where known");

        // a new push sends ci-green back to pr-ready
        gitlab.branch("feature/F1", F1_NEXT);
        gitlab.mergeRequest(1, "feature/F1", F1_NEXT, "staging", STAGING, "alice", false, "opened");
        deliver(
                "Merge Request Hook",
                GitLabPayloads.mergeRequest(path, 1, "update", "feature/F1", "staging", F1_NEXT, F1, "alice"));
        assertEquals(
                WorkflowState.PR_READY,
                server.store().find(repo, "pull/1").orElseThrow().state());
        pipelineGreen(1, F1_NEXT, "feature/F1");
        // GitLab removed bob's approval with the push (reset_approvals_on_push, its default): bob approves again
        assertEquals("pending", gitlab.lastPosted(F1_NEXT).path("state").asText());
        gitlab.approve(1, "bob", false);
        deliver(
                "Merge Request Hook",
                GitLabPayloads.mergeRequest(path, 1, "approved", "feature/F1", "staging", F1_NEXT, null, "alice"));
        assertEquals("success", gitlab.lastPosted(F1_NEXT).path("state").asText());

        gitlab.mergeRequest(1, "feature/F1", F1_NEXT, "staging", STAGING, "alice", false, "merged");
        deliver(
                "Merge Request Hook",
                GitLabPayloads.mergeRequest(path, 1, "merge", "feature/F1", "staging", F1_NEXT, null, "alice"));
        assertEquals(
                WorkflowState.MERGED,
                server.store().find(repo, "feature/F1").orElseThrow().state());
        assertFalse(server.backend().exists(repo, "ci-pr-1"));
        assertFalse(server.backend().exists(repo, "feature-f1"));
        assertTrue(server.audit().verify().isEmpty());
    }

    /** An MR opened and merged while every hook about it was lost: the reconcile pass finds it by its source branch. */
    @Test
    void anMrMergedWhileEveryHookWasLostIsFoundByTheReconcilePass() throws Exception {
        gitlab.branch("feature/F7", F1);
        assertEquals(202, deliver("Push Hook", GitLabPayloads.push(path, "feature/F7", GitLabPayloads.ZERO, F1, 1)));
        assertTrue(server.backend().exists(repo, "feature-f7"));
        gitlab.mergeRequest(7, "feature/F7", F1, "staging", STAGING, "alice", false, "merged");
        gitlab.mergeRequest(8, "feature/F8", F1, "staging", STAGING, "bob", false, "closed"); // another branch's
        server.processor("gitlab").reconcile(repo);
        assertEquals(
                WorkflowState.MERGED,
                server.store().find(repo, "feature/F7").orElseThrow().state());
        assertFalse(server.backend().exists(repo, "feature-f7"));
        assertTrue(server.store().find(repo, "feature/F8").isEmpty());
        assertTrue(server.audit().verify().isEmpty());
    }

    @Test
    void featureMrAimedAtProductionIsRefused() throws Exception {
        openMr(2, "feature/F2", F1, "main", MAIN, "alice");
        pipelineGreen(2, F1, "feature/F2");
        gitlab.approve(2, "bob", false);
        deliver(
                "Merge Request Hook",
                GitLabPayloads.mergeRequest(path, 2, "approved", "feature/F2", "main", F1, null, "alice"));
        JsonNode s = gitlab.lastPosted(F1);
        assertEquals("failed", s.path("state").asText());
        assertTrue(s.path("description").asText().endsWith("[gate.edge.skips-tier]"), s.toString());
    }

    @Test
    void agentMrIsHeldWithoutAHumanApproval() throws Exception {
        openMr(3, "feature/F3", F1, "staging", STAGING, "duo-agent");
        pipelineGreen(3, F1, "feature/F3");
        gitlab.approve(3, "project_15_bot_3f2a", false); // a project bot user, recognised by name
        deliver(
                "Merge Request Hook",
                GitLabPayloads.mergeRequest(path, 3, "approved", "feature/F3", "staging", F1, null, "duo-agent"));
        JsonNode s = gitlab.lastPosted(F1);
        assertEquals("pending", s.path("state").asText());
        assertEquals(
                "gate.approvals.agent-needs-human",
                server.store().find(repo, "pull/3").orElseThrow().lastRule());
        assertTrue(server.store()
                .find(repo, "pull/3")
                .orElseThrow()
                .lastDescription()
                .contains("needs approval from a human"));
    }

    @Test
    void redeliveryIsANoOp() throws Exception {
        gitlab.branch("feature/F4", F1);
        byte[] body = JSON.writeValueAsBytes(GitLabPayloads.push(path, "feature/F4", GitLabPayloads.ZERO, F1, 1));
        assertEquals(202, deliver("Push Hook", body, "idem-4"));
        int audit = server.audit().all().size();
        assertEquals(202, deliver("Push Hook", body, "idem-4"));
        assertEquals(audit, server.audit().all().size());
    }

    @Test
    void missingTokenWrongSignatureAndStaleTimestampAreRefusedAndNothingIsStored() throws Exception {
        byte[] body = JSON.writeValueAsBytes(GitLabPayloads.push(path, "feature/x", GitLabPayloads.ZERO, F1, 1));
        Map<String, String> noToken =
                headers("Push Hook", "a-1", body, Instant.now().getEpochSecond());
        noToken.remove("X-Gitlab-Token");
        HttpResponse<String> r1 = post(noToken, body);
        assertEquals(401, r1.statusCode());
        assertTrue(r1.body().contains("missing X-Gitlab-Token"), r1.body());

        Map<String, String> badSig =
                headers("Push Hook", "a-2", body, Instant.now().getEpochSecond());
        badSig.put(
                "webhook-signature",
                GitLabWebhookReceiver.sign(
                        SIGNING, "a-2", badSig.get("webhook-timestamp"), "{}".getBytes(StandardCharsets.UTF_8)));
        HttpResponse<String> r2 = post(badSig, body);
        assertEquals(401, r2.statusCode());
        assertTrue(r2.body().contains("webhook-signature does not match"), r2.body());

        HttpResponse<String> r3 =
                post(headers("Push Hook", "a-3", body, Instant.now().getEpochSecond() - 600), body);
        assertEquals(401, r3.statusCode());
        assertTrue(r3.body().contains("more than 5 minutes off"), r3.body());
        for (String id : new String[] {"a-1", "a-2", "a-3"}) {
            assertTrue(server.inbox().statusOf("gitlab", id).isEmpty(), id);
        }
    }

    @Test
    void unknownEventIsAnswered2xxAndIgnored() throws Exception {
        assertEquals(
                202,
                deliver("Note Hook", Map.of("object_kind", "note", "project", Map.of("path_with_namespace", path))));
        assertEquals(
                202,
                deliver(
                        "Tag Push Hook",
                        Map.of(
                                "object_kind",
                                "tag_push",
                                "ref",
                                "refs/tags/v1",
                                "before",
                                GitLabPayloads.ZERO,
                                "after",
                                F1,
                                "project",
                                Map.of("path_with_namespace", path))));
        assertTrue(server.store().list(repo).isEmpty());
    }

    @Test
    void externalStatusCheckIsAnsweredForTheAskedShaAndA409IsNotAnError() throws Exception {
        openMr(5, "feature/F5", F1, "staging", STAGING, "alice");
        pipelineGreen(5, F1, "feature/F5");
        gitlab.approve(5, "bob", false);
        deliver("Merge Request Hook", GitLabPayloads.statusCheckRequest(path, 5, F1, 42, "feature/F5", "staging"));
        JsonNode answer = gitlab.statusCheckResponses(5).get(0);
        assertEquals(F1, answer.path("sha").asText());
        assertEquals(42, answer.path("external_status_check_id").asLong());
        assertEquals("passed", answer.path("status").asText());

        gitlab.statusCheckAnswers(409);
        String id = UUID.randomUUID().toString();
        deliver(
                "Merge Request Hook",
                JSON.writeValueAsBytes(GitLabPayloads.statusCheckRequest(path, 5, F1, 42, "feature/F5", "staging")),
                id);
        assertEquals("done", server.inbox().statusOf("gitlab", id).orElseThrow()[0]);
    }

    @Test
    void reconcilerRepairsWhatAPushOverTheHookLimitNeverSent() throws Exception {
        // one delivery sets the repository up; then many refs are pushed at once and GitLab sends no hook at all
        gitlab.branch("feature/F6", F1);
        deliver("Push Hook", GitLabPayloads.push(path, "feature/F6", GitLabPayloads.ZERO, F1, 1));
        gitlab.branch("feature/F7", F1_NEXT);
        gitlab.branch("feature/F8", F1_NEXT);
        gitlab.mergeRequest(7, "feature/F7", F1_NEXT, "staging", STAGING, "alice", false, "opened");
        assertTrue(server.store().find(repo, "feature/F7").isEmpty());
        server.reconcileAll();
        awaitIdle(); // the branches' databases are made by runs the pass asked for
        assertTrue(server.backend().exists(repo, "feature-f7"));
        assertTrue(server.backend().exists(repo, "feature-f8"));
        assertEquals(
                WorkflowState.PR_READY,
                server.store().find(repo, "pull/7").orElseThrow().state());
        assertEquals("pending", gitlab.lastPosted(F1_NEXT).path("state").asText());
    }

    @Test
    void deliveriesAreRoutedToTheInstanceTheyNameAndUnknownInstancesAreIgnored() throws Exception {
        try (GitLabApiStub second = new GitLabApiStub(path)) {
            second.policy("main", POLICY);
            second.policy(STAGING, POLICY);
            second.branch("main", MAIN);
            second.branch("staging", STAGING);
            second.branch("feature/F9", F1);
            second.mergeRequest(9, "feature/F9", F1, "staging", STAGING, "alice", false, "opened");
            Database otherDb = TestPostgres.freshStore();
            ServerConfig cfg = TestPostgres.config(Map.of(
                    "TIERGATE_PORT",
                    "0",
                    "TIERGATE_GITLAB_URL",
                    gitlab.url() + ", " + second.url(),
                    "TIERGATE_GITLAB_TOKEN",
                    "glpat-one,glpat-two",
                    "TIERGATE_GITLAB_WEBHOOK_SECRET",
                    SECRET));
            try (GateServer two = GateServer.start(cfg, otherDb, ForgeBindings.fromConfig(cfg))) {
                byte[] body = JSON.writeValueAsBytes(
                        GitLabPayloads.mergeRequest(path, 9, "open", "feature/F9", "staging", F1, null, "alice"));
                Map<String, String> h = new HashMap<>(Map.of(
                        "Content-Type",
                        "application/json",
                        "X-Gitlab-Event",
                        "Merge Request Hook",
                        "X-Gitlab-Token",
                        SECRET,
                        "Idempotency-Key",
                        "route-1",
                        "X-Gitlab-Instance",
                        second.url()));
                HttpRequest.Builder b = HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + two.port() + "/webhooks/gitlab"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
                h.forEach(b::header);
                assertEquals(
                        202,
                        http.send(b.build(), HttpResponse.BodyHandlers.ofString())
                                .statusCode());
                HttpRequest.Builder foreign = HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + two.port() + "/webhooks/gitlab"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
                h.put("Idempotency-Key", "route-2");
                h.put("X-Gitlab-Instance", "https://gitlab.unknown.example");
                h.forEach(foreign::header);
                assertEquals(
                        202,
                        http.send(foreign.build(), HttpResponse.BodyHandlers.ofString())
                                .statusCode());
                long deadline = System.currentTimeMillis() + 30_000;
                while (two.pendingWork() > 0 && System.currentTimeMillis() < deadline) {
                    Thread.sleep(20);
                }
                assertEquals("pending", second.lastPosted(F1).path("state").asText());
                assertTrue(gitlab.posted(F1).isEmpty(), "nothing goes to the other instance");
                assertEquals("done", two.inbox().statusOf("gitlab", "route-2").orElseThrow()[0]);
            } finally {
                otherDb.close();
            }
        }
    }

    @Test
    void parserMapsEveryDocumentedEvent() throws Exception {
        JsonNode created = JSON.valueToTree(GitLabPayloads.push(path, "feature/a", GitLabPayloads.ZERO, F1, 3));
        assertTrue(((ForgeEvent.BranchPushed)
                        GitLabWebhookParser.parse("Push Hook", created).get(0))
                .created());
        JsonNode deleted = JSON.valueToTree(GitLabPayloads.push(path, "feature/a", F1, GitLabPayloads.ZERO, 0));
        assertTrue(((ForgeEvent.BranchPushed)
                        GitLabWebhookParser.parse("Push Hook", deleted).get(0))
                .deleted());
        Map<String, ForgeEvent.PullRequestChanged.Action> actions = Map.of(
                "open",
                ForgeEvent.PullRequestChanged.Action.OPENED,
                "reopen",
                ForgeEvent.PullRequestChanged.Action.REOPENED,
                "approved",
                ForgeEvent.PullRequestChanged.Action.APPROVAL_CHANGED,
                "unapproved",
                ForgeEvent.PullRequestChanged.Action.APPROVAL_CHANGED,
                "merge",
                ForgeEvent.PullRequestChanged.Action.MERGED,
                "close",
                ForgeEvent.PullRequestChanged.Action.CLOSED,
                "update",
                ForgeEvent.PullRequestChanged.Action.EDITED);
        actions.forEach((action, expected) -> assertEquals(
                expected,
                ((ForgeEvent.PullRequestChanged) GitLabWebhookParser.parse(
                                        "Merge Request Hook",
                                        JSON.valueToTree(GitLabPayloads.mergeRequest(
                                                path, 1, action, "feature/a", "staging", F1, null, "alice")))
                                .get(0))
                        .action(),
                action));
        assertEquals(
                ForgeEvent.PullRequestChanged.Action.SYNCHRONIZED,
                ((ForgeEvent.PullRequestChanged) GitLabWebhookParser.parse(
                                        "Merge Request Hook",
                                        JSON.valueToTree(GitLabPayloads.mergeRequest(
                                                path, 1, "update", "feature/a", "staging", F1_NEXT, F1, "alice")))
                                .get(0))
                        .action());
        assertInstanceOf(
                ForgeEvent.ChecksChanged.class,
                GitLabWebhookParser.parse(
                                "Pipeline Hook",
                                JSON.valueToTree(GitLabPayloads.pipeline(path, F1, "feature/a", "success", 1)))
                        .get(0));
        assertInstanceOf(
                ForgeEvent.ExternalStatusCheckRequested.class,
                GitLabWebhookParser.parse(
                                "Merge Request Hook",
                                JSON.valueToTree(
                                        GitLabPayloads.statusCheckRequest(path, 1, F1, 9, "feature/a", "staging")))
                        .get(0));
        assertInstanceOf(
                ForgeEvent.Ignored.class,
                GitLabWebhookParser.parse(
                                "Issue Hook", JSON.valueToTree(Map.of("project", Map.of("path_with_namespace", path))))
                        .get(0));
    }
}
