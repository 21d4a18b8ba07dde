package dev.tiergate.server.forge;

import dev.tiergate.core.gate.GateConstants;
import dev.tiergate.core.gate.StatusState;
import java.util.Objects;

/**
 * A {@code tiergate/...} commit status on a SHA, as tiergate wants it or as the forge shows it. The description is
 * cut here, the one place, to the forges' limit (GitHub: 140 characters), so what is compared is what is posted.
 */
public record CommitStatus(String context, StatusState state, String description, String targetUrl) {
    public static final String CONTEXT = GateConstants.STATUS_CONTEXT;
    public static final int MAX_DESCRIPTION = 140;

    public CommitStatus {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(state, "state");
        if (description != null && description.length() > MAX_DESCRIPTION) {
            description = description.substring(0, MAX_DESCRIPTION - 1) + "\u2026";
        }
    }

    /** The {@code tiergate/workflow} status. */
    public CommitStatus(StatusState state, String description, String targetUrl) {
        this(CONTEXT, state, description, targetUrl);
    }

    /** True when posting {@code this} would change nothing the forge shows. */
    public boolean sameAs(CommitStatus shown) {
        return shown != null
                && context.equals(shown.context)
                && state == shown.state
                && Objects.equals(blankToNull(description), blankToNull(shown.description))
                && Objects.equals(blankToNull(targetUrl), blankToNull(shown.targetUrl));
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
