package dev.tiergate.server.store;

import dev.tiergate.server.config.ConfigException;

/** Another running tiergate owns the embedded store: refused (exit 2) with what to do, not a failure. */
public final class StoreInUseException extends ConfigException {
    public StoreInUseException(String message) {
        super(message);
    }
}
