package dev.tiergate.server.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.support.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The store tells long-polls when a repository's PR views changed: a write to branches, rehearsals or merge_outcomes
 * by anyone on the store (another server included) wakes the waiters on that repository and no other; with no
 * listening connection a waiter still looks every second; closing answers every waiter.
 */
class PrViewChangesTest {
    static final RepoRef INVOICES = new RepoRef("github", "github.com", "acme/invoices");
    static final RepoRef BILLING = new RepoRef("github", "github.com", "acme/billing");
    final Database db = TestPostgres.freshStore();
    final PrViewChanges changes = new PrViewChanges(db);

    @AfterEach
    void close() {
        changes.close();
        db.close();
    }

    @Test
    void aWriteByAnotherServerWakesTheWaitersOnItsRepositoryAndNoOther() throws Exception {
        listening();
        PrViewChanges.Mark invoices = changes.mark(INVOICES);
        PrViewChanges.Mark billing = changes.mark(BILLING);
        CompletableFuture<Boolean> invoicesWoken = awaitAsync(invoices, 30);
        // another server on this store: its own connection, nothing shared with this process but the database
        sql("insert into branches (forge, repo, git_branch, db_branch, kind, state, pr_number)"
                + " values ('github', 'acme/invoices', 'pull/7', 'ci-pr-7', 'ci', 'pr-ready', 7)");
        assertTrue(invoicesWoken.get(30, TimeUnit.SECONDS), "the write woke the waiter on its repository");
        assertFalse(changes.await(billing, deadlineIn(1)), "a write to another repository wakes nobody here");

        PrViewChanges.Mark before = changes.mark(INVOICES);
        sql("insert into rehearsals (forge, repo, pr_number, head_sha, base_sha, ok)"
                + " values ('github', 'acme/invoices', 7, 'a', 'b', true)");
        assertTrue(
                changes.await(before, deadlineIn(30)),
                "a write between the mark and the wait is not missed (the mark is taken before the read)");
        before = changes.mark(INVOICES);
        sql("insert into merge_outcomes (forge, repo, pr_number, head_branch, head_sha, migration)"
                + " values ('github', 'acme/invoices', 7, 'feature/F1', 'a', 'pending')");
        assertTrue(changes.await(before, deadlineIn(30)), "merge_outcomes too");
        before = changes.mark(INVOICES);
        sql("delete from branches where forge = 'github' and repo = 'acme/invoices'");
        assertTrue(changes.await(before, deadlineIn(30)), "and a delete");
    }

    @Test
    void withNoListeningConnectionAWaiterLooksEverySecondAndClosingAnswersIt() throws Exception {
        // a store that does not answer: port 1 refuses every connection
        try (PrViewChanges unreachable = new PrViewChanges("jdbc:postgresql://127.0.0.1:1/none", "u", "p")) {
            PrViewChanges.Mark m = unreachable.mark(INVOICES);
            // true is "look again" (false would be the hour's deadline passing)
            assertTrue(unreachable.await(m, deadlineIn(3600)), "told to look again, not held to the deadline");
            assertFalse(unreachable.listening());
        }
        listening();
        CompletableFuture<Boolean> held = awaitAsync(changes.mark(INVOICES), 60);
        changes.close();
        assertFalse(held.get(30, TimeUnit.SECONDS), "a stopping server answers its held polls with what there is");
    }

    /** Waits for the listening connection: its coming up wakes every waiter once. */
    private void listening() throws InterruptedException {
        PrViewChanges.Mark m = changes.mark(INVOICES);
        while (!changes.listening()) {
            assertTrue(changes.await(m, deadlineIn(30)), "the store's listening connection comes up");
            m = changes.mark(INVOICES);
        }
    }

    private CompletableFuture<Boolean> awaitAsync(PrViewChanges.Mark m, int seconds) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return changes.await(m, deadlineIn(seconds));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static long deadlineIn(int seconds) {
        return System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }
}
