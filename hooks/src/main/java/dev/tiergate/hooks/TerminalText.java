package dev.tiergate.hooks;

import java.util.regex.Pattern;

/**
 * Text from a server, a forge or a database, fit for a terminal. A name (a branch, a file, a column, a role) may hold an
 * escape sequence that rewrites the operator's screen or hides what follows: ESC and the other C0 controls, the C1
 * controls (U+009B is a whole CSI on terminals that read 8-bit controls), and the bidirectional overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069) that show text in another order than it is. Each becomes {@code ?}.
 */
public final class TerminalText {
    private static final Pattern UNSAFE = Pattern.compile("[\\p{Cc}\\u202A-\\u202E\\u2066-\\u2069]");

    private TerminalText() {}

    public static String plain(String s) {
        return s == null ? "" : UNSAFE.matcher(s).replaceAll("?");
    }
}
