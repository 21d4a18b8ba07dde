package dev.tiergate.server.backend.neon;

import dev.tiergate.server.backend.BackendException;
import dev.tiergate.server.backend.Sleeper;
import java.time.Duration;
import java.util.List;

/**
 * Waits for Neon's long-running operations (a branch create starts {@code create_branch} and {@code start_compute})
 * to finish: polls each every {@code pollInterval} for at most {@code timeout}; a failed or cancelled one, or one
 * that outlasts the bound, is a {@link BackendException} naming the operation and what it was for.
 */
final class NeonOperations {
    private final NeonApi api;
    private final Sleeper sleeper;
    private final Duration interval;
    private final Duration timeout;

    NeonOperations(NeonApi api, Sleeper sleeper, Duration interval, Duration timeout) {
        this.api = api;
        this.sleeper = sleeper;
        this.interval = interval;
        this.timeout = timeout;
    }

    void await(List<NeonOperation> operations, String what) {
        long polls = Math.max(1, timeout.toMillis() / Math.max(1, interval.toMillis()));
        for (NeonOperation started : operations) {
            NeonOperation op = started;
            for (long n = 0; !op.succeeded(); n++) {
                if (op.failed()) {
                    throw new BackendException(
                            "cannot " + what + ": Neon operation " + op.id() + " (" + op.action() + ") " + op.status()
                                    + (op.error() == null ? "" : ": " + op.error()),
                            null);
                }
                if (n >= polls) {
                    throw new BackendException(
                            "cannot " + what + ": Neon operation " + op.id() + " (" + op.action() + ") is still "
                                    + op.status() + " after " + timeout.toSeconds() + " s",
                            null);
                }
                pause(what);
                op = api.operation(op.id());
            }
        }
    }

    /**
     * Polls GET …/anonymized_status of {@code branchId} (https://neon.com/docs/workflows/data-anonymization-api, "Get
     * anonymization status") every {@code pollInterval} until its state is {@code target} or a failure
     * ({@code error}, {@code initialization_error}), and answers that status; {@code first}, when given, is a status
     * already in hand (what POST …/anonymize answered). A branch that stays in another state past the bound, or that
     * Neon says is no anonymized branch, is a {@link BackendException}.
     */
    NeonApi.AnonymizedStatus awaitAnonymization(
            String branchId, String target, NeonApi.AnonymizedStatus first, String what) {
        long polls = Math.max(1, timeout.toMillis() / Math.max(1, interval.toMillis()));
        NeonApi.AnonymizedStatus s = first;
        for (long n = 0; ; n++) {
            if (s == null) {
                s = api.anonymizedStatus(branchId)
                        .orElseThrow(() -> new BackendException(
                                "cannot " + what + ": Neon says branch " + branchId + " is no anonymized branch",
                                null));
            }
            if (target.equals(s.state()) || s.failed()) {
                return s;
            }
            if (n >= polls) {
                throw new BackendException(
                        "cannot " + what + ": Neon's anonymized branch " + branchId + " is still " + s.state()
                                + " after " + timeout.toSeconds() + " s"
                                + (s.statusMessage() == null ? "" : " (" + s.statusMessage() + ")"),
                        null);
            }
            pause(what);
            s = null;
        }
    }

    /** One poll interval; an interrupt ends the wait as a failure to do {@code what}. */
    private void pause(String what) {
        try {
            sleeper.sleep(interval);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException("interrupted while waiting to " + what, e);
        }
    }
}
