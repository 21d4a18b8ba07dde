package dev.tiergate.server.backend;

import java.time.Duration;

/** How a backend waits between polls and retries: the real clock in the server, a recording one in tests. */
@FunctionalInterface
public interface Sleeper {
    Sleeper REAL = d -> Thread.sleep(d.toMillis());

    void sleep(Duration d) throws InterruptedException;
}
