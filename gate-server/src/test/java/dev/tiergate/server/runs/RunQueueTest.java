package dev.tiergate.server.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.Database;
import dev.tiergate.server.support.TestPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The run queue on a real store: asked once, one repository's runs at a time, others not held up, leases, retries. */
class RunQueueTest {
    static final RepoRef A = new RepoRef("github", null, "acme/a");
    static final RepoRef B = new RepoRef("github", null, "acme/b");
    Database db;
    RunQueue queue;

    @BeforeEach
    void setUp() {
        db = TestPostgres.freshStore();
        queue = new RunQueue(db.dataSource(), 1);
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    static Run rehearsal(RepoRef repo, long pr, String head) {
        return Run.of(RunKind.REHEARSAL, repo, "pull/" + pr, head + ":base", Map.of("head", head));
    }

    @Test
    void theSameRunAskedTwiceWhileItWaitsOrRunsIsOneRun() {
        assertTrue(queue.enqueue(rehearsal(A, 1, "h1")));
        assertFalse(queue.enqueue(rehearsal(A, 1, "h1")), "waiting: the same run");
        assertTrue(queue.enqueue(rehearsal(A, 1, "h2")), "another head is another run");
        Run first = queue.claim(Duration.ofSeconds(30), 3).orElseThrow();
        assertFalse(queue.enqueue(rehearsal(A, 1, "h1")), "running: still the same run");
        queue.done(first);
        assertTrue(queue.enqueue(rehearsal(A, 1, "h1")), "done: asked again, run again");
    }

    @Test
    void aRepositoryWithARunUnderWayWaitsAndAnotherRepositoryGoesOn() {
        queue.enqueue(rehearsal(A, 1, "a1"));
        queue.enqueue(rehearsal(A, 2, "a2"));
        queue.enqueue(rehearsal(B, 1, "b1"));
        Run a1 = queue.claim(Duration.ofSeconds(30), 3).orElseThrow();
        assertEquals(A, a1.repo());
        Run next = queue.claim(Duration.ofSeconds(30), 3).orElseThrow();
        assertEquals(B, next.repo(), "A's second run waits for its first; B's goes ahead of it");
        assertEquals(Optional.empty(), queue.claim(Duration.ofSeconds(30), 3));
        queue.done(a1);
        assertEquals(
                "pull/2", queue.claim(Duration.ofSeconds(30), 3).orElseThrow().subject());
    }

    @Test
    void aRunWhoseWorkerDiedIsClaimedAgainWhenItsLeaseRunsOut() throws Exception {
        queue.enqueue(rehearsal(A, 1, "a1"));
        Run first = queue.claim(Duration.ofMillis(200), 3).orElseThrow();
        assertEquals(Optional.empty(), queue.claim(Duration.ofSeconds(30), 3));
        Thread.sleep(400);
        Run again = queue.claim(Duration.ofSeconds(30), 3).orElseThrow();
        assertEquals(first.id(), again.id());
        assertEquals(2, again.attempts());
    }

    /** A worker whose lease ran out (a pause, a slow store) and whose run was claimed again changes nothing of the new claim's. */
    @Test
    void aClaimThatLostItsLeaseCannotRenewFinishOrFailTheRunItLost() throws Exception {
        queue.enqueue(rehearsal(A, 1, "a1"));
        Run stale = queue.claim(Duration.ofMillis(200), 3).orElseThrow();
        Thread.sleep(400);
        Run current = queue.claim(Duration.ofSeconds(30), 3).orElseThrow();
        assertFalse(queue.renew(stale, Duration.ofSeconds(30)), "the stale claim renewed a lease that is another's");
        queue.done(stale);
        queue.failed(stale, "the stale worker's failure");
        queue.retryLater(stale, "the stale worker's retry", Duration.ZERO);
        assertEquals(
                "running",
                queue.latest(A, RunKind.REHEARSAL, "pull/1").orElseThrow()[0],
                "the stale claim changed the run");
        assertTrue(queue.renew(current, Duration.ofSeconds(30)));
        queue.done(current);
        assertEquals("done", queue.latest(A, RunKind.REHEARSAL, "pull/1").orElseThrow()[0]);
    }

    /** The reconcile pass's repair: a run failed for good is queued again once, and not while the same run waits. */
    @Test
    void aRunThatFailedForGoodCanBeAskedForAgainOnce() {
        assertFalse(queue.pendingFor(A));
        queue.enqueue(rehearsal(A, 1, "a1"));
        assertTrue(queue.pendingFor(A));
        assertFalse(queue.pendingFor(B), "another repository's run is not this one's");
        Run claim = queue.claim(Duration.ofSeconds(30), 3).orElseThrow();
        assertFalse(queue.askAgainIfFailed(A, RunKind.REHEARSAL, "pull/1", "a1:base"), "running, not failed");
        queue.failed(claim, "the forge answered 502");
        assertFalse(queue.pendingFor(A));
        assertFalse(queue.askAgainIfFailed(A, RunKind.REHEARSAL, "pull/1", "another:base"), "another head's run");
        assertTrue(queue.askAgainIfFailed(A, RunKind.REHEARSAL, "pull/1", "a1:base"));
        assertFalse(queue.askAgainIfFailed(A, RunKind.REHEARSAL, "pull/1", "a1:base"), "it waits already");
        Run again = queue.claim(Duration.ofSeconds(30), 3).orElseThrow();
        assertEquals(claim.id(), again.id());
        assertEquals(1, again.attempts(), "its attempts start again");
    }

    /** A run that a server died in at every attempt (it may be what kills it) is failed, not claimed for ever. */
    @Test
    void aRunWhoseLeaseRanOutAtEveryAttemptIsFailedNotClaimedAgain() throws Exception {
        queue.enqueue(rehearsal(A, 1, "a1"));
        for (int attempt = 1; attempt <= 3; attempt++) {
            assertEquals(
                    attempt,
                    queue.claim(Duration.ofMillis(100), 3).orElseThrow().attempts());
            Thread.sleep(250);
        }
        assertEquals(Optional.empty(), queue.claim(Duration.ofSeconds(30), 3));
        String[] latest = queue.latest(A, RunKind.REHEARSAL, "pull/1").orElseThrow();
        assertEquals("failed", latest[0]);
        assertEquals("the server stopped during each of its 3 attempts", latest[1]);
    }

    @Test
    void twoClaimersNeverRunOneRepositoryTwiceAtOnce() throws Exception {
        for (int i = 0; i < 20; i++) {
            queue.enqueue(rehearsal(A, i, "a" + i));
        }
        List<Run> claimed = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                try {
                    go.await();
                    queue.claim(Duration.ofSeconds(30), 3).ifPresent(claimed::add);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            th.start();
            threads.add(th);
        }
        go.countDown();
        for (Thread th : threads) {
            th.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertEquals(1, claimed.size(), "one run of the repository at a time: " + claimed);
    }

    @Test
    void workersCarryOutRunsRetryWhatThrowsAndSurviveAnError() throws Exception {
        List<String> done = Collections.synchronizedList(new ArrayList<>());
        RunExecutor executor = run -> {
            if (run.subject().equals("pull/1") && run.attempts() == 1) {
                throw new IllegalStateException("the forge answered 502");
            }
            if (run.subject().equals("pull/2")) {
                throw new StackOverflowError("a policy nested too deep");
            }
            done.add(run.subject() + "#" + run.attempts());
        };
        try (RunWorkers workers = new RunWorkers(queue, Map.of("github", executor), 2, Duration.ofMillis(50)).start()) {
            queue.enqueue(rehearsal(A, 1, "a1"));
            queue.enqueue(rehearsal(B, 2, "b2"));
            queue.enqueue(rehearsal(B, 3, "b3"));
            workers.wakeUp();
            long deadline = System.currentTimeMillis() + 20_000;
            while (queue.pendingCount() > 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(0, queue.pendingCount());
            assertTrue(done.contains("pull/1#2"), "retried after the 502: " + done);
            assertTrue(done.contains("pull/3#1"), "the worker that met the Error went on: " + done);
            assertEquals("failed", queue.latest(B, RunKind.REHEARSAL, "pull/2").orElseThrow()[0]);
            assertTrue(queue.latest(B, RunKind.REHEARSAL, "pull/2")
                    .orElseThrow()[1]
                    .contains("StackOverflowError"));
            assertTrue(workers.alive());
        }
    }
}
