package dev.tiergate.server.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real databases behind a cloud stand-in's branches: each stub branch is a database on the stand-in's own
 * embedded cluster ({@link TestPostgres#cloud}, passwords required; one per service), a child made with {@code CREATE DATABASE …
 * TEMPLATE} of its parent's, so the connection details a stub hands out connect and hold the parent's data, as a
 * copy-on-write branch would.
 *
 * <p>A Neon or Lakebase branch is a whole PostgreSQL cluster copied from its parent: its databases with their owner
 * and privileges, and its roles with their passwords and memberships. Here every branch is one database of a single
 * cluster, so a copy keeps its parent's owner and database privileges ({@code datacl}) too; the roles are the
 * cluster's, shared by every branch (where a service keeps a catalog per branch): what a role may reach is decided by
 * the CONNECT it holds on each branch's database, which a copy carries as the service's copy carries the role.
 */
public final class StubDatabases {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Map<String, StubDatabases> SERVICES = new ConcurrentHashMap<>();
    private final TestPostgres.BranchCluster cluster;

    private StubDatabases(TestPostgres.BranchCluster cluster) {
        this.cluster = cluster;
    }

    /** The databases of one service's stand-ins ("neon", "lakebase"), on that service's cluster. */
    public static StubDatabases of(String service) {
        return SERVICES.computeIfAbsent(service, s -> new StubDatabases(TestPostgres.cloud(s)));
    }

    public int port() {
        return cluster.pg().getPort();
    }

    /** A fresh database name for a stub branch. */
    public static String newName(String hint) {
        return "stub_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet() + "_"
                + hint.replaceAll("[^a-z0-9]", "_");
    }

    /** An empty database owned by {@code owner}, as a service's first database belongs to the project owner's role. */
    public void createEmpty(String db, String owner) {
        run("create database " + q(db) + " owner " + q(owner));
    }

    /**
     * {@code target} as a copy of {@code source} now, with its owner and its database privileges; sessions on the
     * source are ended first (a template must be idle).
     */
    public void copy(String source, String target) {
        for (int attempt = 0; ; attempt++) {
            try (Connection c = admin();
                    Statement st = c.createStatement()) {
                terminate(c, source);
                st.execute(
                        "create database " + q(target) + " template " + q(source) + " owner " + q(ownerOf(c, source)));
                try (PreparedStatement acl = c.prepareStatement(
                        "update pg_database set datacl = (select datacl from pg_database where datname = ?) where datname = ?")) {
                    acl.setString(1, source);
                    acl.setString(2, target);
                    acl.executeUpdate();
                }
                return;
            } catch (SQLException e) {
                if (!"55006".equals(e.getSQLState()) || attempt >= 5) {
                    throw new IllegalStateException(
                            "stub: cannot copy " + source + " to " + target + ": " + e.getMessage(), e);
                }
            }
        }
    }

    public void rename(String from, String to) {
        try (Connection c = admin();
                Statement st = c.createStatement()) {
            terminate(c, from);
            st.execute("alter database " + q(from) + " rename to " + q(to));
        } catch (SQLException e) {
            throw new IllegalStateException("stub: cannot rename " + from + ": " + e.getMessage(), e);
        }
    }

    public void drop(String db) {
        run("drop database if exists " + q(db) + " with (force)");
    }

    /**
     * A role that cannot log in, with {@code attributes} (e.g. {@code createdb createrole}) and a member of
     * {@code memberOf}: a service's administrative role such as {@code neon_superuser}.
     */
    public synchronized void ensureGroup(String role, String attributes, String... memberOf) {
        ensure(role, "nologin nosuperuser " + attributes, memberOf);
    }

    /**
     * A login with {@code password}, {@code attributes} and the memberships given, never a superuser: a service's
     * owner role, which manages its branch through the administrative role it is a member of.
     */
    public synchronized void ensureLogin(String role, String password, String attributes, String... memberOf) {
        ensure(role, "login nosuperuser " + attributes + " password '" + password.replace("'", "''") + "'", memberOf);
    }

    /** Sets a login's password (a service that hands out a new one). */
    public synchronized void setPassword(String role, String password) {
        run("alter role " + q(role) + " password '" + password.replace("'", "''") + "'");
    }

    private void ensure(String role, String options, String... memberOf) {
        try (Connection c = admin();
                Statement st = c.createStatement()) {
            try {
                st.execute("create role " + q(role));
            } catch (SQLException e) {
                if (!"42710".equals(e.getSQLState())) {
                    throw e;
                }
            }
            st.execute("alter role " + q(role) + " " + options);
            for (String m : memberOf) {
                st.execute("grant " + q(m) + " to " + q(role));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("stub: cannot make role " + role + ": " + e.getMessage(), e);
        }
    }

    /** Statements run in database {@code db} as the cluster's superuser (what the service does inside a branch). */
    public void runIn(String db, String... statements) {
        try (Connection c = DriverManager.getConnection(cluster.jdbcBase() + db, cluster.user(), cluster.password());
                Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("stub: in " + db + ": " + e.getMessage(), e);
        }
    }

    /** Statements run in the cluster's {@code postgres} database as its superuser. */
    public void run(String... statements) {
        try (Connection c = admin();
                Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("stub: " + String.join("; ", statements) + ": " + e.getMessage(), e);
        }
    }

    private Connection admin() throws SQLException {
        return cluster.admin().getConnection();
    }

    private static String ownerOf(Connection c, String db) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("select pg_get_userbyid(datdba) from pg_database where datname = ?")) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("no database " + db, "3D000");
                }
                return rs.getString(1);
            }
        }
    }

    private static void terminate(Connection c, String db) throws SQLException {
        try (PreparedStatement kick = c.prepareStatement(
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()")) {
            kick.setString(1, db);
            kick.execute();
        }
    }

    public static String q(String ident) {
        return "\"" + ident.replace("\"", "\"\"") + "\"";
    }
}
