package dev.tiergate.core.policy;

import static dev.tiergate.core.policy.PolicyValidator.RULES_WITH_SEVERITY;
import static dev.tiergate.core.policy.PolicyValidator.SEVERITY_RULE;

import java.util.TreeSet;

/**
 * The policy's {@code severity}: it names only rules whose severity a policy may set
 * ({@link PolicyValidator#RULES_WITH_SEVERITY}).
 */
final class SeveritySection {
    private SeveritySection() {}

    static void check(PolicyProblems problems) {
        Policy p = problems.policy();
        for (String rule : p.severity().keySet()) {
            if (!RULES_WITH_SEVERITY.contains(rule)) {
                problems.refuse(
                        SEVERITY_RULE,
                        "/severity/" + rule,
                        "severity is set for '" + rule + "', which is not a rule whose severity a policy may set",
                        "use one of " + new TreeSet<>(RULES_WITH_SEVERITY) + ", or remove it");
            }
        }
    }
}
