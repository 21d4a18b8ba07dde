package dev.tiergate.core.verdict;

/**
 * One broken rule: which rule (a stable id such as {@code migration.immutable}), where (file:line,
 * branch or PR), what is wrong, and how to fix it.
 */
public record Refusal(String rule, String where, String message, String fix) {

    /** One line for a terminal: {@code where: message [rule]} then the fix. */
    public String render() {
        return where + ": " + message + " [" + rule + "]\n  fix: " + fix;
    }

    /** A short form for forge status descriptions (GitHub allows 140 characters). */
    public String shortForm(int maxLength) {
        String s = message + " [" + rule + "]";
        return s.length() <= maxLength ? s : s.substring(0, Math.max(0, maxLength - 1)) + "\u2026";
    }
}
