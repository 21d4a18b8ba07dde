package dev.tiergate.server.inbox;

import dev.tiergate.server.forge.ForgeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Threads that drain the inbox. Each delivery goes to its forge's processor; a failure is retried with
 * exponential backoff and parked with its reason after the last attempt. A 4xx from a forge is not retried, nor is
 * an {@link Error} (a {@code StackOverflowError} from a hostile file, say): it would stop the next worker that took
 * the delivery too, so the delivery is parked with it at once and the worker goes on. Nothing a processor throws ends
 * a worker. {@link #problem} says when none is alive or one has been at a delivery past {@link #DELIVERY_DEADLINE}.
 */
public final class WorkerPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);
    /** How long a claim lasts unless renewed; renewed every third of it while the worker is still at it. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

    private static final Duration POLL = Duration.ofSeconds(1);
    /**
     * How long one delivery may be processed before the pool reports itself stuck ({@code /healthz} answers 503). A
     * delivery runs no repository SQL (that is the run workers'): it reads the forge and the store, posts statuses and
     * drops database branches, each bounded by its own timeouts. Ten minutes is far past any of that: a worker at one
     * delivery that long is stuck.
     */
    public static final Duration DELIVERY_DEADLINE = Duration.ofMinutes(10);

    private final Inbox inbox;
    private final Map<String, DeliveryProcessor> processors;
    private final Duration retryBase;
    private final int maxAttempts;
    private final Semaphore wake = new Semaphore(0);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final Duration lease;
    private final ScheduledExecutorService heartbeat;
    private final DeliveryLog deliveryLog;
    private volatile IngestPressure ingest = new IngestPressure();
    private volatile long ingestYieldMillis;
    private volatile Duration deadline = DELIVERY_DEADLINE;
    /** What each worker is processing now, and since when ({@link System#nanoTime}). */
    private final Map<Thread, Processing> processing = new ConcurrentHashMap<>();

    private record Processing(Delivery delivery, long sinceNanos) {}

    public WorkerPool(
            Inbox inbox, Map<String, DeliveryProcessor> processors, int workers, Duration retryBase, int maxAttempts) {
        this(inbox, processors, workers, retryBase, maxAttempts, DEFAULT_LEASE, DeliveryLog.slf4j());
    }

    public WorkerPool(
            Inbox inbox,
            Map<String, DeliveryProcessor> processors,
            int workers,
            Duration retryBase,
            int maxAttempts,
            Duration lease) {
        this(inbox, processors, workers, retryBase, maxAttempts, lease, DeliveryLog.slf4j());
    }

    /** {@code deliveryLog} hears of every attempt: done, retry or parked, with its time. */
    public WorkerPool(
            Inbox inbox,
            Map<String, DeliveryProcessor> processors,
            int workers,
            Duration retryBase,
            int maxAttempts,
            Duration lease,
            DeliveryLog deliveryLog) {
        this.inbox = inbox;
        this.deliveryLog = deliveryLog;
        this.lease = lease;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tiergate-lease-heartbeat");
            t.setDaemon(true);
            return t;
        });
        this.processors = Map.copyOf(processors);
        this.retryBase = retryBase;
        this.maxAttempts = maxAttempts;
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(this::loop, "tiergate-worker-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
    }

    /**
     * While webhook requests are in flight, each worker waits up to {@code atMost} before it claims the next
     * delivery (0: never), so acknowledging keeps the CPU in a burst; see {@link IngestPressure}.
     */
    public WorkerPool yieldingTo(IngestPressure pressure, Duration atMost) {
        this.ingest = pressure;
        this.ingestYieldMillis = atMost.toMillis();
        return this;
    }

    /** How long one delivery may be processed before {@link #problem} reports the pool stuck (tests shorten it). */
    public WorkerPool stuckAfter(Duration processingDeadline) {
        this.deadline = processingDeadline;
        return this;
    }

    /**
     * Why the pool cannot be counted on, or empty: no worker thread alive, or a delivery processed for longer than
     * the deadline (the oldest one named). From memory: asking costs no store round trip.
     */
    public Optional<String> problem() {
        if (alive() == 0) {
            return Optional.of(
                    threads.isEmpty() ? "no worker thread (TIERGATE_WORKERS is 0)" : "no worker thread is alive");
        }
        long now = System.nanoTime();
        return processing.entrySet().stream()
                .filter(e -> now - e.getValue().sinceNanos() > deadline.toNanos())
                .min(Comparator.comparingLong(e -> e.getValue().sinceNanos()))
                .map(e -> {
                    Delivery d = e.getValue().delivery();
                    return "delivery " + d.forge() + " " + d.deliveryId() + " (" + d.eventType()
                            + ") has been processing for "
                            + spoken(Duration.ofNanos(now - e.getValue().sinceNanos())) + " on "
                            + e.getKey().getName() + ", past the "
                            + spoken(deadline) + " deadline";
                });
    }

    private static String spoken(Duration d) {
        return d.compareTo(Duration.ofSeconds(10)) < 0 ? d.toMillis() + " ms" : d.toSeconds() + " s";
    }

    /** Worker threads alive now. */
    public long alive() {
        return threads.stream().filter(Thread::isAlive).count();
    }

    public WorkerPool start() {
        threads.forEach(Thread::start);
        return this;
    }

    /**
     * A delivery was just stored: one idle worker need not wait for the next poll. One permit, not one per worker: a
     * worker that finds work keeps claiming until the inbox is empty, so waking all of them on every delivery would
     * only spend the CPU the webhook path needs on empty claims. Permits do not pile up beyond one per worker.
     */
    public void wakeUp() {
        if (wake.availablePermits() < threads.size()) {
            wake.release();
        }
    }

    /** Stopping: every worker must see it at once. */
    private void wakeAll() {
        wake.release(threads.size());
    }

    private void loop() {
        while (running.get()) {
            try {
                yieldToIngest();
                var next = inbox.claimNext(lease);
                if (next.isEmpty()) {
                    wake.tryAcquire(POLL.toMillis(), TimeUnit.MILLISECONDS);
                    continue;
                }
                handle(next.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Throwable e) { // nothing ends a worker
                // the store itself failed (or the JVM is short of something): back off a little and go on
                LOG.warn("worker: {}", String.valueOf(e));
                try {
                    Thread.sleep(POLL.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Waits, at most {@code ingestYieldMillis}, while webhook requests are being answered. */
    private void yieldToIngest() throws InterruptedException {
        long deadline = System.nanoTime() + ingestYieldMillis * 1_000_000;
        while (ingestYieldMillis > 0 && ingest.busy() && running.get() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
    }

    void handle(Delivery d) {
        long started = System.nanoTime();
        DeliveryProcessor p = processors.get(d.forge());
        if (p == null) {
            inbox.park(d.id(), "no processor for forge " + d.forge());
            deliveryLog.handled(d, DeliveryLog.Outcome.PARKED, 0, "no processor for forge " + d.forge());
            return;
        }
        long every = Math.max(1, lease.toMillis() / 3);
        var renewal = heartbeat.scheduleAtFixedRate(
                () -> {
                    try {
                        inbox.renewLease(d.id(), lease);
                    } catch (RuntimeException e) {
                        LOG.warn("cannot renew the lease of delivery {}: {}", d.deliveryId(), e.getMessage());
                    }
                },
                every,
                every,
                TimeUnit.MILLISECONDS);
        processing.put(Thread.currentThread(), new Processing(d, started));
        try {
            p.process(d);
            renewal.cancel(false);
            inbox.markDone(d.id());
            deliveryLog.handled(d, DeliveryLog.Outcome.DONE, (System.nanoTime() - started) / 1_000_000, null);
        } catch (Exception e) {
            renewal.cancel(false);
            String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
            boolean retryable = !(e instanceof ForgeException fe) || fe.retryable();
            // the forge down, slow or rate-limiting: waiting fixes it, so it is not parked after maxAttempts but
            // retried
            // (backoff capped at 10 minutes) for as long as the forge would still redeliver it; anything else is parked
            // after maxAttempts with its reason
            boolean forgeWillRecover = e instanceof ForgeException fe && fe.retryable();
            boolean giveUp = !retryable
                    || (forgeWillRecover
                            ? Duration.between(d.receivedAt(), Instant.now()).compareTo(FORGE_RETRY_WINDOW) > 0
                            : d.attempts() >= maxAttempts);
            if (giveUp) {
                inbox.park(d.id(), reason);
                deliveryLog.handled(
                        d,
                        DeliveryLog.Outcome.PARKED,
                        (System.nanoTime() - started) / 1_000_000,
                        "after " + d.attempts() + " attempt(s): " + reason);
                tell(p, d, e, null);
            } else {
                Duration delay = retryDelay(
                        d.attempts(),
                        e instanceof ForgeException fe ? fe.retryAfter().orElse(null) : null);
                inbox.retryLater(d.id(), reason, delay);
                deliveryLog.handled(
                        d,
                        DeliveryLog.Outcome.RETRY,
                        (System.nanoTime() - started) / 1_000_000,
                        "retry in " + delay.toMillis() + " ms: " + reason);
                tell(p, d, e, Instant.now().plus(delay));
            }
        } catch (Throwable t) { // an Error (StackOverflowError, OutOfMemoryError, ...): parked at once, never retried
            renewal.cancel(false);
            String reason = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage())
                    + " (an Error: parked, not retried, since it would stop the next worker too)";
            LOG.error("delivery {} parked: {}", d.deliveryId(), reason);
            inbox.park(d.id(), reason);
            deliveryLog.handled(
                    d,
                    DeliveryLog.Outcome.PARKED,
                    (System.nanoTime() - started) / 1_000_000,
                    "after " + d.attempts() + " attempt(s): " + reason);
            tell(
                    p,
                    d,
                    new IllegalStateException(
                            t.getClass().getSimpleName() + " while processing; parked, not retried", t),
                    null);
        } finally {
            renewal.cancel(false);
            processing.remove(Thread.currentThread());
        }
    }

    /** The processor hears that the delivery waits; saying so is best effort and never changes what became of it. */
    private static void tell(DeliveryProcessor p, Delivery d, Exception cause, Instant retryAt) {
        try {
            p.notDone(d, cause, retryAt);
        } catch (Throwable e) { // saying so never ends a worker either
            LOG.warn("delivery {}: could not say that it waits: {}", d.deliveryId(), e.getMessage());
        }
    }

    /** How long a delivery the forge failed (5xx, timeout, rate limit) keeps being retried: GitHub redelivers for 3 days. */
    static final Duration FORGE_RETRY_WINDOW = Duration.ofHours(24);

    /**
     * Exponential backoff from the configured base, capped at 10 minutes; never sooner than a rate-limited forge
     * asked ({@code Retry-After}, {@code X-RateLimit-Reset}): retrying earlier only spends the budget again. Plus up
     * to a quarter more at random, so deliveries that failed together (a forge outage, one rate limit) do not all come
     * back in the same instant.
     */
    Duration retryDelay(int attempts, Duration forgeAskedFor) {
        Duration d = backoff(attempts, forgeAskedFor);
        long jitter = (long) (d.toMillis() / 4.0 * ThreadLocalRandom.current().nextDouble());
        return d.plusMillis(jitter);
    }

    private Duration backoff(int attempts, Duration forgeAskedFor) {
        long factor = 1L << Math.min(attempts - 1, 10);
        Duration delay = retryBase.multipliedBy(factor);
        if (delay.compareTo(Duration.ofMinutes(10)) > 0) {
            delay = Duration.ofMinutes(10);
        }
        if (forgeAskedFor != null && forgeAskedFor.compareTo(delay) > 0) {
            delay = forgeAskedFor;
        }
        return delay;
    }

    @Override
    public void close() {
        running.set(false);
        wakeAll();
        for (Thread t : threads) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        heartbeat.shutdownNow();
    }
}
