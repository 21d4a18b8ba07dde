package dev.tiergate.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.server.forge.github.GitHubSignature;
import dev.tiergate.server.support.OctokitExamples;
import dev.tiergate.server.support.ServerHarness;
import dev.tiergate.testkit.GitHubPayloads;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Receiving: what is stored, what is refused, and that the server stays up. */
class WebhookEndpointTest {
    static ServerHarness h;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() {
        h = new ServerHarness();
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void everyPublishedGitHubExampleIsAcceptedSignedAndTheServerStaysHealthy() throws Exception {
        int sent = 0;
        for (JsonNode event : OctokitExamples.index()) {
            for (JsonNode example : event.path("examples")) {
                byte[] body = JSON.writeValueAsBytes(example);
                int code = h.hooks.send(
                        event.path("name").asText(), body, UUID.randomUUID().toString());
                assertEquals(202, code, event.path("name").asText());
                sent++;
            }
        }
        h.awaitIdle();
        assertTrue(sent > 250);
        var health = h.get("/healthz");
        assertEquals(200, health.statusCode());
        assertTrue(health.body().contains("\"ok\""));
        // examples name repositories this stub does not serve; any that failed were parked with a reason, none lost
        assertEquals(0, h.server.inbox().pendingCount());
    }

    @Test
    void malformedJsonIs400AndNothingIsStored() throws Exception {
        byte[] body = "{\"ref\": ".getBytes(StandardCharsets.UTF_8);
        var r = h.postRaw("/webhooks/github", signed("push", "bad-json", body), body);
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("not valid JSON"), r.body());
        assertTrue(h.server.inbox().statusOf("github", "bad-json").isEmpty());
    }

    @Test
    void bodyOver25MegabytesIs413AndNothingIsStored() throws Exception {
        byte[] body = new byte[25 * 1024 * 1024 + 10];
        Arrays.fill(body, (byte) ' ');
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(h.baseUrl() + "/webhooks/github"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        signed("push", "too-big", body).forEach(b::header);
        HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(413, r.statusCode());
        assertTrue(h.server.inbox().statusOf("github", "too-big").isEmpty());
        assertEquals(200, h.get("/healthz").statusCode());
    }

    @Test
    void missingDeliveryIdIs400() throws Exception {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        var r = h.postRaw(
                "/webhooks/github",
                Map.of(
                        "X-GitHub-Event",
                        "ping",
                        "X-Hub-Signature-256",
                        GitHubSignature.sign(ServerHarness.SECRET, body)),
                body);
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("X-GitHub-Delivery"), r.body());
    }

    @Test
    void unknownEventIsAcceptedRecordedAndIgnored() throws Exception {
        byte[] body = "{\"zen\":\"Keep it logically awesome.\",\"hook_id\":1}".getBytes(StandardCharsets.UTF_8);
        var r = h.postRaw("/webhooks/github", signed("sponsorship", "unknown-1", body), body);
        assertEquals(202, r.statusCode());
        h.awaitIdle();
        assertEquals("done", h.server.inbox().statusOf("github", "unknown-1").orElseThrow()[0]);
        assertTrue(h.server.audit().all().stream()
                .anyMatch(a -> a.kind().equals("delivery") && a.details().contains("sponsorship")));
    }

    @Test
    void unknownForgeIs404() throws Exception {
        var r = h.postRaw("/webhooks/bitbucket", Map.of(), "{}".getBytes(StandardCharsets.UTF_8));
        assertEquals(404, r.statusCode());
        assertTrue(r.body().contains("no forge 'bitbucket'"));
    }

    @Test
    void signatureIsNeverStoredWithTheDelivery() throws Exception {
        byte[] body = "{\"zen\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        h.postRaw("/webhooks/github", signed("ping", "no-secret-kept", body), body);
        try (var c = h.db.dataSource().getConnection();
                var ps = c.prepareStatement("select headers::text from inbox where delivery_id = 'no-secret-kept'");
                var rs = ps.executeQuery()) {
            assertTrue(rs.next());
            assertTrue(!rs.getString(1).contains("signature"), rs.getString(1));
        }
    }

    @Test
    void aPushToABranchWithANulByteIsFinishedAtTheFirstAttemptNotRetried() throws Exception {
        var payload = GitHubPayloads.push(h.repoPath, "feature/a\u0000b", GitHubPayloads.ZERO, "a".repeat(40), "alice");
        byte[] body = JSON.writeValueAsBytes(payload);
        assertEquals(202, h.hooks.send("push", body, "nul-branch"));
        h.awaitIdle();
        String[] s = h.server.inbox().statusOf("github", "nul-branch").orElseThrow();
        assertEquals("done", s[0], String.join(",", s));
        assertEquals("1", s[2]);
    }

    static Map<String, String> signed(String event, String id, byte[] body) {
        return Map.of(
                "X-GitHub-Event",
                event,
                "X-GitHub-Delivery",
                id,
                "Content-Type",
                "application/json",
                "X-Hub-Signature-256",
                GitHubSignature.sign(ServerHarness.SECRET, body));
    }
}
