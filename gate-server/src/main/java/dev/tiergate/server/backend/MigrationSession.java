package dev.tiergate.server.backend;

import java.util.Optional;

/**
 * One run of repository SQL (migrations, a seed, the reads around them) on one database branch: the connection to
 * use, which logs in as the branch's migration role and nothing more, and a watchdog outside the session that holds
 * the run to its {@link RunLimits}. Closing it stops the watchdog and tidies what the run may have left (objects it
 * made under its own name, grants on what it created).
 */
public interface MigrationSession extends AutoCloseable {
    /** Where and as whom the run connects: the branch's migration role. */
    BranchConnection connection();

    /** Set once the watchdog ended the run: why. */
    Optional<RunStop> stopped();

    @Override
    void close();
}
