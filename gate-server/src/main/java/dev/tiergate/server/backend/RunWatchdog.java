package dev.tiergate.server.backend;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link MigrationSession}'s watchdog, a thread for the run's lifetime: from a connection of its own (the admin's on the {@code postgres} backend, so
 * nothing the run does can refuse it), twice a second it compares the clock with the deadline and, every second, the
 * database's size with its bound. At the deadline the run's sessions get {@code pg_cancel_backend}, and
 * {@code pg_terminate_backend} {@link #GRACE} later (a PL/pgSQL handler can catch a cancel, not a terminate); over
 * the size bound they are terminated at once. Its queries are tiergate's own, with the role and database as parameters.
 *
 * <p>Where the watchdog logs in as the run's own role (the cloud backends), the run can end the watchdog's session:
 * the watchdog then opens another at its next tick, and the deadline is decided by the clock here, not by the
 * session. What a run could still hold past that, one statement that never returns, the run's own connection bounds
 * on the client's side ({@link BranchConnection#withSocketTimeout}, the deadline plus {@link #CLIENT_SLACK}).
 */
public final class RunWatchdog implements MigrationSession {
    private static final Logger LOG = LoggerFactory.getLogger(RunWatchdog.class);
    static final Duration TICK = Duration.ofMillis(500);
    static final Duration GRACE = Duration.ofSeconds(3);
    /** After the deadline and the grace, how long a statement's client still waits for the server. */
    static final Duration CLIENT_SLACK = Duration.ofSeconds(10);

    /** Opens the watchdog's own connection. */
    @FunctionalInterface
    public interface Controller {
        Connection open() throws SQLException;
    }

    private final BranchConnection login;
    private final Controller opener;
    private Connection controller;
    private final String database;
    private final String role;
    private final RunLimits limits;
    private final long deadline;
    private final Runnable after;
    private final Thread ticking;
    private volatile boolean closed;
    private volatile RunStop stopped;
    private long cancelledAt;
    private int ticks;

    private RunWatchdog(
            BranchConnection login,
            Controller opener,
            Connection controller,
            String database,
            String role,
            RunLimits limits,
            Runnable after) {
        this.login = login.withSocketTimeout(limits.deadline().plus(GRACE).plus(CLIENT_SLACK));
        this.opener = opener;
        this.controller = controller;
        this.database = database;
        this.role = role;
        this.limits = limits;
        this.after = after;
        this.deadline = System.nanoTime() + limits.deadline().toNanos();
        // a thread of its own for as long as the run lasts: nothing is left running once every run has ended
        this.ticking = new Thread(this::watch, "tiergate-run-watchdog-" + database);
        ticking.setDaemon(true);
        ticking.start();
    }

    private void watch() {
        while (!closed) {
            try {
                Thread.sleep(TICK.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            if (!closed) {
                tick();
            }
        }
    }

    /**
     * Starts watching the sessions of {@code role} on {@code database}; {@code login} is what the run connects with,
     * {@code after} what closing the session does once the watchdog stopped (null: nothing).
     */
    public static RunWatchdog start(
            BranchConnection login,
            Controller controller,
            String database,
            String role,
            RunLimits limits,
            Runnable after) {
        Connection c;
        try {
            c = controller.open();
        } catch (SQLException e) {
            throw new BackendException("cannot watch a run on " + database + ": " + e.getMessage(), e);
        }
        try {
            if (!lock(c, database)) {
                throw new BackendException(
                        "another run is under way on " + database + " (its watchdog holds the database's run lock);"
                                + " this one is tried again later",
                        null);
            }
        } catch (SQLException | RuntimeException e) {
            try {
                c.close();
            } catch (SQLException closing) {
                e.addSuppressed(closing);
            }
            throw e instanceof BackendException b
                    ? b
                    : new BackendException("cannot take the run lock of " + database + ": " + e.getMessage(), e);
        }
        return new RunWatchdog(login, controller, c, database, role, limits, after == null ? () -> {} : after);
    }

    /**
     * One run at a time on a database, whoever asks (another worker whose claim of the same run came after a lease
     * ran out, another server): a session-level advisory lock on the watchdog's session, which lives exactly as long
     * as the run. The run's SQL cannot release it, as advisory locks belong to the session that took them.
     */
    private static boolean lock(Connection c, String database) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select pg_catalog.pg_try_advisory_lock(pg_catalog.hashtext('tiergate.run'), pg_catalog.hashtext(?))")) {
            ps.setQueryTimeout(5);
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private static void unlock(Connection c, String database) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select pg_catalog.pg_advisory_unlock(pg_catalog.hashtext('tiergate.run'), pg_catalog.hashtext(?))")) {
            ps.setQueryTimeout(5);
            ps.setString(1, database);
            ps.execute();
        }
    }

    @Override
    public BranchConnection connection() {
        return login;
    }

    /**
     * Why the watchdog ended the run, if it did. Asked after the run, it measures the database once more: a run that
     * wrote past the bound between two ticks and finished is over its bound all the same.
     */
    @Override
    public synchronized Optional<RunStop> stopped() {
        if (stopped == null && limits.maxBytes() > 0 && !closed) {
            try {
                if (size() > limits.maxBytes()) {
                    stopped = RunStop.SIZE;
                }
            } catch (SQLException e) {
                LOG.warn("run watchdog on {}: {}", database, e.getMessage());
            }
        }
        return Optional.ofNullable(stopped);
    }

    private synchronized void tick() {
        try {
            long now = System.nanoTime();
            if (stopped == null && limits.maxBytes() > 0 && ticks++ % 2 == 0 && size() > limits.maxBytes()) {
                stopped = RunStop.SIZE;
                signal("pg_terminate_backend");
                return;
            }
            if (stopped == null && now >= deadline) {
                stopped = RunStop.DEADLINE;
                cancelledAt = now;
                signal("pg_cancel_backend");
            } else if (stopped == RunStop.SIZE || stopped == RunStop.DEADLINE && now - cancelledAt >= GRACE.toNanos()) {
                signal("pg_terminate_backend"); // what a cancel did not end, and whatever the run opened since
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warn("run watchdog on {}: {}", database, e.getMessage());
            reconnect(); // the session may have been ended under it: the next tick signals from a new one
        }
    }

    private void reconnect() {
        try {
            controller.close();
        } catch (SQLException e) {
            // the old session is gone or going: nothing to keep
        }
        try {
            controller = opener.open();
            if (!lock(controller, database)) {
                LOG.warn(
                        "run watchdog on {}: its run lock went with the session it lost, and another session holds it now",
                        database);
            }
        } catch (SQLException e) {
            LOG.warn("run watchdog on {}: cannot open a new session: {}", database, e.getMessage());
        }
    }

    private long size() throws SQLException {
        try (PreparedStatement ps = controller.prepareStatement("select pg_catalog.pg_database_size(?)")) {
            ps.setQueryTimeout(5);
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private void signal(String function) throws SQLException {
        try (PreparedStatement ps =
                controller.prepareStatement("select pg_catalog." + function + "(pid) from pg_catalog.pg_stat_activity"
                        + " where usename = ? and datname = ? and pid <> pg_catalog.pg_backend_pid()")) {
            ps.setQueryTimeout(5);
            ps.setString(1, role);
            ps.setString(2, database);
            ps.execute();
        }
    }

    @Override
    public void close() {
        closed = true;
        ticking.interrupt();
        synchronized (this) { // a tick under way finishes first
            try {
                unlock(controller, database); // a pooled session goes back to its pool without the lock
            } catch (SQLException e) {
                LOG.warn("run watchdog on {}: cannot release the run lock: {}", database, e.getMessage());
                try {
                    controller.abort(Runnable::run); // not back into a pool still holding it
                } catch (SQLException aborting) {
                    // the session is gone, and its lock with it
                }
            }
            try {
                controller.close();
            } catch (SQLException e) {
                // the watchdog's own connection: nothing to keep
            }
        }
        after.run();
    }
}
