package dev.tiergate.core.lint;

import dev.tiergate.core.policy.MigrationTool;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the migration tool runs one file: inside one transaction or statement by statement, the fact that says so (a
 * finding's message quotes it), and for Flyway whether it refuses the script for mixing transactional and
 * non-transactional statements. {@link dev.tiergate.core.policy.MigrationTool} cites each tool's documentation.
 *
 * @param inTransaction the tool runs the file's statements inside one transaction block
 * @param fact          why, in one clause
 * @param versioned     a migration the tool applies once (every tool's, but Flyway's repeatable {@code R__} scripts)
 * @param mixedAt       Flyway with {@code mixed} off: the index of the first non-transactional statement of a script that
 *                      also has transactional ones (Flyway refuses it), else -1
 * @param firstTransactionalLine for such a script, the line of its first transactional statement, else -1
 */
public record FileTransaction(
        boolean inTransaction, String fact, boolean versioned, int mixedAt, int firstTransactionalLine) {
    /** The tools' annotations, compiled on first use (a regular expression compiles slowly at start-up). */
    private static final class Patterns {
        static final Pattern GOOSE_NO_TRANSACTION =
                Pattern.compile("^--\\s*\\+goose\\s+NO\\s+TRANSACTION\\b", Pattern.MULTILINE);
        static final Pattern DBMATE_NO_TRANSACTION =
                Pattern.compile("^--\\s*migrate:(up|down)\\b.*\\btransaction:false\\b", Pattern.MULTILINE);
        static final Pattern SCRIPT_CONFIG = Pattern.compile(
                "^\\s*(?:flyway\\.)?executeInTransaction\\s*[=:]\\s*(true|false)\\s*$",
                Pattern.MULTILINE | Pattern.CASE_INSENSITIVE);
    }

    /**
     * @param fileName     the file's name (its last path part decides versioned or repeatable)
     * @param sql          its text (for the tools' annotations)
     * @param statements   its statements as parsed (null where the parser could not read one)
     * @param lines        the line each statement starts on
     * @param scriptConfig Flyway's script configuration file of it ({@code V1__x.sql.conf}), or null
     */
    static FileTransaction of(
            LintSettings settings,
            String fileName,
            String sql,
            List<PgStatement> statements,
            List<Integer> lines,
            String scriptConfig) {
        MigrationTool tool = settings.tool();
        String base = fileName.substring(fileName.lastIndexOf('/') + 1);
        boolean versioned = !(tool == MigrationTool.FLYWAY && base.startsWith("R__"));
        Optional<Boolean> assume = settings.assumeInTransaction();
        if (assume.isPresent()) {
            return new FileTransaction(
                    assume.get(),
                    assume.get()
                            ? "the runner wraps each file in a transaction (--assume-in-transaction)"
                            : "the runner runs each statement on its own (--no-assume-in-transaction)",
                    versioned,
                    -1,
                    -1);
        }
        switch (tool) {
            case FLYWAY:
                return flyway(settings, statements, lines, scriptConfig, versioned);
            case GOLANG_MIGRATE:
                return statements.size() <= 1
                        ? new FileTransaction(
                                false,
                                "golang-migrate sends the file as one query, and a query of one"
                                        + " statement runs outside a transaction block",
                                versioned,
                                -1,
                                -1)
                        : new FileTransaction(
                                true,
                                tool.transactionFact() + " (it has " + statements.size() + " statements)",
                                versioned,
                                -1,
                                -1);
            case GOOSE:
                return Patterns.GOOSE_NO_TRANSACTION.matcher(sql).find()
                        ? new FileTransaction(
                                false,
                                "goose runs this file outside a transaction (-- +goose NO TRANSACTION)",
                                versioned,
                                -1,
                                -1)
                        : new FileTransaction(true, tool.transactionFact(), versioned, -1, -1);
            case DBMATE:
                return Patterns.DBMATE_NO_TRANSACTION.matcher(sql).find()
                        ? new FileTransaction(
                                false,
                                "dbmate runs this file outside a transaction (transaction:false)",
                                versioned,
                                -1,
                                -1)
                        : new FileTransaction(true, tool.transactionFact(), versioned, -1, -1);
            case PLAIN:
                return new FileTransaction(false, tool.transactionFact(), versioned, -1, -1);
            default: // rails, alembic
                return new FileTransaction(true, tool.transactionFact(), versioned, -1, -1);
        }
    }

    private static FileTransaction flyway(
            LintSettings settings,
            List<PgStatement> statements,
            List<Integer> lines,
            String scriptConfig,
            boolean versioned) {
        if (scriptConfig != null) {
            Matcher m = Patterns.SCRIPT_CONFIG.matcher(scriptConfig);
            if (m.find()) {
                boolean in = Boolean.parseBoolean(m.group(1).toLowerCase(Locale.ROOT));
                return new FileTransaction(
                        in,
                        "the script's configuration file sets executeInTransaction=" + in + ", which Flyway follows",
                        versioned,
                        -1,
                        -1);
            }
        }
        int firstNonTransactional = -1;
        int firstTransactional = -1;
        for (int i = 0; i < statements.size(); i++) {
            PgStatement s = statements.get(i);
            if (s == null) {
                continue;
            }
            if (NonTransactionalStatements.inFlyway(s)) {
                firstNonTransactional = firstNonTransactional < 0 ? i : firstNonTransactional;
            } else {
                firstTransactional = firstTransactional < 0 ? i : firstTransactional;
            }
        }
        if (firstNonTransactional < 0) {
            return new FileTransaction(
                    true,
                    "Flyway runs this script in one transaction (no statement in it is"
                            + " non-transactional to Flyway's PostgreSQL parser)",
                    versioned,
                    -1,
                    -1);
        }
        if (firstTransactional < 0) {
            return new FileTransaction(
                    false,
                    "Flyway runs this script outside a transaction: every statement in it is"
                            + " non-transactional to its PostgreSQL parser",
                    versioned,
                    -1,
                    -1);
        }
        if (settings.flyway().mixed()) {
            return new FileTransaction(
                    false,
                    "with mixed on, Flyway runs this script outside a transaction because it"
                            + " has a non-transactional statement, so its other statements are not atomic",
                    versioned,
                    -1,
                    -1);
        }
        return new FileTransaction(
                false,
                "Flyway refuses a script that mixes transactional and non-transactional"
                        + " statements while mixed is off",
                versioned,
                firstNonTransactional,
                lines.get(firstTransactional));
    }

    /** Where the tool lets a statement run outside a transaction, as advice for a fix. */
    static String howToRunOutside(LintSettings settings) {
        if (settings.assumeInTransaction().isPresent()) {
            return "in a migration the runner runs outside a transaction";
        }
        return switch (settings.tool()) {
            case FLYWAY ->
                "alone in its own script (Flyway runs a script of only non-transactional statements outside a"
                        + " transaction), or with executeInTransaction=false in the script's .sql.conf file";
            case GOLANG_MIGRATE ->
                "alone in its own file (golang-migrate sends a file as one query; one statement runs"
                        + " outside a transaction block)";
            case GOOSE -> "in a migration annotated '-- +goose NO TRANSACTION'";
            case DBMATE -> "in a migration whose '-- migrate:up' line says transaction:false";
            case RAILS -> "in a migration with disable_ddl_transaction! (add_index ..., algorithm: :concurrently)";
            case ALEMBIC -> "inside 'with op.get_context().autocommit_block():'";
            case PLAIN -> "outside any BEGIN ... COMMIT of the file";
        };
    }
}
