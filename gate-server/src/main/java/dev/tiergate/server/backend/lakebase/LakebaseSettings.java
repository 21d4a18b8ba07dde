package dev.tiergate.server.backend.lakebase;

import java.time.Duration;

/**
 * What the lakebase backend is told: the workspace ({@code TIERGATE_LAKEBASE_HOST}), the project
 * ({@code TIERGATE_LAKEBASE_PROJECT}), and either OAuth machine-to-machine credentials of a service principal
 * ({@code TIERGATE_LAKEBASE_CLIENT_ID}, {@code TIERGATE_LAKEBASE_CLIENT_SECRET}) or a token
 * ({@code TIERGATE_LAKEBASE_TOKEN}); the tiergate name of the production tier (the project's default branch,
 * adopted); the ttl of working branches; how operations are polled and failed calls retried; and the port computes
 * listen on (5432; the stand-in's embedded server in tests).
 */
public record LakebaseSettings(
        String host,
        String projectId,
        String clientId,
        String clientSecret,
        String token,
        String rootTier,
        Duration branchTtl,
        Duration pollInterval,
        Duration operationTimeout,
        int maxAttempts,
        Duration retryBase,
        int postgresPort) {

    public static LakebaseSettings of(
            String host, String projectId, String clientId, String clientSecret, String token) {
        return new LakebaseSettings(
                host,
                projectId,
                clientId,
                clientSecret,
                token,
                "production",
                Duration.ofDays(30),
                Duration.ofSeconds(1),
                Duration.ofMinutes(5),
                6,
                Duration.ofSeconds(1),
                5432);
    }

    public LakebaseSettings withPolling(Duration interval, Duration timeout) {
        return new LakebaseSettings(
                host,
                projectId,
                clientId,
                clientSecret,
                token,
                rootTier,
                branchTtl,
                interval,
                timeout,
                maxAttempts,
                retryBase,
                postgresPort);
    }

    public LakebaseSettings withRetries(int attempts, Duration base) {
        return new LakebaseSettings(
                host,
                projectId,
                clientId,
                clientSecret,
                token,
                rootTier,
                branchTtl,
                pollInterval,
                operationTimeout,
                attempts,
                base,
                postgresPort);
    }

    public LakebaseSettings withPostgresPort(int port) {
        return new LakebaseSettings(
                host,
                projectId,
                clientId,
                clientSecret,
                token,
                rootTier,
                branchTtl,
                pollInterval,
                operationTimeout,
                maxAttempts,
                retryBase,
                port);
    }

    public LakebaseSettings withBranchTtl(Duration ttl) {
        return new LakebaseSettings(
                host,
                projectId,
                clientId,
                clientSecret,
                token,
                rootTier,
                ttl,
                pollInterval,
                operationTimeout,
                maxAttempts,
                retryBase,
                postgresPort);
    }

    /** The project's resource name, {@code projects/<id>}. */
    public String project() {
        return "projects/" + projectId;
    }

    /** Who the credentials are, for messages: the service principal's client id, or "the token's user". */
    String who() {
        return clientId != null ? "service principal " + clientId : "the user of TIERGATE_LAKEBASE_TOKEN";
    }

    /** The tiergate name of the production tier, which is the project's default branch. */
    public LakebaseSettings withRootTier(String root) {
        return new LakebaseSettings(
                host,
                projectId,
                clientId,
                clientSecret,
                token,
                root,
                branchTtl,
                pollInterval,
                operationTimeout,
                maxAttempts,
                retryBase,
                postgresPort);
    }

    @Override
    public String toString() {
        return "LakebaseSettings[host=" + host + ", project=" + projectId + ", clientId=" + clientId
                + ", secrets=<redacted>]";
    }
}
