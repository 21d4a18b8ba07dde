package dev.tiergate.server.migrate;

import java.util.List;

/** What running migrations on one database branch did, migration by migration and statement by statement. */
public record MigrationRun(List<Migration> migrations, boolean ok, String error) {

    public enum Outcome { APPLIED, FAILED, NOT_RUN }

    /** One statement: its line in the file, how long it ran, the locks it took and the tables it rewrote. */
    public record Statement(int line, String sql, long millis, List<String> locks, List<String> rewritten, String error) {
    }

    public record Migration(String version, String file, Outcome outcome, long millis, List<Statement> statements, String error,
                            int errorLine) {
        public boolean rewroteATable() {
            return statements.stream().anyMatch(s -> !s.rewritten().isEmpty());
        }
    }

    public static MigrationRun nothing() {
        return new MigrationRun(List.of(), true, null);
    }
}
