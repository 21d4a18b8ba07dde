package dev.tiergate.server.migrate;

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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.ValidateOutput;
import org.flywaydb.core.api.output.ValidateResult;

/**
 * Runs a set of migration files on one database branch with Flyway (the same tool, history table and checksums a
 * team's own {@code flyway migrate} uses), and measures what each statement did there: its duration, the relation
 * locks its transaction took (read from {@code pg_locks} for the migrating backend, on its own connection, after
 * each statement) and the tables it rewrote ({@code pg_class.relfilenode} changed). Measured on a fork of the real
 * tier, not guessed from the text.
 */
public final class FlywayRunner {
    private static final String LOCKS = """
            select c.relname, l.mode from pg_locks l join pg_class c on c.oid = l.relation
             where l.pid = pg_backend_pid() and l.locktype = 'relation' and l.granted
               and c.relnamespace not in ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
               and c.relname <> 'flyway_schema_history' and c.relname not like 'flyway_schema_history%'""";
    private static final String FILENODES = """
            select c.oid, c.relname, c.relfilenode from pg_class c
             where c.relkind in ('r', 'm', 'p') and c.relnamespace not in ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
               and c.relnamespace::regnamespace::text not like 'pg_toast%' and c.relname <> 'flyway_schema_history'""";

    private FlywayRunner() {
    }

    /** Applies the pending migrations among {@code files}; stops at the first failure (which Flyway rolls back). */
    public static MigrationRun migrate(BranchConnection db, List<MigrationFile> files) {
        Measure measure = new Measure(files);
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
    public record Problem(String code, String version, String file, String message) {
    }

    /**
     * Compares {@code files} with what the branch has applied, without changing it: applied migrations edited,
     * removed, or resolved but older than what is applied. Pending migrations are not problems.
     */
    public static List<Problem> validate(BranchConnection db, List<MigrationFile> files) {
        try (Workdir dir = Workdir.of(files)) {
            ValidateResult r = flyway(db, dir.path).ignoreMigrationPatterns("*:pending", "*:missing").load().validateWithResult();
            List<Problem> out = new ArrayList<>();
            if (r.invalidMigrations != null) {
                for (ValidateOutput o : r.invalidMigrations) {
                    out.add(new Problem(o.errorDetails == null ? "UNKNOWN" : String.valueOf(o.errorDetails.errorCode), o.version, o.filepath,
                            o.errorDetails == null ? "" : o.errorDetails.errorMessage));
                }
            }
            return out;
        }
    }

    /** A migration Flyway recorded as applied: version, script, checksum, and whether it succeeded. */
    public record Applied(String version, String script, Integer checksum, boolean success) {
    }

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

    static Connection connect(BranchConnection db) throws SQLException {
        return DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
    }

    private static FluentConfiguration flyway(BranchConnection db, Path dir) {
        FluentConfiguration config = Flyway.configure();
        // Flyway's default transactional advisory lock keeps a transaction open on a second connection, and
        // CREATE INDEX CONCURRENTLY waits for every open transaction: it would wait forever
        config.getPluginRegister().getPlugin(org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension.class).setTransactionalLock(false);
        return config
                .dataSource(db.jdbcUrl(), db.user(), db.password())
                .locations("filesystem:" + dir)
                .cleanDisabled(true)
                // a branch behind its tier lacks the files of migrations merged after it: applied there, not missing here
                // (a migration really removed is the base-against-head rule's to refuse)
                .ignoreMigrationPatterns("*:missing")
                .mixed(true) // CREATE INDEX CONCURRENTLY beside other statements: Flyway runs it outside a transaction

                .failOnMissingLocations(false)
                .loggers("slf4j");
    }

    /** PostgreSQL's own message and the failing line, from Flyway's exception, put on the migration that failed. */
    private static List<MigrationRun.Migration> withCause(List<MigrationRun.Migration> results, FlywayException e) {
        String message = null;
        int line = 0;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.flywaydb.core.internal.sqlscript.FlywaySqlScriptException s) {
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
                out.set(i, new MigrationRun.Migration(m.version(), m.file(), m.outcome(), m.millis(), m.statements(),
                        message != null ? message : m.error(), line > 0 ? line : m.errorLine()));
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

    /** The Flyway callback that measures each statement on the migrating connection. */
    private static final class Measure implements Callback {
        private final Map<String, String> textByFile = new HashMap<>();
        private final List<MigrationRun.Migration> done = new ArrayList<>();
        private List<MigrationRun.Statement> statements;
        private String version;
        private String file;
        private long migrationStart;
        private long statementStart;
        private TreeSet<String> locksBefore;
        private Map<Long, String[]> filenodesBefore;
        private int searchFrom;
        private int lastLine;

        Measure(List<MigrationFile> files) {
            files.forEach(f -> textByFile.put(f.fileName(), f.text()));
        }

        List<MigrationRun.Migration> results() {
            return List.copyOf(done);
        }

        @Override
        public boolean supports(Event event, Context context) {
            return switch (event) {
                case BEFORE_EACH_MIGRATE, AFTER_EACH_MIGRATE, AFTER_EACH_MIGRATE_ERROR, BEFORE_EACH_MIGRATE_STATEMENT,
                     AFTER_EACH_MIGRATE_STATEMENT, AFTER_EACH_MIGRATE_STATEMENT_ERROR -> true;
                default -> false;
            };
        }

        @Override
        public boolean canHandleInTransaction(Event event, Context context) {
            return true;
        }

        @Override
        public String getCallbackName() {
            return "tiergate-measure";
        }

        @Override
        public void handle(Event event, Context ctx) {
            try {
                switch (event) {
                    case BEFORE_EACH_MIGRATE -> {
                        version = ctx.getMigrationInfo().getVersion() == null ? null : ctx.getMigrationInfo().getVersion().getVersion();
                        file = fileName(ctx.getMigrationInfo().getScript());
                        statements = new ArrayList<>();
                        migrationStart = System.nanoTime();
                        searchFrom = 0;
                        lastLine = 1;
                    }
                    case BEFORE_EACH_MIGRATE_STATEMENT -> {
                        locksBefore = locks(ctx.getConnection());
                        filenodesBefore = filenodes(ctx.getConnection());
                        statementStart = System.nanoTime();
                    }
                    case AFTER_EACH_MIGRATE_STATEMENT -> statements.add(statementDone(ctx, null));
                    case AFTER_EACH_MIGRATE_STATEMENT_ERROR -> {
                        String err = ctx.getStatement() == null || ctx.getStatement().getErrors().isEmpty() ? "failed"
                                : ctx.getStatement().getErrors().get(0).getMessage();
                        statements.add(statementDone(ctx, err));
                    }
                    case AFTER_EACH_MIGRATE -> done.add(new MigrationRun.Migration(version, file, MigrationRun.Outcome.APPLIED,
                            millis(migrationStart), List.copyOf(statements), null, 0));
                    case AFTER_EACH_MIGRATE_ERROR -> {
                        MigrationRun.Statement failed = statements.stream().filter(s -> s.error() != null).findFirst().orElse(null);
                        done.add(new MigrationRun.Migration(version, file, MigrationRun.Outcome.FAILED, millis(migrationStart),
                                List.copyOf(statements), failed == null ? "failed" : failed.error(), failed == null ? 0 : failed.line()));
                    }
                    default -> {
                    }
                }
            } catch (SQLException e) {
                // measuring must never change the outcome of a migration; the statement's figures are left out
                if (statements != null && (event == Event.AFTER_EACH_MIGRATE_STATEMENT || event == Event.AFTER_EACH_MIGRATE_STATEMENT_ERROR)) {
                    statements.add(new MigrationRun.Statement(lastLine, sqlOf(ctx), millis(statementStart), List.of(), List.of(),
                            event == Event.AFTER_EACH_MIGRATE_STATEMENT_ERROR ? "failed" : null));
                }
            }
        }

        private MigrationRun.Statement statementDone(Context ctx, String error) throws SQLException {
            long ms = millis(statementStart);
            String sql = sqlOf(ctx);
            int line = lineOf(sql);
            List<String> taken = new ArrayList<>();
            List<String> rewritten = new ArrayList<>();
            if (error == null) {
                TreeSet<String> now = locks(ctx.getConnection());
                now.removeAll(locksBefore);
                taken.addAll(now);
                Map<Long, String[]> after = filenodes(ctx.getConnection());
                for (Map.Entry<Long, String[]> e : after.entrySet()) {
                    String[] before = filenodesBefore.get(e.getKey());
                    if (before != null && !before[1].equals(e.getValue()[1])) {
                        rewritten.add(e.getValue()[0]);
                    }
                }
            }
            return new MigrationRun.Statement(line, sql, ms, taken, rewritten, error);
        }

        /** The statement as Flyway ran it, without the comment lines Flyway keeps in front of it (a migration's header). */
        private String sqlOf(Context ctx) {
            String sql = ctx.getStatement() == null ? "" : ctx.getStatement().getSql().strip();
            while (sql.startsWith("--")) {
                int nl = sql.indexOf('\n');
                sql = nl < 0 ? "" : sql.substring(nl + 1).strip();
            }
            return sql;
        }

        /** The statement's first line in its file, found by walking the file forward from the previous statement. */
        private int lineOf(String sql) {
            String text = textByFile.getOrDefault(file, "");
            String head = sql.length() > 40 ? sql.substring(0, 40) : sql;
            int at = head.isEmpty() ? -1 : text.indexOf(head, searchFrom);
            if (at < 0) {
                return lastLine;
            }
            searchFrom = at + head.length();
            lastLine = 1 + (int) text.substring(0, at).chars().filter(ch -> ch == '\n').count();
            return lastLine;
        }

        private static TreeSet<String> locks(Connection c) throws SQLException {
            TreeSet<String> out = new TreeSet<>();
            try (PreparedStatement ps = c.prepareStatement(LOCKS); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(2) + " on " + rs.getString(1));
                }
            }
            return out;
        }

        private static Map<Long, String[]> filenodes(Connection c) throws SQLException {
            Map<Long, String[]> out = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(FILENODES); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getLong(1), new String[] {rs.getString(2), rs.getString(3)});
                }
            }
            return out;
        }

        private static String fileName(String script) {
            if (script == null) {
                return null;
            }
            int slash = Math.max(script.lastIndexOf('/'), script.lastIndexOf('\\'));
            return slash < 0 ? script : script.substring(slash + 1);
        }

        private static long millis(long startNanos) {
            return (System.nanoTime() - startNanos) / 1_000_000;
        }
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
                    Files.write(dir.resolve(f.fileName()), f.content());
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
