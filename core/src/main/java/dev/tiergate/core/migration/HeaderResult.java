package dev.tiergate.core.migration;

import java.util.List;
import java.util.Optional;

/**
 * What {@link MigrationHeader#parse} found: the header when it is complete and valid, otherwise the problems
 * (each a sentence naming what to write) and the 1-based line they refer to.
 */
public record HeaderResult(Optional<MigrationHeader> header, List<String> problems, int line) {
    public HeaderResult {
        problems = List.copyOf(problems);
    }

    public boolean isValid() {
        return header.isPresent() && problems.isEmpty();
    }
}
