package dev.tiergate.core.migration;

/** One SQL statement as written (without its terminating semicolon or leading comments), and its 1-based start line. */
public record SqlStatement(String text, int line) {
}
