package dev.tiergate.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.server.support.ServerHarness;
import dev.tiergate.testkit.GitHubPayloads;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics}: Prometheus text that a scrape after real deliveries can read the server's state from. */
class MetricsEndpointTest {
    static final String TOKEN = "metrics-t0ken";
    static final String POLICY = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: staging, actors: [human, agent]}
            edges:
              - {from: feature, to: staging, approvals: 1}
            """;
    static final String MAIN = "1111111111111111111111111111111111111111";
    static final String STAGING = "2222222222222222222222222222222222222222";
    static final String F1 = "f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1";

    /** The value of the sample whose name and labels (in the exposition's order) are exactly {@code series}. */
    static double sample(String text, String series) {
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(
                        line.substring(series.length() + 1).trim().split(" ")[0]);
            }
        }
        throw new AssertionError("no sample " + series + " in:\n" + text);
    }

    @Test
    void aScrapeAfterAPushShowsTheDeliveryItsProcessingTheBranchMadeTheForgeCallsAndTheAuditHead() throws Exception {
        try (ServerHarness h = new ServerHarness(Map.of("TIERGATE_CLONE_POOL", "1", "TIERGATE_API_TOKEN", TOKEN))) {
            for (String ref : List.of("main", MAIN, STAGING)) {
                h.github.policy(ref, POLICY);
            }
            h.github.branch("main", MAIN);
            h.github.branch("staging", STAGING);
            h.github.branch("feature/F1", F1);
            byte[] push = new ObjectMapper()
                    .writeValueAsBytes(GitHubPayloads.push(h.repoPath, "feature/F1", GitHubPayloads.ZERO, F1, "alice"));
            assertEquals(202, h.hooks.send("push", push, "d-push-1"));
            h.awaitIdle();
            assertTrue(h.dbBranchExists("feature-f1"));
            assertEquals(202, h.hooks.send("push", push, "d-push-1")); // redelivered: acknowledged, stored once

            HttpResponse<String> r = h.get("/metrics", TOKEN);
            assertEquals(200, r.statusCode());
            assertTrue(
                    r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
                    r.headers().toString());
            String m = r.body();
            assertEquals(
                    1.0,
                    sample(
                            m,
                            "tiergate_webhook_deliveries_total{event=\"push\",forge=\"github\",outcome=\"accepted\"}"));
            assertEquals(
                    1.0,
                    sample(
                            m,
                            "tiergate_webhook_deliveries_total{event=\"push\",forge=\"github\",outcome=\"duplicate\"}"));
            assertTrue(sample(m, "tiergate_webhook_ack_seconds_count{forge=\"github\"}") >= 2.0);
            assertTrue(
                    sample(m, "tiergate_deliveries_processed_total{event=\"push\",forge=\"github\",outcome=\"done\"}")
                            >= 1.0);
            assertTrue(sample(m, "tiergate_decision_seconds_count{forge=\"github\",outcome=\"done\"}") >= 1.0);
            assertTrue(sample(m, "tiergate_delivery_end_to_end_seconds_count{forge=\"github\"}") >= 1.0);
            assertEquals(0.0, sample(m, "tiergate_inbox_depth"));
            assertEquals(0.0, sample(m, "tiergate_inbox_oldest_age_seconds"));
            assertEquals(
                    1.0,
                    sample(
                            m,
                            "tiergate_branch_operations_total{backend=\"postgres\",operation=\"create\",outcome=\"ok\"}"));
            assertTrue(sample(m, "tiergate_branch_operation_seconds_count{backend=\"postgres\",operation=\"create\"}")
                    >= 1.0);
            assertTrue(sample(m, "tiergate_forge_api_calls_total{forge=\"github\",kind=\"charged\"}") > 0);
            assertTrue(m.contains("tiergate_forge_rate_limit_remaining{forge=\"github\"}"), m);
            assertEquals(Long.parseLong(h.server.audit().head().orElseThrow()[0]), (long)
                    sample(m, "tiergate_audit_chain_head_seq"));

            String key = "tiergate_clone_pool_ready{tier=\"" + h.repoPath + ":staging\"}";
            long deadline = System.currentTimeMillis() + 30_000;
            while (!h.get("/metrics", TOKEN)
                    .body()
                    .contains(key + " 1.0")) { // refilled in the background after the claim
                assertTrue(
                        System.currentTimeMillis() < deadline,
                        "the staging pool was not refilled: "
                                + h.get("/metrics", TOKEN).body());
                Thread.sleep(50);
            }

            h.server.reconcileAll();
            String after = h.get("/metrics", TOKEN).body();
            assertEquals(1.0, sample(after, "tiergate_reconciler_passes_total"));
            assertTrue(
                    sample(after, "tiergate_reconciler_items_total{result=\"visited\"}") >= 3.0,
                    "main, staging and feature/F1");
        }
    }

    /**
     * Visits and repairs are counted apart: a pass over a repository tiergate was told everything about repairs
     * nothing; a PR whose deliveries were lost is repaired once (its database branch, its state, its status), and
     * the next pass repairs nothing again.
     */
    @Test
    void theReconcilerCountsRepairsApartFromVisits() throws Exception {
        try (ServerHarness h = new ServerHarness(Map.of("TIERGATE_API_TOKEN", TOKEN))) {
            for (String ref : List.of("main", MAIN, STAGING)) {
                h.github.policy(ref, POLICY);
            }
            h.github.branch("main", MAIN);
            h.github.branch("staging", STAGING);
            h.github.branch("feature/F1", F1);
            assertEquals(
                    202,
                    h.deliver("push", GitHubPayloads.push(h.repoPath, "feature/F1", GitHubPayloads.ZERO, F1, "alice")));

            h.server.reconcileAll();
            String told = h.get("/metrics", TOKEN).body();
            assertEquals(
                    3.0,
                    sample(told, "tiergate_reconciler_items_total{result=\"visited\"}"),
                    "main, staging and feature/F1");
            assertEquals(0.0, sample(told, "tiergate_reconciler_items_total{result=\"repaired\"}"), told);

            // a PR the server was never told about (its deliveries lost)
            h.github.pull(1, "feature/F1", F1, "staging", STAGING, "alice", false, "open", false);
            h.server.reconcileAll();
            h.awaitIdle(); // ci-pr-1 is made by the rehearsal run the pass asked for
            String lost = h.get("/metrics", TOKEN).body();
            assertEquals(
                    7.0,
                    sample(lost, "tiergate_reconciler_items_total{result=\"visited\"}"),
                    "three branches and PR #1");
            assertEquals(1.0, sample(lost, "tiergate_reconciler_items_total{result=\"repaired\"}"), lost);
            assertTrue(h.dbBranchExists("ci-pr-1"));
            assertEquals("pending", h.github.lastPosted(F1).path("state").asText());

            h.server.reconcileAll();
            String again = h.get("/metrics", TOKEN).body();
            assertEquals(11.0, sample(again, "tiergate_reconciler_items_total{result=\"visited\"}"));
            assertEquals(
                    1.0,
                    sample(again, "tiergate_reconciler_items_total{result=\"repaired\"}"),
                    "nothing left to repair: " + again);
            assertEquals(0.0, sample(again, "tiergate_reconciler_items_total{result=\"failed\"}"));
        }
    }

    @Test
    void withAnApiTokenMetricsNeedIt() throws Exception {
        try (ServerHarness h = new ServerHarness(Map.of("TIERGATE_API_TOKEN", TOKEN))) {
            HttpClient http = HttpClient.newHttpClient();
            assertEquals(401, h.get("/metrics").statusCode());
            var ok = http.send(
                    HttpRequest.newBuilder(URI.create(h.baseUrl() + "/metrics"))
                            .header("Authorization", "Bearer " + TOKEN)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode());
            assertTrue(ok.body().contains("# TYPE tiergate_inbox_depth gauge"), ok.body());
        }
    }

    /** No TIERGATE_API_TOKEN: the metrics are closed, not open, and the answer says what to set. */
    @Test
    void withoutAnApiTokenMetricsAreClosed() throws Exception {
        try (ServerHarness h = new ServerHarness()) {
            HttpResponse<String> r = h.get("/metrics");
            assertEquals(403, r.statusCode());
            assertTrue(r.body().contains("TIERGATE_API_TOKEN"), r.body());
            assertTrue(!r.body().contains("tiergate_inbox_depth"), r.body());
        }
    }
}
