package dev.tiergate.core.publish;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A database error as tiergate publishes it (a commit status, a PR comment, an audit record): the SQLSTATE, the
 * migration's file and line, and at most {@value #MAX_MESSAGE} characters of PostgreSQL's message, reduced to the
 * words the pull request already shows ({@link PublicWords}). Only the message's first line is read; its DETAIL,
 * HINT, CONTEXT and WHERE (the row that failed, the statement inside a function) are never published. A message a
 * migration wrote itself (plpgsql's {@code RAISE} and {@code ASSERT}, whatever SQLSTATE it set, or another procedural
 * language) is attacker text and is withheld whole. The full text stays where only signed-in viewers read it.
 *
 * <p>{@code message}: what is published after the location, already reduced; {@code sqlState} null when the error
 * carried none.
 */
public record PublishedError(String sqlState, String file, int line, String message) {
    public static final int MAX_MESSAGE = 200;
    public static final int MAX_FILE = 120;
    public static final String RAISED = "raised by the migration; message withheld \u2014 see the dashboard";
    public static final String UNCLASSIFIED =
            "no SQLSTATE to tell what wrote it; message withheld \u2014 see the dashboard";

    private static final Pattern SQLSTATE = Pattern.compile("[0-9A-Z]{5}");
    /** The SQLSTATE classes PostgreSQL's own errors fall in (Appendix A); any other class was made up by a RAISE. */
    private static final Set<String> POSTGRES_CLASSES = Set.of(
            "00", "01", "02", "03", "08", "09", "0A", "0B", "0F", "0L", "0P", "0Z", "20", "21", "22", "23", "24", "25",
            "26", "27", "28", "2B", "2D", "2F", "34", "38", "39", "3B", "3D", "3F", "40", "42", "44", "53", "54", "55",
            "57", "58", "72", "F0", "HV", "P0", "XX");
    /** A context line PL/pgSQL adds for its RAISE or ASSERT statement ("PL/pgSQL function f() line 3 at RAISE"). */
    private static final Pattern PLPGSQL_RAISE = Pattern.compile("(?i)\\bPL/pgSQL\\b[^\\n]*\\b(RAISE|ASSERT)\\b");
    /** Another procedural language, whose code writes its messages as it likes (plperl's die, plpython's plpy.error). */
    private static final Pattern OTHER_LANGUAGE = Pattern.compile("(?i)\\bPL/(?!pgSQL\\b)\\w+|\\bplv8\\b");

    private static final Pattern SEVERITY = Pattern.compile("^\\s*(ERROR|FATAL|PANIC):\\s*");

    /**
     * {@code postgresMessage}: the error as the driver gives it (PgJDBC's {@code getMessage()}: severity, message,
     * then {@code Detail:}, {@code Hint:}, {@code Where:} lines); {@code migrationText}: the failing file's text.
     */
    public static PublishedError of(
            String sqlState, String postgresMessage, String migrationText, String file, int line) {
        return of(
                sqlState,
                postgresMessage,
                PublicWords.of(List.of(migrationText == null ? "" : migrationText, file == null ? "" : file)),
                file,
                line);
    }

    /** As {@link #of(String, String, String, String, int)} with the words of every file the pull request shows. */
    public static PublishedError of(String sqlState, String postgresMessage, PublicWords words, String file, int line) {
        String state = sqlState != null && SQLSTATE.matcher(sqlState.strip()).matches() ? sqlState.strip() : null;
        String full = postgresMessage == null ? "" : postgresMessage;
        String message;
        if (state == null) {
            message = UNCLASSIFIED;
        } else if (writtenByTheMigration(state, full)) {
            message = RAISED;
        } else {
            message = bounded(words.reduce(firstLine(full)).strip());
            if (message.isEmpty()) {
                message = "no message";
            }
        }
        return new PublishedError(
                state, file == null ? null : boundedFile(Markdown.oneLine(file).strip()), line, message);
    }

    /** Whether the message is one a migration wrote: a RAISE or ASSERT (any SQLSTATE), or code in another language. */
    static boolean writtenByTheMigration(String sqlState, String fullText) {
        String cls = sqlState.substring(0, 2).toUpperCase(Locale.ROOT);
        return cls.equals("P0")
                || !POSTGRES_CLASSES.contains(cls)
                || PLPGSQL_RAISE.matcher(fullText).find()
                || OTHER_LANGUAGE.matcher(fullText).find();
    }

    public boolean withheld() {
        return message.equals(RAISED) || message.equals(UNCLASSIFIED);
    }

    /** {@code V2__orders.sql:7: SQLSTATE 42P01: relation "…" does not exist}. */
    public String text() {
        StringBuilder b = new StringBuilder();
        if (file != null && !file.isEmpty()) {
            b.append(file);
            if (line > 0) {
                b.append(':').append(line);
            }
            b.append(": ");
        }
        b.append(sqlState == null ? "no SQLSTATE" : "SQLSTATE " + sqlState)
                .append(": ")
                .append(message);
        return b.toString();
    }

    @Override
    public String toString() {
        return text();
    }

    private static String firstLine(String full) {
        String s = SEVERITY.matcher(full).replaceFirst("");
        int nl = indexOfLineBreak(s);
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static int indexOfLineBreak(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r' || c == '\u2028' || c == '\u2029' || c == '\u0085') {
                return i;
            }
        }
        return -1;
    }

    private static String bounded(String s) {
        return s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE - 1) + "\u2026";
    }

    private static String boundedFile(String f) {
        return f.length() <= MAX_FILE ? f : "\u2026" + f.substring(f.length() - (MAX_FILE - 1));
    }
}
