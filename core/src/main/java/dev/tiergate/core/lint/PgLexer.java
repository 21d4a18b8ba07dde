package dev.tiergate.core.lint;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * PostgreSQL's lexical grammar (scan.l): tiergate's one SQL lexer. Two entry points share its rules for comments,
 * quoted strings and identifiers and dollar quotes:
 * <ul>
 * <li>{@link #statements} splits a migration file into statements, leniently (an unterminated quote or comment runs
 *     to the end of the file; the parser then reports that statement as not analysed). A semicolon ends a statement
 *     only where it is code. psql's own input is not SQL: a meta-command (a line starting with a backslash, such as
 *     {@code \connect db}) ends the statement before it and is no statement itself, and the data lines after
 *     {@code COPY ... FROM stdin;} up to {@code \.} are no statements either.</li>
 * <li>{@link #tokens} reads one statement strictly into tokens: key words and identifiers (unquoted ones folded to
 *     lower case, {@code "quoted"} ones kept), string constants ({@code '...'}, {@code E'...'},
 *     {@code $tag$...$tag$}), numbers, positional parameters, operators and punctuation. Comments are skipped.
 *     Malformed input (an unterminated string or comment) throws {@link PgParseException}.</li>
 * </ul>
 */
public final class PgLexer {
    enum Kind {
        WORD,
        IDENT,
        STRING,
        NUMBER,
        PARAM,
        OP,
        PUNCT
    }

    /** One token. {@code text} of a WORD is lower case; {@code offset} is where it starts in the statement. */
    record Token(Kind kind, String text, int offset) {
        boolean is(String word) {
            return kind == Kind.WORD && text.equals(word);
        }

        boolean isPunct(String p) {
            return kind == Kind.PUNCT && text.equals(p);
        }

        /** A name: an unquoted word or a quoted identifier. */
        boolean isName() {
            return kind == Kind.WORD || kind == Kind.IDENT;
        }
    }

    /**
     * One statement of a file as written (without its terminating semicolon, leading or trailing comments), its
     * 1-based start line and its offset in the file.
     */
    public record Statement(String text, int line, int offset) {}

    private PgLexer() {}

    /**
     * ASCII character classes, looked up rather than asked of {@link Character}: a lint of a corpus runs most of its
     * characters through these while the JVM still interprets (BENCHMARKS.md, "SQL lint"), where a table look-up is one
     * bytecode and {@code Character.isLetterOrDigit} a chain of calls. Characters past ASCII ask {@link Character}.
     */
    private static final boolean[] WORD = new boolean[128];

    private static final boolean[] WORD_START = new boolean[128];
    private static final boolean[] SPACE = new boolean[128];

    static {
        for (char c = 0; c < 128; c++) {
            WORD[c] = Character.isLetterOrDigit(c) || c == '_' || c == '$';
            WORD_START[c] = Character.isLetter(c) || c == '_';
            SPACE[c] = Character.isWhitespace(c);
        }
    }

    private static boolean isSpace(char c) {
        return c < 128 ? SPACE[c] : Character.isWhitespace(c);
    }

    /** The statements of a migration file, in order; see the class comment for what is and is not a statement. */
    public static List<Statement> statements(String sql) {
        return statements(sql, sql.toCharArray());
    }

    /** {@link #statements(String)} of a file whose characters the caller has already ({@code a}, {@code sql}'s). */
    static List<Statement> statements(String sql, char[] a) {
        List<Statement> out = new ArrayList<>();
        int n = a.length;
        int start = -1; // first code character of the statement being read, or -1 between statements
        int codeEnd = -1; // just past its last code character (trailing comments are not part of it)
        int line = 1; // the line of index counted
        int counted = 0; // line breaks are counted up to here, when a statement starts
        int startLine = 1;
        int i = 0;
        while (i < n) {
            char c = a[i];
            char next = i + 1 < n ? a[i + 1] : '\0';
            int end;
            if (c < 128 && SPACE[c] || c >= 128 && Character.isWhitespace(c)) {
                i++;
                continue;
            } else if (c == '-' && next == '-') {
                end = lineEnd(a, i);
            } else if (c == '/' && next == '*') {
                end = endOfBlockComment(a, i);
                end = end < 0 ? n : end;
            } else if (c == '\\' && atLineStart(a, i)) {
                addStatement(sql, start, codeEnd, startLine, out); // a psql meta-command ends the statement before it
                start = -1;
                end = lineEnd(a, i);
            } else if (c == ';') {
                boolean copyData = start >= 0
                        && startsWithCopy(a, start, codeEnd)
                        && isCopyFromStdin(sql.substring(start, codeEnd));
                addStatement(sql, start, codeEnd, startLine, out);
                start = -1;
                end = copyData ? endOfCopyData(sql, i + 1) : i + 1;
            } else {
                if (start < 0) {
                    start = i;
                    line += count(a, '\n', counted, i);
                    counted = i;
                    startLine = line;
                }
                end = endOfCode(sql, a, i);
                codeEnd = end;
            }
            i = end;
        }
        addStatement(sql, start, codeEnd, startLine, out);
        return out;
    }

    /** Just past the code element at {@code i}: a quoted string, identifier or dollar-quoted body, or one character. */
    private static int endOfCode(String s, char[] a, int i) {
        char c = a[i];
        int end = -1;
        if (c == '\'') {
            boolean escapes = i > 0 && (a[i - 1] == 'E' || a[i - 1] == 'e') && (i < 2 || !isWordChar(a[i - 2]));
            end = endOfQuoted(a, i, '\'', escapes);
        } else if (c == '"') {
            end = endOfQuoted(a, i, '"', false);
        } else if (c == '$' && (i == 0 || !isWordChar(a[i - 1]))) {
            int tagEnd = dollarTagEnd(a, i);
            if (tagEnd < 0) {
                return i + 1; // $1 is a parameter
            }
            int close = s.indexOf(s.substring(i, tagEnd + 1), tagEnd + 1);
            end = close < 0 ? -1 : close + tagEnd + 1 - i;
        } else if (isWordChar(c)) {
            int j = i + 1;
            while (j < a.length && isWordChar(a[j])) {
                j++;
            }
            return j;
        } else {
            return i + 1;
        }
        return end < 0 ? a.length : end; // unterminated: the rest of the file (the parser reports it)
    }

    private static void addStatement(String sql, int start, int codeEnd, int line, List<Statement> out) {
        if (start >= 0) {
            out.add(new Statement(sql.substring(start, codeEnd), line, start));
        }
    }

    /** The statement at {@code [start, end)} starts with COPY: only then is it read for FROM STDIN. */
    private static boolean startsWithCopy(char[] a, int start, int end) {
        return end - start > 4
                && (a[start] | 0x20) == 'c'
                && (a[start + 1] | 0x20) == 'o'
                && (a[start + 2] | 0x20) == 'p'
                && (a[start + 3] | 0x20) == 'y';
    }

    private static boolean isCopyFromStdin(String statement) {
        if (!statement.regionMatches(true, 0, "copy", 0, 4)) {
            return false; // most statements: no need to read their tokens
        }
        try {
            List<Token> t = tokens(statement);
            if (t.isEmpty() || !t.get(0).is("copy")) {
                return false;
            }
            for (int k = 1; k + 1 < t.size(); k++) {
                if (t.get(k).is("from") && t.get(k + 1).is("stdin")) {
                    return true;
                }
            }
        } catch (PgParseException e) {
            return false;
        }
        return false;
    }

    /** After {@code COPY ... FROM stdin;} at {@code from}: the index of the line break after the line {@code \.} (or the end). */
    private static int endOfCopyData(String s, int from) {
        int lineStart = s.indexOf('\n', from);
        while (lineStart >= 0) {
            int lineEnd = s.indexOf('\n', lineStart + 1);
            String dataLine = s.substring(lineStart + 1, lineEnd < 0 ? s.length() : lineEnd)
                    .strip();
            if (dataLine.equals("\\.")) {
                return lineEnd < 0 ? s.length() : lineEnd;
            }
            lineStart = lineEnd;
        }
        return s.length();
    }

    /** True when only spaces or tabs stand between the start of the line and {@code i}. */
    private static boolean atLineStart(char[] a, int i) {
        for (int j = i - 1; j >= 0; j--) {
            char ch = a[j];
            if (ch == '\n') {
                return true;
            }
            if (ch != ' ' && ch != '\t' && ch != '\r') {
                return false;
            }
        }
        return true;
    }

    private static int lineEnd(char[] a, int i) {
        return lineEnd(a, i, a.length);
    }

    private static int lineEnd(char[] a, int i, int limit) {
        int j = i;
        while (j < limit && a[j] != '\n') {
            j++;
        }
        return j;
    }

    private static int count(char[] a, char c, int from, int to) {
        int k = 0;
        for (int j = from; j < to; j++) {
            if (a[j] == c) {
                k++;
            }
        }
        return k;
    }

    private static boolean isWordChar(char c) {
        return c >= 128 || WORD[c];
    }

    /** Just past the {@code *\/} that closes the (nested) comment opening at {@code i}; -1 when unterminated. */
    private static int endOfBlockComment(char[] a, int i) {
        return endOfBlockComment(a, i, a.length);
    }

    private static int endOfBlockComment(char[] a, int i, int n) {
        int depth = 0;
        int j = i;
        while (j < n) {
            if (a[j] == '/' && j + 1 < n && a[j + 1] == '*') {
                depth++;
                j += 2;
            } else if (a[j] == '*' && j + 1 < n && a[j + 1] == '/') {
                depth--;
                j += 2;
                if (depth == 0) {
                    return j;
                }
            } else {
                j++;
            }
        }
        return -1;
    }

    /** For {@code $tag$} or {@code $$} at {@code i}, the index of the tag's closing {@code $}; -1 when it is none. */
    private static int dollarTagEnd(char[] a, int i) {
        return dollarTagEnd(a, i, a.length);
    }

    private static int dollarTagEnd(char[] a, int i, int n) {
        int j = i + 1;
        if (j < n && a[j] == '$') {
            return j;
        }
        if (j >= n || !(a[j] >= 128 || WORD_START[a[j]])) {
            return -1;
        }
        while (j < n && (a[j] >= 128 || WORD[a[j]] && a[j] != '$')) {
            j++;
        }
        return j < n && a[j] == '$' ? j : -1;
    }

    /** The tokens of one statement; malformed input throws {@link PgParseException}. */
    static List<Token> tokens(String s) {
        return tokens(s, s.toCharArray(), 0, s.length());
    }

    private static final String[] PUNCT = new String[128];

    static {
        for (char c : "(),;[].".toCharArray()) {
            PUNCT[c] = String.valueOf(c);
        }
    }

    /**
     * The tokens of the statement at {@code [from, to)} of a file ({@code a} its characters, {@code s} its text),
     * their offsets counted from {@code from}: a file's characters are read once, not copied per statement.
     */
    static List<Token> tokens(String s, char[] a, int from, int to) {
        List<Token> out = new ArrayList<>();
        int n = to;
        int i = from;
        char[] word = null; // a word with upper-case letters, lowered here: String.toLowerCase is many calls a letter
        while (i < n) {
            char c = a[i];
            char next = i + 1 < n ? a[i + 1] : '\0';
            if (c < 128 ? SPACE[c] : Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && next == '-') {
                i = lineEnd(a, i, n);
            } else if (c == '/' && next == '*') {
                int end = endOfBlockComment(a, i, n);
                if (end < 0) {
                    throw new PgParseException("unterminated /* comment", i - from);
                }
                i = end;
            } else if (c == '\''
                    || ((c == 'E' || c == 'e' || c == 'B' || c == 'b' || c == 'X' || c == 'x' || c == 'N' || c == 'n')
                            && next == '\'')) {
                boolean escapes = c == 'E' || c == 'e';
                int open = c == '\'' ? i : i + 1;
                int end = endOfQuotedOrThrow(a, open, '\'', escapes, n, from);
                out.add(new Token(Kind.STRING, s.substring(open + 1, end - 1), i - from));
                i = end;
            } else if ((c == 'U' || c == 'u') && next == '&' && i + 2 < n && (a[i + 2] == '\'' || a[i + 2] == '"')) {
                char q = a[i + 2];
                int end = endOfQuotedOrThrow(a, i + 2, q, false, n, from);
                out.add(new Token(q == '\'' ? Kind.STRING : Kind.IDENT, s.substring(i + 3, end - 1), i - from));
                i = end;
            } else if (c == '"') {
                int end = endOfQuotedOrThrow(a, i, '"', false, n, from);
                out.add(new Token(Kind.IDENT, s.substring(i + 1, end - 1).replace("\"\"", "\""), i - from));
                i = end;
            } else if (c == '$' && next >= '0' && next <= '9') {
                int j = i + 1;
                while (j < n && a[j] >= '0' && a[j] <= '9') {
                    j++;
                }
                out.add(new Token(Kind.PARAM, s.substring(i, j), i - from));
                i = j;
            } else if (c == '$') {
                int tagEnd = dollarTagEnd(a, i, n);
                if (tagEnd < 0) {
                    throw new PgParseException("stray $", i - from);
                }
                String tag = s.substring(i, tagEnd + 1);
                int close = s.indexOf(tag, tagEnd + 1);
                if (close < 0 || close + tag.length() > n) {
                    throw new PgParseException("unterminated dollar-quoted string " + tag, i - from);
                }
                out.add(new Token(Kind.STRING, s.substring(tagEnd + 1, close), i - from));
                i = close + tag.length();
            } else if (c < 128 ? WORD_START[c] : true) {
                int j = i + 1;
                boolean upper = c >= 'A' && c <= 'Z' || c >= 128;
                while (j < n && (a[j] >= 128 || WORD[a[j]])) {
                    upper |= a[j] <= 'Z' && a[j] >= 'A' || a[j] >= 128;
                    j++;
                }
                String text;
                if (!upper) {
                    text = new String(a, i, j - i);
                } else if (ascii(a, i, j)) {
                    if (word == null || word.length < j - i) {
                        word = new char[Math.max(64, j - i)];
                    }
                    for (int k = i; k < j; k++) {
                        char ch = a[k];
                        word[k - i] = ch >= 'A' && ch <= 'Z' ? (char) (ch + ('a' - 'A')) : ch;
                    }
                    text = new String(word, 0, j - i);
                } else {
                    text = new String(a, i, j - i).toLowerCase(Locale.ROOT);
                }
                out.add(new Token(Kind.WORD, text, i - from));
                i = j;
            } else if (isDigit(c) || (c == '.' && isDigit(next))) {
                int j = i + 1;
                while (j < n
                        && (isLetterOrDigit(a[j])
                                || a[j] == '.'
                                || a[j] == '_'
                                || ((a[j] == '+' || a[j] == '-') && (a[j - 1] == 'e' || a[j - 1] == 'E')))) {
                    if (a[j] == '.' && j + 1 < n && a[j + 1] == '.') {
                        break;
                    }
                    j++;
                }
                out.add(new Token(Kind.NUMBER, s.substring(i, j), i - from));
                i = j;
            } else if ("(),;[].".indexOf(c) >= 0 && !(c == '.' && next == '.')) {
                out.add(new Token(Kind.PUNCT, PUNCT[c], i - from));
                i++;
            } else if (c == ':' && next == ':') {
                out.add(new Token(Kind.OP, "::", i - from));
                i += 2;
            } else if ("+-*/<>=~!@#%^&|`?:".indexOf(c) >= 0 || (c == '.' && next == '.')) {
                int j = i + 1;
                while (j < n
                        && "+-*/<>=~!@#%^&|`?".indexOf(a[j]) >= 0
                        && !(a[j] == '-' && j + 1 < n && a[j + 1] == '-')
                        && !(a[j] == '/' && j + 1 < n && a[j + 1] == '*')) {
                    j++;
                }
                if (c == '.') {
                    j = i + 2;
                }
                out.add(new Token(Kind.OP, s.substring(i, j), i - from));
                i = j;
            } else {
                throw new PgParseException("unexpected character '" + c + "'", i - from);
            }
        }
        return out;
    }

    private static boolean ascii(char[] a, int from, int to) {
        for (int k = from; k < to; k++) {
            if (a[k] >= 128) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(char c) {
        return c < 128 ? c >= '0' && c <= '9' : Character.isDigit(c);
    }

    private static boolean isLetterOrDigit(char c) {
        return c < 128 ? WORD[c] && c != '_' && c != '$' : Character.isLetterOrDigit(c);
    }

    /** Just past the closing quote of the string or identifier opening at {@code open}; -1 when unterminated. */
    private static int endOfQuoted(char[] a, int open, char quote, boolean backslashEscapes) {
        return endOfQuoted(a, open, quote, backslashEscapes, a.length);
    }

    private static int endOfQuoted(char[] a, int open, char quote, boolean backslashEscapes, int n) {
        int j = open + 1;
        while (j < n) {
            char ch = a[j];
            if (backslashEscapes && ch == '\\') {
                j += 2;
                continue;
            }
            if (ch == quote) {
                if (j + 1 < n && a[j + 1] == quote) {
                    j += 2;
                    continue;
                }
                return j + 1;
            }
            j++;
        }
        return -1;
    }

    private static int endOfQuotedOrThrow(
            char[] a, int open, char quote, boolean backslashEscapes, int limit, int from) {
        int end = endOfQuoted(a, open, quote, backslashEscapes, limit);
        if (end < 0) {
            throw new PgParseException("unterminated " + (quote == '"' ? "quoted identifier" : "string"), open - from);
        }
        return end;
    }
}
