package dev.tiergate.server.migrate;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;

/**
 * The Flyway callback that measures each statement on the migrating connection, inside the migration's own
 * transaction: its duration, the relation locks the transaction took (pg_locks for this backend, before and after),
 * and the tables it rewrote (their relfilenode changed). Measuring never changes a migration's outcome.
 */
final class StatementMeasure implements Callback {
    private static final String LOCKS = """
            select c.relname, l.mode from pg_locks l join pg_class c on c.oid = l.relation
             where l.pid = pg_backend_pid() and l.locktype = 'relation' and l.granted
               and c.relnamespace not in ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
               and c.relname <> 'flyway_schema_history' and c.relname not like 'flyway_schema_history%'""";
    private static final String FILENODES = """
            select c.oid, c.relname, c.relfilenode from pg_class c
             where c.relkind in ('r', 'm', 'p') and c.relnamespace not in ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
               and c.relnamespace::regnamespace::text not like 'pg_toast%' and c.relname <> 'flyway_schema_history'""";

    /**
     * Tables by name (the locks name them as pg_locks does, without schema): their estimate, total size and the name
     * to count them by (quoted by PostgreSQL, never built from the name). A name in two schemas: the larger.
     */
    private static final String SIZES = """
            select distinct on (c.relname) c.relname,
                   case when c.reltuples < 0 or c.relpages = 0 then -1 else c.reltuples::bigint end,
                   pg_total_relation_size(c.oid), c.oid::regclass::text
              from pg_class c
             where c.relname = any(?) and c.relkind in ('r', 'p', 'm')
               and c.relnamespace not in ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
             order by c.relname, pg_total_relation_size(c.oid) desc""";

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

    StatementMeasure(List<MigrationFile> files) {
        files.forEach(f -> textByFile.put(f.fileName(), f.text()));
    }

    List<MigrationRun.Migration> results() {
        return List.copyOf(done);
    }

    @Override
    public boolean supports(Event event, Context context) {
        return switch (event) {
            case BEFORE_EACH_MIGRATE,
                    AFTER_EACH_MIGRATE,
                    AFTER_EACH_MIGRATE_ERROR,
                    BEFORE_EACH_MIGRATE_STATEMENT,
                    AFTER_EACH_MIGRATE_STATEMENT,
                    AFTER_EACH_MIGRATE_STATEMENT_ERROR -> true;
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
                    version = ctx.getMigrationInfo().getVersion() == null
                            ? null
                            : ctx.getMigrationInfo().getVersion().getVersion();
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
                case AFTER_EACH_MIGRATE_STATEMENT -> statements.add(statementDone(ctx, null, null));
                case AFTER_EACH_MIGRATE_STATEMENT_ERROR -> {
                    boolean known = ctx.getStatement() != null
                            && !ctx.getStatement().getErrors().isEmpty();
                    String err = known ? ctx.getStatement().getErrors().get(0).getMessage() : "failed";
                    statements.add(statementDone(
                            ctx,
                            err,
                            known ? ctx.getStatement().getErrors().get(0).getState() : null));
                }
                case AFTER_EACH_MIGRATE ->
                    done.add(new MigrationRun.Migration(
                            version,
                            file,
                            MigrationRun.Outcome.APPLIED,
                            millis(migrationStart),
                            List.copyOf(statements),
                            null,
                            0));
                case AFTER_EACH_MIGRATE_ERROR -> {
                    MigrationRun.Statement failed = statements.stream()
                            .filter(s -> s.error() != null)
                            .findFirst()
                            .orElse(null);
                    done.add(new MigrationRun.Migration(
                            version,
                            file,
                            MigrationRun.Outcome.FAILED,
                            millis(migrationStart),
                            List.copyOf(statements),
                            failed == null ? "failed" : failed.error(),
                            failed == null ? 0 : failed.line()));
                }
                default -> {}
            }
        } catch (SQLException e) {
            // measuring must never change the outcome of a migration; the statement's figures are left out
            if (statements != null
                    && (event == Event.AFTER_EACH_MIGRATE_STATEMENT
                            || event == Event.AFTER_EACH_MIGRATE_STATEMENT_ERROR)) {
                boolean failed = event == Event.AFTER_EACH_MIGRATE_STATEMENT_ERROR;
                boolean known = failed
                        && ctx.getStatement() != null
                        && !ctx.getStatement().getErrors().isEmpty();
                statements.add(new MigrationRun.Statement(
                        lastLine,
                        sqlOf(ctx),
                        millis(statementStart),
                        List.of(),
                        List.of(),
                        known ? ctx.getStatement().getErrors().get(0).getMessage() : failed ? "failed" : null,
                        known ? ctx.getStatement().getErrors().get(0).getState() : null));
            }
        }
    }

    private MigrationRun.Statement statementDone(Context ctx, String error, String sqlState) throws SQLException {
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
        Map<String, MigrationRun.TableStats> tables = new LinkedHashMap<>();
        if (error == null) {
            TreeSet<String> names = new TreeSet<>(rewritten);
            taken.forEach(l -> names.add(l.substring(l.indexOf(" on ") + 4)));
            tables = sizes(ctx.getConnection(), names);
        }
        return new MigrationRun.Statement(line, sql, ms, taken, rewritten, error, sqlState, tables);
    }

    /**
     * The rows and bytes of the tables a statement locked or rewrote, which the policy's approval rules weigh. Rows
     * are the planner's estimate once the table was analysed (a copy of a tier keeps its tier's), else counted up to a
     * cap; the count runs inside a savepoint, so even a failing read (a policy function that raises) never touches
     * the migration's transaction. Indexes and sequences are left out.
     */
    private static Map<String, MigrationRun.TableStats> sizes(Connection c, TreeSet<String> names) throws SQLException {
        Map<String, MigrationRun.TableStats> out = new LinkedHashMap<>();
        if (names.isEmpty()) {
            return out;
        }
        Map<String, String> uncounted = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(SIZES)) {
            ps.setArray(1, c.createArrayOf("text", names.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long rows = rs.getLong(2);
                    out.put(rs.getString(1), new MigrationRun.TableStats(rows, rs.getLong(3)));
                    if (rows < 0) {
                        uncounted.put(rs.getString(1), rs.getString(4));
                    }
                }
            }
        }
        for (Map.Entry<String, String> t : uncounted.entrySet()) {
            long rows = counted(c, t.getValue());
            out.put(
                    t.getKey(),
                    new MigrationRun.TableStats(rows, out.get(t.getKey()).bytes()));
        }
        return out;
    }

    private static long counted(Connection c, String qualified) throws SQLException {
        Savepoint sp = c.getAutoCommit() ? null : c.setSavepoint();
        try (PreparedStatement ps = c.prepareStatement("select count(*) from (select from " + qualified + " limit "
                        + (MigrationRun.TableStats.COUNT_CAP + 1) + ") s");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            long rows = rs.getLong(1);
            if (sp != null) {
                c.releaseSavepoint(sp);
            }
            return rows;
        } catch (SQLException e) {
            if (sp != null) {
                c.rollback(sp);
            }
            return -1;
        }
    }

    /** The statement as Flyway ran it, without the comment lines Flyway keeps in front of it (a migration's header). */
    private String sqlOf(Context ctx) {
        String sql =
                ctx.getStatement() == null ? "" : ctx.getStatement().getSql().strip();
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
        lastLine =
                1 + (int) text.substring(0, at).chars().filter(ch -> ch == '\n').count();
        return lastLine;
    }

    private static TreeSet<String> locks(Connection c) throws SQLException {
        TreeSet<String> out = new TreeSet<>();
        try (PreparedStatement ps = c.prepareStatement(LOCKS);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(2) + " on " + rs.getString(1));
            }
        }
        return out;
    }

    private static Map<Long, String[]> filenodes(Connection c) throws SQLException {
        Map<Long, String[]> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(FILENODES);
                ResultSet rs = ps.executeQuery()) {
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
