package dev.tiergate.server.metrics;

import dev.tiergate.server.forge.ApiCallCounter;
import dev.tiergate.server.inbox.Delivery;
import dev.tiergate.server.inbox.DeliveryLog;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What {@code GET /metrics} shows, in Prometheus' text format. One registry per server (not the client's global
 * one), so two servers in one JVM keep their own figures. Counters and histograms are fed where things happen
 * (the webhook endpoint, the workers, the branch backend, the reconciler); gauges are read at scrape time from
 * the store and the forge clients, so a scrape sees what the store says now, from whichever server wrote it.
 */
public final class GateMetrics {
    /** Seconds: from 1 ms (an acknowledgement) to a minute (a delivery that waited for a retry). */
    static final double[] LATENCY_BOUNDS = {
        0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
    };

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Clock clock;
    private final Counter received;
    private final Counter handled;
    private final Histogram ack;
    private final Histogram decision;
    private final Histogram endToEnd;
    private final Counter branchOps;
    private final Histogram branchSeconds;
    private final Counter reconcileItems;
    private final Counter reconcilePasses;

    public GateMetrics(Clock clock) {
        this.clock = clock;
        received = Counter.builder()
                .name("tiergate_webhook_deliveries_total")
                .help("Webhook deliveries received, by forge, event and what the endpoint answered "
                        + "(accepted, duplicate, unauthenticated, invalid, unavailable)")
                .labelNames("forge", "event", "outcome")
                .register(registry);
        handled = Counter.builder()
                .name("tiergate_deliveries_processed_total")
                .help("Attempts at processing a stored delivery, by forge, event and outcome (done, retry, parked)")
                .labelNames("forge", "event", "outcome")
                .register(registry);
        ack = Histogram.builder()
                .name("tiergate_webhook_ack_seconds")
                .help("From the request's body read to the answer: signature check and the durable insert")
                .classicOnly()
                .classicUpperBounds(LATENCY_BOUNDS)
                .labelNames("forge")
                .register(registry);
        decision = Histogram.builder()
                .name("tiergate_decision_seconds")
                .help("One attempt at processing a delivery: forge reads, decision, actions")
                .classicOnly()
                .classicUpperBounds(LATENCY_BOUNDS)
                .labelNames("forge", "outcome")
                .register(registry);
        endToEnd = Histogram.builder()
                .name("tiergate_delivery_end_to_end_seconds")
                .help("From a delivery stored to its processing done (statuses posted, branches made)")
                .classicOnly()
                .classicUpperBounds(LATENCY_BOUNDS)
                .labelNames("forge")
                .register(registry);
        branchOps = Counter.builder()
                .name("tiergate_branch_operations_total")
                .help("Database branch operations, by backend, operation and outcome (ok, failed)")
                .labelNames("backend", "operation", "outcome")
                .register(registry);
        branchSeconds = Histogram.builder()
                .name("tiergate_branch_operation_seconds")
                .help("Duration of database branch operations, by backend and operation")
                .classicOnly()
                .classicUpperBounds(LATENCY_BOUNDS)
                .labelNames("backend", "operation")
                .register(registry);
        reconcileItems = Counter.builder()
                .name("tiergate_reconciler_items_total")
                .help(
                        "Branches and pull requests the reconciler re-read (visited), those of them it changed something for, "
                                + "a status posted, a state moved, a database branch created or deleted (repaired), and those whose visit "
                                + "failed and waits for the next pass (failed)")
                .labelNames("result")
                .register(registry);
        reconcilePasses = Counter.builder()
                .name("tiergate_reconciler_passes_total")
                .help("Reconcile passes finished")
                .register(registry);
    }

    public GateMetrics() {
        this(Clock.systemUTC());
    }

    /** What the webhook endpoint answered one delivery; {@code event} may be null when the request never said. */
    public void received(String forge, String event, String outcome, long nanos) {
        String e = event == null ? "" : event;
        received.labelValues(forge, e, outcome).inc();
        ack.labelValues(forge).observe(nanos / 1e9);
    }

    /** Wraps the workers' delivery log: each attempt is also counted and timed. */
    public DeliveryLog observing(DeliveryLog inner) {
        return (Delivery d, DeliveryLog.Outcome outcome, long millis, String detail) -> {
            handled.labelValues(d.forge(), d.eventType() == null ? "" : d.eventType(), outcome.wireName())
                    .inc();
            decision.labelValues(d.forge(), outcome.wireName()).observe(millis / 1e3);
            if (outcome == DeliveryLog.Outcome.DONE) {
                endToEnd.labelValues(d.forge())
                        .observe(Math.max(
                                        0,
                                        Duration.between(d.receivedAt(), clock.instant())
                                                .toNanos())
                                / 1e9);
            }
            inner.handled(d, outcome, millis, detail);
        };
    }

    /** One database branch operation, timed by the caller. */
    public void branchOperation(String backend, String operation, boolean ok, long nanos) {
        branchOps.labelValues(backend, operation, ok ? "ok" : "failed").inc();
        branchSeconds.labelValues(backend, operation).observe(nanos / 1e9);
    }

    /** One repository's reconcile: items visited, repaired (a visit that changed something) and failed. */
    public void reconciled(int visited, int repaired, int failed) {
        reconcileItems.labelValues("visited").inc(visited);
        reconcileItems.labelValues("repaired").inc(repaired);
        reconcileItems.labelValues("failed").inc(failed);
    }

    public void reconcilePassDone() {
        reconcilePasses.inc();
    }

    /** Inbox depth and age of its oldest waiting delivery, read from the store at each scrape. */
    public void inbox(Supplier<double[]> depthAndOldestAgeSeconds) {
        GaugeWithCallback.builder()
                .name("tiergate_inbox_depth")
                .help("Deliveries stored and not yet done (received, retry, processing)")
                .callback(cb -> readable(depthAndOldestAgeSeconds).ifPresent(v -> cb.call(v[0])))
                .register(registry);
        GaugeWithCallback.builder()
                .name("tiergate_inbox_oldest_age_seconds")
                .help("Age of the oldest delivery not yet done (0 when the inbox is empty)")
                .callback(cb -> readable(depthAndOldestAgeSeconds).ifPresent(v -> cb.call(v[1])))
                .register(registry);
    }

    /** Runs of repository SQL waiting or under way (the run queue). */
    public void runs(Supplier<Integer> depth) {
        GaugeWithCallback.builder()
                .name("tiergate_runs_depth")
                .help("Runs of repository SQL (set-ups, follows, rehearsals, merges) queued or under way")
                .callback(cb -> readable(() -> depth.get().doubleValue()).ifPresent(cb::call))
                .register(registry);
    }

    /** The agent API's long-polls held now ({@code tiergate wait}): at its cap, a wait is answered at once. */
    public void apiWaits(Supplier<Integer> held) {
        GaugeWithCallback.builder()
                .name("tiergate_api_waits_held")
                .help("Long-polls of the agent API (tiergate wait) held now, at most 32")
                .callback(cb -> readable(() -> held.get().doubleValue()).ifPresent(cb::call))
                .register(registry);
    }

    /** Forge API calls and the last rate-limit budget the forge reported (-1: it reports none), per forge. */
    public void forges(Map<String, ApiCallCounter> counters) {
        CounterWithCallback.builder()
                .name("tiergate_forge_api_calls")
                .help("Forge API requests, by forge and kind (charged to the rate limit, or 304 not modified)")
                .labelNames("forge", "kind")
                .callback(cb -> counters.forEach((forge, c) -> {
                    cb.call(c.charged(), forge, "charged");
                    cb.call(c.notModified(), forge, "not_modified");
                }))
                .register(registry);
        GaugeWithCallback.builder()
                .name("tiergate_forge_rate_limit_remaining")
                .help("The last X-RateLimit-Remaining the forge sent; -1 when it sends none")
                .labelNames("forge")
                .callback(cb -> counters.forEach((forge, c) -> cb.call(c.rateLimitRemaining(), forge)))
                .register(registry);
    }

    /** Ready clones per repository and tier (the postgres backend's pool; empty for backends without one). */
    public void clonePools(Supplier<Map<String, Integer>> readyByTier) {
        GaugeWithCallback.builder()
                .name("tiergate_clone_pool_ready")
                .help("Ready database clones waiting to become a new branch, per repository tier (repo:tier)")
                .labelNames("tier")
                .callback(cb -> readable(readyByTier).ifPresent(m -> m.forEach((tier, n) -> cb.call(n, tier))))
                .register(registry);
    }

    /** Drift findings per repository tier ("repo:tier"), as the last drift pass recorded them (0 for none). */
    public void drift(Supplier<Map<String, Integer>> findingsByTier) {
        GaugeWithCallback.builder()
                .name("tiergate_tier_drift_findings")
                .help("Ways a tier is no longer what its migrations say, by repository tier (repo:tier), as the last"
                        + " drift pass found them (a tier not listed: none)")
                .labelNames("tier")
                .callback(cb -> readable(findingsByTier).ifPresent(m -> m.forEach((tier, n) -> cb.call(n, tier))))
                .register(registry);
    }

    /** The audit chain's head: its sequence number (the hash is in {@code tiergate audit export}). */
    public void auditHead(Supplier<Long> headSeq) {
        GaugeWithCallback.builder()
                .name("tiergate_audit_chain_head_seq")
                .help("Sequence number of the last audit record (0: empty trail)")
                .callback(cb -> readable(headSeq).ifPresent(cb::call))
                .register(registry);
    }

    /** A value read at scrape time; while the store does not answer the metric is left out rather than the scrape failing. */
    private static <T> Optional<T> readable(Supplier<T> s) {
        try {
            return Optional.ofNullable(s.get());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The text a scrape gets. */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }
}
