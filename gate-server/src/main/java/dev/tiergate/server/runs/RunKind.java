package dev.tiergate.server.runs;

import java.util.Locale;

/** What a run does; each runs repository SQL on one database branch. */
public enum RunKind {
    /** A new tier: its database made from its parent (or empty), then its seed and its git branch's migrations. */
    TIER_SETUP,
    /** A working branch's database made if missing, then brought to the migrations at the branch's head. */
    FOLLOW,
    /** A PR's migrations on {@code ci-pr-<N>}, a fresh copy of its base tier: the rules, the run, the verdict. */
    REHEARSAL,
    /** A merge queue group's head on {@code ci-mq-<N>}, a fresh copy of the tier as it is now. */
    MERGE_GROUP,
    /** A merged PR's migrations applied to its tier, after a snapshot. */
    MERGE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RunKind fromWire(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
