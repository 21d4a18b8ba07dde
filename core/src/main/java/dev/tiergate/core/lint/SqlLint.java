package dev.tiergate.core.lint;

import dev.tiergate.core.lint.rules.LintRules;
import dev.tiergate.core.migration.MigrationHeader;
import dev.tiergate.core.migration.Phase;
import dev.tiergate.core.policy.MigrationTool;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.verdict.Severity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SQL lint: the one entry point the hooks, {@code tiergate lint} and the server's pull-request rehearsal call.
 * Pure: text in, findings out. A file is read whole before any rule runs: how the migration tool runs it (in one
 * transaction or not) depends on all its statements.
 */
public final class SqlLint {
    /** A {@code -- tiergate:ignore <rule> <reason>} comment: the rule it waives and its 1-based line. */
    public record Waiver(String rule, int line) {}

    /**
     * Every waiver comment in a file. A waived finding is still a finding the policy may route to a reviewer (an
     * approval rule on {@code sql.privilege-change} asks for it whether the author waived it or not).
     */
    public static List<Waiver> waivers(String sql) {
        List<Waiver> out = new ArrayList<>();
        if (!sql.contains("tiergate:ignore")) {
            return out;
        }
        String[] lines = sql.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher m = Patterns.IGNORE.matcher(lines[i].stripTrailing());
            if (m.matches()) {
                out.add(new Waiver(m.group(1), i + 1));
            }
        }
        return out;
    }

    /** Compiled on first use: most files have neither comment, and a regular expression compiles slowly at start-up. */
    private static final class Patterns {
        static final Pattern IGNORE = Pattern.compile("^\\s*--\\s*tiergate:ignore\\s+(\\S+)\\s+(\\S.*)$");
        static final Pattern FLYWAY_COMMENT = Pattern.compile(
                "^\\s*--\\s*flyway:executeInTransaction\\s*=\\s*false\\s*$",
                Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);
    }

    private SqlLint() {}

    /** {@link #lint(String, String, String, LintState, Map)} of a file with no Flyway script configuration file. */
    public static LintReport lint(String fileName, String sql, LintState set, Map<String, Severity> severities) {
        return lint(fileName, sql, null, set, severities);
    }

    /**
     * Lints one migration file.
     *
     * @param fileName     the path reported in findings
     * @param sql          its text
     * @param scriptConfig the text of its Flyway script configuration file ({@code <file>.conf}), or null
     * @param set          the migration set it belongs to, carrying what earlier files created and how files run;
     *                     files of a set are linted in order with the same state
     * @param severities   the policy's {@code severity} map (rule id → error|warning|off); rules not in it have their
     *                     catalog default
     */
    public static LintReport lint(
            String fileName, String sql, String scriptConfig, LintState set, Map<String, Severity> severities) {
        // the phase is all the lint reads of the header, and a file without the word has none
        Optional<Phase> phase = Optional.empty(); // read below, from the characters
        char[] a = sql.toCharArray(); // read once: the lexer's two passes and the line starts share it
        if (headerMentionsPhase(a)) {
            Optional<MigrationHeader> header = MigrationHeader.parse(sql).header();
            phase = header.isPresent() ? Optional.of(header.get().phase()) : Optional.empty();
        }
        int[] lineStarts = lineStarts(a);
        List<Unit> units = units(sql, a);
        List<PgStatement> parsed = new ArrayList<>(units.size());
        List<Integer> lines = new ArrayList<>(units.size());
        for (Unit u : units) {
            parsed.add(u.parsed == null ? null : u.parsed.statement());
            lines.add(lineOf(lineStarts, u.start));
        }
        set.startFile(
                phase,
                FileTransaction.of(set.settings(), fileName, sql, parsed, lines, scriptConfig),
                flywayComment(set.settings(), sql));
        List<Finding> findings = new ArrayList<>();
        int notAnalysed = 0;
        int suppressed = 0;
        for (Unit u : units) {
            Optional<String> ignored = ignoredRule(sql, lineStarts, lineOf(lineStarts, u.start));
            List<Finding> raw = new ArrayList<>();
            if (u.joinedTo != null) {
                raw.add(finding(
                        Rule.SQL_MISSING_SEMICOLON,
                        severities,
                        fileName,
                        lineStarts,
                        u.start,
                        "no semicolon between '" + abbreviate(u.joinedTo) + "' and '" + abbreviate(u.text)
                                + "': PostgreSQL reads them as one statement and fails on it; each was linted as if"
                                + " the semicolon were there"));
            }
            set.startStatement(u.parsed == null ? List.of() : u.parsed.calls());
            if (u.error != null) {
                notAnalysed++;
                raw.add(finding(
                        Rule.SQL_NOT_ANALYSED,
                        severities,
                        fileName,
                        lineStarts,
                        u.base + u.error.offset(),
                        "statement not analysed: " + u.error.getMessage() + " (" + abbreviate(u.text) + ")"));
            } else {
                PgStatement statement = u.parsed.statement();
                for (LintRule rule : LintRules.ALL) {
                    rule.check(
                            statement,
                            set,
                            new LintRule.Reporter() { // not a lambda: see PgParser.words
                                @Override
                                public void report(int offset, String message) {
                                    raw.add(finding(
                                            rule.rule(),
                                            severities,
                                            fileName,
                                            lineStarts,
                                            offset == 0 ? u.start : u.base + offset,
                                            message));
                                }
                            });
                }
                set.after(statement);
            }
            for (Finding f : raw) {
                if (ignored.isPresent() && ignored.get().equals(f.rule())) {
                    suppressed++;
                } else if (f.severity() != Severity.OFF) {
                    findings.add(f);
                }
            }
        }
        return new LintReport(fileName, findings, units.size(), notAnalysed, suppressed);
    }

    /**
     * One statement as the lint reads it: a statement of the splitter, or a part of one where a semicolon is missing.
     *
     * @param base     the offset in the file that the tokens' offsets count from
     * @param start    the offset in the file of its first token
     * @param joinedTo the text of the statement before it when no semicolon separates them, else null
     */
    private record Unit(
            String text, int base, int start, PgParser.Parsed parsed, PgParseException error, String joinedTo) {}

    private static List<Unit> units(String sql, char[] a) {
        List<Unit> out = new ArrayList<>();
        for (PgLexer.Statement s : PgLexer.statements(sql, a)) {
            List<PgLexer.Token> tokens;
            try {
                tokens =
                        PgLexer.tokens(sql, a, s.offset(), s.offset() + s.text().length());
            } catch (PgParseException e) {
                out.add(new Unit(s.text(), s.offset(), s.offset(), null, e, null));
                continue;
            }
            String before = null;
            while (true) {
                int second = PgParser.secondStatementAt(tokens, s.text());
                List<PgLexer.Token> part = second < 0 ? tokens : tokens.subList(0, second);
                int from = part.isEmpty() ? 0 : part.get(0).offset();
                int to = second < 0 ? s.text().length() : tokens.get(second).offset();
                String text = from == 0 && to == s.text().length()
                        ? s.text()
                        : s.text().substring(from, to).strip();
                PgParser.Parsed parsed = null;
                PgParseException error = null;
                try {
                    parsed = PgParser.read(part);
                } catch (PgParseException e) {
                    error = e;
                }
                out.add(new Unit(text, s.offset(), s.offset() + from, parsed, error, before));
                if (second < 0) {
                    break;
                }
                before = text;
                tokens = tokens.subList(second, tokens.size());
            }
        }
        return out;
    }

    /**
     * The leading comment block, the only place {@link MigrationHeader#parse} reads, has "phase" in any case: a header's
     * {@code -- phase:} line can only be there then. Most files of a corpus have no header, and the parse's regular
     * expressions per comment line were 5% of a corpus lint.
     */
    private static boolean headerMentionsPhase(char[] a) {
        int at = 0;
        while (at < a.length) {
            int end = at;
            while (end < a.length && a[end] != '\n') {
                end++;
            }
            int i = at;
            while (i < end && (Character.isWhitespace(a[i]) || a[i] == '\uFEFF')) {
                i++;
            }
            if (i < end) {
                if (a[i] != '-' || i + 1 >= end || a[i + 1] != '-') {
                    return false; // the first line of SQL ends the block
                }
                for (int j = i; j + 5 <= end; j++) {
                    if ((a[j] | 0x20) == 'p'
                            && (a[j + 1] | 0x20) == 'h'
                            && (a[j + 2] | 0x20) == 'a'
                            && (a[j + 3] | 0x20) == 's'
                            && (a[j + 4] | 0x20) == 'e') {
                        return true;
                    }
                }
            }
            at = end + 1;
        }
        return false;
    }

    /** The file has a {@code -- flyway:executeInTransaction=false} comment, where a finding would say Flyway ignores it. */
    private static boolean flywayComment(LintSettings settings, String sql) {
        return settings.tool() == MigrationTool.FLYWAY
                && settings.assumeInTransaction().isEmpty()
                && sql.contains("flyway:")
                && Patterns.FLYWAY_COMMENT.matcher(sql).find();
    }

    /** The rule named by {@code -- tiergate:ignore <rule-id> <reason>} on the line just before the statement. */
    private static Optional<String> ignoredRule(String sql, int[] lineStarts, int statementLine) {
        int before = statementLine - 2; // 0-based index of the line above
        if (before < 0) {
            return Optional.empty();
        }
        int end = before + 1 < lineStarts.length ? lineStarts[before + 1] - 1 : sql.length();
        String line = sql.substring(lineStarts[before], end);
        if (!line.contains("tiergate:ignore")) {
            return Optional.empty(); // nearly every statement: no regular expression run for it
        }
        Matcher m = Patterns.IGNORE.matcher(line.stripTrailing());
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static Finding finding(
            Rule rule, Map<String, Severity> severities, String file, int[] lineStarts, int offset, String message) {
        int line = lineOf(lineStarts, offset);
        return new Finding(
                rule.id(),
                severities.getOrDefault(rule.id(), rule.defaultSeverity()),
                file,
                line,
                offset - lineStarts[line - 1] + 1,
                message,
                rule.fix());
    }

    /** The 1-based line of an offset: the last line starting at or before it. */
    private static int lineOf(int[] lineStarts, int offset) {
        int index = Arrays.binarySearch(lineStarts, offset);
        return index >= 0 ? index + 1 : -index - 1;
    }

    /** Where each line starts: a finding's line and column in one binary search, not a scan from the file's start. */
    private static int[] lineStarts(char[] a) {
        int[] starts = new int[16];
        int n = 1; // starts[0] = 0
        for (int i = 0; i < a.length; i++) {
            if (a[i] == '\n') {
                if (n == starts.length) {
                    starts = Arrays.copyOf(starts, n * 2);
                }
                starts[n++] = i + 1;
            }
        }
        return Arrays.copyOf(starts, n);
    }

    /** The statement on one line, its runs of white space one space, cut at 80 characters (no regular expression). */
    private static String abbreviate(String statement) {
        StringBuilder b = new StringBuilder(Math.min(statement.length(), 96));
        boolean space = false;
        for (int i = 0; i < statement.length() && b.length() <= 80; i++) {
            char c = statement.charAt(i);
            if (Character.isWhitespace(c)) {
                space = b.length() > 0;
            } else {
                if (space) {
                    b.append(' ');
                    space = false;
                }
                b.append(c);
            }
        }
        String s = b.toString();
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
