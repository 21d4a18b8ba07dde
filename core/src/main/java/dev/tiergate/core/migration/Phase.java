package dev.tiergate.core.migration;

import java.util.Locale;
import java.util.Optional;

/**
 * The phase of an evolutionary schema change: expand (add the new structure alongside the old), migrate
 * (move data, keep both in sync), contract (remove the old structure once nothing uses it). Only contract may
 * destroy.
 */
public enum Phase {
    EXPAND,
    MIGRATE,
    CONTRACT;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Phase> fromWireName(String value) {
        for (Phase p : values()) {
            if (p.wireName().equalsIgnoreCase(value.trim())) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
