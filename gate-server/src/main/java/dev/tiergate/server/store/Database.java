package dev.tiergate.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tiergate.server.config.ServerConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The server's store: the team's PostgreSQL given by URL, or, with none configured, a real PostgreSQL run from
 * {@code TIERGATE_HOME/pg} whose JDBC URL is written to {@code TIERGATE_HOME/pg/url} so that other commands
 * ({@code tiergate audit verify}) reach the running server's store. Schema managed by Flyway.
 */
public final class Database implements AutoCloseable {
    private final HikariDataSource pool;
    private final EmbeddedPostgres embedded;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final Path urlFile;

    private Database(String jdbcUrl, String user, String password, EmbeddedPostgres embedded, Path urlFile) {
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
        hc.setPoolName("tiergate-store");
        this.pool = new HikariDataSource(hc);
        Flyway.configure().dataSource(pool).locations("classpath:db/tiergate").load().migrate();
    }

    /** Opens the configured store; {@code reuseRunning} lets a CLI command attach to a running server's embedded store. */
    public static Database open(ServerConfig cfg, boolean reuseRunning) {
        if (cfg.dbUrl() != null) {
            return new Database(cfg.dbUrl(), cfg.dbUser(), cfg.dbPassword(), null, null);
        }
        Path pgDir = cfg.home().resolve("pg");
        Path urlFile = pgDir.resolve("url");
        if (reuseRunning && Files.exists(urlFile)) {
            try {
                String url = Files.readString(urlFile, StandardCharsets.UTF_8).strip();
                try (Connection ignored = DriverManager.getConnection(url, "postgres", null)) {
                    return new Database(url, "postgres", null, null, null);
                }
            } catch (IOException | SQLException e) {
                // stale file from a server that is gone: start our own below
            }
        }
        try {
            Files.createDirectories(pgDir);
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(pgDir.resolve("data"))
                    .setCleanDataDirectory(false)
                    .start();
            String url = pg.getJdbcUrl("postgres", "postgres");
            Files.writeString(urlFile, url + "\n", StandardCharsets.UTF_8);
            return new Database(url, "postgres", null, pg, urlFile);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the embedded PostgreSQL under " + pgDir + ": " + e.getMessage(), e);
        }
    }

    /** For tests and the demo: a store on an already running PostgreSQL. */
    public static Database at(String jdbcUrl, String user, String password) {
        return new Database(jdbcUrl, user, password, null, null);
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
            try {
                Files.deleteIfExists(urlFile);
            } catch (IOException e) {
                // a stale url file is detected and ignored by the next start
            }
        }
    }
}
