package dev.tiergate.server.inbox;

/**
 * Turns one stored delivery into decisions and actions. Throwing means "not done": the worker retries with
 * backoff and parks the delivery with the reason after the last attempt.
 */
public interface DeliveryProcessor {
    void process(Delivery delivery) throws Exception;
}
