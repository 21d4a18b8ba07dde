package dev.tiergate.server.inbox;

import java.time.Instant;

/**
 * Turns one stored delivery into decisions and actions. Throwing means "not done": the worker retries with
 * backoff and parks the delivery with the reason after the last attempt.
 */
public interface DeliveryProcessor {
    void process(Delivery delivery) throws Exception;

    /**
     * {@code delivery}'s attempt failed with {@code cause} and it waits: tried again at {@code retryAt}, or parked
     * when that is null. Lets the processor say so where people look (the gate: the PR's verdict and its status).
     */
    default void notDone(Delivery delivery, Exception cause, Instant retryAt) throws Exception {}
}
