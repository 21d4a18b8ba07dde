package dev.tiergate.core.migration;

import java.util.List;
import java.util.Optional;

/**
 * What {@link MigrationHeader#parse} found: the header when it is complete and valid, otherwise the problems
 * (each a sentence naming what to write) and the 1-based line they refer to; and the migration's description when
 * the header gives one in the Lakebase kit's form {@code -- V<version>: <slug>}.
 */
public record HeaderResult(
        Optional<MigrationHeader> header, List<String> problems, int line, Optional<String> description) {
    public HeaderResult {
        problems = List.copyOf(problems);
        description = description == null ? Optional.empty() : description;
    }

    public HeaderResult(Optional<MigrationHeader> header, List<String> problems, int line) {
        this(header, problems, line, Optional.empty());
    }

    public boolean isValid() {
        return header.isPresent() && problems.isEmpty();
    }
}
