package dev.tiergate.server.inbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.forge.ForgeException;
import dev.tiergate.server.store.Database;
import dev.tiergate.server.support.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {
    Database db;
    Inbox inbox;

    @BeforeEach
    void store() {
        db = TestPostgres.freshStore();
        inbox = new Inbox(db.dataSource());
    }

    @AfterEach
    void close() {
        db.close();
    }

    void receive(String id) {
        inbox.receive("github", id, "push", Map.of("x-github-event", "push"), "{}".getBytes(StandardCharsets.UTF_8));
    }

    String[] await(String id, String status) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            String[] s = inbox.statusOf("github", id).orElseThrow();
            if (s[0].equals(status)) {
                return s;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(id + " never reached " + status + ": "
                + String.join(",", inbox.statusOf("github", id).orElseThrow()));
    }

    /** Acknowledging first: while webhook requests are in flight a worker waits (bounded) before its next claim. */
    @Test
    void whileWebhooksAreBeingAnsweredWorkersWaitThenProcess() throws Exception {
        Set<String> processed = ConcurrentHashMap.newKeySet();
        IngestPressure pressure = new IngestPressure();
        pressure.started();
        try (WorkerPool pool = new WorkerPool(
                        inbox, Map.of("github", d -> processed.add(d.deliveryId())), 1, Duration.ofMillis(20), 3)
                .yieldingTo(pressure, Duration.ofHours(1))
                .start()) {
            receive("during-burst");
            pool.wakeUp();
            Thread.sleep(500);
            assertEquals(
                    "received",
                    inbox.statusOf("github", "during-burst").orElseThrow()[0],
                    "not claimed while a webhook request is in flight");
            pressure.finished();
            await("during-burst", "done");
            assertEquals(Set.of("during-burst"), processed);
        }
    }

    @Test
    void theWaitIsBoundedSoASteadyStreamOfWebhooksNeverStopsProcessing() throws Exception {
        IngestPressure neverIdle = new IngestPressure();
        neverIdle.started();
        try (WorkerPool pool = new WorkerPool(inbox, Map.of("github", d -> {}), 1, Duration.ofMillis(20), 3)
                .yieldingTo(neverIdle, Duration.ofMillis(20))
                .start()) {
            for (int i = 0; i < 5; i++) {
                receive("steady-" + i);
            }
            pool.wakeUp();
            for (int i = 0; i < 5; i++) {
                await("steady-" + i, "done");
            }
        }
    }

    @Test
    void failingDeliveryIsRetriedWithBackoffThenParkedWithItsReason() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        DeliveryProcessor flaky = d -> {
            calls.incrementAndGet();
            throw new IllegalStateException(
                    "the policy cannot be read: answered 502 by something that is not the forge");
        };
        try (WorkerPool pool = new WorkerPool(inbox, Map.of("github", flaky), 1, Duration.ofMillis(20), 3).start()) {
            receive("flaky");
            pool.wakeUp();
            String[] s = await("flaky", "parked");
            assertEquals("3", s[2]);
            assertTrue(s[1].contains("answered 502"), s[1]);
            assertEquals(3, calls.get());
        }
    }

    /**
     * A processor that overflows its stack (a hostile policy did, issue 24) does not end the worker: the delivery is
     * parked with the Error at its first attempt, since a retry would stop the next worker too, and the same worker
     * takes the next delivery.
     */
    @Test
    void anErrorIsParkedAtOnceWithItsReasonAndTheWorkerGoesOnToTheNextDelivery() throws Exception {
        AtomicInteger overflowCalls = new AtomicInteger();
        Set<String> processed = ConcurrentHashMap.newKeySet();
        DeliveryProcessor hostile = d -> {
            if (d.deliveryId().equals("overflow")) {
                overflowCalls.incrementAndGet();
                descend(0);
            }
            processed.add(d.deliveryId());
        };
        try (WorkerPool pool = new WorkerPool(inbox, Map.of("github", hostile), 1, Duration.ofMillis(20), 3).start()) {
            receive("overflow");
            receive("after");
            pool.wakeUp();
            String[] s = await("overflow", "parked");
            assertEquals("1", s[2], "an Error is not retried");
            assertTrue(s[1].startsWith("StackOverflowError (an Error: parked, not retried"), s[1]);
            await("after", "done");
            assertEquals(Set.of("after"), processed);
            assertEquals(1, overflowCalls.get());
            assertEquals(1, pool.alive(), "the worker lives on");
            assertEquals(Optional.empty(), pool.problem());
        }
    }

    private static int descend(int depth) {
        return descend(depth + 1) + 1;
    }

    @Test
    void aDeliveryProcessedPastTheDeadlineMakesThePoolUnhealthyUntilItIsDone() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        DeliveryProcessor stuck = d -> release.await();
        try (WorkerPool pool = new WorkerPool(inbox, Map.of("github", stuck), 1, Duration.ofMillis(20), 3)
                .stuckAfter(Duration.ofMillis(300))
                .start()) {
            receive("stuck");
            pool.wakeUp();
            await("stuck", "processing");
            long deadline = System.currentTimeMillis() + 10_000;
            while (pool.problem().isEmpty()) {
                assertTrue(
                        System.currentTimeMillis() < deadline,
                        "no problem reported for a delivery processing past its deadline");
                Thread.sleep(20);
            }
            String problem = pool.problem().orElseThrow();
            assertTrue(
                    problem.startsWith("delivery github stuck (push) has been processing for ")
                            && problem.contains("on tiergate-worker-0")
                            && problem.endsWith("past the 300 ms deadline"),
                    problem);
            release.countDown();
            await("stuck", "done");
            assertEquals(Optional.empty(), pool.problem());
        }
    }

    @Test
    void aPoolWithNoWorkerAliveSaysSo() {
        WorkerPool pool = new WorkerPool(inbox, Map.of(), 1, Duration.ofMillis(20), 3).start();
        assertEquals(Optional.empty(), pool.problem());
        pool.close();
        assertEquals(Optional.of("no worker thread is alive"), pool.problem());
        assertEquals(
                Optional.of("no worker thread (TIERGATE_WORKERS is 0)"),
                new WorkerPool(inbox, Map.of(), 0, Duration.ofMillis(20), 3).problem());
        assertEquals(
                Duration.ofMinutes(10),
                WorkerPool.DELIVERY_DEADLINE,
                "a delivery runs no repository SQL: ten minutes is stuck");
    }

    @Test
    void aForgeThatIsDownOrRateLimitingIsWaitedForPastMaxAttemptsNotParked() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        DeliveryProcessor forgeDownThenUp = d -> {
            int n = calls.incrementAndGet();
            if (n <= 3) {
                throw new ForgeException("GET /repos/o/r/pulls/1 answered 502", true);
            }
            if (n <= 5) {
                throw new ForgeException("GET /repos/o/r/pulls/1 answered 429", true, null, Duration.ofMillis(30));
            }
        };
        try (WorkerPool pool =
                new WorkerPool(inbox, Map.of("github", forgeDownThenUp), 1, Duration.ofMillis(10), 2).start()) {
            receive("outage");
            pool.wakeUp();
            String[] s = await("outage", "done");
            assertEquals("6", s[2], "five failures waited out with maxAttempts 2, then done");
            assertEquals(6, calls.get());
        }
    }

    @Test
    void retryDelaysAreSpreadByJitterAboveTheBackoffAndAboveWhatTheForgeAskedFor() {
        WorkerPool pool = new WorkerPool(inbox, Map.of(), 0, Duration.ofSeconds(1), 6);
        Set<Duration> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            Duration d = pool.retryDelay(3, null);
            assertTrue(
                    d.compareTo(Duration.ofSeconds(4)) >= 0 && d.compareTo(Duration.ofSeconds(5)) <= 0, d.toString());
            seen.add(d);
            Duration asked = pool.retryDelay(1, Duration.ofSeconds(90));
            assertTrue(
                    asked.compareTo(Duration.ofSeconds(90)) >= 0 && asked.compareTo(Duration.ofMillis(112_500)) <= 0,
                    asked.toString());
        }
        assertTrue(seen.size() > 50, "200 delays of the same attempt took only " + seen.size() + " values");
    }

    @Test
    void transientFailureRecovers() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        DeliveryProcessor onceBad = d -> {
            if (calls.incrementAndGet() == 1) {
                throw new ForgeException("timeout", true);
            }
        };
        try (WorkerPool pool = new WorkerPool(inbox, Map.of("github", onceBad), 1, Duration.ofMillis(20), 5).start()) {
            receive("once");
            assertEquals("2", await("once", "done")[2]);
        }
    }

    @Test
    void clientErrorFromForgeIsParkedAtOnce() throws Exception {
        DeliveryProcessor notFound = d -> {
            throw new ForgeException("GET /repos/o/r answered 404", false);
        };
        try (WorkerPool pool = new WorkerPool(inbox, Map.of("github", notFound), 1, Duration.ofMillis(20), 5).start()) {
            receive("nf");
            assertEquals("1", await("nf", "parked")[2]);
        }
    }

    @Test
    void deliveryLeftProcessingByACrashedWorkerIsClaimedAgain() throws Exception {
        receive("crashed");
        assertTrue(inbox.claimNext(Duration.ofMillis(1)).isPresent()); // a worker took it, then died
        Thread.sleep(50); // lease runs out
        Set<String> seen = ConcurrentHashMap.newKeySet();
        try (WorkerPool pool = new WorkerPool(
                        inbox, Map.of("github", d -> seen.add(d.deliveryId())), 1, Duration.ofMillis(20), 5)
                .start()) {
            await("crashed", "done");
        }
        assertEquals(Set.of("crashed"), seen);
    }

    @Test
    void twoPoolsSharingTheDatabaseProcessEachDeliveryExactlyOnce() throws Exception {
        Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        DeliveryProcessor count = d ->
                counts.computeIfAbsent(d.deliveryId(), k -> new AtomicInteger()).incrementAndGet();
        for (int i = 0; i < 200; i++) {
            receive("d" + i);
        }
        try (WorkerPool a = new WorkerPool(inbox, Map.of("github", count), 3, Duration.ofMillis(20), 5).start();
                WorkerPool b = new WorkerPool(
                                new Inbox(db.dataSource()), Map.of("github", count), 3, Duration.ofMillis(20), 5)
                        .start()) {
            long deadline = System.currentTimeMillis() + 30_000;
            while (inbox.pendingCount() > 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
        }
        assertEquals(200, counts.size());
        assertTrue(counts.values().stream().allMatch(c -> c.get() == 1), counts.toString());
        try (Connection c = db.dataSource().getConnection();
                Statement st = c.createStatement();
                var rs = st.executeQuery("select count(*) from inbox where status = 'done'")) {
            rs.next();
            assertEquals(200, rs.getInt(1));
        }
    }

    @Test
    void aRateLimitedForgeSetsTheRetryDelayNeverShorterThanItAsked() {
        WorkerPool pool = new WorkerPool(null, Map.of(), 0, java.time.Duration.ofSeconds(1), 5);
        assertBetween(java.time.Duration.ofSeconds(4), pool.retryDelay(3, null));
        assertBetween(java.time.Duration.ofSeconds(90), pool.retryDelay(1, java.time.Duration.ofSeconds(90)));
        assertBetween(
                java.time.Duration.ofMinutes(10), pool.retryDelay(30, null)); // capped at ten minutes, plus jitter
        assertBetween(
                java.time.Duration.ofSeconds(4),
                pool.retryDelay(3, java.time.Duration.ofMillis(10))); // a shorter hint keeps the backoff
    }

    /** {@code actual} is {@code backoff} plus a jitter of at most a quarter of it. */
    static void assertBetween(Duration backoff, Duration actual) {
        assertTrue(
                actual.compareTo(backoff) >= 0 && actual.compareTo(backoff.plus(backoff.dividedBy(4))) <= 0,
                actual + " is not within [" + backoff + ", " + backoff.plus(backoff.dividedBy(4)) + "]");
    }

    @Test
    void aWorkerStillProcessingKeepsItsClaimAndADeadOnesIsTakenBackWithinTheLease() throws Exception {
        Duration lease = Duration.ofMillis(300);
        receive("long");
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger otherPool = new AtomicInteger();
        DeliveryProcessor slow = d -> {
            inside.countDown();
            release.await();
        };
        try (WorkerPool busy =
                new WorkerPool(inbox, Map.of("github", slow), 1, Duration.ofMillis(20), 5, lease).start()) {
            assertTrue(inside.await(10, TimeUnit.SECONDS));
            try (WorkerPool other = new WorkerPool(
                            new Inbox(db.dataSource()),
                            Map.of("github", d -> otherPool.incrementAndGet()),
                            1,
                            Duration.ofMillis(20),
                            5,
                            lease)
                    .start()) {
                // five lease lengths: without the heartbeat the other pool would have taken it long before
                long until = System.currentTimeMillis() + 5 * lease.toMillis();
                while (System.currentTimeMillis() < until) {
                    assertEquals(0, otherPool.get(), "a delivery still being processed was claimed by another worker");
                    Thread.sleep(20);
                }
                release.countDown();
                assertEquals("1", await("long", "done")[2]);
            }
        }
        assertEquals(0, otherPool.get());
        assertTrue(
                WorkerPool.DEFAULT_LEASE.compareTo(Duration.ofSeconds(30)) <= 0,
                "a dead worker's delivery waits at most 30 s");
    }
}
