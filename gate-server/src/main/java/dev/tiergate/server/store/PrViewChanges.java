package dev.tiergate.server.store;

import dev.tiergate.server.repo.RepoRef;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.LoggerFactory;

/**
 * Which repositories' PR views changed, heard from the store itself: triggers on {@code branches}, {@code rehearsals}
 * and {@code merge_outcomes} notify {@value #CHANNEL} with "forge repo" (V13), so a write by this server or by another
 * one on the same store wakes the long-polls waiting on that repository, and nothing re-reads the store on a clock.
 *
 * <p>One connection outside the pool listens, opened at the first wait (a server nobody long-polls holds none). While
 * it is not listening (not yet connected, the store restarting) a waiter is woken every {@link #DEGRADED_LOOK_MS} to
 * look for itself, and every (re)connection wakes them all once: a write made while nobody listened is not missed.
 */
public final class PrViewChanges implements AutoCloseable {
    static final String CHANNEL = "tiergate_pr_view";
    /** How often a waiter looks for itself while no connection listens. */
    static final long DEGRADED_LOOK_MS = 1000;

    private static final int POLL_MS = 500;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    /** Notifications heard per "forge repo" key. Guarded by this. */
    private final Map<String, Long> heard = new HashMap<>();
    /** Bumped on each (re)connection: every waiter looks again. Guarded by this. */
    private long epoch;

    private boolean listening;
    private boolean closed;
    private Thread listener;

    /** Listens on the store {@code db} is. */
    public PrViewChanges(Database db) {
        this(db.jdbcUrl(), db.user(), db.password());
    }

    PrViewChanges(String jdbcUrl, String user, String password) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
    }

    /** Where a waiter stands: take it before reading the view, then {@link #await} a change after it. */
    public record Mark(String key, long heard, long epoch) {}

    /** The current mark of {@code repo}'s PR views; starts listening on the first call. */
    public synchronized Mark mark(RepoRef repo) {
        if (listener == null && !closed) {
            listener = new Thread(this::listen, "tiergate-pr-view-changes");
            listener.setDaemon(true);
            listener.start();
        }
        String key = key(repo.forge(), repo.path());
        return new Mark(key, heard.getOrDefault(key, 0L), epoch);
    }

    /**
     * Waits until something may have changed since {@code mark} (a write to the repository's PR views, a
     * reconnection, or, while not listening, {@link #DEGRADED_LOOK_MS}) or until {@code deadlineNanos} (of {@link
     * System#nanoTime}). True when the caller should look again, false when the deadline passed first.
     */
    public synchronized boolean await(Mark mark, long deadlineNanos) throws InterruptedException {
        long degradedUntil = System.nanoTime() + DEGRADED_LOOK_MS * 1_000_000;
        while (!closed) {
            if (heard.getOrDefault(mark.key(), 0L) != mark.heard() || epoch != mark.epoch()) {
                return true;
            }
            long now = System.nanoTime();
            if (now >= deadlineNanos) {
                return false;
            }
            if (!listening && now >= degradedUntil) {
                return true;
            }
            long until = listening ? deadlineNanos : Math.min(deadlineNanos, degradedUntil);
            wait(Math.max(1, (until - now) / 1_000_000));
        }
        return false; // the server is stopping: answer with what there is
    }

    /** Whether the listening connection is up (tests wait for it before writing). */
    public synchronized boolean listening() {
        return listening;
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            t = listener;
            notifyAll();
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void listen() {
        while (!isClosed()) {
            try (Connection c = connect()) {
                try (Statement s = c.createStatement()) {
                    s.execute("listen " + CHANNEL);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                connected(true);
                while (!isClosed()) {
                    PGNotification[] got = pg.getNotifications(POLL_MS);
                    if (got != null && got.length > 0) {
                        heard(got);
                    }
                }
            } catch (SQLException e) {
                if (connected(false)) {
                    LoggerFactory.getLogger(PrViewChanges.class)
                            .warn(
                                    "not listening for PR view changes ({}); long-polls look every second",
                                    e.getMessage());
                }
                if (!pause()) {
                    return;
                }
            }
        }
        connected(false);
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("connectTimeout", "3");
        p.setProperty("ApplicationName", "tiergate-pr-view-changes");
        return DriverManager.getConnection(jdbcUrl, p);
    }

    /** Records the state of the connection; true when it was listening before. Wakes every waiter either way. */
    private synchronized boolean connected(boolean now) {
        boolean was = listening;
        listening = now;
        epoch++;
        notifyAll();
        return was;
    }

    private synchronized void heard(PGNotification[] got) {
        for (PGNotification n : got) {
            heard.merge(n.getParameter(), 1L, Long::sum);
        }
        notifyAll();
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    /** Waits a second before connecting again; false when closed meanwhile. */
    private boolean pause() {
        try {
            Thread.sleep(DEGRADED_LOOK_MS);
            return !isClosed();
        } catch (InterruptedException e) {
            return false;
        }
    }

    static String key(String forge, String repo) {
        return forge + " " + repo;
    }
}
