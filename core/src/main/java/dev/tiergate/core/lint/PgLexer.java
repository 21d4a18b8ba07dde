package dev.tiergate.core.lint;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * PostgreSQL's lexical grammar (scan.l), for one statement: key words and identifiers (unquoted ones folded to lower
 * case, {@code "quoted"} ones kept), string constants ({@code '...'}, {@code E'...'}, {@code $tag$...$tag$}), numbers,
 * positional parameters, operators and punctuation. Comments are skipped. Malformed input (an unterminated string or
 * comment) throws {@link PgParseException}.
 */
final class PgLexer {
    enum Kind { WORD, IDENT, STRING, NUMBER, PARAM, OP, PUNCT }

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

    private PgLexer() {
    }

    static List<Token> tokens(String s) {
        List<Token> out = new ArrayList<>();
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            char next = i + 1 < n ? s.charAt(i + 1) : '\0';
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && next == '-') {
                int end = s.indexOf('\n', i);
                i = end < 0 ? n : end;
            } else if (c == '/' && next == '*') {
                int depth = 0;
                int j = i;
                while (true) {
                    if (j >= n) {
                        throw new PgParseException("unterminated /* comment", i);
                    }
                    if (s.startsWith("/*", j)) {
                        depth++;
                        j += 2;
                    } else if (s.startsWith("*/", j)) {
                        depth--;
                        j += 2;
                        if (depth == 0) {
                            break;
                        }
                    } else {
                        j++;
                    }
                }
                i = j;
            } else if (c == '\'' || ((c == 'E' || c == 'e' || c == 'B' || c == 'b' || c == 'X' || c == 'x' || c == 'N'
                    || c == 'n') && next == '\'')) {
                boolean escapes = c == 'E' || c == 'e';
                int open = c == '\'' ? i : i + 1;
                int end = endOfQuoted(s, open, '\'', escapes);
                out.add(new Token(Kind.STRING, s.substring(open + 1, end - 1), i));
                i = end;
            } else if ((c == 'U' || c == 'u') && next == '&' && i + 2 < n && (s.charAt(i + 2) == '\'' || s.charAt(i + 2) == '"')) {
                char q = s.charAt(i + 2);
                int end = endOfQuoted(s, i + 2, q, false);
                out.add(new Token(q == '\'' ? Kind.STRING : Kind.IDENT, s.substring(i + 3, end - 1), i));
                i = end;
            } else if (c == '"') {
                int end = endOfQuoted(s, i, '"', false);
                out.add(new Token(Kind.IDENT, s.substring(i + 1, end - 1).replace("\"\"", "\""), i));
                i = end;
            } else if (c == '$' && Character.isDigit(next)) {
                int j = i + 1;
                while (j < n && Character.isDigit(s.charAt(j))) {
                    j++;
                }
                out.add(new Token(Kind.PARAM, s.substring(i, j), i));
                i = j;
            } else if (c == '$') {
                int tagEnd = s.indexOf('$', i + 1);
                String tag = tagEnd < 0 ? null : s.substring(i, tagEnd + 1);
                if (tag == null || !tag.matches("\\$([A-Za-z_\\x80-\\uffff][A-Za-z0-9_\\x80-\\uffff]*)?\\$")) {
                    throw new PgParseException("stray $", i);
                }
                int close = s.indexOf(tag, tagEnd + 1);
                if (close < 0) {
                    throw new PgParseException("unterminated dollar-quoted string " + tag, i);
                }
                out.add(new Token(Kind.STRING, s.substring(tagEnd + 1, close), i));
                i = close + tag.length();
            } else if (Character.isLetter(c) || c == '_' || c > 127) {
                int j = i + 1;
                while (j < n && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_' || s.charAt(j) == '$'
                        || s.charAt(j) > 127)) {
                    j++;
                }
                out.add(new Token(Kind.WORD, s.substring(i, j).toLowerCase(Locale.ROOT), i));
                i = j;
            } else if (Character.isDigit(c) || (c == '.' && Character.isDigit(next))) {
                int j = i + 1;
                while (j < n && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '.' || s.charAt(j) == '_'
                        || ((s.charAt(j) == '+' || s.charAt(j) == '-') && (s.charAt(j - 1) == 'e' || s.charAt(j - 1) == 'E')))) {
                    if (s.charAt(j) == '.' && j + 1 < n && s.charAt(j + 1) == '.') {
                        break;
                    }
                    j++;
                }
                out.add(new Token(Kind.NUMBER, s.substring(i, j), i));
                i = j;
            } else if ("(),;[].".indexOf(c) >= 0 && !(c == '.' && next == '.')) {
                out.add(new Token(Kind.PUNCT, String.valueOf(c), i));
                i++;
            } else if (c == ':' && next == ':') {
                out.add(new Token(Kind.OP, "::", i));
                i += 2;
            } else if ("+-*/<>=~!@#%^&|`?:".indexOf(c) >= 0 || (c == '.' && next == '.')) {
                int j = i + 1;
                while (j < n && "+-*/<>=~!@#%^&|`?".indexOf(s.charAt(j)) >= 0
                        && !(s.charAt(j) == '-' && j + 1 < n && s.charAt(j + 1) == '-')
                        && !(s.charAt(j) == '/' && j + 1 < n && s.charAt(j + 1) == '*')) {
                    j++;
                }
                if (c == '.') {
                    j = i + 2;
                }
                out.add(new Token(Kind.OP, s.substring(i, j), i));
                i = j;
            } else {
                throw new PgParseException("unexpected character '" + c + "'", i);
            }
        }
        return out;
    }

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
        throw new PgParseException("unterminated " + (quote == '"' ? "quoted identifier" : "string"), open);
    }
}
