package dev.tiergate.server.wiring;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.backend.lakebase.LakebaseBranchBackend;
import dev.tiergate.server.backend.lakebase.LakebaseSettings;
import dev.tiergate.server.backend.neon.NeonBranchBackend;
import dev.tiergate.server.backend.neon.NeonSettings;
import dev.tiergate.server.backend.postgres.PostgresBranchBackend;
import dev.tiergate.server.config.ConfigException;
import dev.tiergate.server.config.ServerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;

/** The one place a branch backend is chosen from the configuration (TIERGATE_BACKEND) and built. */
public final class BranchBackends {
    private BranchBackends() {}

    /**
     * The configured backend. The {@code postgres} backend keeps branches on the server TIERGATE_BRANCH_DB_URL names,
     * else on an embedded cluster of its own under TIERGATE_HOME/branch-pg: never on the store's server, so no
     * migration it runs shares a server with tiergate's own data. {@code home} (may be null) is where a generated
     * branch secret is kept.
     */
    public static BranchBackend fromConfig(ServerConfig cfg, Path home) {
        return switch (cfg.backend()) {
            case "postgres" -> postgres(cfg, home);
            case "neon" -> neon(cfg);
            case "lakebase" -> lakebase(cfg);
            default ->
                throw new ConfigException("TIERGATE_BACKEND=" + cfg.backend()
                        + " is not a branch backend tiergate has; use postgres, neon or lakebase");
        };
    }

    private static BranchBackend neon(ServerConfig cfg) {
        String project = required(
                cfg.value("TIERGATE_NEON_PROJECT"),
                "TIERGATE_BACKEND=neon needs TIERGATE_NEON_PROJECT: set it to the id"
                        + " of the Neon project whose default branch is the production tier");
        String key = required(
                cfg.secretValue("TIERGATE_NEON_API_KEY"),
                "TIERGATE_BACKEND=neon needs TIERGATE_NEON_API_KEY (or"
                        + " TIERGATE_NEON_API_KEY_FILE): a Neon API key that may manage the project's branches");
        NeonSettings s = NeonSettings.of(cfg.value("TIERGATE_NEON_API_URL"), key, project)
                .withBranchTtl(branchTtl(cfg));
        return new NeonBranchBackend(s.withRootTier(productionTier(cfg)));
    }

    private static BranchBackend lakebase(ServerConfig cfg) {
        String host = required(
                cfg.value("TIERGATE_LAKEBASE_HOST"),
                "TIERGATE_BACKEND=lakebase needs TIERGATE_LAKEBASE_HOST: set it to the"
                        + " workspace URL, e.g. https://<workspace>.cloud.databricks.com");
        String project = required(
                cfg.value("TIERGATE_LAKEBASE_PROJECT"),
                "TIERGATE_BACKEND=lakebase needs TIERGATE_LAKEBASE_PROJECT: set it"
                        + " to the id of the Lakebase project whose default branch is the production tier");
        String clientId = cfg.value("TIERGATE_LAKEBASE_CLIENT_ID");
        String secret = cfg.secretValue("TIERGATE_LAKEBASE_CLIENT_SECRET");
        String token = cfg.secretValue("TIERGATE_LAKEBASE_TOKEN");
        if (clientId != null && secret == null) {
            throw new ConfigException(
                    "TIERGATE_LAKEBASE_CLIENT_ID is set but TIERGATE_LAKEBASE_CLIENT_SECRET (or _FILE) is not: set both for OAuth M2M");
        }
        if (clientId == null && token == null) {
            throw new ConfigException(
                    "TIERGATE_BACKEND=lakebase needs credentials: set TIERGATE_LAKEBASE_CLIENT_ID and"
                            + " TIERGATE_LAKEBASE_CLIENT_SECRET (OAuth M2M of a service principal with CAN MANAGE on the project), or TIERGATE_LAKEBASE_TOKEN");
        }
        LakebaseSettings s = LakebaseSettings.of(
                        host, project, clientId, clientId == null ? null : secret, clientId == null ? token : null)
                .withBranchTtl(branchTtl(cfg));
        // Lakebase's API names an endpoint's host, not a port: 5432, unless a proxy in between listens elsewhere
        String port = cfg.value("TIERGATE_LAKEBASE_PORT");
        if (port != null) {
            try {
                s = s.withPostgresPort(Integer.parseInt(port));
            } catch (NumberFormatException e) {
                throw new ConfigException("TIERGATE_LAKEBASE_PORT=" + port + ": not a port number");
            }
        }
        return new LakebaseBranchBackend(s.withRootTier(productionTier(cfg)));
    }

    private static String required(String value, String refusal) {
        if (value == null) {
            throw new ConfigException(refusal);
        }
        return value;
    }

    /** How long working, ci-pr and snapshot branches live on the cloud backends: TIERGATE_BRANCH_TTL_HOURS, 720 (30 days). */
    private static Duration branchTtl(ServerConfig cfg) {
        String v = cfg.value("TIERGATE_BRANCH_TTL_HOURS");
        if (v == null) {
            return Duration.ofDays(30);
        }
        try {
            long hours = Long.parseLong(v);
            if (hours > 0) {
                return Duration.ofHours(hours);
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new ConfigException("TIERGATE_BRANCH_TTL_HOURS=" + v + ": not a positive whole number of hours");
    }

    /** The production tier's database branch name (the cloud project's default branch): TIERGATE_PRODUCTION_TIER, production. */
    private static String productionTier(ServerConfig cfg) {
        String v = cfg.value("TIERGATE_PRODUCTION_TIER");
        return v == null ? "production" : v;
    }

    private static BranchBackend postgres(ServerConfig cfg, Path home) {
        EmbeddedBranchCluster embedded = null;
        String url;
        String user;
        String password;
        if (cfg.branchDbUrl() != null) {
            url = cfg.branchDbUrl();
            user = cfg.value("TIERGATE_BRANCH_DB_USER");
            password = cfg.secretValue("TIERGATE_BRANCH_DB_PASSWORD");
        } else {
            embedded = EmbeddedBranchCluster.attachOrStart(cfg.home().resolve(EmbeddedBranchCluster.FOLDER));
            url = embedded.url();
            user = embedded.user();
            password = embedded.password();
        }
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setUsername(user);
        hc.setPassword(password);
        // a run watchdog holds one for its run (TIERGATE_RUN_WORKERS of them); eight more make and drop branches
        hc.setMaximumPoolSize(cfg.runWorkers() + 8);
        hc.setPoolName("tiergate-branches");
        HikariDataSource pool = new HikariDataSource(hc);
        EmbeddedBranchCluster cluster = embedded;
        AutoCloseable owned = () -> {
            pool.close();
            if (cluster != null) {
                cluster.close();
            }
        };
        return new PostgresBranchBackend(
                pool, jdbcBase(url), user, password, branchSecret(cfg, home), owned, clonePool(cfg));
    }

    /** TIERGATE_CLONE_POOL: ready clones kept per tier (default 2; 0 turns the pool off). */
    static int clonePool(ServerConfig cfg) {
        String v = cfg.value("TIERGATE_CLONE_POOL");
        if (v == null || v.isBlank()) {
            return 2;
        }
        try {
            int n = Integer.parseInt(v.strip());
            if (n < 0 || n > 64) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException("TIERGATE_CLONE_POOL=" + v + " is not a number of clones from 0 to 64");
        }
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
                return HexFormat.of()
                        .parseHex(Files.readString(file, StandardCharsets.UTF_8).strip());
            }
            Files.createDirectories(home);
            Path tmp = Files.createTempFile(home, "branch-secret", ".tmp");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
            Files.writeString(tmp, HexFormat.of().formatHex(fresh) + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            return fresh;
        } catch (IOException e) {
            throw new ConfigException("cannot keep the branch secret in " + file + ": " + e.getMessage());
        }
    }
}
