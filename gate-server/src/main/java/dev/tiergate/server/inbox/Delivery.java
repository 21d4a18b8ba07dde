package dev.tiergate.server.inbox;

import java.time.Instant;
import java.util.Map;

/** A webhook delivery exactly as received (headers lower-cased, raw body). */
public record Delivery(
        long id,
        String forge,
        String deliveryId,
        String eventType,
        Map<String, String> headers,
        byte[] body,
        int attempts,
        Instant receivedAt) {}
