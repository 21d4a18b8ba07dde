package dev.tiergate.server.forge;

import java.util.Map;

/**
 * The forge-specific part of receiving: who sent it (authentication on the raw bytes, before any parsing),
 * which delivery it is (for de-duplication) and what kind of event. Headers arrive with lower-case names.
 */
public interface WebhookReceiver {
    String forge();

    /** Null when authentic; otherwise the reason it is refused (answered 401, nothing stored). */
    String authenticationProblem(Map<String, String> headers, byte[] body);

    /** The forge's delivery id, or null when the request carries none. */
    String deliveryId(Map<String, String> headers, byte[] body);

    String eventType(Map<String, String> headers);
}
