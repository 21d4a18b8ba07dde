package dev.tiergate.core.publish;

/**
 * Text from a repository or a database, made safe to put into a comment tiergate writes on GitHub or GitLab: whatever
 * it holds, it shows as text. It cannot end the code span, table cell or fenced block it sits in, cannot render as
 * HTML (an {@code <img onerror>}, a {@code </details>}), cannot start a heading, a link or emphasis, cannot mention
 * anyone ({@code @everyone}), and cannot forge the HTML comment that marks tiergate's own comment (no {@code <!--}
 * survives). Both forges render CommonMark with GitHub's table extension, so one set of rules serves both.
 *
 * <p>Line breaks and other control characters become spaces everywhere but in a fenced block, which keeps its lines.
 */
public final class Markdown {
    /** A zero-width space: after {@code @} it keeps a name from being a mention; inside {@code <!--} it breaks the marker. */
    static final char ZERO_WIDTH_SPACE = '\u200B';

    private Markdown() {}

    /**
     * Prose: the ASCII punctuation that starts markup inside a line is backslash-escaped (emphasis, code, links and
     * images, strikethrough, math, table pipes), {@code < > &} become entities (so raw HTML never renders), and
     * {@code @} cannot mention. Also safe inside a table cell. A line break becomes a space and a leading {@code #},
     * {@code -}, {@code +} or {@code =} is escaped, so nothing starts a heading or a list either. References such as
     * {@code #12} are left as they are: tiergate's own messages name pull requests that way.
     */
    public static String text(String s) {
        String one = oneLine(s);
        StringBuilder b = new StringBuilder(one.length() + 16);
        if (!one.isEmpty() && "#-+=".indexOf(one.charAt(0)) >= 0) {
            b.append('\\'); // at the start of a line: a heading, a list item or an underline
        }
        for (int i = 0; i < one.length(); i++) {
            char c = one.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '@' -> b.append('@').append(ZERO_WIDTH_SPACE);
                case '\\', '`', '*', '_', '[', ']', '|', '~', '$' ->
                    b.append('\\').append(c);
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A table cell's text: {@link #text}, which already escapes {@code |} and keeps to one line. */
    public static String cell(String s) {
        return text(s);
    }

    /** An inline code span outside a table: shown exactly (one line), whatever backticks it holds. */
    public static String code(String s) {
        return span(unmark(oneLine(s)));
    }

    /**
     * An inline code span inside a table cell: as {@link #code}, with {@code |} escaped, since a table row is split
     * at every unescaped pipe, inside code spans too (the table extension turns {@code \|} back into {@code |}).
     */
    public static String cellCode(String s) {
        return span(unmark(oneLine(s))).replace("|", "\\|");
    }

    /**
     * A fenced code block with {@code info} (e.g. {@code diff}) whose fence is longer than any run of backticks in
     * {@code content}, so no line of it can close the block. Ends with a line break.
     */
    public static String fenced(String info, String content) {
        String body = unmark(lines(content));
        int fence = Math.max(3, longestRun(body, '`') + 1);
        String f = "`".repeat(fence);
        return f + oneLine(info).replace("`", "") + "\n" + body + (body.isEmpty() || body.endsWith("\n") ? "" : "\n")
                + f + "\n";
    }

    private static String span(String s) {
        if (s.isEmpty()) {
            return "` `";
        }
        String ticks = "`".repeat(longestRun(s, '`') + 1);
        // a space on both sides is stripped by the renderer; it lets content start or end with a backtick
        boolean pad = s.startsWith("`") || s.endsWith("`") || (s.startsWith(" ") && s.endsWith(" ") && !s.isBlank());
        return pad ? ticks + " " + s + " " + ticks : ticks + s + ticks;
    }

    /** No {@code <!--} in what a code span or block shows literally: tiergate's comment marker stays unforgeable. */
    private static String unmark(String s) {
        return s.replace("<!--", "<!" + ZERO_WIDTH_SPACE + "--");
    }

    private static int longestRun(String s, char c) {
        int longest = 0;
        int run = 0;
        for (int i = 0; i < s.length(); i++) {
            run = s.charAt(i) == c ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        return longest;
    }

    /** One line: every control character (line breaks included) a space. */
    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            if (isControl(cp)) {
                b.append(' ');
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.toString();
    }

    /** Lines kept ({@code \n}; {@code \r\n} and {@code \r} become {@code \n}), tabs kept, other control characters dropped. */
    private static String lines(String s) {
        if (s == null) {
            return "";
        }
        String n = s.replace("\r\n", "\n").replace('\r', '\n');
        StringBuilder b = new StringBuilder(n.length());
        n.codePoints().forEach(cp -> {
            if (cp == '\n' || cp == '\t' || !isControl(cp)) {
                b.appendCodePoint(cp);
            }
        });
        return b.toString();
    }

    /**
     * C0 and C1 controls, DEL, and the characters that reorder or hide text (bidirectional overrides and isolates,
     * line and paragraph separators, the byte-order mark).
     */
    static boolean isControl(int cp) {
        return Character.getType(cp) == Character.CONTROL
                || (cp >= 0x202A && cp <= 0x202E)
                || (cp >= 0x2066 && cp <= 0x2069)
                || cp == 0x2028
                || cp == 0x2029
                || cp == 0xFEFF;
    }
}
