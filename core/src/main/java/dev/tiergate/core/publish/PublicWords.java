package dev.tiergate.core.publish;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The words a pull request already shows: those its migration files (and their names) hold. Text tiergate read back
 * from a database (an error message, a schema) is published with these words, PostgreSQL's own words
 * ({@link PostgresWords}) and numbers of at most three digits; any other word is a value that reached the text at run
 * time (a row, a literal made by dynamic SQL) and is replaced by {@link #WITHHELD}. A quoted segment ({@code "..."}
 * or {@code '...'}) is a name or a value: it is kept when the files hold it as it is, or when it has the shape of a
 * name ({@code [a-z_][a-z0-9_$]*}) whose every part is the pull request's own (a name PostgreSQL made up, such as
 * {@code inventory_pkey}); else it shows as {@code "…"} whole. A value made of public words ({@code "A-42"} from
 * {@code 'A-' || id}) is not a name, and the files do not hold it. Words are compared without case (PostgreSQL folds names to lower case) and a name made
 * of parts joined by {@code _} is public when each part is.
 *
 * <p>Checking every word, not only the quoted ones, is what holds when a migration puts quotes into a value
 * ({@code relation "x" alice "y"}) or makes a name from a row that a message prints unquoted
 * ({@code cannot drop table alice because ...}).
 */
public final class PublicWords {
    /** What a withheld word or quoted segment shows as. */
    public static final String WITHHELD = "\u2026";

    private static final PublicWords NONE = new PublicWords(Set.of(), "");
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_$]*");

    private final Set<String> own;
    /** The texts themselves, lower case, for a quoted segment that must appear as it is. */
    private final String texts;

    private PublicWords(Set<String> own, String texts) {
        this.own = own;
        this.texts = texts;
    }

    /** The words of these texts, e.g. a pull request's migration files by name (both the names and the contents count). */
    public static PublicWords of(Map<String, String> textByName) {
        Set<String> own = new HashSet<>();
        StringBuilder all = new StringBuilder();
        textByName.forEach((name, text) -> {
            addWords(own, name);
            addWords(own, text);
            all.append(name).append('\n').append(text).append('\n');
        });
        return new PublicWords(own, all.toString().toLowerCase(Locale.ROOT));
    }

    public static PublicWords of(List<String> texts) {
        Set<String> own = new HashSet<>();
        StringBuilder all = new StringBuilder();
        texts.forEach(t -> {
            addWords(own, t);
            all.append(t).append('\n');
        });
        return new PublicWords(own, all.toString().toLowerCase(Locale.ROOT));
    }

    /** No file's words: only PostgreSQL's own words and short numbers are published. */
    public static PublicWords none() {
        return NONE;
    }

    /**
     * {@code text} on one line (control characters become spaces) with every word and quoted segment that is not
     * public replaced by {@link #WITHHELD}.
     */
    public String reduce(String text) {
        String s = Markdown.oneLine(text);
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'') {
                int close = s.indexOf(c, i + 1);
                String inside = close < 0 ? s.substring(i + 1) : s.substring(i + 1, close);
                out.append(c).append(allOwn(inside) ? inside : WITHHELD);
                if (close >= 0) {
                    out.append(c);
                }
                i = close < 0 ? s.length() : close + 1;
            } else if (isWordChar(s, i)) {
                int end = wordEnd(s, i);
                String word = s.substring(i, end);
                out.append(isPublic(word) ? word : WITHHELD);
                i = end;
            } else {
                out.appendCodePoint(s.codePointAt(i));
                i += Character.charCount(s.codePointAt(i));
            }
        }
        return out.toString();
    }

    /** Whether a word outside quotes may be published: the pull request's own, PostgreSQL's, or a short number. */
    public boolean isPublic(String word) {
        return check(word, PostgresWords.WORDS);
    }

    /** Inside quotes: as the files hold it, or a name whose parts are the pull request's own or PostgreSQL's suffixes. */
    private boolean allOwn(String quoted) {
        String lower = quoted.toLowerCase(Locale.ROOT);
        if (!lower.isEmpty() && texts.contains(lower)) {
            return true;
        }
        if (!NAME.matcher(lower).matches()) {
            return false;
        }
        int i = 0;
        while (i < quoted.length()) {
            if (isWordChar(quoted, i)) {
                int end = wordEnd(quoted, i);
                if (!check(quoted.substring(i, end), PostgresWords.NAME_SUFFIXES)) {
                    return false;
                }
                i = end;
            } else {
                i += Character.charCount(quoted.codePointAt(i));
            }
        }
        return true;
    }

    private boolean check(String word, Set<String> alsoAllowed) {
        String w = word.toLowerCase(Locale.ROOT);
        if (own.contains(w)) {
            return true;
        }
        if (w.chars().allMatch(Character::isDigit)) {
            return w.length() <= 3; // a longer number run is a value unless the files hold it
        }
        if (alsoAllowed.contains(w)) {
            return true;
        }
        if (w.indexOf('_') >= 0) {
            boolean any = false;
            for (String part : w.split("_")) {
                if (part.isEmpty()) {
                    continue;
                }
                if (!check(part, alsoAllowed)) {
                    return false;
                }
                any = true;
            }
            return any;
        }
        return false;
    }

    private static void addWords(Set<String> into, String text) {
        if (text == null) {
            return;
        }
        int i = 0;
        while (i < text.length()) {
            if (isWordChar(text, i)) {
                int end = wordEnd(text, i);
                String w = text.substring(i, end).toLowerCase(Locale.ROOT);
                into.add(w);
                if (w.indexOf('_') >= 0) {
                    for (String part : w.split("_")) {
                        if (!part.isEmpty()) {
                            into.add(part);
                        }
                    }
                }
                i = end;
            } else {
                i += Character.charCount(text.codePointAt(i));
            }
        }
    }

    private static boolean isWordChar(String s, int i) {
        int cp = s.codePointAt(i);
        return cp == '_' || Character.isLetterOrDigit(cp);
    }

    private static int wordEnd(String s, int i) {
        int j = i;
        while (j < s.length() && isWordChar(s, j)) {
            j += Character.charCount(s.codePointAt(j));
        }
        return j;
    }
}
