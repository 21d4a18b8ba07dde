package dev.tiergate.server.forge;

import java.time.Duration;
import java.util.Optional;

/**
 * A forge API call failed; {@code retryable} says whether backing off and trying again may help, and
 * {@code retryAfter} how long the forge asked us to wait (a rate limit's {@code Retry-After} or reset time).
 */
public class ForgeException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean retryable;
    private final transient Duration retryAfter;

    public ForgeException(String message, boolean retryable, Throwable cause, Duration retryAfter) {
        super(message, cause);
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    public ForgeException(String message, boolean retryable, Throwable cause) {
        this(message, retryable, cause, null);
    }

    public ForgeException(String message, boolean retryable) {
        this(message, retryable, null, null);
    }

    public boolean retryable() {
        return retryable;
    }

    /** How long the forge asked us to wait before the next call, when it said. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
