package dev.tiergate.server.backend;

import java.time.Duration;

/**
 * The bounds one migration run gets, enforced from outside its session ({@link MigrationSession}): a deadline, after
 * which its statements are cancelled and then its sessions terminated, and the size its database may reach. A
 * migration cannot lift either: it can {@code SET statement_timeout}, not stop another session from ending it.
 */
public record RunLimits(Duration deadline, long maxBytes) {
    public RunLimits {
        if (deadline == null || deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("a run needs a positive deadline");
        }
    }

    /** A deadline with no size bound (reads, where nothing grows). */
    public static RunLimits deadline(Duration deadline) {
        return new RunLimits(deadline, 0);
    }
}
