package dev.tiergate.core.policy;

/** A policy file that cannot be read; the message names the file and what is wrong. */
public class PolicyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PolicyException(String message, Throwable cause) {
        super(message, cause);
    }

    public PolicyException(String message) {
        super(message);
    }
}
