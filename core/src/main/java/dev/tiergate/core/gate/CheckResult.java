package dev.tiergate.core.gate;

/** One CI result on a commit: a commit status context or a check run / pipeline name. */
public record CheckResult(String name, Outcome outcome) {
    public enum Outcome {
        SUCCESS,
        FAILURE,
        PENDING
    }
}
