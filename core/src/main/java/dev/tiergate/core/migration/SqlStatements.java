package dev.tiergate.core.migration;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits PostgreSQL migration text into statements. A semicolon ends a statement only where it is code: not in a
 * {@code --} or (nested) {@code /* *\/} comment, a {@code 'string'} (with {@code ''} escapes), an
 * {@code E'string'} (with backslash escapes), a {@code "quoted identifier"}, or a dollar-quoted body
 * ({@code $$...$$}, {@code $tag$...$tag$}). psql's own input is not SQL and is left out: a meta-command (a line
 * whose first character is a backslash, such as {@code \connect db} or {@code \i file.sql}) ends the statement
 * before it and is no statement itself, and the data lines after {@code COPY ... FROM stdin;} up to the line
 * {@code \.} are no statements either.
 */
public final class SqlStatements {
    private SqlStatements() {
    }

    public static List<SqlStatement> split(String sql) {
        List<SqlStatement> out = new ArrayList<>();
        for (Segment s : segments(sql)) {
            out.add(new SqlStatement(s.text(), s.line()));
        }
        return out;
    }

    /** A statement with its code-only form: same length and line breaks, comments and quoted text blanked. */
    record Segment(String text, String code, int line, int offset) {
    }

    /** The statements of a file with their code-only form and where each starts (offset, line). */
    public static List<Located> locate(String sql) {
        List<Located> out = new ArrayList<>();
        for (Segment s : segments(sql)) {
            out.add(new Located(s.text(), s.code(), s.line(), s.offset()));
        }
        return out;
    }

    /**
     * One statement: its text as written, its code-only form (same length; comments, strings and quoted bodies
     * blanked), its first line (1-based) and its offset in the file.
     */
    public record Located(String text, String code, int line, int offset) {
    }

    static List<Segment> segments(String sql) {
        String code = mask(sql);
        List<Segment> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= code.length(); i++) {
            if (i == code.length() || code.charAt(i) == ';') {
                addSegment(sql, code, start, i, out);
                start = i + 1;
            }
        }
        return out;
    }

    private static void addSegment(String sql, String code, int from, int to, List<Segment> out) {
        int first = from;
        while (first < to && Character.isWhitespace(code.charAt(first))) {
            first++;
        }
        if (first == to) {
            return; // only whitespace and comments
        }
        int last = to;
        while (last > first && Character.isWhitespace(code.charAt(last - 1))) {
            last--;
        }
        // Trailing comments are not part of the statement; a comment inside it is.
        out.add(new Segment(sql.substring(first, last), code.substring(first, last), lineAt(sql, first), first));
    }

    private static int lineAt(String s, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (s.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    /**
     * The text with every comment, and the contents of every quoted string, quoted identifier and dollar-quoted
     * body, replaced by spaces (line breaks kept, quote characters of strings and identifiers kept), so that what
     * remains is only code and offsets and line numbers still match the original.
     */
    static String mask(String sql) {
        char[] out = sql.toCharArray();
        int n = sql.length();
        int i = 0;
        int statementStart = 0;
        while (i < n) {
            char c = sql.charAt(i);
            char next = i + 1 < n ? sql.charAt(i + 1) : '\0';
            if (c == '\\' && atLineStart(sql, i)) {
                // A psql meta-command: not SQL. It ends the statement before it (a ';' in the code form).
                int end = sql.indexOf('\n', i);
                end = end < 0 ? n : end;
                blank(out, i, end);
                out[i] = ';';
                statementStart = end;
                i = end;
            } else if (c == ';') {
                i++;
                if (COPY_FROM_STDIN.matcher(new String(out, statementStart, i - 1 - statementStart)).find()) {
                    int end = endOfCopyData(sql, i);
                    blank(out, i, end);
                    i = end;
                }
                statementStart = i;
            } else if (c == '-' && next == '-') {
                int end = sql.indexOf('\n', i);
                end = end < 0 ? n : end;
                blank(out, i, end);
                i = end;
            } else if (c == '/' && next == '*') {
                int depth = 0;
                int j = i;
                while (j < n) {
                    if (sql.startsWith("/*", j)) {
                        depth++;
                        j += 2;
                    } else if (sql.startsWith("*/", j)) {
                        depth--;
                        j += 2;
                        if (depth == 0) {
                            break;
                        }
                    } else {
                        j++;
                    }
                }
                blank(out, i, j);
                i = j;
            } else if (c == '\'') {
                boolean backslashEscapes = i > 0 && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e')
                        && (i < 2 || !isIdentifierChar(sql.charAt(i - 2)));
                int end = endOfQuoted(sql, i, '\'', backslashEscapes);
                blank(out, i + 1, Math.max(i + 1, end - 1));
                i = end;
            } else if (c == '"') {
                int end = endOfQuoted(sql, i, '"', false);
                blank(out, i + 1, Math.max(i + 1, end - 1));
                i = end;
            } else if (c == '$' && (i == 0 || !isIdentifierChar(sql.charAt(i - 1)))) {
                int tagEnd = dollarTagEnd(sql, i);
                if (tagEnd < 0) {
                    i++;
                    continue;
                }
                String tag = sql.substring(i, tagEnd + 1);
                int close = sql.indexOf(tag, tagEnd + 1);
                int end = close < 0 ? n : close + tag.length();
                blank(out, i, end);
                // Keep a non-blank mark where the quotes were, so the body still counts as part of the statement.
                out[i] = '$';
                if (close >= 0) {
                    out[end - 1] = '$';
                }
                i = end;
            } else {
                i++;
            }
        }
        return new String(out);
    }

    private static final java.util.regex.Pattern COPY_FROM_STDIN = java.util.regex.Pattern.compile(
            "^\\s*COPY\\b[\\s\\S]*\\bFROM\\s+STDIN\\b", java.util.regex.Pattern.CASE_INSENSITIVE);

    /** True when only spaces or tabs stand between the start of the line and {@code i}. */
    private static boolean atLineStart(String s, int i) {
        for (int j = i - 1; j >= 0; j--) {
            char ch = s.charAt(j);
            if (ch == '\n') {
                return true;
            }
            if (ch != ' ' && ch != '\t' && ch != '\r') {
                return false;
            }
        }
        return true;
    }

    /** After {@code COPY ... FROM stdin;} at {@code from}: the index just past the line {@code \.} (or the end). */
    private static int endOfCopyData(String s, int from) {
        int lineStart = s.indexOf('\n', from);
        while (lineStart >= 0) {
            int lineEnd = s.indexOf('\n', lineStart + 1);
            String line = s.substring(lineStart + 1, lineEnd < 0 ? s.length() : lineEnd).strip();
            if (line.equals("\\.")) {
                return lineEnd < 0 ? s.length() : lineEnd;
            }
            lineStart = lineEnd;
        }
        return s.length();
    }

    /** Index just past the closing quote (or the end of text when unterminated). A doubled quote is an escape. */
    private static int endOfQuoted(String s, int open, char quote, boolean backslashEscapes) {
        int j = open + 1;
        while (j < s.length()) {
            char ch = s.charAt(j);
            if (backslashEscapes && ch == '\\') {
                j += 2;
                continue;
            }
            if (ch == quote) {
                if (j + 1 < s.length() && s.charAt(j + 1) == quote) {
                    j += 2;
                    continue;
                }
                return j + 1;
            }
            j++;
        }
        return s.length();
    }

    /** For {@code $tag$} or {@code $$} at {@code i}, the index of the closing {@code $} of the tag; else -1. */
    private static int dollarTagEnd(String s, int i) {
        int j = i + 1;
        if (j < s.length() && s.charAt(j) == '$') {
            return j;
        }
        if (j >= s.length() || !(Character.isLetter(s.charAt(j)) || s.charAt(j) == '_')) {
            return -1; // $1 is a parameter, not a quote
        }
        while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
            j++;
        }
        return j < s.length() && s.charAt(j) == '$' ? j : -1;
    }

    private static boolean isIdentifierChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    private static void blank(char[] out, int from, int to) {
        for (int k = from; k < to && k < out.length; k++) {
            if (out[k] != '\n' && out[k] != '\r') {
                out[k] = ' ';
            }
        }
    }
}
