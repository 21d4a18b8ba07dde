package dev.tiergate.core.migration;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the statements that belong only in a contract-phase migration: they remove or reshape something that
 * running code may still use. Only code counts: comments, strings and function bodies are blanked first
 * ({@link SqlStatements#mask}), so {@code -- DROP TABLE x} and {@code $$ DELETE FROM t $$} are not findings.
 */
public final class DestructiveStatements {
    public static final String DROP_TABLE = "DROP TABLE";
    public static final String DROP_COLUMN = "DROP COLUMN";
    public static final String RENAME_TABLE = "RENAME TABLE";
    public static final String RENAME_COLUMN = "RENAME COLUMN";
    public static final String COLUMN_TYPE_CHANGE = "ALTER COLUMN TYPE";
    public static final String SET_NOT_NULL = "SET NOT NULL";
    public static final String TRUNCATE = "TRUNCATE";
    public static final String DELETE_WITHOUT_WHERE = "DELETE without WHERE";

    private static final String NAME = "(?:\"[^\"]*\"|[^\\s,;()\"]+)(?:\\s*\\.\\s*(?:\"[^\"]*\"|[^\\s,;()\"]+))*";
    private static final Pattern DROP_TABLE_P = Pattern.compile("^DROP\\s+TABLE\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern TRUNCATE_P = Pattern.compile("^TRUNCATE\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern ALTER_TABLE_P = Pattern.compile(
            "^ALTER\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?(?:ONLY\\s+)?" + NAME + "\\s*\\*?\\s+", Pattern.CASE_INSENSITIVE);
    private static final Pattern DELETE_P = Pattern.compile("\\bDELETE\\s+FROM\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern WHERE_P = Pattern.compile("\\bWHERE\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern WITH_P = Pattern.compile("^WITH\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern DROP_ACTION = Pattern.compile(
            "^DROP\\s+(?!CONSTRAINT\\b)(?:COLUMN\\b)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern RENAME_TO = Pattern.compile("^RENAME\\s+TO\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern RENAME_COLUMN_P = Pattern.compile(
            "^RENAME\\s+(?!CONSTRAINT\\b)(?:COLUMN\\s+)?" + NAME + "\\s+TO\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern ALTER_COLUMN_P = Pattern.compile(
            "^ALTER\\s+(?:COLUMN\\s+)?" + NAME + "\\s+", Pattern.CASE_INSENSITIVE);
    private static final Pattern TYPE_P = Pattern.compile("^(?:SET\\s+DATA\\s+)?TYPE\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern SET_NOT_NULL_P = Pattern.compile("^SET\\s+NOT\\s+NULL\\b", Pattern.CASE_INSENSITIVE);

    private DestructiveStatements() {
    }

    public static List<DestructiveFinding> find(String sql) {
        List<DestructiveFinding> findings = new ArrayList<>();
        for (SqlStatements.Segment s : SqlStatements.segments(sql)) {
            inspect(s, findings);
        }
        return findings;
    }

    private static void inspect(SqlStatements.Segment s, List<DestructiveFinding> out) {
        String code = s.code();
        if (DROP_TABLE_P.matcher(code).find()) {
            out.add(finding(s, 0, DROP_TABLE));
        } else if (TRUNCATE_P.matcher(code).find()) {
            out.add(finding(s, 0, TRUNCATE));
        } else if (code.regionMatches(true, 0, "DELETE", 0, 6) || WITH_P.matcher(code).find()) {
            Matcher d = DELETE_P.matcher(code);
            if (d.find() && !WHERE_P.matcher(code.substring(d.end())).find()) {
                out.add(finding(s, d.start(), DELETE_WITHOUT_WHERE));
            }
        } else {
            Matcher alter = ALTER_TABLE_P.matcher(code);
            if (alter.find()) {
                inspectAlterTable(s, alter.end(), out);
            }
        }
    }

    /** ALTER TABLE's actions are comma-separated at parenthesis depth 0; each is judged on its own. */
    private static void inspectAlterTable(SqlStatements.Segment s, int actionsStart, List<DestructiveFinding> out) {
        String code = s.code();
        int depth = 0;
        int start = actionsStart;
        for (int i = actionsStart; i <= code.length(); i++) {
            char c = i < code.length() ? code.charAt(i) : ',';
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth <= 0) {
                int from = start;
                while (from < i && Character.isWhitespace(code.charAt(from))) {
                    from++;
                }
                inspectAction(s, code.substring(from, i), from, out);
                start = i + 1;
            }
        }
    }

    private static void inspectAction(SqlStatements.Segment s, String action, int offset, List<DestructiveFinding> out) {
        if (DROP_ACTION.matcher(action).find()) {
            out.add(finding(s, offset, DROP_COLUMN));
        } else if (RENAME_TO.matcher(action).find()) {
            out.add(finding(s, offset, RENAME_TABLE));
        } else if (RENAME_COLUMN_P.matcher(action).find()) {
            out.add(finding(s, offset, RENAME_COLUMN));
        } else {
            Matcher col = ALTER_COLUMN_P.matcher(action);
            if (col.find()) {
                String rest = action.substring(col.end());
                if (TYPE_P.matcher(rest).find()) {
                    out.add(finding(s, offset, COLUMN_TYPE_CHANGE));
                } else if (SET_NOT_NULL_P.matcher(rest).find()) {
                    out.add(finding(s, offset, SET_NOT_NULL));
                }
            }
        }
    }

    private static DestructiveFinding finding(SqlStatements.Segment s, int offset, String kind) {
        int line = s.line();
        for (int i = 0; i < offset; i++) {
            if (s.code().charAt(i) == '\n') {
                line++;
            }
        }
        return new DestructiveFinding(line, kind, s.text().replaceAll("\\s+", " ").strip());
    }

    /** Plain words for a finding's kind, e.g. "drops a column". */
    public static String describe(String kind) {
        return switch (kind) {
            case DROP_TABLE -> "drops a table";
            case DROP_COLUMN -> "drops a column";
            case RENAME_TABLE -> "renames a table";
            case RENAME_COLUMN -> "renames a column";
            case COLUMN_TYPE_CHANGE -> "changes a column's type";
            case SET_NOT_NULL -> "makes a column NOT NULL";
            case TRUNCATE -> "truncates a table";
            case DELETE_WITHOUT_WHERE -> "deletes every row (DELETE without WHERE)";
            default -> kind.toLowerCase(Locale.ROOT);
        };
    }
}
