package dev.tiergate.server.forge.gitlab;

import dev.tiergate.server.forge.WebhookReceiver;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticates GitLab deliveries: the hook's secret token ({@code X-Gitlab-Token}, constant-time) and, when the
 * hook has a signing token, the Standard Webhooks signature over {@code id.timestamp.body} with a 5-minute window.
 * Unlike gitlab4j's helper, a missing token is refused whenever a secret is configured.
 */
public final class GitLabWebhookReceiver implements WebhookReceiver {
    static final Duration TOLERANCE = Duration.ofMinutes(5);
    private final String secretToken;
    private final String signingToken;
    private final Clock clock;

    public GitLabWebhookReceiver(String secretToken, String signingToken, Clock clock) {
        this.secretToken = secretToken;
        this.signingToken = signingToken;
        this.clock = clock;
    }

    @Override
    public String forge() {
        return GitLabForge.ID;
    }

    @Override
    public String authenticationProblem(Map<String, String> headers, byte[] body) {
        if (secretToken != null) {
            String given = headers.get("x-gitlab-token");
            if (given == null || given.isEmpty()) {
                return "missing X-Gitlab-Token header";
            }
            if (!MessageDigest.isEqual(
                    secretToken.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8))) {
                return "X-Gitlab-Token does not match the configured secret token";
            }
        }
        return signingToken == null
                ? null
                : signatureProblem(signingToken, headers, body, clock.instant().getEpochSecond());
    }

    /** Standard Webhooks: {@code webhook-signature} holds space-separated {@code v1,<base64 HMAC-SHA256>} values. */
    static String signatureProblem(String signingToken, Map<String, String> headers, byte[] body, long nowSeconds) {
        String id = headers.get("webhook-id");
        String timestamp = headers.get("webhook-timestamp");
        String signatures = headers.get("webhook-signature");
        if (id == null || timestamp == null || signatures == null) {
            return "missing webhook-id, webhook-timestamp or webhook-signature header (the hook has a signing token)";
        }
        long ts;
        try {
            ts = Long.parseLong(timestamp.strip());
        } catch (NumberFormatException e) {
            return "webhook-timestamp is not a number of seconds";
        }
        if (Math.abs(nowSeconds - ts) > TOLERANCE.toSeconds()) {
            return "webhook-timestamp is more than 5 minutes off this server's clock (replayed or delayed delivery)";
        }
        byte[] expected = sign(signingToken, id, timestamp.strip(), body).getBytes(StandardCharsets.US_ASCII);
        for (String candidate : signatures.strip().split(" ")) {
            if (candidate.startsWith("v1,")
                    && MessageDigest.isEqual(expected, candidate.getBytes(StandardCharsets.US_ASCII))) {
                return null;
            }
        }
        return "webhook-signature does not match the body (wrong signing token or altered payload)";
    }

    /** {@code v1,} + base64(HMAC-SHA256(key, id + "." + timestamp + "." + body)); key = base64 part of {@code whsec_…}. */
    public static String sign(String signingToken, String id, String timestamp, byte[] body) {
        String encoded = signingToken.startsWith("whsec_") ? signingToken.substring("whsec_".length()) : signingToken;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(encoded), "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code Idempotency-Key} (stable across GitLab's retries), else {@code X-Gitlab-Event-UUID}. An old GitLab that
     * sends neither gets a content hash rather than a 4xx: GitLab disables hooks that keep answering 4xx.
     */
    @Override
    public String deliveryId(Map<String, String> headers, byte[] body) {
        String key = headers.get("idempotency-key");
        if (key == null || key.isBlank()) {
            key = headers.get("x-gitlab-event-uuid");
        }
        return key == null || key.isBlank() ? contentId(body) : key;
    }

    @Override
    public String eventType(Map<String, String> headers) {
        return headers.getOrDefault("x-gitlab-event", "unknown");
    }

    static String contentId(byte[] body) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
