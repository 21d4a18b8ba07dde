package dev.tiergate.core.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.verdict.Refusal;
import dev.tiergate.core.verdict.Verdict;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Validates workflow-state files against their schemas: the Lakebase kit's {@code .lakebase/workflow-state.json}
 * (version 1) and tiergate's own {@code .tiergate/workflow-state.json}. Rule ids: {@code state.json} (not JSON at
 * all) and {@code state.schema} (the message names the field).
 */
public final class StateFileValidator {
    public static final String KIT_STATE_PATH = ".lakebase/workflow-state.json";
    public static final String TIERGATE_STATE_PATH = ".tiergate/workflow-state.json";
    public static final String RULE_JSON = Rule.STATE_JSON.id();
    public static final String RULE_SCHEMA = Rule.STATE_SCHEMA.id();

    public static final String RULE_BRANCH_MISMATCH = Rule.STATE_BRANCH_MISMATCH.id();

    /**
     * Strict like the kit's own reader ({@code JSON.parse}): one JSON value and nothing after it. Jackson would
     * otherwise stop after the object and ignore trailing text.
     */
    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final String TIMESTAMP = "\"<ISO-8601 UTC date-time, e.g. 2026-06-16T09:30:00Z>\"";

    /** Example values for fixes, by field name; shared by both state formats where names agree. */
    static final Map<String, String> HINTS = Map.ofEntries(
            Map.entry("$schema", "\"./scm-workflow-state.schema.json\""),
            Map.entry("version", "1"),
            Map.entry(
                    "state",
                    "\"feature-claimed\" (one of scaffold-complete, feature-claimed, pr-ready, ci-green, merged)"),
            Map.entry("tier_topology", "2 (the number of tiers: 1, 2 or 3)"),
            Map.entry("project_id", "\"<project id>\""),
            Map.entry("feature_id", "\"<feature id, e.g. F1-split-inventory>\""),
            Map.entry("branch", "\"<git branch, e.g. feature/F1-split-inventory>\""),
            Map.entry("parent_branch", "\"<tier branch the feature forks from, e.g. staging>\""),
            Map.entry("lakebase_branch_uid", "\"<uid of the feature's Lakebase database branch>\""),
            Map.entry("db_branch", "\"<database branch name, e.g. feature-f1-split-inventory>\""),
            Map.entry("actor", "{\"id\": \"<forge login>\", \"class\": \"human\"}"),
            Map.entry("id", "\"<forge login>\""),
            Map.entry("class", "\"human\" (or agent, bot)"),
            Map.entry("links", "{\"pull_request\": \"<https URL of the pull request>\"}"),
            Map.entry("pull_request", "\"<https URL of the pull request>\""),
            Map.entry("ci_run", "\"<https URL of the green CI run>\""),
            Map.entry("features", "[]"),
            Map.entry("superseded_tests", "[\"<path of a test this feature replaces>\"]"),
            Map.entry("claimed_at", TIMESTAMP),
            Map.entry("pushed_at", TIMESTAMP),
            Map.entry("ci_green_at", TIMESTAMP),
            Map.entry("merged_at", TIMESTAMP),
            Map.entry("migrate_completed_at", TIMESTAMP),
            Map.entry("pr_url", "\"<https URL of the pull request>\""),
            Map.entry("ci_run_url", "\"<https URL of the green CI run>\""),
            Map.entry("migrate_run_url", "\"<https URL of the migration run>\""));

    private StateFileValidator() {}

    public static Verdict validateKitState(byte[] content, String path) {
        return validate(content, path, JsonSchemas.KIT_STATE_V1);
    }

    public static Verdict validateTiergateState(byte[] content, String path) {
        return validate(content, path, JsonSchemas.TIERGATE_STATE);
    }

    private static Verdict notJson(JsonProcessingException e, String path) {
        String line = e.getLocation() == null ? "" : ":" + e.getLocation().getLineNr();
        return Verdict.refused(
                RULE_JSON,
                path + line,
                "not valid JSON: " + e.getOriginalMessage(),
                "correct the JSON syntax (a state file is one JSON object)");
    }

    static boolean startsWithByteOrderMark(byte[] content) {
        return content.length >= 3
                && (content[0] & 0xFF) == 0xEF
                && (content[1] & 0xFF) == 0xBB
                && (content[2] & 0xFF) == 0xBF;
    }

    /** The git branch a kit state file records ({@code "branch"}); empty for tiergate's file or unreadable input. */
    public static Optional<String> branchOf(byte[] kitOrTiergateState) {
        try {
            JsonNode root = JSON.readTree(kitOrTiergateState);
            if (root != null && root.path("branch").isTextual()) {
                return Optional.of(root.get("branch").asText());
            }
        } catch (IOException e) {
            // an unreadable file has no branch; validation reports why
        }
        return Optional.empty();
    }

    private static Verdict validate(byte[] content, String path, String schema) {
        if (startsWithByteOrderMark(content)) {
            return Verdict.refused(
                    RULE_JSON,
                    path + ":1",
                    "starts with a UTF-8 byte-order mark (bytes EF BB BF), which"
                            + " the kit's tools (JSON.parse) refuse",
                    "save the file as UTF-8 without a byte-order mark, e.g. sed -i '1s/^\\xEF\\xBB\\xBF//' " + path);
        }
        JsonNode root;
        try {
            root = JSON.readTree(content);
        } catch (MismatchedInputException e) {
            if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Trailing token")) {
                String line =
                        e.getLocation() == null ? "" : ":" + e.getLocation().getLineNr();
                return Verdict.refused(
                        RULE_JSON,
                        path + line,
                        "has text after the JSON object (the kit's tools refuse it)",
                        "delete everything after the object's closing '}' (a state file is exactly one JSON object)");
            }
            return notJson(e, path);
        } catch (JsonProcessingException e) {
            return notJson(e, path);
        } catch (IOException e) {
            return Verdict.refused(RULE_JSON, path, "cannot be read: " + e.getMessage(), "restore the file");
        }
        if (root == null || root.isMissingNode()) {
            return Verdict.refused(
                    RULE_JSON, path, "is empty", "write the state as one JSON object, or delete the file");
        }
        var problems = JsonSchemas.validate(schema, root);
        if (problems.isEmpty()) {
            return Verdict.allowed();
        }
        JsonLocations locations = JsonLocations.of(JSON.getFactory(), content);
        List<Refusal> refusals = SchemaRefusals.toRefusals(problems, root, path, RULE_SCHEMA, HINTS, locations);
        return new Verdict(refusals);
    }
}
