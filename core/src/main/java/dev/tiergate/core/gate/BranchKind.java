package dev.tiergate.core.gate;

import java.util.Locale;

/** What a tracked branch is: a long-running tier, a short-lived working branch, or a PR's CI branch. */
public enum BranchKind {
    TIER,
    WORKING,
    CI;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
