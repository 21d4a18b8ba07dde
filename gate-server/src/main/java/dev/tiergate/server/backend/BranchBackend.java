package dev.tiergate.server.backend;

import dev.tiergate.server.forge.RepoRef;
import java.util.List;

/**
 * The seam to where database branches live (one implementation per system: postgres here; neon and lakebase
 * next). Every operation is idempotent and atomic from the caller's view: after a failure no half-made branch
 * remains. Failures throw {@link BackendException}.
 */
public interface BranchBackend {
    String id();

    /** Creates {@code name} as a copy of {@code parent} (null: an empty root tier). No-op when it exists. */
    void create(RepoRef repo, String name, String parent);

    /**
     * Creates a tier's database (a copy of its parent tier, or empty for the root). Backends that clone from idle
     * templates take the tier's template here, while the new tier is still idle.
     */
    default void createTier(RepoRef repo, String name, String parent) {
        create(repo, name, parent);
    }

    /** Deletes the branch if it exists. */
    void delete(RepoRef repo, String name);

    boolean exists(RepoRef repo, String name);

    /** The repository's database branches by name. */
    List<String> list(RepoRef repo);

    /** Where to connect to a branch (no credentials in it). */
    String connectionUrl(RepoRef repo, String name);
}
