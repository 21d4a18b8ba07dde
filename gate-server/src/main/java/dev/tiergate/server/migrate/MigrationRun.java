package dev.tiergate.server.migrate;

import dev.tiergate.core.publish.PublicWords;
import dev.tiergate.core.publish.PublishedError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What running migrations on one database branch did, migration by migration and statement by statement. */
public record MigrationRun(List<Migration> migrations, boolean ok, String error) {

    public enum Outcome {
        APPLIED,
        FAILED,
        NOT_RUN
    }

    /**
     * One statement: its line in the file, how long it ran, the locks it took and the tables it rewrote; a failed
     * one its error as the driver gave it (PostgreSQL's message with its Detail and Where lines: never published as
     * it is, see {@link #published}) and that error's SQLSTATE (null when unknown).
     */
    public record Statement(
            int line,
            String sql,
            long millis,
            List<String> locks,
            List<String> rewritten,
            String error,
            String sqlState,
            Map<String, TableStats> tables) {
        public Statement {
            tables = tables == null ? Map.of() : Map.copyOf(tables);
        }

        public Statement(
                int line,
                String sql,
                long millis,
                List<String> locks,
                List<String> rewritten,
                String error,
                String sqlState) {
            this(line, sql, millis, locks, rewritten, error, sqlState, null);
        }

        public Statement(int line, String sql, long millis, List<String> locks, List<String> rewritten, String error) {
            this(line, sql, millis, locks, rewritten, error, null, null);
        }

        /** The size of a table this statement locked or rewrote, as measured right after it; unknown: -1, -1. */
        public TableStats statsOf(String table) {
            return tables.getOrDefault(table, TableStats.UNKNOWN);
        }

        /** This statement's error as tiergate publishes it, without its location; empty when it did not fail. */
        public Optional<PublishedError> published(PublicWords words) {
            return error == null
                    ? Optional.empty()
                    : Optional.of(PublishedError.of(sqlState, error, words, null, line));
        }
    }

    /**
     * A table's rows (pg_class.reltuples once the table was analysed, else counted up to {@link #COUNT_CAP}) and
     * bytes (pg_total_relation_size); -1 when unknown.
     */
    public record TableStats(long rows, long bytes) {
        public static final TableStats UNKNOWN = new TableStats(-1, -1);
        public static final long COUNT_CAP = 10_000_000;
    }

    public record Migration(
            String version,
            String file,
            Outcome outcome,
            long millis,
            List<Statement> statements,
            String error,
            int errorLine) {
        public boolean rewroteATable() {
            return statements.stream().anyMatch(s -> !s.rewritten().isEmpty());
        }
    }

    public static MigrationRun nothing() {
        return new MigrationRun(List.of(), true, null);
    }

    /**
     * The failure as tiergate publishes it (statuses, comments, audit records): the failed migration's file and line,
     * its SQLSTATE and PostgreSQL's first message line reduced to {@code words}, or withheld (see
     * {@link PublishedError}); empty when the run succeeded. A failure outside any statement has no SQLSTATE and is
     * withheld: Flyway's own text quotes the statement and PostgreSQL's whole message.
     */
    public Optional<PublishedError> publishedFailure(PublicWords words) {
        if (ok) {
            return Optional.empty();
        }
        for (Migration m : migrations) {
            if (m.outcome() == Outcome.FAILED) {
                Statement failed = m.statements().stream()
                        .filter(s -> s.error() != null)
                        .findFirst()
                        .orElse(null);
                int line = m.errorLine() > 0 ? m.errorLine() : failed == null ? 0 : failed.line();
                String message = failed != null && failed.sqlState() != null ? failed.error() : m.error();
                return Optional.of(
                        PublishedError.of(failed == null ? null : failed.sqlState(), message, words, m.file(), line));
            }
        }
        return Optional.of(PublishedError.of(null, error, words, null, 0));
    }

    /**
     * The words a pull request shows of these migrations: {@code files}' paths and texts (the head's migration files)
     * and the statements this run ran. Text read back from the database is published with these words only
     * ({@link PublicWords}); with no files at hand, the statements alone.
     */
    public PublicWords words(List<MigrationFile> files) {
        Map<String, String> texts = new LinkedHashMap<>();
        for (MigrationFile f : files) {
            texts.put(f.path(), f.text());
        }
        List<String> ran = new ArrayList<>();
        for (Migration m : migrations) {
            if (m.file() != null) {
                ran.add(m.file());
            }
            m.statements().forEach(s -> ran.add(s.sql()));
        }
        texts.put("", String.join("\n", ran));
        return PublicWords.of(texts);
    }
}
