package dev.tiergate.core.lint;

import dev.tiergate.core.verdict.Severity;

/** One lint finding: the rule, its severity under the policy, where (1-based line and column) and the fix. */
public record Finding(String rule, Severity severity, String file, int line, int column, String message, String fix) {

    /** {@code file:line:column: severity rule-id: message} and a {@code fix:} line. */
    public String renderText() {
        return file + ":" + line + ":" + column + ": " + severity.wireName() + " " + rule + ": " + message + "\n  fix: "
                + fix;
    }
}
