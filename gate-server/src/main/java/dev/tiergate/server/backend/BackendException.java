package dev.tiergate.server.backend;

/** A database-branch operation failed; the delivery that asked for it is retried. */
public class BackendException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
