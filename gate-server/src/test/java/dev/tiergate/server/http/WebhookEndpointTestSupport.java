package dev.tiergate.server.http;

import dev.tiergate.server.support.ServerHarness;
import java.nio.charset.StandardCharsets;

/** Signed deliveries for tests outside this package. */
public final class WebhookEndpointTestSupport {
    private WebhookEndpointTestSupport() {}

    public static int ping(ServerHarness h, String deliveryId) throws Exception {
        byte[] body = "{\"zen\":\"x\",\"hook_id\":1}".getBytes(StandardCharsets.UTF_8);
        return h.postRaw("/webhooks/github", WebhookEndpointTest.signed("ping", deliveryId, body), body)
                .statusCode();
    }
}
