package dev.tiergate.core.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.core.policy.ActorClass;
import dev.tiergate.core.verdict.Verdict;
import dev.tiergate.core.workflow.WorkflowState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * tiergate's own workflow state ({@code .tiergate/workflow-state.json}, untracked): several features in flight,
 * at most one claim per git branch. Immutable; {@link #with} and {@link #without} return a new state.
 */
public record TiergateState(int version, String projectId, List<Claim> features) {
    public static final int VERSION = 1;

    public TiergateState {
        features = features == null ? List.of() : List.copyOf(features);
    }

    public static TiergateState empty(String projectId) {
        return new TiergateState(VERSION, projectId, List.of());
    }

    /** Validates against the schema first, so a bad file is refused with the field named, never half-read. */
    public static TiergateState read(byte[] json, String path) {
        Verdict verdict = StateFileValidator.validateTiergateState(json, path);
        if (!verdict.isAllowed()) {
            throw new StateException(verdict);
        }
        return readValidated(json, path);
    }

    /**
     * Reads bytes that already passed {@link StateFileValidator#validateTiergateState} against this build's schema
     * ({@link JsonSchemas#fingerprint}); the hooks remember such bytes, to spare every commit the schema validator.
     */
    public static TiergateState readValidated(byte[] json, String path) {
        try {
            JsonNode root = JsonTree.read(json); // known valid: no ObjectMapper needed to read it
            List<Claim> claims = new ArrayList<>();
            for (JsonNode f : root.get("features")) {
                claims.add(claimOf(f));
            }
            TiergateState state = new TiergateState(
                    root.get("version").asInt(), root.get("project_id").asText(), claims);
            state.requireOneClaimPerBranch(path);
            return state;
        } catch (IOException e) {
            throw new StateException(
                    path + ": cannot be read: " + e.getMessage() + " [state.json]\n  fix: restore the file");
        }
    }

    public byte[] toJson() {
        ObjectNode root = StateFileValidator.JSON.createObjectNode();
        root.put("version", version);
        root.put("project_id", projectId);
        ArrayNode arr = root.putArray("features");
        for (Claim c : features) {
            arr.add(nodeOf(c));
        }
        try {
            return (StateFileValidator.JSON
                                    .writer()
                                    .with(SerializationFeature.INDENT_OUTPUT)
                                    .writeValueAsString(root) + "\n")
                    .getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<Claim> claimForBranch(String gitBranch) {
        return features.stream().filter(c -> c.branch().equals(gitBranch)).findFirst();
    }

    /** Replaces the claim for {@code claim.branch()}, or adds it. */
    public TiergateState with(Claim claim) {
        List<Claim> next = new ArrayList<>();
        boolean replaced = false;
        for (Claim c : features) {
            if (c.branch().equals(claim.branch())) {
                next.add(claim);
                replaced = true;
            } else {
                next.add(c);
            }
        }
        if (!replaced) {
            next.add(claim);
        }
        return new TiergateState(version, projectId, next);
    }

    public TiergateState without(String gitBranch) {
        return new TiergateState(
                version,
                projectId,
                features.stream().filter(c -> !c.branch().equals(gitBranch)).toList());
    }

    private void requireOneClaimPerBranch(String path) {
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < features.size(); i++) {
            Integer first = seen.putIfAbsent(features.get(i).branch(), i);
            if (first != null) {
                throw new StateException(Verdict.refused(
                        StateFileValidator.RULE_SCHEMA,
                        path,
                        "features[" + first + "] and features[" + i + "] both claim branch '"
                                + features.get(i).branch() + "'",
                        "keep one claim per branch (run 'tiergate abandon' on the branch and claim it again)"));
            }
        }
    }

    private static Claim claimOf(JsonNode f) {
        JsonNode actor = f.path("actor");
        Map<String, String> links = new LinkedHashMap<>();
        f.path("links")
                .fields()
                .forEachRemaining(e -> links.put(e.getKey(), e.getValue().asText()));
        List<String> superseded = new ArrayList<>();
        f.path("superseded_tests").forEach(t -> superseded.add(t.asText()));
        return new Claim(
                text(f, "feature_id"),
                WorkflowState.fromWireName(f.get("state").asText()),
                text(f, "branch"),
                text(f, "parent_branch"),
                text(f, "db_branch"),
                text(actor, "id"),
                actor.has("class") ? ActorClass.fromWireName(actor.get("class").asText()) : null,
                instant(f, "claimed_at"),
                links,
                instant(f, "pushed_at"),
                instant(f, "ci_green_at"),
                instant(f, "merged_at"),
                superseded);
    }

    private static ObjectNode nodeOf(Claim c) {
        ObjectNode n = StateFileValidator.JSON.createObjectNode();
        putIfSet(n, "feature_id", c.featureId());
        n.put("state", c.state().wireName());
        n.put("branch", c.branch());
        putIfSet(n, "parent_branch", c.parentBranch());
        putIfSet(n, "db_branch", c.dbBranch());
        if (c.actorId() != null || c.actorClass() != null) {
            ObjectNode a = n.putObject("actor");
            putIfSet(a, "id", c.actorId());
            putIfSet(a, "class", c.actorClass() == null ? null : c.actorClass().wireName());
        }
        if (!c.links().isEmpty()) {
            ObjectNode l = n.putObject("links");
            c.links().forEach(l::put);
        }
        putIfSet(n, "claimed_at", c.claimedAt());
        putIfSet(n, "pushed_at", c.pushedAt());
        putIfSet(n, "ci_green_at", c.ciGreenAt());
        putIfSet(n, "merged_at", c.mergedAt());
        if (!c.supersededTests().isEmpty()) {
            ArrayNode t = n.putArray("superseded_tests");
            c.supersededTests().forEach(t::add);
        }
        return n;
    }

    private static void putIfSet(ObjectNode n, String field, Object value) {
        if (value != null) {
            n.put(field, value.toString());
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Instant instant(JsonNode n, String field) {
        String v = text(n, field);
        return v == null ? null : OffsetDateTime.parse(v).toInstant();
    }
}
