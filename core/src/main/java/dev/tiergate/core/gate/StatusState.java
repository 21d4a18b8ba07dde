package dev.tiergate.core.gate;

/** The commit status tiergate posts as {@code tiergate/workflow}. */
public enum StatusState {
    SUCCESS,
    FAILURE,
    PENDING
}
