package dev.tiergate.core.lint;

import dev.tiergate.core.verdict.Severity;
import java.util.List;

/**
 * The lint of one file: its findings (rules the policy turned off are left out), how many statements it had, how
 * many the parser could not read, and how many findings a {@code -- tiergate:ignore} comment suppressed.
 */
public record LintReport(String file, List<Finding> findings, int statements, int notAnalysed, int suppressed) {
    public LintReport {
        findings = List.copyOf(findings);
    }

    public boolean hasErrors() {
        for (Finding f : findings) { // a loop, not a stream: a lambda's first call costs a bootstrap at start-up
            if (f.severity() == Severity.ERROR) {
                return true;
            }
        }
        return false;
    }
}
