package dev.tiergate.server.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded PostgreSQL under one folder: the store's ({@code TIERGATE_HOME/pg}) or the branch cluster's
 * ({@code TIERGATE_HOME/branch-pg}), kept apart so no migration tiergate runs shares a server with its store.
 * Binaries unpacked under {@code <dir>/bin} (not a shared temporary folder), data in {@code <dir>/data}, durable ({@code fsync}, {@code synchronous_commit} on), loopback only,
 * no Unix socket, and the {@code postgres} role's password in {@code <dir>/password} (0600) with scram-sha-256 required
 * for every connection. A {@code postmaster.pid} left by a killed server is recognised: the orphaned PostgreSQL is
 * stopped and the store started again; one that belongs to a running tiergate is refused.
 */
public final class EmbeddedCluster {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedCluster.class);
    public static final String USER = "postgres";
    private static final String HBA = """
            # written by tiergate: a password for every connection, loopback only
            local all all scram-sha-256
            host  all all 127.0.0.1/32 scram-sha-256
            host  all all ::1/128 scram-sha-256
            """;

    private EmbeddedCluster() {}

    public static EmbeddedPostgres start(Path pgDir) throws IOException {
        return start(pgDir, Map.of());
    }

    /** As {@link #start(Path)}, with more server settings ({@code max_connections} for the branch cluster). */
    public static EmbeddedPostgres start(Path pgDir, Map<String, String> settings) throws IOException {
        Files.createDirectories(pgDir);
        restrictToOwner(pgDir);
        Path data = pgDir.resolve("data");
        String password = password(pgDir);
        stopOrphanedPostmaster(data);
        EmbeddedPostgres.Builder b;
        Path work = pgDir.resolve("bin");
        Files.createDirectories(work);
        synchronized (EmbeddedCluster.class) {
            // zonky also creates and sweeps a "parent" working folder, java.io.tmpdir unless this property names one
            String before = System.getProperty("ot.epg.working-dir");
            System.setProperty("ot.epg.working-dir", work.toString());
            try {
                b = EmbeddedPostgres.builder();
            } finally {
                if (before == null) {
                    System.clearProperty("ot.epg.working-dir");
                } else {
                    System.setProperty("ot.epg.working-dir", before);
                }
            }
        }
        b = b.setOverrideWorkingDirectory(work.toFile())
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .setServerConfig("fsync", "on") // zonky passes -F (fsync off); a later -c wins
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                .setServerConfig("listen_addresses", "localhost")
                .setServerConfig("unix_socket_directories", "")
                .setServerConfig("password_encryption", "scram-sha-256")
                .setConnectConfig("password", password)
                .setPGStartupWait(Duration.ofSeconds(30));
        settings.forEach(b::setServerConfig);
        EmbeddedPostgres pg = b.start();
        requirePasswords(pg, data, password);
        return pg;
    }

    /** Read by the commands that attach to a running server's store. */
    public static Optional<String> readPassword(Path pgDir) {
        Path f = pgDir.resolve("password");
        try {
            return Files.exists(f)
                    ? Optional.of(Files.readString(f, StandardCharsets.UTF_8).strip())
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String password(Path pgDir) throws IOException {
        Path f = pgDir.resolve("password");
        if (Files.exists(f)) {
            return Files.readString(f, StandardCharsets.UTF_8).strip();
        }
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String pw = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        writeOwnerOnly(f, pw + "\n");
        return pw;
    }

    /** Sets the password (it may be new) and replaces initdb's "trust" lines; a reload applies them. */
    private static void requirePasswords(EmbeddedPostgres pg, Path data, String password) throws IOException {
        try (Connection c = DriverManager.getConnection(pg.getJdbcUrl(USER, "postgres"), USER, password);
                Statement st = c.createStatement()) {
            // a generated base64url string: nothing to quote
            st.execute("alter role " + USER + " password '" + password + "'");
            Path hba = data.resolve("pg_hba.conf");
            if (!Files.readString(hba, StandardCharsets.UTF_8).equals(HBA)) {
                Files.writeString(hba, HBA, StandardCharsets.UTF_8);
                st.execute("select pg_reload_conf()");
            }
        } catch (SQLException e) {
            throw new IOException("cannot set the store's password: " + e.getMessage(), e);
        }
    }

    /**
     * A killed JVM leaves its PostgreSQL running, holding {@code postmaster.pid}. zonky holds a lock on
     * {@code data/epg-lock} for as long as the JVM that started the store lives: if we can take that lock, the
     * postmaster is an orphan and is stopped; if not, another tiergate is using this store.
     */
    static void stopOrphanedPostmaster(Path data) throws IOException {
        Path pidFile = data.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        long pid = lines.isEmpty() ? -1 : parse(lines.get(0));
        String port = lines.size() > 3 ? lines.get(3).strip() : "?";
        if (!ownerIsGone(data)) {
            throw new ClusterInUseException(
                    "the embedded PostgreSQL under " + data + " belongs to another running tiergate"
                            + " (its PostgreSQL is pid " + pid + " on port " + port
                            + "); stop that server first, or give this one"
                            + " another TIERGATE_HOME");
        }
        Optional<ProcessHandle> proc = pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
        if (proc.isEmpty() || !proc.get().isAlive()) {
            LOG.info("removing the stale {} of PostgreSQL pid {}, which is no longer running", pidFile, pid);
            Files.deleteIfExists(pidFile);
            return;
        }
        if (!isPostgresOn(proc.get(), data)) {
            LOG.info("removing the stale {}: pid {} is now another program", pidFile, pid);
            Files.deleteIfExists(pidFile);
            return;
        }
        LOG.warn("stopping the PostgreSQL (pid {}) that a killed tiergate left running on {}", pid, data);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        signal("INT", pid); // fast shutdown: its clients died with the JVM anyway
        while (proc.get().isAlive() && System.nanoTime() < deadline) {
            sleep(50);
        }
        if (proc.get().isAlive()) {
            throw new IOException("the orphaned PostgreSQL (pid " + pid + ") on " + data
                    + " did not stop within 20 s; stop it" + " (kill -INT " + pid + ") and start again");
        }
    }

    private static boolean ownerIsGone(Path data) throws IOException {
        Path lockFile = data.resolve("epg-lock");
        if (!Files.exists(lockFile)) {
            return true;
        }
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                return false;
            }
            lock.release();
            return true;
        } catch (OverlappingFileLockException e) {
            return false; // held by this very JVM
        }
    }

    private static boolean isPostgresOn(ProcessHandle p, Path data) {
        var info = p.info();
        boolean postgres = info.command()
                .map(c -> c.endsWith("/postgres") || c.endsWith("postgres.exe"))
                .orElse(false);
        if (!postgres) {
            return false;
        }
        // arguments may be hidden; a postgres process holding our pid file is ours unless it names another folder
        return info.arguments()
                .map(args -> String.join(" ", args).contains(data.toString()))
                .orElse(true);
    }

    private static void signal(String sig, long pid) throws IOException {
        try {
            new ProcessBuilder("kill", "-" + sig, Long.toString(pid))
                    .inheritIO()
                    .start()
                    .waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static long parse(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void sleep(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    static void writeOwnerOnly(Path f, String text) throws IOException {
        Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void restrictToOwner(Path dir) {
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system: nothing to tighten
        }
    }
}
