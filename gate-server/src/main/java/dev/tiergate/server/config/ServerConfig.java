package dev.tiergate.server.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Everything the server is told, read once at start from the environment (or a properties file named by
 * {@code --config}, whose keys are the same variable names). Secrets may come from {@code <NAME>_FILE}; they are
 * never printed: {@link #toString()} redacts them.
 */
public record ServerConfig(
        int port,
        Path home,
        String dbUrl,
        String dbUser,
        String dbPassword,
        String branchDbUrl,
        String publicUrl,
        String githubWebhookSecret,
        String githubToken,
        String githubApiUrl,
        String gitlabUrl,
        String gitlabToken,
        String gitlabWebhookSecret,
        String gitlabSigningToken,
        int workers,
        Duration retryBaseDelay,
        int maxAttempts,
        Duration reconcileInterval,
        String bind,
        String apiToken,
        String logFormat,
        String githubAppId,
        String githubAppPrivateKey,
        Map<String, String> values) {
    /** {@code TIERGATE_LOG_FORMAT}: plain lines for people, or one JSON object per line for log shippers. */
    public static final List<String> LOG_FORMATS = List.of("text", "json");

    public static ServerConfig fromEnvironment(Map<String, String> env, Path configFile) {
        Map<String, String> values = new HashMap<>();
        if (configFile != null) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(configFile)) {
                p.load(in);
            } catch (IOException e) {
                throw new ConfigException(configFile + ": cannot read configuration file: " + e.getMessage());
            }
            p.forEach((k, v) -> values.put(k.toString(), v.toString()));
        }
        values.putAll(env); // the environment wins over the file
        int port = intValue(values, "TIERGATE_PORT", 8080);
        Path home = Path.of(values.getOrDefault("TIERGATE_HOME", System.getProperty("user.home") + "/.tiergate"));
        String publicUrl = values.getOrDefault("TIERGATE_PUBLIC_URL", "http://localhost:" + port);
        return new ServerConfig(
                port,
                home,
                blankToNull(values.get("TIERGATE_DB_URL")),
                blankToNull(values.get("TIERGATE_DB_USER")),
                secret(values, "TIERGATE_DB_PASSWORD"),
                blankToNull(values.get("TIERGATE_BRANCH_DB_URL")),
                publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl,
                secret(values, "TIERGATE_GITHUB_WEBHOOK_SECRET"),
                secret(values, "TIERGATE_GITHUB_TOKEN"),
                values.getOrDefault("TIERGATE_GITHUB_API_URL", "https://api.github.com"),
                blankToNull(values.get("TIERGATE_GITLAB_URL")),
                secret(values, "TIERGATE_GITLAB_TOKEN"),
                secret(values, "TIERGATE_GITLAB_WEBHOOK_SECRET"),
                secret(values, "TIERGATE_GITLAB_SIGNING_TOKEN"),
                intValue(values, "TIERGATE_WORKERS", 2),
                Duration.ofMillis(intValue(values, "TIERGATE_RETRY_BASE_MS", 1000)),
                intValue(values, "TIERGATE_MAX_ATTEMPTS", 6),
                Duration.ofSeconds(intValue(values, "TIERGATE_RECONCILE_SECONDS", 600)),
                // the embedded store is a single-host setup: loopback unless told otherwise (behind a proxy: 0.0.0.0)
                values.getOrDefault("TIERGATE_BIND", "127.0.0.1").strip(),
                secret(values, "TIERGATE_API_TOKEN"),
                logFormat(values),
                blankToNull(values.get("TIERGATE_GITHUB_APP_ID")),
                // the PEM itself, from TIERGATE_GITHUB_APP_PRIVATE_KEY_FILE (or the variable, for secret stores)
                secret(values, "TIERGATE_GITHUB_APP_PRIVATE_KEY"),
                Map.copyOf(values));
    }

    private static String logFormat(Map<String, String> values) {
        String f = values.getOrDefault("TIERGATE_LOG_FORMAT", "text").strip().toLowerCase(Locale.ROOT);
        if (f.isEmpty()) {
            return "text";
        }
        if (!LOG_FORMATS.contains(f)) {
            throw new ConfigException(
                    "TIERGATE_LOG_FORMAT=" + f + ": not a log format; use text (the default) or json");
        }
        return f;
    }

    /** The GitHub App's credentials are both given or both absent; one without the other is a mistake worth naming. */
    public String githubAppProblem() {
        if (githubAppId != null && githubAppPrivateKey == null) {
            return "TIERGATE_GITHUB_APP_ID is set but TIERGATE_GITHUB_APP_PRIVATE_KEY_FILE is not; set it to the app's private key"
                    + " (the .pem file GitHub let you download under the app's settings, Private keys)";
        }
        if (githubAppId == null && githubAppPrivateKey != null) {
            return "TIERGATE_GITHUB_APP_PRIVATE_KEY_FILE is set but TIERGATE_GITHUB_APP_ID is not; set it to the app's ID"
                    + " (a number, shown on the app's settings page as App ID)";
        }
        return null;
    }

    /** A setting by name (e.g. a backend's TIERGATE_NEON_PROJECT), or null; for the composition root only. */
    public String value(String name) {
        return blankToNull(values.get(name));
    }

    /** A secret setting by name, from {@code NAME} or the file named by {@code NAME_FILE}, or null. */
    public String secretValue(String name) {
        return secret(values, name);
    }

    /** The branch backend: TIERGATE_BACKEND, {@code postgres} unless set. */
    public String backend() {
        String b = value("TIERGATE_BACKEND");
        return b == null ? "postgres" : b.toLowerCase(Locale.ROOT);
    }

    /** The one-line refusal when a configured forge has no webhook secret, or null when start-up may go on. */
    public String missingSecretProblem(boolean insecureNoSecret) {
        if (insecureNoSecret) {
            return null;
        }
        if (githubWebhookSecret == null && gitlabUrl == null) {
            return "tiergate server: TIERGATE_GITHUB_WEBHOOK_SECRET is not set; set it (or TIERGATE_GITHUB_WEBHOOK_SECRET_FILE)"
                    + " to the secret of the GitHub webhook, or pass --insecure-no-secret for local experiments only";
        }
        if (gitlabUrl != null && gitlabWebhookSecret == null) {
            return "tiergate server: TIERGATE_GITLAB_WEBHOOK_SECRET is not set; set it to the GitLab hook's secret token,"
                    + " or pass --insecure-no-secret for local experiments only";
        }
        return null;
    }

    public boolean githubEnabled() {
        return gitlabUrl == null || githubWebhookSecret != null || githubToken != null || githubAppId != null;
    }

    /** The forges this configuration serves and how the server signs in to each, without secrets. */
    public List<String> forgeSummary() {
        List<String> out = new ArrayList<>();
        if (githubEnabled()) {
            String auth = githubAppId != null
                    ? "GitHub App " + githubAppId
                    : githubToken != null ? "token" : "no credentials";
            out.add("github (" + githubApiUrl + ", " + auth + ")");
        }
        if (gitlabUrl != null) {
            out.add("gitlab (" + gitlabUrl + ", " + (gitlabToken != null ? "token" : "no credentials") + ")");
        }
        return out;
    }

    private static String secret(Map<String, String> values, String name) {
        String direct = blankToNull(values.get(name));
        if (direct != null) {
            return direct;
        }
        String file = blankToNull(values.get(name + "_FILE"));
        if (file == null) {
            return null;
        }
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new ConfigException(name + "_FILE=" + file + ": cannot read the secret file: " + e.getMessage());
        }
    }

    /**
     * {@code TIERGATE_DRIFT_MINUTES}: how often every tier is checked for drift from its migrations (default 30; 0:
     * never on a schedule, only by {@code tiergate drift} and before a merge into a tier that holds on drift).
     */
    public Duration driftInterval() {
        int minutes = intValue(values, "TIERGATE_DRIFT_MINUTES", 30);
        if (minutes < 0) {
            throw new ConfigException("TIERGATE_DRIFT_MINUTES=" + minutes + ": must be 0 (off) or more minutes");
        }
        return Duration.ofMinutes(minutes);
    }

    private static int intValue(Map<String, String> values, String name, int fallback) {
        String v = blankToNull(values.get(name));
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ConfigException(name + "=" + v + ": not a whole number");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /**
     * {@code TIERGATE_INGEST_YIELD_MS} (default 50; 0: off): how long a worker waits, at most, per delivery while
     * webhook requests are being answered, so a burst is acknowledged first and processed after.
     */
    public Duration ingestYield() {
        int ms = intValue(values, "TIERGATE_INGEST_YIELD_MS", 50);
        if (ms < 0) {
            throw new ConfigException(
                    "TIERGATE_INGEST_YIELD_MS=" + ms + ": must be 0 (off) or a number of milliseconds");
        }
        return Duration.ofMillis(ms);
    }

    /** {@code TIERGATE_RUN_WORKERS} (default 2): threads that run repository SQL, apart from the delivery workers. */
    public int runWorkers() {
        int n = intValue(values, "TIERGATE_RUN_WORKERS", 2);
        if (n < 1 || n > 64) {
            throw new ConfigException("TIERGATE_RUN_WORKERS=" + n + ": must be a number of threads from 1 to 64");
        }
        return n;
    }

    /**
     * {@code TIERGATE_RUNS_PER_REPO} (default 1): runs of one repository under way at once. Below the number of run
     * workers, so a repository whose runs are slow cannot take them all.
     */
    public int runsPerRepository() {
        int n = intValue(values, "TIERGATE_RUNS_PER_REPO", 1);
        if (n < 1) {
            throw new ConfigException("TIERGATE_RUNS_PER_REPO=" + n + ": must be at least 1");
        }
        return n;
    }

    public ServerConfig withPort(int newPort) {
        return new ServerConfig(
                newPort,
                home,
                dbUrl,
                dbUser,
                dbPassword,
                branchDbUrl,
                publicUrl,
                githubWebhookSecret,
                githubToken,
                githubApiUrl,
                gitlabUrl,
                gitlabToken,
                gitlabWebhookSecret,
                gitlabSigningToken,
                workers,
                retryBaseDelay,
                maxAttempts,
                reconcileInterval,
                bind,
                apiToken,
                logFormat,
                githubAppId,
                githubAppPrivateKey,
                values);
    }

    @Override
    public String toString() {
        return "ServerConfig[bind=" + bind + ", port=" + port + ", home=" + home + ", dbUrl="
                + (dbUrl == null ? "<embedded>" : redactUrl(dbUrl))
                + ", githubApiUrl=" + githubApiUrl + ", githubWebhookSecret=" + redacted(githubWebhookSecret)
                + ", githubToken=" + redacted(githubToken) + ", githubAppId=" + githubAppId
                + ", githubAppPrivateKey=" + redacted(githubAppPrivateKey) + ", gitlabUrl=" + gitlabUrl
                + ", gitlabToken=" + redacted(gitlabToken) + ", gitlabWebhookSecret=" + redacted(gitlabWebhookSecret)
                + ", apiToken=" + redacted(apiToken) + "]";
    }

    private static String redacted(String s) {
        return s == null ? "<unset>" : "<set>";
    }

    private static String redactUrl(String url) {
        return url.replaceAll("password=[^&]*", "password=<redacted>").replaceAll("//[^/@]*@", "//<redacted>@");
    }
}
