package dev.tiergate.server.forge.gitlab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class GitLabWebhookReceiverTest {
    static final byte[] BODY = "{\"object_kind\":\"push\"}".getBytes(StandardCharsets.UTF_8);
    static final String KEY_BYTES = "tiergate-signing-key-0123456789ab";
    static final String SIGNING =
            "whsec_" + Base64.getEncoder().encodeToString(KEY_BYTES.getBytes(StandardCharsets.UTF_8));
    static final long NOW = 1_781_000_000L;
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);

    /** Computed independently of the production code, straight from the Standard Webhooks definition. */
    static String independentSignature(String id, long ts, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY_BYTES.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] content =
                (id + "." + ts + "." + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(content));
    }

    @Test
    void secretTokenIsRequiredAndComparedExactly() {
        GitLabWebhookReceiver r = new GitLabWebhookReceiver("s3cret", null, CLOCK);
        assertNull(r.authenticationProblem(Map.of("x-gitlab-token", "s3cret"), BODY));
        assertEquals("missing X-Gitlab-Token header", r.authenticationProblem(Map.of(), BODY));
        assertEquals(
                "X-Gitlab-Token does not match the configured secret token",
                r.authenticationProblem(Map.of("x-gitlab-token", "s3cre"), BODY));
    }

    @Test
    void standardWebhooksSignatureIsVerified() throws Exception {
        GitLabWebhookReceiver r = new GitLabWebhookReceiver("s3cret", SIGNING, CLOCK);
        String sig = independentSignature("msg_1", NOW, BODY);
        assertEquals(sig, GitLabWebhookReceiver.sign(SIGNING, "msg_1", Long.toString(NOW), BODY));
        Map<String, String> ok = Map.of(
                "x-gitlab-token",
                "s3cret",
                "webhook-id",
                "msg_1",
                "webhook-timestamp",
                Long.toString(NOW),
                "webhook-signature",
                "v1,bm90IGl0 " + sig);
        assertNull(r.authenticationProblem(ok, BODY), "any one matching signature passes");
        Map<String, String> wrong = Map.of(
                "x-gitlab-token",
                "s3cret",
                "webhook-id",
                "msg_1",
                "webhook-timestamp",
                Long.toString(NOW),
                "webhook-signature",
                independentSignature("msg_2", NOW, BODY));
        assertTrue(r.authenticationProblem(wrong, BODY).contains("does not match"));
        Map<String, String> tampered = Map.of(
                "x-gitlab-token",
                "s3cret",
                "webhook-id",
                "msg_1",
                "webhook-timestamp",
                Long.toString(NOW),
                "webhook-signature",
                sig);
        assertTrue(r.authenticationProblem(tampered, "{\"object_kind\":\"tag_push\"}".getBytes(StandardCharsets.UTF_8))
                .contains("does not match"));
        assertTrue(r.authenticationProblem(Map.of("x-gitlab-token", "s3cret"), BODY)
                .startsWith("missing webhook-id"));
    }

    @Test
    void staleAndFutureTimestampsAreRefused() throws Exception {
        GitLabWebhookReceiver r = new GitLabWebhookReceiver(null, SIGNING, CLOCK);
        for (long ts : new long[] {NOW - 301, NOW + 301}) {
            Map<String, String> h = Map.of(
                    "webhook-id",
                    "m",
                    "webhook-timestamp",
                    Long.toString(ts),
                    "webhook-signature",
                    independentSignature("m", ts, BODY));
            assertTrue(r.authenticationProblem(h, BODY).contains("more than 5 minutes off"), Long.toString(ts));
        }
        long edge = NOW - 299;
        assertNull(r.authenticationProblem(
                Map.of(
                        "webhook-id",
                        "m",
                        "webhook-timestamp",
                        Long.toString(edge),
                        "webhook-signature",
                        independentSignature("m", edge, BODY)),
                BODY));
    }

    @Test
    void deliveryIdPrefersIdempotencyKey() {
        GitLabWebhookReceiver r = new GitLabWebhookReceiver("s", null, CLOCK);
        assertEquals(
                "idem-1", r.deliveryId(Map.of("idempotency-key", "idem-1", "x-gitlab-event-uuid", "uuid-1"), BODY));
        assertEquals("uuid-1", r.deliveryId(Map.of("x-gitlab-event-uuid", "uuid-1"), BODY));
        assertTrue(r.deliveryId(Map.of(), BODY).startsWith("sha256:"));
    }
}
