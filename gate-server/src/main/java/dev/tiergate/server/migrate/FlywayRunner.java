package dev.tiergate.server.migrate;

import dev.tiergate.core.drift.TierDrift;
import dev.tiergate.server.backend.BranchConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.ValidateOutput;
import org.flywaydb.core.api.output.ValidateResult;
import org.flywaydb.core.internal.sqlscript.FlywaySqlScriptException;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;

/**
 * Runs a set of migration files on one database branch with Flyway (the same tool, history table and checksums a
 * team's own {@code flyway migrate} uses), and measures what each statement did there: its duration, the relation
 * locks its transaction took (read from {@code pg_locks} for the migrating backend, on its own connection, after
 * each statement) and the tables it rewrote ({@code pg_class.relfilenode} changed). Measured on a fork of the real
 * tier, not guessed from the text.
 */
public final class FlywayRunner {
    private FlywayRunner() {}

    /** Applies the pending migrations among {@code files}; stops at the first failure (which Flyway rolls back). */
    public static MigrationRun migrate(BranchConnection db, List<MigrationFile> files) {
        StatementMeasure measure = new StatementMeasure(files);
        try (Workdir dir = Workdir.of(files)) {
            try {
                flyway(db, dir.path).callbacks(measure).load().migrate();
                return new MigrationRun(measure.results(), true, null);
            } catch (FlywayException e) {
                return new MigrationRun(withCause(measure.results(), e), false, firstLine(e.getMessage()));
            }
        }
    }

    /** One problem Flyway's validate found: its error code (e.g. CHECKSUM_MISMATCH), version, file and message. */
    public record Problem(String code, String version, String file, String message) {}

    /**
     * Compares {@code files} with what the branch has applied, without changing it: applied migrations edited,
     * removed, or resolved but older than what is applied. Pending migrations are not problems.
     */
    public static List<Problem> validate(BranchConnection db, List<MigrationFile> files) {
        try (Workdir dir = Workdir.of(files)) {
            ValidateResult r = flyway(db, dir.path)
                    .ignoreMigrationPatterns("*:pending", "*:missing")
                    .load()
                    .validateWithResult();
            List<Problem> out = new ArrayList<>();
            if (r.invalidMigrations != null) {
                for (ValidateOutput o : r.invalidMigrations) {
                    out.add(new Problem(
                            o.errorDetails == null ? "UNKNOWN" : String.valueOf(o.errorDetails.errorCode),
                            o.version,
                            o.filepath,
                            o.errorDetails == null ? "" : o.errorDetails.errorMessage));
                }
            }
            return out;
        }
    }

    /**
     * The branch's history against {@code files} (a tier's, at its head), as a drift pass reads it: an applied version
     * with no file (older or newer than the files: "missing" and "future" to Flyway), a file changed since it was
     * applied, a failed entry. Files not applied yet (pending, or older than what is applied) are not drift.
     */
    public static List<TierDrift.HistoryProblem> historyProblems(BranchConnection db, List<MigrationFile> files) {
        try (Workdir dir = Workdir.of(files)) {
            ValidateResult r = flyway(db, dir.path)
                    .ignoreMigrationPatterns("*:pending", "*:ignored")
                    .load()
                    .validateWithResult();
            List<TierDrift.HistoryProblem> out = new ArrayList<>();
            if (r.invalidMigrations != null) {
                for (ValidateOutput o : r.invalidMigrations) {
                    String code = o.errorDetails == null ? "" : String.valueOf(o.errorDetails.errorCode);
                    TierDrift.HistoryProblem.Problem kind = code.contains("NOT_RESOLVED")
                            ? TierDrift.HistoryProblem.Problem.NO_FILE
                            : code.startsWith("FAILED")
                                    ? TierDrift.HistoryProblem.Problem.FAILED
                                    : code.contains("MISMATCH") ? TierDrift.HistoryProblem.Problem.EDITED : null;
                    if (kind != null) {
                        out.add(new TierDrift.HistoryProblem(
                                kind,
                                o.version,
                                o.filepath == null || o.filepath.isEmpty()
                                        ? null
                                        : Path.of(o.filepath).getFileName().toString()));
                    }
                }
            }
            return out;
        }
    }

    /** A migration Flyway recorded as applied: version, script, checksum, and whether it succeeded. */
    public record Applied(String version, String script, Integer checksum, boolean success) {}

    /** The branch's Flyway history, oldest first; empty when nothing was ever migrated there. */
    public static List<Applied> history(BranchConnection db) {
        List<Applied> out = new ArrayList<>();
        try (Connection c = connect(db)) {
            try (PreparedStatement ps = c.prepareStatement("select to_regclass('flyway_schema_history') is not null");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return out;
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                            "select version, script, checksum, success from flyway_schema_history where version is not null order by installed_rank");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int ck = rs.getInt(3);
                    out.add(new Applied(rs.getString(1), rs.getString(2), rs.wasNull() ? null : ck, rs.getBoolean(4)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the migration history of " + db + ": " + e.getMessage(), e);
        }
        return out;
    }

    public static Connection connect(BranchConnection db) throws SQLException {
        return DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
    }

    private static FluentConfiguration flyway(BranchConnection db, Path dir) {
        FluentConfiguration config = Flyway.configure();
        // Flyway's default transactional advisory lock keeps a transaction open on a second connection, and
        // CREATE INDEX CONCURRENTLY waits for every open transaction: it would wait forever
        config.getPluginRegister()
                .getPlugin(PostgreSQLConfigurationExtension.class)
                .setTransactionalLock(false);
        return config.dataSource(db.jdbcUrl(), db.user(), db.password())
                // the history names the branch's migration login (its sessions act as the repository's owner role)
                .installedBy(db.user())
                .locations("filesystem:" + dir)
                .cleanDisabled(true)
                // a branch behind its tier lacks the files of migrations merged after it: applied there, not missing
                // here
                // (a migration really removed is the base-against-head rule's to refuse)
                .ignoreMigrationPatterns("*:missing")
                .mixed(true) // CREATE INDEX CONCURRENTLY beside other statements: Flyway runs it outside a transaction
                // only the judged files run: no SQL callback (beforeMigrate.sql …) found beside them, and no ${…}
                // placeholder expanded into what was judged as text (${flyway:user} and the like)
                .skipDefaultCallbacks(true)
                .placeholderReplacement(false)
                .failOnMissingLocations(false)
                .loggers("slf4j");
    }

    /** PostgreSQL's own message and the failing line, from Flyway's exception, put on the migration that failed. */
    private static List<MigrationRun.Migration> withCause(List<MigrationRun.Migration> results, FlywayException e) {
        String message = null;
        int line = 0;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof FlywaySqlScriptException s) {
                line = s.getLineNumber();
            }
            if (t instanceof SQLException sql && message == null) {
                message = sql.getMessage();
            }
        }
        List<MigrationRun.Migration> out = new ArrayList<>(results);
        for (int i = out.size() - 1; i >= 0; i--) {
            MigrationRun.Migration m = out.get(i);
            if (m.outcome() == MigrationRun.Outcome.FAILED) {
                out.set(
                        i,
                        new MigrationRun.Migration(
                                m.version(),
                                m.file(),
                                m.outcome(),
                                m.millis(),
                                m.statements(),
                                message != null ? message : m.error(),
                                line > 0 ? line : m.errorLine()));
                break;
            }
        }
        return out;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "migration failed";
        }
        return s.strip();
    }

    /** The files written to a fresh folder for Flyway's filesystem location; removed afterwards. */
    private static final class Workdir implements AutoCloseable {
        final Path path;

        private Workdir(Path path) {
            this.path = path;
        }

        static Workdir of(List<MigrationFile> files) {
            try {
                Path dir = Files.createTempDirectory("tiergate-migrations");
                for (MigrationFile f : files) {
                    Path target = dir.resolve(f.fileName()).normalize();
                    if (!dir.equals(target.getParent())) { // a name from the repository never leaves the folder
                        throw new IllegalArgumentException(
                                "migration file name " + f.fileName() + " is not a plain file name");
                    }
                    Files.write(target, f.content());
                }
                return new Workdir(dir);
            } catch (IOException e) {
                throw new IllegalStateException("cannot stage migrations for Flyway: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            try (Stream<Path> walk = Files.walk(path)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temporary folder left behind; the OS cleans it
            }
        }
    }
}
