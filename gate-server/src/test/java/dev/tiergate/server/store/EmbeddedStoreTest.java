package dev.tiergate.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.config.ServerConfig;
import dev.tiergate.server.embedded.ClusterInUseException;
import dev.tiergate.server.support.ChildServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedStoreTest {
    @Test
    void aServerKilledWithSigkillStartsAgainAtTheFirstAttempt(@TempDir Path home) throws Exception {
        Map<String, String> env = Map.of("TIERGATE_GITHUB_WEBHOOK_SECRET", "s3cret");
        try (ChildServer first = new ChildServer(home, env)) {
            first.awaitListening(60_000);
            first.kill9();
        }
        Path pid = home.resolve("pg/data/postmaster.pid");
        assertTrue(Files.exists(pid), "the killed server's PostgreSQL should have outlived it");
        long orphan = Long.parseLong(Files.readAllLines(pid).get(0).strip());
        assertTrue(ProcessHandle.of(orphan).map(ProcessHandle::isAlive).orElse(false), "orphaned postmaster " + orphan);
        long t0 = System.nanoTime();
        try (ChildServer second = new ChildServer(home, env)) {
            second.awaitListening(30_000);
            System.out.printf("restart after kill -9: listening after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            assertTrue(
                    second.output()
                            .contains(
                                    "stopping the PostgreSQL (pid " + orphan + ") that a killed tiergate left running"),
                    second.output());
            assertTrue(ProcessHandle.of(orphan).map(p -> !p.isAlive()).orElse(true));
        }
        // binaries under TIERGATE_HOME, not a shared temporary folder
        try (Stream<Path> s = Files.list(home.resolve("pg/bin"))) {
            assertTrue(
                    s.anyMatch(p -> Files.isExecutable(p.resolve("bin/postgres"))), "postgres binaries under " + home);
        }
        assertTrue(!Files.exists(pid), "a clean stop removes postmaster.pid");
    }

    @Test
    void theStoreIsDurableLoopbackOnlyAsksForAPasswordAndIsRefusedToASecondServer(@TempDir Path home) throws Exception {
        ServerConfig cfg = ServerConfig.fromEnvironment(Map.of("TIERGATE_HOME", home.toString()), null);
        try (Database db = Database.open(cfg)) {
            try (Connection c = db.dataSource().getConnection();
                    Statement st = c.createStatement()) {
                assertEquals("on", show(st, "fsync"));
                assertEquals("on", show(st, "synchronous_commit"));
                assertEquals("on", show(st, "full_page_writes"));
                assertEquals("localhost", show(st, "listen_addresses"));
                assertEquals("", show(st, "unix_socket_directories"));
            }
            SQLException noPassword = assertThrows(
                    SQLException.class,
                    () -> DriverManager.getConnection(db.jdbcUrl(), "postgres", null)
                            .close());
            assertTrue(noPassword.getMessage().contains("password"), noPassword.getMessage());
            assertThrows(
                    SQLException.class,
                    () -> DriverManager.getConnection(db.jdbcUrl(), "postgres", "wrong")
                            .close());
            Path pw = home.resolve("pg/password");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pw)));
            assertTrue(!Files.readString(home.resolve("pg/data/pg_hba.conf")).contains("trust"));

            ClusterInUseException refused = assertThrows(
                    ClusterInUseException.class, () -> Database.open(cfg).close());
            assertTrue(
                    refused.getMessage()
                            .startsWith("the embedded PostgreSQL under " + home.resolve("pg/data")
                                    + " belongs to another running tiergate"),
                    refused.getMessage());
            assertTrue(refused.getMessage().endsWith("stop that server first, or give this one another TIERGATE_HOME"));
        }
    }

    private static String show(Statement st, String setting) throws SQLException {
        try (ResultSet rs = st.executeQuery("show " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
