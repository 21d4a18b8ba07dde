package dev.tiergate.server.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.server.forge.github.GitHubSignature;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;

/** Sends signed GitHub-style webhook deliveries to a tiergate server, as GitHub does. */
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
                .header("X-Hub-Signature-256", GitHubSignature.sign(secret, body))
                .header("User-Agent", "GitHub-Hookshot/tiergate-demo")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
