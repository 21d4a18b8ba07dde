package dev.tiergate.server.http;

import dev.tiergate.server.inbox.WorkerPool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * What {@code GET /healthz} answers, refreshed once a second by one background thread, so a health check never
 * touches the store: any number of them cannot take a connection from the workers or the webhook endpoint. When
 * the refresh itself is stuck (the store hangs) the snapshot grows old and the check says so. It answers 503 too
 * when the workers cannot be counted on ({@link WorkerPool#problem}: none alive, or one at a delivery past
 * {@link WorkerPool#DELIVERY_DEADLINE}), read from memory as well.
 */
final class Liveness implements AutoCloseable {
    static final Duration EVERY = Duration.ofSeconds(1);
    static final Duration STALE_AFTER = Duration.ofSeconds(10);

    private final IntSupplier pending;
    private final Supplier<Optional<String>> workers;
    private final Supplier<Map<String, Object>> extra;
    private final Clock clock;
    private final ScheduledExecutorService refresher;
    private volatile Snapshot snapshot;

    record Snapshot(boolean storeReachable, int pending, String problem, Instant at) {}

    /** {@code pending}: the deliveries not yet done (the store); {@code workers}: why the workers cannot be counted on, or empty. */
    Liveness(
            IntSupplier pending, Supplier<Optional<String>> workers, Supplier<Map<String, Object>> extra, Clock clock) {
        this.pending = pending;
        this.workers = workers;
        this.extra = extra;
        this.clock = clock;
        this.snapshot = new Snapshot(false, -1, "not checked yet", clock.instant());
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tiergate-liveness");
            t.setDaemon(true);
            return t;
        });
        refresh();
        refresher.scheduleWithFixedDelay(this::refresh, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    void refresh() {
        try {
            snapshot = new Snapshot(true, pending.getAsInt(), null, clock.instant());
        } catch (RuntimeException e) {
            snapshot = new Snapshot(false, -1, "store unreachable", clock.instant());
        }
    }

    /** HTTP status and body of a health check, from memory. */
    Map.Entry<Integer, Map<String, Object>> answer() {
        Snapshot s = snapshot;
        Duration age = Duration.between(s.at(), clock.instant());
        boolean stale = age.compareTo(STALE_AFTER) > 0;
        Optional<String> stuck = workers.get();
        boolean ok = s.storeReachable() && !stale && stuck.isEmpty();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(
                "status",
                ok
                        ? "ok"
                        : stale
                                ? "store not answering for " + age.toSeconds() + " s"
                                : !s.storeReachable() ? s.problem() : stuck.orElseThrow());
        body.put("pending_deliveries", s.pending());
        body.put("checked_at", s.at().toString());
        body.putAll(extra.get());
        return Map.entry(ok ? 200 : 503, body);
    }

    @Override
    public void close() {
        refresher.shutdownNow();
    }
}
