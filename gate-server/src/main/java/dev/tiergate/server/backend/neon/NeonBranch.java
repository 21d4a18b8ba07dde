package dev.tiergate.server.backend.neon;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A Neon branch as the API v2 describes it (https://api-docs.neon.tech/reference/getprojectbranch): {@code id}
 * ({@code br-…}), {@code name}, {@code parent_id} (null for the root), {@code protected}, {@code default} (the
 * project's root branch), {@code current_state} and {@code expires_at}.
 */
public record NeonBranch(
        String id,
        String name,
        String parentId,
        boolean protectedBranch,
        boolean defaultBranch,
        String currentState,
        String expiresAt) {

    static NeonBranch of(JsonNode b) {
        return new NeonBranch(
                b.path("id").asText(null),
                b.path("name").asText(null),
                text(b.path("parent_id")),
                b.path("protected").asBoolean(false),
                b.path("default").asBoolean(false),
                text(b.path("current_state")),
                text(b.path("expires_at")));
    }

    static String text(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? null : n.asText();
    }

    @Override
    public String toString() {
        return "'" + name + "' (" + id + (parentId == null ? "" : ", parent " + parentId) + ")";
    }
}
