package dev.tiergate.core.gate;

import dev.tiergate.core.rules.Rule;

/**
 * The merge gate's answer for one head SHA: the status to post, the rule that decided it, and a description
 * a person can act on (forges cap descriptions; GitHub at 140 characters).
 */
public record GateStatus(StatusState state, String rule, String description) {
    public static final int MAX_DESCRIPTION = 140;

    public GateStatus {
        if (description.length() > MAX_DESCRIPTION) {
            description = description.substring(0, MAX_DESCRIPTION - 1) + "\u2026";
        }
    }

    public static GateStatus success() {
        return new GateStatus(
                StatusState.SUCCESS,
                Rule.GATE_OK.id(),
                "All tiergate rules hold: ci-green on this commit, edge, actor and approvals allowed");
    }

    public static GateStatus failure(String rule, String description) {
        return new GateStatus(StatusState.FAILURE, rule, tagged(description, rule));
    }

    public static GateStatus pending(String rule, String description) {
        return new GateStatus(StatusState.PENDING, rule, tagged(description, rule));
    }

    /** The description with its rule id at the end; the words are cut, never the rule id, to fit the forge's limit. */
    static String tagged(String description, String rule) {
        String tag = " [" + rule + "]";
        if (description.length() + tag.length() <= MAX_DESCRIPTION) {
            return description + tag;
        }
        return description.substring(0, Math.max(0, MAX_DESCRIPTION - tag.length() - 1)) + "\u2026" + tag;
    }
}
