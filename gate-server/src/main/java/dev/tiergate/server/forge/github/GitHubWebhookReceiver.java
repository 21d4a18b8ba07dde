package dev.tiergate.server.forge.github;

import dev.tiergate.server.forge.WebhookReceiver;
import java.util.Map;

/** Authenticates GitHub deliveries; with no secret configured (only with --insecure-no-secret) it accepts all. */
public final class GitHubWebhookReceiver implements WebhookReceiver {
    private final String secret;

    public GitHubWebhookReceiver(String secret) {
        this.secret = secret;
    }

    @Override
    public String forge() {
        return GitHubForge.ID;
    }

    @Override
    public String authenticationProblem(Map<String, String> headers, byte[] body) {
        return secret == null ? null : GitHubSignature.problem(secret, headers.get("x-hub-signature-256"), body);
    }

    @Override
    public String deliveryId(Map<String, String> headers, byte[] body) {
        return headers.get("x-github-delivery");
    }

    @Override
    public String eventType(Map<String, String> headers) {
        return headers.getOrDefault("x-github-event", "unknown");
    }
}
