package dev.tiergate.core.gate;

import dev.tiergate.core.policy.Policy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Is CI green on a SHA? Required checks all succeeded; with none required, at least one success and no failure. */
public final class CiVerdict {
    private CiVerdict() {}

    public static boolean green(Policy policy, List<CheckResult> checks) {
        Map<String, CheckResult.Outcome> byName = new HashMap<>();
        for (CheckResult c : checks) {
            if (c.name().equals(GateConstants.STATUS_CONTEXT)) {
                continue; // tiergate's own status never makes CI green
            }
            // a failure anywhere under one name wins over a success under the same name
            byName.merge(
                    c.name(),
                    c.outcome(),
                    (a, b) -> a == CheckResult.Outcome.FAILURE || b == CheckResult.Outcome.FAILURE
                            ? CheckResult.Outcome.FAILURE
                            : a == CheckResult.Outcome.PENDING || b == CheckResult.Outcome.PENDING
                                    ? CheckResult.Outcome.PENDING
                                    : CheckResult.Outcome.SUCCESS);
        }
        if (!policy.requiredChecks().isEmpty()) {
            return policy.requiredChecks().stream().allMatch(n -> byName.get(n) == CheckResult.Outcome.SUCCESS);
        }
        return byName.containsValue(CheckResult.Outcome.SUCCESS) && !byName.containsValue(CheckResult.Outcome.FAILURE);
    }
}
