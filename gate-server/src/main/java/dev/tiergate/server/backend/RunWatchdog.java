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
 */
public final class RunWatchdog implements MigrationSession {
    private static final Logger LOG = LoggerFactory.getLogger(RunWatchdog.class);
    static final Duration TICK = Duration.ofMillis(500);
    static final Duration GRACE = Duration.ofSeconds(3);

    /** Opens the watchdog's own connection. */
    @FunctionalInterface
    public interface Controller {
        Connection open() throws SQLException;
    }

    private final BranchConnection login;
    private final Connection controller;
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

    private RunWatchdog(BranchConnection login, Connection controller, String database, String role, RunLimits limits, Runnable after) {
        this.login = login;
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
    public static RunWatchdog start(BranchConnection login, Controller controller, String database, String role, RunLimits limits,
                                    Runnable after) {
        Connection c;
        try {
            c = controller.open();
        } catch (SQLException e) {
            throw new BackendException("cannot watch a run on " + database + ": " + e.getMessage(), e);
        }
        return new RunWatchdog(login, c, database, role, limits, after == null ? () -> { } : after);
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
        try (PreparedStatement ps = controller.prepareStatement("select pg_catalog." + function + "(pid) from pg_catalog.pg_stat_activity"
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
                controller.close();
            } catch (SQLException e) {
                // the watchdog's own connection: nothing to keep
            }
        }
        after.run();
    }
}
