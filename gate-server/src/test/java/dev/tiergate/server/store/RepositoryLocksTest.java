package dev.tiergate.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.support.TestPostgres;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The two lock levels of one repository, on a real PostgreSQL: PRs judged side by side, one PR never twice at once,
 * and the repository's exclusive lock (what spans PRs) apart from all of them, both ways.
 */
class RepositoryLocksTest {
    private static final RepoRef REPO = new RepoRef("github", null, "acme/shop");
    private static final RepoRef OTHER = new RepoRef("github", null, "acme/other");

    /** Runs {@code lock} (which takes a lock and waits inside it) on another thread. */
    private static CompletableFuture<Void> hold(Runnable lock) {
        return CompletableFuture.runAsync(lock);
    }

    @Test
    void twoPullRequestsOfOneRepositoryAreJudgedSideBySide() throws Exception {
        try (Database db = TestPostgres.freshStore()) {
            BranchStore store = new BranchStore(db.dataSource());
            CountDownLatch bothInside = new CountDownLatch(2);
            Runnable judge1 = () -> store.withPullRequestLock(REPO, 1, () -> meet(bothInside));
            Runnable judge2 = () -> store.withPullRequestLock(REPO, 2, () -> meet(bothInside));
            CompletableFuture.allOf(hold(judge1), hold(judge2))
                    .get(20, TimeUnit.SECONDS); // would time out if serialised
        }
    }

    @Test
    void onePullRequestIsNeverJudgedTwiceAtOnce() throws Exception {
        try (Database db = TestPostgres.freshStore()) {
            BranchStore store = new BranchStore(db.dataSource());
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> first = hold(() -> store.withPullRequestLock(REPO, 7, () -> {
                inside.countDown();
                return waitFor(release);
            }));
            assertTrue(inside.await(20, TimeUnit.SECONDS));
            CompletableFuture<Boolean> second =
                    CompletableFuture.supplyAsync(() -> store.withPullRequestLock(REPO, 7, () -> true));
            Thread.sleep(300);
            assertFalse(second.isDone(), "the same PR's second judgement waits for the first");
            // another repository's PR 7 is another lock
            assertTrue(store.withPullRequestLock(OTHER, 7, () -> true));
            release.countDown();
            assertTrue(second.get(20, TimeUnit.SECONDS));
            first.get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void theRepositoryLockExcludesPullRequestJudgementsBothWays() throws Exception {
        try (Database db = TestPostgres.freshStore()) {
            BranchStore store = new BranchStore(db.dataSource());
            // a judgement in progress holds off what spans PRs
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> judging = hold(() -> store.withPullRequestLock(REPO, 3, () -> {
                inside.countDown();
                return waitFor(release);
            }));
            assertTrue(inside.await(20, TimeUnit.SECONDS));
            CompletableFuture<String> merge =
                    CompletableFuture.supplyAsync(() -> store.withRepoLock(REPO, () -> "merged"));
            Thread.sleep(300);
            assertFalse(merge.isDone(), "the repository's exclusive lock waits for PR judgements");
            release.countDown();
            assertEquals("merged", merge.get(20, TimeUnit.SECONDS));
            judging.get(20, TimeUnit.SECONDS);

            // and what spans PRs holds off every judgement
            CountDownLatch mergeInside = new CountDownLatch(1);
            CountDownLatch mergeRelease = new CountDownLatch(1);
            CompletableFuture<Void> merging = hold(() -> store.withRepoLock(REPO, () -> {
                mergeInside.countDown();
                return waitFor(mergeRelease);
            }));
            assertTrue(mergeInside.await(20, TimeUnit.SECONDS));
            CompletableFuture<Boolean> judgement =
                    CompletableFuture.supplyAsync(() -> store.withPullRequestLock(REPO, 4, () -> true));
            Thread.sleep(300);
            assertFalse(judgement.isDone(), "a PR judgement waits while the repository is locked");
            mergeRelease.countDown();
            assertTrue(judgement.get(20, TimeUnit.SECONDS));
            merging.get(20, TimeUnit.SECONDS);
        }
    }

    /** Counts down and waits for the others: every party inside at once, or a time-out. */
    private static Void meet(CountDownLatch latch) {
        latch.countDown();
        return waitFor(latch);
    }

    private static Void waitFor(CountDownLatch latch) {
        try {
            if (!latch.await(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException("timed out inside the lock");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }
}
