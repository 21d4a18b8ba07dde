package dev.tiergate.server.forge;

/** A forge API call failed; {@code retryable} says whether backing off and trying again may help. */
public class ForgeException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean retryable;

    public ForgeException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public ForgeException(String message, boolean retryable) {
        this(message, retryable, null);
    }

    public boolean retryable() {
        return retryable;
    }
}
