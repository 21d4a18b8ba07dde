package dev.tiergate.server.backend.neon;

import java.time.Duration;

/**
 * What the neon backend is told: the API ({@code TIERGATE_NEON_API_URL}, default Neon's public API v2), the key
 * ({@code TIERGATE_NEON_API_KEY}), the project ({@code TIERGATE_NEON_PROJECT}); the tiergate name of the production
 * tier, which is the project's default branch, adopted; how long working branches live ({@code expires_at}); and
 * how operations are polled and failed calls retried (short in tests).
 */
public record NeonSettings(
        String apiUrl,
        String apiKey,
        String projectId,
        String rootTier,
        Duration branchTtl,
        Duration pollInterval,
        Duration operationTimeout,
        int maxAttempts,
        Duration retryBase) {
    public static final String DEFAULT_API_URL = "https://console.neon.tech/api/v2";

    public static NeonSettings of(String apiUrl, String apiKey, String projectId) {
        return new NeonSettings(
                apiUrl == null ? DEFAULT_API_URL : apiUrl,
                apiKey,
                projectId,
                "production",
                Duration.ofDays(30),
                Duration.ofSeconds(1),
                Duration.ofMinutes(5),
                6,
                Duration.ofSeconds(1));
    }

    public NeonSettings withPolling(Duration interval, Duration timeout) {
        return new NeonSettings(
                apiUrl, apiKey, projectId, rootTier, branchTtl, interval, timeout, maxAttempts, retryBase);
    }

    public NeonSettings withRetries(int attempts, Duration base) {
        return new NeonSettings(
                apiUrl, apiKey, projectId, rootTier, branchTtl, pollInterval, operationTimeout, attempts, base);
    }

    public NeonSettings withBranchTtl(Duration ttl) {
        return new NeonSettings(
                apiUrl, apiKey, projectId, rootTier, ttl, pollInterval, operationTimeout, maxAttempts, retryBase);
    }

    /** The tiergate name of the production tier, which is the project's default branch. */
    public NeonSettings withRootTier(String root) {
        return new NeonSettings(
                apiUrl, apiKey, projectId, root, branchTtl, pollInterval, operationTimeout, maxAttempts, retryBase);
    }

    @Override
    public String toString() {
        return "NeonSettings[apiUrl=" + apiUrl + ", project=" + projectId + ", apiKey=<"
                + (apiKey == null ? "unset" : "set") + ">]";
    }
}
