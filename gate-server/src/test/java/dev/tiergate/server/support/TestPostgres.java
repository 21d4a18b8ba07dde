package dev.tiergate.server.support;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tiergate.server.backend.postgres.PostgresBranchBackend;
import dev.tiergate.server.config.ServerConfig;
import dev.tiergate.server.embedded.EmbeddedCluster;
import dev.tiergate.server.store.Database;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * Real PostgreSQL servers for the whole test JVM, kept apart as in production: {@link #server()} holds the
 * stores (each caller gets a fresh database on it), {@link #branches()} the database branches, started as
 * {@code tiergate server} starts its branch cluster (passwords required, loopback only), so a branch login that
 * reaches too far is refused as it would be there; {@link #cloud} the branches of the Neon and Lakebase
 * stand-ins (one each), started the same way, so their passwords and {@code VALID UNTIL} are checked as the services check them.
 */
public final class TestPostgres {
    private static EmbeddedPostgres server;
    private static BranchCluster branches;
    private static final Map<String, BranchCluster> CLOUDS = new HashMap<>();
    private static final AtomicInteger COUNTER = new AtomicInteger();

    /** The branch cluster: its admin's URL, name and password, and a small pool of admin connections. */
    public record BranchCluster(EmbeddedPostgres pg, String url, String user, String password, DataSource admin) {
        /** {@code jdbc:postgresql://localhost:<port>/}. */
        public String jdbcBase() {
            return "jdbc:postgresql://localhost:" + pg.getPort() + "/";
        }

        /** The settings a server on this cluster is given (TIERGATE_BRANCH_DB_*). */
        public Map<String, String> settings() {
            return Map.of(
                    "TIERGATE_BRANCH_DB_URL",
                    url,
                    "TIERGATE_BRANCH_DB_USER",
                    user,
                    "TIERGATE_BRANCH_DB_PASSWORD",
                    password);
        }
    }

    private TestPostgres() {}

    public static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot start embedded PostgreSQL", e);
            }
            closeAtExit(server);
        }
        return server;
    }

    /** The stores' server, when started (asking starts none). */
    static synchronized Optional<EmbeddedPostgres> startedStoreServer() {
        return Optional.ofNullable(server);
    }

    /** The clusters of database branches started so far in this JVM (none is started by asking). */
    static synchronized List<BranchCluster> startedBranchClusters() {
        List<BranchCluster> all = new ArrayList<>(CLOUDS.values());
        if (branches != null) {
            all.add(0, branches);
        }
        return all;
    }

    /** The branch cluster, started once per JVM in a temporary folder. */
    public static synchronized BranchCluster branches() {
        if (branches == null) {
            branches = startCluster("tiergate-test-branch-pg", "test-branch-admin", "300");
        }
        return branches;
    }

    /**
     * The cluster behind a cloud stand-in ({@link StubDatabases}; {@code service}: "neon", "lakebase"), started once per
     * JVM and service: passwords required, as on Neon and Lakebase, where a login's password and its {@code VALID UNTIL}
     * decide whether it connects; one per service, so one service's roles are never another's.
     */
    public static synchronized BranchCluster cloud(String service) {
        return CLOUDS.computeIfAbsent(
                service, s -> startCluster("tiergate-test-" + s + "-pg", "test-" + s + "-admin", "150"));
    }

    private static BranchCluster startCluster(String folder, String pool, String maxConnections) {
        try {
            Path dir = Files.createTempDirectory(folder);
            // not durable, as the store's test server (zonky's -F): a test cluster outlives no crash, and a durable
            // CREATE DATABASE (WAL_LOG, fsync) made every copy of a tier several times slower than the store's
            EmbeddedPostgres pg = EmbeddedCluster.start(
                    dir,
                    Map.of(
                            "max_connections",
                            maxConnections,
                            "fsync",
                            "off",
                            "synchronous_commit",
                            "off",
                            "full_page_writes",
                            "off"));
            String password = EmbeddedCluster.readPassword(dir).orElseThrow();
            String url = pg.getJdbcUrl(EmbeddedCluster.USER, "postgres");
            HikariConfig hc = new HikariConfig();
            hc.setJdbcUrl(url);
            hc.setUsername(EmbeddedCluster.USER);
            hc.setPassword(password);
            hc.setMaximumPoolSize(8);
            hc.setPoolName(pool);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (IOException e) {
                    // JVM is exiting
                }
                deleteTree(dir); // its binaries and data: hundreds of megabytes per run otherwise left in the temporary
                // folder
            }));
            return new BranchCluster(pg, url, EmbeddedCluster.USER, password, new HikariDataSource(hc));
        } catch (IOException e) {
            throw new IllegalStateException("cannot start an embedded cluster in " + folder, e);
        }
    }

    /** A postgres backend on the branch cluster, as the server builds it (without a clone pool unless asked). */
    public static PostgresBranchBackend branchBackend(String secret) {
        return branchBackend(secret, 0);
    }

    public static PostgresBranchBackend branchBackend(String secret, int clonePool) {
        BranchCluster c = branches();
        return new PostgresBranchBackend(
                c.admin(),
                c.jdbcBase(),
                c.user(),
                c.password(),
                secret.getBytes(StandardCharsets.UTF_8),
                null,
                clonePool);
    }

    /** Deletes {@code dir}, again while the stopping server still writes its last files (its statistics), a few times. */
    public static void deleteTree(Path dir) {
        for (int attempt = 0; attempt < 10 && Files.exists(dir); attempt++) {
            try (Stream<Path> all = Files.walk(dir)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException | RuntimeException e) {
                // a file went while walking: walk again
            }
            if (Files.exists(dir)) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return; // JVM is exiting; the temporary folder keeps what could not go
                }
            }
        }
    }

    private static void closeAtExit(EmbeddedPostgres pg) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                pg.close();
            } catch (IOException e) {
                // JVM is exiting
            }
        }));
    }

    /** A server configuration from {@code env}, its branches on the test branch cluster unless {@code env} names another. */
    public static ServerConfig config(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(branches().settings());
        all.putAll(env);
        return ServerConfig.fromEnvironment(all, null);
    }

    /** A new empty database with tiergate's schema migrated. */
    public static Database freshStore() {
        String name = "store_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        try (Connection c = server().getPostgresDatabase().getConnection();
                Statement st = c.createStatement()) {
            st.execute("create database " + name);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return Database.at(server().getJdbcUrl("postgres", name), "postgres", null);
    }
}
