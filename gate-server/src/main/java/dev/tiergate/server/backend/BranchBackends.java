package dev.tiergate.server.backend;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tiergate.server.backend.postgres.PostgresBranchBackend;
import dev.tiergate.server.config.ConfigException;
import dev.tiergate.server.config.ServerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/** The one place a branch backend is chosen from the configuration (TIERGATE_BACKEND) and built. */
public final class BranchBackends {
    private BranchBackends() {
    }

    /**
     * The configured backend. {@code storeUrl}, {@code storeUser} and {@code storePassword} are the server's own
     * store, where the {@code postgres} backend keeps branches unless TIERGATE_BRANCH_DB_URL names another server;
     * {@code home} (may be null) is where a generated branch secret is kept.
     */
    public static BranchBackend fromConfig(ServerConfig cfg, String storeUrl, String storeUser, String storePassword, Path home) {
        return switch (cfg.backend()) {
            case "postgres" -> postgres(cfg, storeUrl, storeUser, storePassword, home);
            default -> throw new ConfigException("TIERGATE_BACKEND=" + cfg.backend() + " is not a branch backend tiergate has; use postgres");
        };
    }

    private static BranchBackend postgres(ServerConfig cfg, String storeUrl, String storeUser, String storePassword, Path home) {
        boolean own = cfg.branchDbUrl() == null;
        String url = own ? storeUrl : cfg.branchDbUrl();
        String user = own ? storeUser : cfg.value("TIERGATE_BRANCH_DB_USER");
        String password = own ? storePassword : cfg.secretValue("TIERGATE_BRANCH_DB_PASSWORD");
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setUsername(user);
        hc.setPassword(password);
        hc.setMaximumPoolSize(4);
        hc.setPoolName("tiergate-branches");
        HikariDataSource pool = new HikariDataSource(hc);
        return new PostgresBranchBackend(pool, jdbcBase(url), user, password, branchSecret(cfg, home), pool);
    }

    /** jdbc:postgresql://host:port/db?x → jdbc:postgresql://host:port/ */
    public static String jdbcBase(String jdbcUrl) {
        String noQuery = jdbcUrl.contains("?") ? jdbcUrl.substring(0, jdbcUrl.indexOf('?')) : jdbcUrl;
        return noQuery.substring(0, noQuery.lastIndexOf('/') + 1);
    }

    /**
     * The secret branch logins' passwords are derived from: TIERGATE_BRANCH_SECRET (or _FILE) — the same on every
     * server sharing one branch server — else one generated once under TIERGATE_HOME, else (tests) a random one.
     */
    static byte[] branchSecret(ServerConfig cfg, Path home) {
        String configured = cfg.secretValue("TIERGATE_BRANCH_SECRET");
        if (configured != null) {
            return configured.getBytes(StandardCharsets.UTF_8);
        }
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        if (home == null) {
            return fresh;
        }
        Path file = home.resolve("branch-secret");
        try {
            if (Files.exists(file)) {
                return HexFormat.of().parseHex(Files.readString(file, StandardCharsets.UTF_8).strip());
            }
            Files.createDirectories(home);
            Path tmp = Files.createTempFile(home, "branch-secret", ".tmp");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
            Files.writeString(tmp, HexFormat.of().formatHex(fresh) + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return fresh;
        } catch (IOException e) {
            throw new ConfigException("cannot keep the branch secret in " + file + ": " + e.getMessage());
        }
    }
}
