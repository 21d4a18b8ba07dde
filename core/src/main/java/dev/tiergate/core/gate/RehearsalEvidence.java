package dev.tiergate.core.gate;

import java.util.List;

/**
 * What a PR's rehearsal measured on a copy of its base tier, kept for the head and base it ran on: per migration the
 * PR adds, its phase and duration, and per statement the locks it took and the tables it rewrote, each with the
 * table's size then; and the lint findings over the PR's migrations (those waived with {@code -- tiergate:ignore}
 * among them). The approval rules route review by it ({@link ApprovalRouting}).
 */
public record RehearsalEvidence(
        String headSha, String baseSha, Outcome outcome, List<MigrationFacts> migrations, List<LintFinding> findings) {

    public RehearsalEvidence {
        migrations = migrations == null ? List.of() : List.copyOf(migrations);
        findings = findings == null ? List.of() : List.copyOf(findings);
    }

    /** Passed; failed (a refusal, a failed migration, a stopped run); skipped (tiergate could not run them). */
    public enum Outcome {
        PASSED,
        FAILED,
        SKIPPED;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Whether this evidence is of {@code headSha} on {@code baseSha}. */
    public boolean of(String headSha, String baseSha) {
        return this.headSha.equals(headSha) && this.baseSha.equals(baseSha);
    }

    /** One migration the PR adds, as the rehearsal ran it; {@code phase} from its header (null when it has none). */
    public record MigrationFacts(
            String version, String file, String phase, long millis, List<StatementFacts> statements) {
        public MigrationFacts {
            statements = statements == null ? List.of() : List.copyOf(statements);
        }
    }

    /** One statement: its first line in the file, its duration, the locks it took and the tables it rewrote. */
    public record StatementFacts(int line, long millis, List<TableLock> locks, List<TableSize> rewrites) {
        public StatementFacts {
            locks = locks == null ? List.of() : List.copyOf(locks);
            rewrites = rewrites == null ? List.of() : List.copyOf(rewrites);
        }
    }

    /** A lock on a table in pg_locks' words, and the table's rows and bytes when it was taken (-1: unknown). */
    public record TableLock(String mode, String table, long rows, long bytes) {}

    /** A rewritten table and its rows and bytes (-1: unknown). */
    public record TableSize(String table, long rows, long bytes) {}

    /** A lint finding: its rule, where ({@code file:line}), and whether a {@code -- tiergate:ignore} waived it. */
    public record LintFinding(String rule, String where, boolean waived) {}
}
