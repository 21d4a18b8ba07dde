package dev.tiergate.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sends signed webhook deliveries to a tiergate server as GitHub does: {@code X-Hub-Signature-256} is
 * {@code sha256=} and the HMAC-SHA256 of the body under the webhook secret, in lowercase hex
 * (docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries). Signed here on its own, not with the
 * server's code, so a test proves the server checks what GitHub sends.
 */
public final class WebhookSender {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String url;
    private final String secret;

    public WebhookSender(String serverUrl, String secret) {
        this.url = serverUrl + "/webhooks/github";
        this.secret = secret;
    }

    /** Sends with a fresh delivery id; returns the HTTP status. */
    public int send(String event, Object payload) throws IOException, InterruptedException {
        return send(event, JSON.writeValueAsBytes(payload), UUID.randomUUID().toString());
    }

    public int send(String event, byte[] body, String deliveryId) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .header("X-GitHub-Event", event)
                .header("X-GitHub-Delivery", deliveryId)
                .header("X-Hub-Signature-256", signature(secret, body))
                .header("User-Agent", "GitHub-Hookshot/tiergate-demo")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** GitHub's signature of {@code body}: {@code sha256=<hex HMAC-SHA256>}. */
    public static String signature(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
