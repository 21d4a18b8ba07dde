package dev.tiergate.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tiergate.server.config.ServerConfig;
import dev.tiergate.server.embedded.EmbeddedCluster;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The server's store: the team's PostgreSQL given by URL, or, with none configured, a real PostgreSQL run from
 * {@code TIERGATE_HOME/pg} (see {@link EmbeddedCluster}) whose JDBC URL is written to {@code TIERGATE_HOME/pg/url} so
 * that other commands ({@code tiergate audit verify}) reach the running server's store. The server migrates the
 * schema with Flyway; a {@link Mode#READ_ONLY} store (audit verify and export) never migrates and every
 * connection is read-only.
 */
public final class Database implements AutoCloseable {
    /** Whether opening may change the store. */
    public enum Mode {
        MIGRATE,
        READ_ONLY
    }

    private final HikariDataSource pool;
    private final EmbeddedPostgres embedded;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final Path urlFile;

    private Database(String jdbcUrl, String user, String password, EmbeddedPostgres embedded, Path urlFile, Mode mode) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.embedded = embedded;
        this.urlFile = urlFile;
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(jdbcUrl);
        hc.setUsername(user);
        hc.setPassword(password);
        hc.setMaximumPoolSize(8);
        // while the store is down a webhook is answered 503 within seconds (the forge redelivers), not after Hikari's
        // 30 s
        hc.setConnectionTimeout(3000);
        hc.setPoolName("tiergate-store");
        if (mode == Mode.READ_ONLY) {
            hc.setReadOnly(true);
            hc.addDataSourceProperty(
                    "readOnlyMode", "always"); // read-only in auto-commit too, not only in transactions
        }
        this.pool = new HikariDataSource(hc);
        if (mode == Mode.MIGRATE) {
            Flyway.configure()
                    .dataSource(pool)
                    .locations("classpath:db/tiergate")
                    .load()
                    .migrate();
        }
    }

    /** The server's store, migrated. */
    public static Database open(ServerConfig cfg) {
        return open(cfg, Mode.MIGRATE);
    }

    /**
     * Opens the configured store. A {@link Mode#READ_ONLY} open first attaches to a running server's embedded
     * store (its URL file) and starts the embedded PostgreSQL itself only when no server runs.
     */
    public static Database open(ServerConfig cfg, Mode mode) {
        return open(cfg, mode, text -> {});
    }

    /** Same, telling {@code progress} before a step that takes seconds (the embedded PostgreSQL's first start). */
    public static Database open(ServerConfig cfg, Mode mode, Consumer<String> progress) {
        if (cfg.dbUrl() != null) {
            return new Database(cfg.dbUrl(), cfg.dbUser(), cfg.dbPassword(), null, null, mode);
        }
        Path pgDir = cfg.home().resolve("pg");
        Path urlFile = pgDir.resolve("url");
        if (mode == Mode.READ_ONLY && Files.exists(urlFile)) {
            try {
                String url = Files.readString(urlFile, StandardCharsets.UTF_8).strip();
                String pw = EmbeddedCluster.readPassword(pgDir).orElse(null);
                try (Connection ignored = DriverManager.getConnection(url, EmbeddedCluster.USER, pw)) {
                    return new Database(url, EmbeddedCluster.USER, pw, null, null, mode);
                }
            } catch (IOException | SQLException e) {
                // stale file from a server that is gone: start our own below
            }
        }
        try {
            if (!Files.exists(pgDir.resolve("data").resolve("PG_VERSION"))) {
                progress.accept("first start of the embedded PostgreSQL: unpacking it and creating its data folder in "
                        + pgDir + " (a few seconds; later starts are quicker)");
            }
            EmbeddedPostgres pg = EmbeddedCluster.start(pgDir);
            String url = pg.getJdbcUrl(EmbeddedCluster.USER, "postgres");
            String pw = EmbeddedCluster.readPassword(pgDir).orElseThrow();
            if (mode == Mode.MIGRATE) {
                Files.writeString(urlFile, url + "\n", StandardCharsets.UTF_8);
            }
            return new Database(url, EmbeddedCluster.USER, pw, pg, mode == Mode.MIGRATE ? urlFile : null, mode);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot start the embedded PostgreSQL under " + pgDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * For a command that writes while a server may be running: the running server's embedded store when there is one
     * (found through TIERGATE_HOME/pg/url), else the configured or embedded store as {@link #open(ServerConfig)}.
     */
    public static Database attachOrOpen(ServerConfig cfg) {
        Path pgDir = cfg.home().resolve("pg");
        Path urlFile = pgDir.resolve("url");
        if (cfg.dbUrl() == null && Files.exists(urlFile)) {
            try {
                String url = Files.readString(urlFile, StandardCharsets.UTF_8).strip();
                String pw = EmbeddedCluster.readPassword(pgDir).orElse(null);
                try (Connection ignored = DriverManager.getConnection(url, EmbeddedCluster.USER, pw)) {
                    return new Database(url, EmbeddedCluster.USER, pw, null, null, Mode.MIGRATE);
                }
            } catch (IOException | SQLException e) {
                // no server running: open below
            }
        }
        return open(cfg);
    }

    /** For tests and the demo: a store on an already running PostgreSQL. */
    public static Database at(String jdbcUrl, String user, String password) {
        return new Database(jdbcUrl, user, password, null, null, Mode.MIGRATE);
    }

    /** A read-only view of an already running PostgreSQL, never migrated. */
    public static Database readOnlyAt(String jdbcUrl, String user, String password) {
        return new Database(jdbcUrl, user, password, null, null, Mode.READ_ONLY);
    }

    /** Which store this is, for the server's start-up line: never a password. */
    public String describe() {
        if (embedded != null) {
            return "embedded PostgreSQL " + jdbcUrl.replaceAll("\\?.*", "") + " (data in "
                    + (urlFile == null ? "a temporary folder" : urlFile.getParent()) + ")";
        }
        return "PostgreSQL " + jdbcUrl.replaceAll("\\?.*", "").replaceAll("//[^/@]*@", "//");
    }

    public DataSource dataSource() {
        return pool;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    @Override
    public void close() {
        pool.close();
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                // shutting down anyway
            }
            if (urlFile != null) {
                try {
                    Files.deleteIfExists(urlFile);
                } catch (IOException e) {
                    // a stale url file is detected and ignored by the next start
                }
            }
        }
    }
}
