package dev.tiergate.server.wiring;

import dev.tiergate.server.backend.BackendException;
import dev.tiergate.server.embedded.EmbeddedCluster;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;

/**
 * The {@code postgres} backend's own PostgreSQL when TIERGATE_BRANCH_DB_URL names none: an embedded cluster under
 * {@code TIERGATE_HOME/branch-pg}, apart from the store's ({@code TIERGATE_HOME/pg}). Migrations from repositories
 * run here as roles that own their branch and nothing else; even if one found a way past that, the store is not on
 * this server. A second tiergate command (rollback) attaches to the running server's cluster through its URL file.
 */
final class EmbeddedBranchCluster implements AutoCloseable {
    static final String FOLDER = "branch-pg";
    /** Branch logins are handed to people and CI; each may hold a few sessions (PostgresBranchBackend's limits). */
    private static final Map<String, String> SETTINGS = Map.of("max_connections", "300");

    private final EmbeddedPostgres started;
    private final Path urlFile;
    private final String url;
    private final String password;

    private EmbeddedBranchCluster(EmbeddedPostgres started, Path urlFile, String url, String password) {
        this.started = started;
        this.urlFile = urlFile;
        this.url = url;
        this.password = password;
    }

    /** The running server's cluster (its URL file answers), else one started here and stopped by {@link #close}. */
    static EmbeddedBranchCluster attachOrStart(Path dir) {
        Path urlFile = dir.resolve("url");
        if (Files.exists(urlFile)) {
            try {
                String url = Files.readString(urlFile, StandardCharsets.UTF_8).strip();
                String pw = EmbeddedCluster.readPassword(dir).orElse(null);
                try (Connection ignored = DriverManager.getConnection(url, EmbeddedCluster.USER, pw)) {
                    return new EmbeddedBranchCluster(null, null, url, pw);
                }
            } catch (IOException | SQLException e) {
                // a stale file from a server that is gone: start below
            }
        }
        try {
            EmbeddedPostgres pg = EmbeddedCluster.start(dir, SETTINGS);
            String url = pg.getJdbcUrl(EmbeddedCluster.USER, "postgres");
            Files.writeString(urlFile, url + "\n", StandardCharsets.UTF_8);
            return new EmbeddedBranchCluster(
                    pg, urlFile, url, EmbeddedCluster.readPassword(dir).orElseThrow());
        } catch (IOException e) {
            throw new BackendException(
                    "cannot start the embedded branch cluster under " + dir + ": " + e.getMessage(), e);
        }
    }

    String url() {
        return url;
    }

    String user() {
        return EmbeddedCluster.USER;
    }

    String password() {
        return password;
    }

    @Override
    public void close() {
        if (started == null) {
            return;
        }
        try {
            started.close();
        } catch (IOException e) {
            // stopping anyway
        }
        try {
            Files.deleteIfExists(urlFile);
        } catch (IOException e) {
            // a stale URL file is recognised and ignored by the next start
        }
    }
}
