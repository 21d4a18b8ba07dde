package dev.tiergate.server.backend.neon;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/**
 * A Neon long-running operation (https://api-docs.neon.tech/reference/getprojectoperation): {@code action} (e.g.
 * {@code create_branch}, {@code start_compute}), {@code status} ({@code scheduling}, {@code running},
 * {@code finished}, {@code failed}, {@code error}, {@code cancelling}, {@code cancelled}, {@code skipped}), and
 * {@code error} when it failed.
 */
public record NeonOperation(String id, String action, String branchId, String status, String error) {
    private static final Set<String> SUCCEEDED = Set.of("finished", "skipped");
    private static final Set<String> FAILED = Set.of("failed", "error", "cancelled");

    static NeonOperation of(JsonNode o) {
        return new NeonOperation(
                o.path("id").asText(null),
                o.path("action").asText(null),
                NeonBranch.text(o.path("branch_id")),
                o.path("status").asText(null),
                NeonBranch.text(o.path("error")));
    }

    boolean succeeded() {
        return SUCCEEDED.contains(status);
    }

    boolean failed() {
        return FAILED.contains(status);
    }
}
