package dev.tiergate.server.ui;

import dev.tiergate.core.policy.Policy;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.BranchStore;
import dev.tiergate.server.store.DriftStore;
import dev.tiergate.server.store.MigrationStore;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What a repository's tree and branch pages read: its branches, what tiergate recorded of its migrations (rehearsals,
 * holds, masked copies) and of its drift, the branch backend (sizes, connections), the policy ({@code policies}: empty
 * when the forge could not give it just now) and the clock.
 */
record Sources(
        BranchStore store,
        MigrationStore migrations,
        DriftStore drifts,
        BranchBackend backend,
        Function<RepoRef, Optional<Policy>> policies,
        Clock clock) {

    /** The size of each database branch of {@code ref}; none when the backend cannot say (shown as unknown). */
    Map<String, Long> sizes(RepoRef ref) {
        try {
            return backend.sizes(ref);
        } catch (RuntimeException e) {
            return Map.of();
        }
    }
}
