package dev.tiergate.server.inbox;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Webhook requests being answered right now. Acknowledging comes first: while any is in flight, a worker waits a
 * little before it claims the next delivery (see {@link WorkerPool}), so on a small machine a burst of deliveries
 * is stored and answered at the disk's pace instead of sharing the CPU with processing. Deliveries are durable, so
 * processing only starts later; it is never stopped, as each worker waits a bounded time per delivery.
 */
public final class IngestPressure {
    private final AtomicInteger inFlight = new AtomicInteger();

    public void started() {
        inFlight.incrementAndGet();
    }

    public void finished() {
        inFlight.decrementAndGet();
    }

    public boolean busy() {
        return inFlight.get() > 0;
    }
}
