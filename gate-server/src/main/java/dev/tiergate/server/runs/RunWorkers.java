package dev.tiergate.server.runs;

import dev.tiergate.core.policy.MigrationSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that carry out runs, apart from the delivery workers: a delivery decides and queues, these run the
 * repository's SQL, each run bounded by its own watchdog. A run that throws (the forge or the backend failed) is
 * tried again with backoff, {@link #MAX_ATTEMPTS} times in all, then failed with its reason; the next reconcile pass
 * asks for it again if it is still wanted. A worker survives anything its run throws, errors included.
 */
public final class RunWorkers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunWorkers.class);
    /** A claim lasts this long unless renewed; renewed every third of it while the run goes on. */
    static final Duration LEASE = Duration.ofSeconds(30);

    static final int MAX_ATTEMPTS = 3;
    /**
     * How long one run may last before the workers report themselves stuck ({@code /healthz} answers 503): a run opens
     * at most three sessions one after the other (a read, a snapshot, the migration), each ended by its watchdog at the
     * policy's {@code run_minutes}, at most {@link MigrationSettings#MAX_RUN_MINUTES}; plus a lease for the rest.
     */
    public static final Duration RUN_DEADLINE =
            Duration.ofMinutes((long) (3 * MigrationSettings.MAX_RUN_MINUTES)).plus(LEASE);

    private static final Duration POLL = Duration.ofSeconds(1);

    private final RunQueue queue;
    private final Map<String, RunExecutor> executors;
    private final Duration retryBase;
    private final List<Thread> threads = new ArrayList<>();
    private final Semaphore wake = new Semaphore(0);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ScheduledExecutorService heartbeat;
    /** The run each worker is at, and since when (System.nanoTime). */
    private final Map<Thread, Object[]> underWay = new ConcurrentHashMap<>();

    /** {@code executors}: by forge id ("github", "gitlab"). */
    public RunWorkers(RunQueue queue, Map<String, RunExecutor> executors, int workers, Duration retryBase) {
        this.queue = queue;
        this.executors = Map.copyOf(executors);
        this.retryBase = retryBase;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tiergate-run-lease");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(this::loop, "tiergate-runner-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
    }

    public RunWorkers start() {
        threads.forEach(Thread::start);
        return this;
    }

    /** A run was just queued: an idle worker need not wait for the next poll. */
    public void wakeUp() {
        if (wake.availablePermits() < threads.size()) {
            wake.release();
        }
    }

    /** Whether any worker thread is alive (for /healthz). */
    public boolean alive() {
        return threads.stream().anyMatch(Thread::isAlive);
    }

    /** Why the run workers cannot be counted on (none alive, or one at a run past {@link #RUN_DEADLINE}), or empty. */
    public Optional<String> problem() {
        if (!alive()) {
            return Optional.of("no run worker thread is alive");
        }
        long now = System.nanoTime();
        return underWay.entrySet().stream()
                .filter(e -> now - (long) e.getValue()[1] > RUN_DEADLINE.toNanos())
                .findFirst()
                // which repository's run it is goes to the log, not to /healthz, which anyone may ask
                .map(e -> "a run has been under way for " + (now - (long) e.getValue()[1]) / 1_000_000_000L + " s on "
                        + e.getKey().getName() + ", past the " + RUN_DEADLINE.toSeconds() + " s deadline");
    }

    private void loop() {
        while (running.get()) {
            try {
                var next = queue.claim(LEASE, MAX_ATTEMPTS);
                if (next.isEmpty()) {
                    wake.tryAcquire(POLL.toMillis(), TimeUnit.MILLISECONDS);
                    continue;
                }
                handle(next.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("run worker: {}", e.getMessage()); // the store itself failed; back off a little and go on
                try {
                    Thread.sleep(POLL.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    void handle(Run run) {
        RunExecutor executor = executors.get(run.repo().forge());
        if (executor == null) {
            queue.failed(run, "no executor for forge " + run.repo().forge());
            return;
        }
        long every = Math.max(1, LEASE.toMillis() / 3);
        long began = System.nanoTime();
        AtomicReference<ScheduledFuture<?>> self = new AtomicReference<>();
        ScheduledFuture<?> renewal = heartbeat.scheduleAtFixedRate(
                () -> {
                    try {
                        if (System.nanoTime() - began > RUN_DEADLINE.toNanos()) {
                            // a run past every deadline is stuck (a forge call that never returns): its lease runs out,
                            // and
                            // after MAX_ATTEMPTS such claims the queue fails it
                            LOG.error(
                                    "run {} is past the {} s a run may take: its lease is no longer renewed",
                                    run,
                                    RUN_DEADLINE.toSeconds());
                            self.get().cancel(false);
                        } else if (!queue.renew(run, LEASE)) {
                            LOG.error(
                                    "run {} is no longer this worker's: its lease ran out and it was claimed again",
                                    run);
                            self.get().cancel(false);
                        }
                    } catch (RuntimeException e) {
                        LOG.warn("cannot renew the lease of run {}: {}", run, e.getMessage());
                    }
                },
                every,
                every,
                TimeUnit.MILLISECONDS);
        self.set(renewal);
        underWay.put(Thread.currentThread(), new Object[] {run, System.nanoTime()});
        try {
            executor.execute(run);
            renewal.cancel(false);
            queue.done(run);
        } catch (Throwable t) { // an Error too: the worker lives on, the run is tried again or failed with the reason
            renewal.cancel(false);
            String reason = t.getClass().getSimpleName() + ": " + t.getMessage();
            Instant retryAt = null;
            if (t instanceof Error || run.attempts() >= MAX_ATTEMPTS) {
                LOG.warn("run {} failed after {} attempt(s): {}", run, run.attempts(), reason);
                queue.failed(run, reason);
            } else {
                Duration delay = retryBase.multipliedBy(1L << Math.min(run.attempts() - 1, 6));
                LOG.info("run {} will be tried again in {} ms: {}", run, delay.toMillis(), reason);
                queue.retryLater(run, reason, delay);
                retryAt = Instant.now().plus(delay);
            }
            try {
                executor.notDone(run, t, retryAt);
            } catch (RuntimeException e) {
                LOG.warn("run {}: could not say that it waits: {}", run, e.getMessage());
            }
        } finally {
            underWay.remove(Thread.currentThread());
        }
    }

    @Override
    public void close() {
        running.set(false);
        wake.release(threads.size());
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
