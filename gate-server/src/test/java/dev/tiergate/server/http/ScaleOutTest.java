package dev.tiergate.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.server.config.ServerConfig;
import dev.tiergate.server.support.ServerHarness;
import dev.tiergate.server.support.TestPolicies;
import dev.tiergate.server.support.TestPostgres;
import dev.tiergate.server.wiring.ForgeBindings;
import dev.tiergate.testkit.GitHubPayloads;
import dev.tiergate.testkit.Pull;
import dev.tiergate.testkit.WebhookSender;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Two servers on one store, deliveries for one repository's PRs and a stream of others sent to both: they share the
 * inbox (each processes some), no delivery is processed twice, and no PR is judged by both at once (the posted
 * statuses have no repeat, which two unserialised passes diffing against the same old status would make). What spans
 * a repository's PRs runs under its exclusive lock (RepositoryLocksTest).
 */
class ScaleOutTest {
    static final String POLICY = TestPolicies.TWO_TIERS;
    static final String MAIN = "1111111111111111111111111111111111111111";
    static final String STAGING = "2222222222222222222222222222222222222222";

    static double processed(GateServer s) {
        double sum = 0;
        for (String line : new String(s.metrics().scrape(), StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("tiergate_deliveries_processed_total{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    @Test
    void twoServersShareTheInboxProcessEachDeliveryOnceAndNeverJudgeAPullRequestTogether() throws Exception {
        try (ServerHarness h =
                new ServerHarness(Map.of("TIERGATE_RECONCILE_SECONDS", "600", "TIERGATE_WORKERS", "3"))) {
            for (String ref : List.of("main", MAIN, STAGING)) {
                h.github.policy(ref, POLICY);
            }
            h.github.branch("main", MAIN);
            h.github.branch("staging", STAGING);
            ServerConfig cfg = TestPostgres.config(Map.of(
                    "TIERGATE_PORT",
                    "0",
                    "TIERGATE_GITHUB_WEBHOOK_SECRET",
                    ServerHarness.SECRET,
                    "TIERGATE_GITHUB_API_URL",
                    h.github.url(),
                    "TIERGATE_PUBLIC_URL",
                    "https://tiergate.example",
                    "TIERGATE_RETRY_BASE_MS",
                    "50",
                    "TIERGATE_MAX_ATTEMPTS",
                    "3",
                    "TIERGATE_CLONE_POOL",
                    "0",
                    "TIERGATE_RECONCILE_SECONDS",
                    "600",
                    "TIERGATE_WORKERS",
                    "3"));
            try (GateServer b = GateServer.start(cfg, h.db, ForgeBindings.fromConfig(cfg))) {
                WebhookSender[] to = {h.hooks, new WebhookSender("http://127.0.0.1:" + b.port(), ServerHarness.SECRET)};
                int prs = 6;
                List<String> shas = new ArrayList<>();
                int k = 0;
                for (int n = 1; n <= prs; n++) {
                    String sha = String.format("%040x", 0xf00 + n);
                    shas.add(sha);
                    String branch = "feature/F" + n;
                    h.github.branch(branch, sha);
                    assertEquals(
                            202,
                            to[k++ % 2].send(
                                    "push",
                                    GitHubPayloads.push(h.repoPath, branch, GitHubPayloads.ZERO, sha, "alice")));
                    h.github.pull(n, branch, sha, "staging", STAGING, "alice", false, "open", false);
                    Pull p = new Pull(n, branch, sha, "staging", STAGING, "alice", false, "open", false);
                    assertEquals(
                            202, to[k++ % 2].send("pull_request", GitHubPayloads.pullRequest(h.repoPath, "opened", p)));
                    for (int i = 0; i < 40; i++) { // other traffic in between: stored and ignored
                        assertEquals(
                                202,
                                to[k++ % 2].send(
                                        "star",
                                        Map.of("action", "created", "repository", Map.of("full_name", "other/repo"))));
                    }
                    h.github.ciReports(sha, "build", "success"); // its status webhook goes to the first server
                    h.github.review(n, "bob", false, "APPROVED", sha);
                    assertEquals(
                            202, to[k++ % 2].send("pull_request_review", GitHubPayloads.review(h.repoPath, p, "bob")));
                }
                h.awaitIdle();
                assertTrue(
                        processed(h.server) > 0 && processed(b) > 0,
                        "both servers processed deliveries: " + processed(h.server) + " and " + processed(b));
                try (Connection c = h.db.dataSource().getConnection();
                        Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery(
                                "select count(*), count(*) filter (where status <> 'done' or attempts <> 1) from inbox")) {
                    rs.next();
                    assertTrue(rs.getInt(1) >= prs * 44, "all deliveries stored: " + rs.getInt(1));
                    assertEquals(0, rs.getInt(2), "every delivery claimed and processed exactly once");
                }
                for (String sha : shas) {
                    List<JsonNode> posted = h.github.posted(sha);
                    assertEquals(
                            "success", h.github.lastPosted(sha).path("state").asText(), sha + ": " + posted);
                    Set<String> verdicts = new HashSet<>();
                    posted.forEach(s -> verdicts.add(s.path("state").asText() + " "
                            + s.path("description").asText()));
                    assertEquals(verdicts.size(), posted.size(), "a verdict posted twice for " + sha + ": " + posted);
                }
                assertTrue(h.server.audit().verify().isEmpty(), "one audit chain, no fork, from two servers");
            }
        }
    }
}
