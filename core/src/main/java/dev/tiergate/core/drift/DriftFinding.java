package dev.tiergate.core.drift;

import java.util.Locale;

/**
 * One way a tier is not what its migrations say: {@code what} names it, {@code detail} says how, {@code fix} is the
 * statement or command that reproduces or mends it (for a schema difference, the DDL that turns the schema its history
 * builds into the live one).
 */
public record DriftFinding(Kind kind, String what, String detail, String fix) {

    /** Where the drift was found: the four checks of a drift pass. */
    public enum Kind {
        /** the tier's live schema against the schema its applied migrations build */
        SCHEMA,
        /** the tier's migration history against the repository's files at the tier's head */
        HISTORY,
        /** a version applied on the parent tier that this tier lacks */
        ORDER,
        /** privileges against the policy's database access */
        GRANTS;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Identifies the finding across passes: an accepted drift stays accepted while it stays the same. */
    public String key() {
        return kind.wireName() + "|" + what + "|" + (detail == null ? "" : detail);
    }

    public String render() {
        return kind.wireName() + ": " + what + (detail == null || detail.isEmpty() ? "" : ": " + detail);
    }
}
