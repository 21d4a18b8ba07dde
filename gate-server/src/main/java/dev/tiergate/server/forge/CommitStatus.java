package dev.tiergate.server.forge;

/** The {@code tiergate/workflow} status tiergate posts on a SHA. Description at most 140 characters. */
public record CommitStatus(State state, String description, String targetUrl) {
    public static final String CONTEXT = "tiergate/workflow";

    public enum State { SUCCESS, FAILURE, PENDING }

    public CommitStatus {
        if (description != null && description.length() > 140) {
            description = description.substring(0, 139) + "\u2026";
        }
    }
}
