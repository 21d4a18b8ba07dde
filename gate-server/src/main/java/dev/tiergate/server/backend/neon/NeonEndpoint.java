package dev.tiergate.server.backend.neon;

import com.fasterxml.jackson.databind.JsonNode;

/** A compute endpoint of a branch ({@code ep-…}): its host and type ({@code read_write}, {@code read_only}). */
public record NeonEndpoint(String id, String branchId, String host, String type) {
    static NeonEndpoint of(JsonNode e) {
        return new NeonEndpoint(
                e.path("id").asText(null),
                e.path("branch_id").asText(null),
                e.path("host").asText(null),
                e.path("type").asText(null));
    }

    boolean readWrite() {
        return "read_write".equals(type);
    }
}
