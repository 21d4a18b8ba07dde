package dev.tiergate.core.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Where migrations live, how they are named, the tool that applies them (its transaction semantics are what the SQL
 * lint's transaction rules rest on, with the two Flyway settings that change them), and the bounds every run of them
 * gets on the server: the extensions tiergate creates before migrations run (a migration itself may create only
 * PostgreSQL's trusted ones), the deadline of one run, and the size a branch database may reach.
 */
public record MigrationSettings(
        @JsonProperty("directory") String directory,
        @JsonProperty("naming") String naming,
        @JsonProperty("extensions") List<String> extensions,
        @JsonProperty("run_minutes") Double runMinutes,

        @JsonProperty("branch_size_limit_mb") @JsonInclude(JsonInclude.Include.NON_NULL)
        Long branchSizeLimitMb,

        @JsonProperty("tool") MigrationTool tool,
        @JsonProperty("flyway") FlywaySettings flyway) {

    public static final String DEFAULT_DIRECTORY = "db/migration";
    /** Flyway-style versioned name with a UTC timestamp version. */
    public static final String DEFAULT_NAMING = "V{timestamp}__{description}.sql";

    public static final MigrationSettings DEFAULTS = new MigrationSettings(null, null);
    /** A run (a rehearsal, a merge, a working branch following a push) ends after this long unless the policy says. */
    public static final double DEFAULT_RUN_MINUTES = 10;
    /** The shortest deadline a policy may set (3 s): a fraction of a minute suits a test, hardly a team. */
    public static final double MIN_RUN_MINUTES = 0.05;
    /** The longest deadline a policy may ask for: a policy is repository content, and a day-long run holds a slot. */
    public static final double MAX_RUN_MINUTES = 120;

    public MigrationSettings {
        directory = directory == null || directory.isBlank() ? DEFAULT_DIRECTORY : stripSlashes(directory);
        naming = naming == null || naming.isBlank() ? DEFAULT_NAMING : naming;
        extensions = extensions == null ? List.of() : List.copyOf(extensions);
        runMinutes = runMinutes == null
                ? DEFAULT_RUN_MINUTES
                : Math.max(MIN_RUN_MINUTES, Math.min(runMinutes, MAX_RUN_MINUTES));
        tool = tool == null ? MigrationTool.FLYWAY : tool;
        flyway = flyway == null ? FlywaySettings.DEFAULTS : flyway;
    }

    /** Where migrations live and the bounds of a run; the tool Flyway with Flyway's defaults. */
    public MigrationSettings(
            String directory, String naming, List<String> extensions, Double runMinutes, Long branchSizeLimitMb) {
        this(directory, naming, extensions, runMinutes, branchSizeLimitMb, null, null);
    }

    /** Where migrations live and how they are named; the run's bounds at their defaults. */
    public MigrationSettings(String directory, String naming) {
        this(directory, naming, null, null, null, null, null);
    }

    /** The deadline of one run. */
    public Duration runDeadline() {
        return Duration.ofMillis(Math.round(runMinutes * 60_000));
    }

    /** The deadline in words: "10 min", "0.05 min". */
    public String runMinutesText() {
        return (runMinutes == Math.rint(runMinutes)
                        ? Long.toString(Math.round(runMinutes))
                        : Double.toString(runMinutes))
                + " min";
    }

    /**
     * The size in bytes a branch database may reach while migrations run on it: its tier's size plus the policy's
     * {@code branch_size_limit_mb} (a bound on growth, so a tier already larger than the number can still migrate),
     * else twice its tier's size plus 1 GiB.
     */
    public long branchSizeLimitBytes(long tierBytes) {
        if (branchSizeLimitMb != null && branchSizeLimitMb > 0) {
            return Math.max(0, tierBytes) + branchSizeLimitMb * 1024L * 1024L;
        }
        return 2 * Math.max(0, tierBytes) + 1024L * 1024L * 1024L;
    }

    /**
     * The extension a migration file has, from the naming template: {@code .sql} for the default, {@code .py} for
     * {@code {timestamp}_{description}.py} (Alembic), {@code .js} for Knex; empty when the template has none (then
     * every file in the directory is a migration).
     */
    public String extension() {
        String tail = naming.substring(naming.lastIndexOf('}') + 1);
        int dot = tail.lastIndexOf('.');
        return dot < 0 ? "" : tail.substring(dot).toLowerCase(Locale.ROOT);
    }

    private static String stripSlashes(String dir) {
        String d = dir.replace('\\', '/');
        while (d.endsWith("/")) {
            d = d.substring(0, d.length() - 1);
        }
        while (d.startsWith("./")) {
            d = d.substring(2);
        }
        return d;
    }
}
