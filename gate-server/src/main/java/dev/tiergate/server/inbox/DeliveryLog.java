package dev.tiergate.server.inbox;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where a worker reports each delivery it handled: one call per attempt, with its outcome and how long it took. */
public interface DeliveryLog {
    /** What became of one attempt at a delivery. */
    enum Outcome {
        DONE,
        RETRY,
        PARKED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code detail}: null when done; the reason (and, for a retry, the wait) otherwise. */
    void handled(Delivery d, Outcome outcome, long millis, String detail);

    /** Through SLF4J: parked as a warning, a retry as info, done as debug (tests, the demo). */
    static DeliveryLog slf4j() {
        Logger log = LoggerFactory.getLogger(WorkerPool.class);
        return (d, outcome, millis, detail) -> {
            switch (outcome) {
                case DONE ->
                    log.debug("delivery done {} {} {} {} ms", d.forge(), d.eventType(), d.deliveryId(), millis);
                case RETRY ->
                    log.info(
                            "delivery retry {} {} {} {} ms: {}",
                            d.forge(),
                            d.eventType(),
                            d.deliveryId(),
                            millis,
                            detail);
                case PARKED ->
                    log.warn(
                            "delivery parked {} {} {} {} ms: {}",
                            d.forge(),
                            d.eventType(),
                            d.deliveryId(),
                            millis,
                            detail);
            }
        };
    }
}
