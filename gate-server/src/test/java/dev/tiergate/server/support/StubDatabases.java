package dev.tiergate.server.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real databases behind the cloud stand-ins' branches: each stub branch is a database on the embedded
 * PostgreSQL ({@link TestPostgres}), a child made with {@code CREATE DATABASE … TEMPLATE} of its parent's, so the
 * connection details a stub hands out connect and hold the parent's data, as a copy-on-write branch would.
 */
public final class StubDatabases {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private StubDatabases() {
    }

    public static int port() {
        return TestPostgres.server().getPort();
    }

    /** A fresh database name for a stub branch. */
    public static String newName(String hint) {
        return "stub_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet() + "_" + hint.replaceAll("[^a-z0-9]", "_");
    }

    public static void createEmpty(String db) {
        run("create database " + q(db));
    }

    /** {@code target} as a copy of {@code source} now; sessions on the source are ended first (a template must be idle). */
    public static void copy(String source, String target) {
        for (int attempt = 0; ; attempt++) {
            try (Connection c = TestPostgres.server().getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
                terminate(c, source);
                st.execute("create database " + q(target) + " template " + q(source));
                return;
            } catch (SQLException e) {
                if (!"55006".equals(e.getSQLState()) || attempt >= 5) {
                    throw new IllegalStateException("stub: cannot copy " + source + " to " + target + ": " + e.getMessage(), e);
                }
            }
        }
    }

    public static void rename(String from, String to) {
        try (Connection c = TestPostgres.server().getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            terminate(c, from);
            st.execute("alter database " + q(from) + " rename to " + q(to));
        } catch (SQLException e) {
            throw new IllegalStateException("stub: cannot rename " + from + ": " + e.getMessage(), e);
        }
    }

    public static void drop(String db) {
        run("drop database if exists " + q(db) + " with (force)");
    }

    /** A login on the embedded server, as the cloud's branch roles are (superuser here: it is a test server). */
    public static synchronized void ensureRole(String role, String password) {
        try (Connection c = TestPostgres.server().getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            try {
                st.execute("create role " + q(role) + " login superuser");
            } catch (SQLException e) {
                if (!"42710".equals(e.getSQLState())) {
                    throw e;
                }
            }
            st.execute("alter role " + q(role) + " password '" + password.replace("'", "''") + "'");
        } catch (SQLException e) {
            throw new IllegalStateException("stub: cannot make role " + role + ": " + e.getMessage(), e);
        }
    }

    private static void terminate(Connection c, String db) throws SQLException {
        try (PreparedStatement kick = c.prepareStatement(
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()")) {
            kick.setString(1, db);
            kick.execute();
        }
    }

    private static void run(String sql) {
        try (Connection c = TestPostgres.server().getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("stub: " + sql + ": " + e.getMessage(), e);
        }
    }

    private static String q(String ident) {
        return "\"" + ident.replace("\"", "\"\"") + "\"";
    }
}
