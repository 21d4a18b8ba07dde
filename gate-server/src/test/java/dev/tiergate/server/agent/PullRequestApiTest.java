package dev.tiergate.server.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.core.state.JsonSchemas;
import dev.tiergate.server.audit.AuditLog;
import dev.tiergate.server.config.ServerConfig;
import dev.tiergate.server.http.GateServer;
import dev.tiergate.server.support.ServerHarness;
import dev.tiergate.server.support.TestPostgres;
import dev.tiergate.server.wiring.ForgeBindings;
import dev.tiergate.testkit.GitHubPayloads;
import dev.tiergate.testkit.Pull;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent API on a real server and the GitHub stand-in: the PRs of a head branch, one PR's view (its schema, its
 * long-poll) and the asks an agent makes, with the refusals a hostile caller meets.
 */
class PullRequestApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ADMIN = "admin-token-for-the-agent-api";
    static final String POLICY = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: staging, actors: [human, agent]}
            actors:
              - {id: claude-agent, class: agent}
              - {id: pat, class: human}
            edges:
              - {from: feature, to: staging, approvals: 1}
            """;
    static final String MAIN = "1111111111111111111111111111111111111111";
    static final String STAGING = "2222222222222222222222222222222222222222";
    static final String F1 = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
    static final String F2 = "a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2";
    static final String SQL = """
            -- refactoring: Introduce New Table
            -- phase: expand
            create table orders (id bigint primary key);
            """;

    ServerHarness h;
    String agentToken;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        h = serverWithPrSeven();
        agentToken = agentToken(h);
    }

    /** A server that knows PR #7 (feature/F1 into staging, one migration), opened by the agent claude-agent. */
    static ServerHarness serverWithPrSeven() throws Exception {
        ServerHarness h = new ServerHarness(Map.of("TIERGATE_API_TOKEN", ADMIN));
        Pull p = stagePrSeven(h);
        assertEquals(202, h.deliver("pull_request", GitHubPayloads.pullRequest(h.repoPath, "opened", p)));
        return h;
    }

    /** PR #7 on the GitHub stand-in, its webhook not sent yet. */
    static Pull stagePrSeven(ServerHarness h) {
        for (String ref : List.of("main", MAIN, STAGING)) {
            h.github.policy(ref, POLICY);
        }
        h.github.branch("main", MAIN);
        h.github.branch("staging", STAGING);
        h.github.copyFiles(STAGING, F1);
        h.github.file(F1, "db/migration/V20260101000000__orders.sql", SQL);
        h.github.branch("feature/F1", F1);
        Pull p = new Pull(7, "feature/F1", F1, "staging", STAGING, "claude-agent", false, "open", false);
        h.github.pull(p);
        return p;
    }

    /** The agent's own API token for the harness's repository. */
    static String agentToken(ServerHarness h) {
        return h.server
                .tokens()
                .create("claude-agent", h.repoPath, Duration.ofDays(1), "test")
                .secret();
    }

    @AfterEach
    void stop() {
        h.close();
    }

    HttpResponse<String> call(String method, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(h.baseUrl() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    String pulls() {
        return "/api/v1/repos/" + h.repoPath + "/pulls";
    }

    @Test
    void aPrIsFoundByItsHeadBranchAndItsViewFitsTheSchema() throws Exception {
        JsonNode byHead = JSON.readTree(
                call("GET", pulls() + "?head=feature/F1", agentToken).body());
        assertEquals(7, byHead.path("pulls").get(0).path("number").asInt(), byHead.toString());
        HttpResponse<String> r = call("GET", pulls() + "/7", agentToken);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode v = JSON.readTree(r.body());
        assertEquals(List.of(), JsonSchemas.validate(JsonSchemas.CLI_STATUS, v), v.toString());
        assertEquals(F1, v.path("head_sha").asText());
        assertEquals("feature/F1", v.path("head_branch").asText());
        assertEquals("staging", v.path("base_tier").asText());
        assertEquals("pending", v.path("workflow").path("state").asText(), v.toString());
        assertEquals("gate.ci-not-green", v.path("workflow").path("rule").asText());
        assertEquals("make CI pass", v.path("workflow").path("fix").asText(), "the fix comes from the rule catalog");
        assertEquals("success", v.path("migrations").path("state").asText(), v.toString());
    }

    @Test
    void aLongPollIsHeldUntilTheViewChangesOrThePrBecomesKnown() throws Exception {
        String version = JSON.readTree(call("GET", pulls() + "/7", agentToken).body())
                .path("version")
                .asText();
        // held while nothing changes, then answered with the same view once its time is up
        long forgeCalls = h.github.requests();
        CompletableFuture<HttpResponse<String>> same = callAsync(pulls() + "/7?since=" + version + "&wait=1");
        awaitHeld(1);
        assertEquals(
                version,
                JSON.readTree(same.get(30, TimeUnit.SECONDS).body())
                        .path("version")
                        .asText());
        assertTrue(
                h.github.requests() - forgeCalls < 5,
                "a held poll reads the store, not the forge, on each look (the policy once): "
                        + (h.github.requests() - forgeCalls) + " forge calls");
        awaitHeld(0);

        // held (a hostile wait=9999 is the server's cap) until the view changes, which answers it at once
        CompletableFuture<HttpResponse<String>> changed = callAsync(pulls() + "/7?since=" + version + "&wait=9999");
        awaitHeld(1);
        assertFalse(changed.isDone(), "held while nothing changed");
        h.github.ciReports(F1, "build", "success");
        JsonNode now = JSON.readTree(changed.get(30, TimeUnit.SECONDS).body());
        assertFalse(version.equals(now.path("version").asText()), now.toString());

        // a PR the server does not know yet: since=absent holds the answer until its webhook is in
        CompletableFuture<HttpResponse<String>> opened = callAsync(pulls() + "/9?since=absent&wait=8");
        awaitHeld(1);
        h.github.copyFiles(STAGING, F2);
        h.github.branch("feature/F9", F2);
        Pull p = new Pull(9, "feature/F9", F2, "staging", STAGING, "claude-agent", false, "open", false);
        h.github.pull(p);
        h.hooks.send("pull_request", GitHubPayloads.pullRequest(h.repoPath, "opened", p));
        HttpResponse<String> known = opened.get(30, TimeUnit.SECONDS);
        assertEquals(200, known.statusCode(), known.body());
        assertEquals(9, JSON.readTree(known.body()).path("number").asInt());
    }

    CompletableFuture<HttpResponse<String>> callAsync(String path) {
        return http.sendAsync(
                HttpRequest.newBuilder(URI.create(h.baseUrl() + path))
                        .header("Authorization", "Bearer " + agentToken)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Until the server holds {@code n} long-polls, as its metric tiergate_api_waits_held says. */
    void awaitHeld(int n) throws Exception {
        awaitHeld(h, n);
    }

    static void awaitHeld(ServerHarness h, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String line = "";
        while (System.nanoTime() < deadline) {
            line = h.get("/metrics", ADMIN)
                    .body()
                    .lines()
                    .filter(l -> l.startsWith("tiergate_api_waits_held "))
                    .findFirst()
                    .orElse("");
            if (line.equals("tiergate_api_waits_held " + n + ".0")) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the server did not come to hold " + n + " long-poll(s): " + line);
    }

    @Test
    void aPollHeldByOneServerIsAnsweredWhenAnotherServerOnTheStoreWritesTheView() throws Exception {
        // server A takes webhooks and answers the agent, but processes nothing (no workers); server B, on the same
        // store, processes what A took in: the view A's held poll waits for is written by B alone
        try (ServerHarness a = new ServerHarness(Map.of("TIERGATE_API_TOKEN", ADMIN, "TIERGATE_WORKERS", "0"))) {
            Pull p = stagePrSeven(a);
            ServerConfig cfg = TestPostgres.config(Map.of(
                    "TIERGATE_PORT", "0",
                    "TIERGATE_GITHUB_WEBHOOK_SECRET", ServerHarness.SECRET,
                    "TIERGATE_GITHUB_API_URL", a.github.url(),
                    "TIERGATE_PUBLIC_URL", "https://tiergate.example",
                    "TIERGATE_CLONE_POOL", "0"));
            try (GateServer b = GateServer.start(cfg, a.db, ForgeBindings.fromConfig(cfg))) {
                String token = agentToken(a);
                CompletableFuture<HttpResponse<String>> held = http.sendAsync(
                        HttpRequest.newBuilder(URI.create(
                                        a.baseUrl() + "/api/v1/repos/" + a.repoPath + "/pulls/7?since=absent&wait=8"))
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                awaitHeld(a, 1);
                assertEquals(202, a.deliver("pull_request", GitHubPayloads.pullRequest(a.repoPath, "opened", p)));
                HttpResponse<String> known = held.get(30, TimeUnit.SECONDS);
                assertEquals(200, known.statusCode(), "answered by B's write within the one poll: " + known.body());
                assertEquals(7, JSON.readTree(known.body()).path("number").asInt());
                assertFalse(
                        new String(a.server.metrics().scrape(), java.nio.charset.StandardCharsets.UTF_8)
                                .lines()
                                .anyMatch(l ->
                                        l.startsWith("tiergate_deliveries_processed_total{") && !l.endsWith(" 0.0")),
                        "server A processed nothing: the write that woke its poll was B's");
            }
        }
    }

    @Test
    void askingToMergeWhilePendingIsRefusedWithTheReasonAndAudited() throws Exception {
        HttpResponse<String> r = call("POST", pulls() + "/7/asks?verb=merge&sha=" + F1, agentToken);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode a = JSON.readTree(r.body());
        assertFalse(a.path("allowed").asBoolean());
        assertTrue(
                a.path("reason").asText().startsWith("tiergate/workflow is pending on a1a1a1a [gate.ci-not-green]"),
                a.toString());
        AuditLog audit = h.server.audit();
        var asked =
                audit.all().stream().filter(x -> x.kind().equals("agent.ask")).toList();
        assertEquals(1, asked.size());
        JsonNode d = JSON.readTree(asked.get(0).details());
        assertEquals("claude-agent", d.path("actor").asText(), "the token's actor, not a name the caller claims");
        assertEquals("merge", d.path("verb").asText());
        assertTrue(d.path("answer").asText().contains("pending"), d.toString());
    }

    @Test
    void hostileCallsAreRefusedAndChangeNothing() throws Exception {
        assertEquals(400, call("GET", pulls() + "/7abc", agentToken).statusCode());
        assertEquals(400, call("GET", pulls() + "/0", agentToken).statusCode());
        assertEquals(
                400, call("GET", pulls() + "/7?forge=bitbucket", agentToken).statusCode());
        assertEquals(400, call("GET", pulls() + "?head=", agentToken).statusCode());
        assertEquals(404, call("GET", pulls() + "/8", agentToken).statusCode());
        assertEquals(
                400,
                call("POST", pulls() + "/7/asks?verb=drop-the-store&sha=" + F1, agentToken)
                        .statusCode());
        assertEquals(
                400,
                call("POST", pulls() + "/7/asks?verb=merge&sha=';drop", agentToken)
                        .statusCode());
        assertEquals(401, call("GET", pulls() + "/7", null).statusCode(), "no token: the server sets one");
        assertEquals(401, call("GET", pulls() + "/7", "forged").statusCode());
        String other = h.server
                .tokens()
                .create("claude-agent", "acme/other", Duration.ofDays(1), "test")
                .secret();
        HttpResponse<String> r = call("GET", pulls() + "/7", other);
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(r.body().contains("reaches acme/other only"), r.body());
        assertTrue(
                h.server.audit().all().stream().noneMatch(x -> x.kind().equals("agent.ask")),
                "a refused ask leaves no record");
    }
}
