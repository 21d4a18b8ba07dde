package dev.tiergate.server.config;

/** Configuration the server cannot start with; the message names the variable and the fix. */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
