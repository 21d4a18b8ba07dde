package dev.tiergate.server.backend;

import java.util.List;

/**
 * The seam to where database branches live (one implementation per system: postgres, neon, lakebase).
 * Every operation is atomic from the caller's view: after a failure no half-made branch remains.
 */
public interface BranchBackend {
    String id();

    /** Creates {@code name} as a copy of {@code parent} (null: an empty root/tier database). Idempotent. */
    void create(String name, String parent);

    /** Deletes the branch if it exists. Idempotent. */
    void delete(String name);

    boolean exists(String name);

    List<String> list();

    /** Connection details for a branch (URL without secrets; credentials come from configuration). */
    String connectionUrl(String name);
}
