package dev.tiergate.server.embedded;

import dev.tiergate.server.config.ConfigException;

/** Another running tiergate owns an embedded PostgreSQL (the store or the branch cluster): refused (exit 2) with what to do. */
public final class ClusterInUseException extends ConfigException {
    public ClusterInUseException(String message) {
        super(message);
    }
}
