package dev.tiergate.server.backend.lakebase;

import com.databricks.sdk.service.postgres.Operation;
import dev.tiergate.server.backend.BackendException;
import dev.tiergate.server.backend.Sleeper;
import java.time.Duration;

/**
 * Waits for a Lakebase long-running operation ({@code done}, or {@code error} with a code and message) by polling
 * {@code GET /api/2.0/postgres/<operation name>} every {@code interval} for at most {@code timeout}. The SDK's own
 * {@code waitForCompletion} would do as well; polling here keeps the interval on tiergate's {@link Sleeper}.
 */
final class LakebaseOperations {
    private final LakebaseApi api;
    private final Sleeper sleeper;
    private final Duration interval;
    private final Duration timeout;

    LakebaseOperations(LakebaseApi api, Sleeper sleeper, Duration interval, Duration timeout) {
        this.api = api;
        this.sleeper = sleeper;
        this.interval = interval;
        this.timeout = timeout;
    }

    void await(String operation, String what) {
        long polls = Math.max(1, timeout.toMillis() / Math.max(1, interval.toMillis()));
        for (long n = 0; ; n++) {
            Operation op = api.operation(operation);
            if (op.getError() != null) {
                throw new BackendException(
                        "cannot " + what + ": Lakebase operation " + operation + " failed: "
                                + op.getError().getErrorCode() + ": "
                                + op.getError().getMessage(),
                        null);
            }
            if (Boolean.TRUE.equals(op.getDone())) {
                return;
            }
            if (n >= polls) {
                throw new BackendException(
                        "cannot " + what + ": Lakebase operation " + operation + " is not done after "
                                + timeout.toSeconds() + " s",
                        null);
            }
            try {
                sleeper.sleep(interval);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException("interrupted while waiting to " + what, e);
            }
        }
    }
}
