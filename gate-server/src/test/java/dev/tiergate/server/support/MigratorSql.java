package dev.tiergate.server.support;

import dev.tiergate.server.backend.BackendException;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.backend.MigrationSession;
import dev.tiergate.server.backend.RunLimits;
import dev.tiergate.server.repo.RepoRef;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * SQL a test runs as a branch's migration role, the way tiergate runs a migration: inside a run
 * ({@link BranchBackend#openRun}), since the role logs in only while one is open. A run the server has under way on
 * the same database holds its run lock: the test waits for it (up to a minute).
 */
public final class MigratorSql {
    private static final Duration WAIT = Duration.ofMinutes(1);

    private MigratorSql() {}

    /** A run on {@code branch}, waiting while another holds the database. */
    public static MigrationSession open(BranchBackend backend, RepoRef repo, String branch) {
        long until = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return backend.openRun(repo, branch, RunLimits.deadline(Duration.ofMinutes(10)));
            } catch (BackendException e) {
                if (!String.valueOf(e.getMessage()).contains("another run is under way") || System.nanoTime() > until) {
                    throw e;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** A connection as the migration role; closing it ends the run. */
    public static Connection connect(BranchBackend backend, RepoRef repo, String branch) throws SQLException {
        MigrationSession run = open(backend, repo, branch);
        Connection c;
        try {
            c = DriverManager.getConnection(
                    run.connection().jdbcUrl(),
                    run.connection().user(),
                    run.connection().password());
        } catch (SQLException | RuntimeException e) {
            run.close();
            throw e;
        }
        return (Connection) Proxy.newProxyInstance(
                MigratorSql.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("close") && method.getParameterCount() == 0) {
                        try {
                            c.close();
                        } finally {
                            run.close();
                        }
                        return null;
                    }
                    try {
                        return method.invoke(c, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** Runs {@code sql} as the migration role of {@code branch}. */
    public static void execute(BranchBackend backend, RepoRef repo, String branch, String sql) throws SQLException {
        try (Connection c = connect(backend, repo, branch);
                Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
