package dev.tiergate.core.policy;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where migrations live and how they are named. */
public record MigrationSettings(
        @JsonProperty("directory") String directory,
        @JsonProperty("naming") String naming) {

    public static final String DEFAULT_DIRECTORY = "db/migration";
    /** Flyway-style versioned name with a UTC timestamp version. */
    public static final String DEFAULT_NAMING = "V{timestamp}__{description}.sql";
    public static final MigrationSettings DEFAULTS = new MigrationSettings(null, null);

    public MigrationSettings {
        directory = directory == null || directory.isBlank() ? DEFAULT_DIRECTORY : stripSlashes(directory);
        naming = naming == null || naming.isBlank() ? DEFAULT_NAMING : naming;
    }

    /**
     * The extension a migration file has, from the naming template: {@code .sql} for the default, {@code .py} for
     * {@code {timestamp}_{description}.py} (Alembic), {@code .js} for Knex; empty when the template has none (then
     * every file in the directory is a migration).
     */
    public String extension() {
        String tail = naming.substring(naming.lastIndexOf('}') + 1);
        int dot = tail.lastIndexOf('.');
        return dot < 0 ? "" : tail.substring(dot).toLowerCase(java.util.Locale.ROOT);
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
