package dev.tiergate.server.runs;

import java.time.Instant;

/** Carries out runs of one forge's repositories; a run that throws is tried again later (the verdicts it reaches are not throws). */
public interface RunExecutor {
    void execute(Run run) throws Exception;

    /**
     * The run threw and waits for a retry at {@code retryAt} (null: it failed for good): a chance to say so where its
     * verdict would have been. Best effort; never changes what becomes of the run.
     */
    default void notDone(Run run, Throwable cause, Instant retryAt) {}
}
