package dev.tiergate.core.lint;

import dev.tiergate.core.lint.rules.LintRules;
import dev.tiergate.core.migration.MigrationHeader;
import dev.tiergate.core.migration.Phase;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.verdict.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SQL lint: the one entry point the hooks, {@code tiergate lint} and the server's pull-request rehearsal call.
 * Pure: text in, findings out.
 */
public final class SqlLint {
    private static final Pattern IGNORE = Pattern.compile("^\\s*--\\s*tiergate:ignore\\s+(\\S+)\\s+(\\S.*)$");
    private static final Pattern NON_TRANSACTIONAL = Pattern.compile(
            "^\\s*--\\s*flyway:executeInTransaction\\s*=\\s*false\\s*$", Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);

    private SqlLint() {
    }

    /**
     * Lints one migration file.
     *
     * @param fileName   the path reported in findings
     * @param sql        its text
     * @param set        the migration set it belongs to, carrying what earlier files created; files of a set are
     *                   linted in order with the same state
     * @param severities the policy's {@code severity} map (rule id → error|warning|off); rules not in it have their
     *                   catalog default
     */
    public static LintReport lint(String fileName, String sql, LintState set, Map<String, Severity> severities) {
        Optional<Phase> phase = MigrationHeader.parse(sql).header().map(MigrationHeader::phase);
        set.startFile(phase, NON_TRANSACTIONAL.matcher(sql).find());
        int[] lineStarts = lineStarts(sql);
        List<Finding> findings = new ArrayList<>();
        int statements = 0;
        int notAnalysed = 0;
        int suppressed = 0;
        for (PgLexer.Statement s : PgLexer.statements(sql)) {
            statements++;
            Optional<String> ignored = ignoredRule(sql, lineStarts, s.line());
            List<Finding> raw = new ArrayList<>();
            PgStatement parsed = null;
            try {
                parsed = PgParser.parse(s.text());
            } catch (PgParseException e) {
                notAnalysed++;
                raw.add(finding(Rule.SQL_NOT_ANALYSED, severities, fileName, lineStarts, s.offset() + e.offset(),
                        "statement not analysed: " + e.getMessage() + " (" + abbreviate(s.text()) + ")"));
            }
            if (parsed != null) {
                PgStatement statement = parsed;
                for (LintRule rule : LintRules.ALL) {
                    rule.check(statement, set, (offset, message) -> raw.add(
                            finding(rule.rule(), severities, fileName, lineStarts, s.offset() + offset, message)));
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
        return new LintReport(fileName, findings, statements, notAnalysed, suppressed);
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
        Matcher m = IGNORE.matcher(line.stripTrailing());
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static Finding finding(Rule rule, Map<String, Severity> severities, String file, int[] lineStarts, int offset,
                                   String message) {
        int index = java.util.Arrays.binarySearch(lineStarts, offset);
        int line = index >= 0 ? index + 1 : -index - 1; // the last line starting at or before the offset, 1-based
        return new Finding(rule.id(), severities.getOrDefault(rule.id(), rule.defaultSeverity()), file, line,
                offset - lineStarts[line - 1] + 1, message, rule.fix());
    }

    /** Where each line starts: a finding's line and column in one binary search, not a scan from the file's start. */
    private static int[] lineStarts(String sql) {
        int[] starts = new int[16];
        int n = 1; // starts[0] = 0
        for (int i = sql.indexOf('\n'); i >= 0; i = sql.indexOf('\n', i + 1)) {
            if (n == starts.length) {
                starts = java.util.Arrays.copyOf(starts, n * 2);
            }
            starts[n++] = i + 1;
        }
        return java.util.Arrays.copyOf(starts, n);
    }

    private static String abbreviate(String statement) {
        String s = statement.replaceAll("\\s+", " ").strip();
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
