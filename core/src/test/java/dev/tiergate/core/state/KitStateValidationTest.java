package dev.tiergate.core.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.core.verdict.Refusal;
import dev.tiergate.core.verdict.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class KitStateValidationTest {
    static final String PATH = StateFileValidator.KIT_STATE_PATH;
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> STATES =
            List.of("scaffold-complete", "feature-claimed", "pr-ready", "ci-green", "merged");

    /** The fields each state adds, in order; a state needs its own and every earlier state's. */
    static final Map<String, List<String>> ADDED_BY_STATE = new LinkedHashMap<>();

    static {
        ADDED_BY_STATE.put("scaffold-complete", List.of("version", "state", "tier_topology", "project_id"));
        ADDED_BY_STATE.put(
                "feature-claimed",
                List.of("feature_id", "branch", "parent_branch", "lakebase_branch_uid", "claimed_at"));
        ADDED_BY_STATE.put("pr-ready", List.of("pr_url", "pushed_at"));
        ADDED_BY_STATE.put("ci-green", List.of("ci_run_url", "ci_green_at"));
        ADDED_BY_STATE.put("merged", List.of("merged_at"));
    }

    static final Map<String, Object> VALUES = Map.ofEntries(
            Map.entry("version", 1),
            Map.entry("tier_topology", 2),
            Map.entry("project_id", "proj-7f3a"),
            Map.entry("feature_id", "F1-split-inventory"),
            Map.entry("branch", "feature/F1-split-inventory"),
            Map.entry("parent_branch", "staging"),
            Map.entry("lakebase_branch_uid", "br-cool-water-a1b2c3"),
            Map.entry("claimed_at", "2026-06-16T09:30:00Z"),
            Map.entry("pr_url", "https://github.com/acme/inventory/pull/42"),
            Map.entry("pushed_at", "2026-06-16T11:02:17Z"),
            Map.entry("ci_run_url", "https://github.com/acme/inventory/actions/runs/123456"),
            Map.entry("ci_green_at", "2026-06-16T11:15:40.123+02:00"),
            Map.entry("merged_at", "2026-06-17T08:00:00Z"));

    static List<String> requiredFor(String state) {
        List<String> fields = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : ADDED_BY_STATE.entrySet()) {
            fields.addAll(e.getValue());
            if (e.getKey().equals(state)) {
                break;
            }
        }
        return fields;
    }

    static ObjectNode validFile(String state) {
        ObjectNode n = JSON.createObjectNode();
        for (String field : requiredFor(state)) {
            if (field.equals("state")) {
                n.put("state", state);
            } else {
                n.set(field, JSON.valueToTree(VALUES.get(field)));
            }
        }
        return n;
    }

    static Verdict validate(ObjectNode n) {
        return StateFileValidator.validateKitState(n.toString().getBytes(StandardCharsets.UTF_8), PATH);
    }

    static Refusal onlyRefusal(Verdict v) {
        assertFalse(v.isAllowed(), "expected a refusal");
        assertEquals(1, v.refusals().size(), v::render);
        return v.refusals().get(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"scaffold-complete", "feature-claimed", "pr-ready", "ci-green", "merged"})
    void aValidFileForEachStatePasses(String state) {
        Verdict v = validate(validFile(state));
        assertTrue(v.isAllowed(), v::render);
    }

    @Test
    void optionalMigrationFieldsAreAllowed() {
        ObjectNode n = validFile("merged");
        n.put("migrate_run_url", "https://github.com/acme/inventory/actions/runs/99");
        n.put("migrate_completed_at", "2026-06-17T08:05:00Z");
        assertTrue(validate(n).isAllowed(), () -> validate(n).render());
    }

    static Stream<Arguments> everyRequiredFieldOfEveryState() {
        List<Arguments> out = new ArrayList<>();
        for (String state : STATES) {
            for (String field : requiredFor(state)) {
                if (!field.equals("state")) {
                    out.add(Arguments.of(state, field));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} without {1}")
    @MethodSource("everyRequiredFieldOfEveryState")
    void eachRequiredFieldMissingIsRefusedNamingTheField(String state, String field) {
        ObjectNode n = validFile(state);
        n.remove(field);
        Refusal r = onlyRefusal(validate(n));
        assertEquals("state.schema", r.rule());
        assertEquals(PATH, r.where());
        boolean addedByState = !ADDED_BY_STATE.get("scaffold-complete").contains(field);
        String expected = addedByState
                ? "state '" + state + "' requires field '" + field + "' (missing)"
                : "field '" + field + "' is required (missing)";
        assertEquals(expected, r.message());
        assertTrue(r.fix().startsWith("add \"" + field + "\": "), r.fix());
    }

    @Test
    void missingStateFieldIsNamed() {
        ObjectNode n = validFile("scaffold-complete");
        n.remove("state");
        Refusal r = onlyRefusal(validate(n));
        assertEquals("field 'state' is required (missing)", r.message());
    }

    @Test
    void renderedMessageNamesFileFieldRuleAndFix() {
        ObjectNode n = validFile("pr-ready");
        n.remove("pr_url");
        assertEquals(
                ".lakebase/workflow-state.json: state 'pr-ready' requires field 'pr_url' (missing) [state.schema]\n"
                        + "  fix: add \"pr_url\": \"<https URL of the pull request>\"",
                validate(n).render());
    }

    @Test
    void extraPropertyIsRefusedWithItsLine() {
        String text = "{\n  \"version\": 1,\n  \"state\": \"scaffold-complete\",\n  \"tier_topology\": 1,\n"
                + "  \"project_id\": \"p\",\n  \"owner\": \"alice\"\n}\n";
        Refusal r = onlyRefusal(StateFileValidator.validateKitState(text.getBytes(StandardCharsets.UTF_8), PATH));
        assertEquals("state.schema", r.rule());
        assertEquals(PATH + ":6", r.where());
        assertEquals("field 'owner' is not allowed (unknown field)", r.message());
        assertTrue(r.fix().startsWith("remove \"owner\""), r.fix());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"yesterday", "2026-06-16", "2026-06-16 09:30:00", "2026-06-16T09:30:00", "2026-13-01T00:00:00Z"})
    void badDateTimeIsRefused(String bad) {
        ObjectNode n = validFile("feature-claimed");
        n.put("claimed_at", bad);
        Refusal r = onlyRefusal(validate(n));
        assertEquals("state.schema", r.rule());
        assertEquals(
                "field 'claimed_at' must be an ISO-8601 date-time with a time zone, e.g. 2026-06-16T09:30:00Z (was \""
                        + bad + "\")",
                r.message());
        assertTrue(r.fix().startsWith("set \"claimed_at\": \"<ISO-8601"), r.fix());
    }

    @Test
    void aPrettyPrintedFileGetsTheLineOfTheBadValue() throws Exception {
        String text = JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsString(validFile("feature-claimed").put("claimed_at", "soon"));
        int line = 1
                + (int) text.substring(0, text.indexOf("\"claimed_at\""))
                        .chars()
                        .filter(c -> c == '\n')
                        .count();
        Refusal r = onlyRefusal(StateFileValidator.validateKitState(text.getBytes(StandardCharsets.UTF_8), PATH));
        assertEquals(PATH + ":" + line, r.where());
        assertTrue(line > 5, text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"not a url", "github.com/acme/inventory/pull/42", "pull/42"})
    void badUriIsRefused(String bad) {
        ObjectNode n = validFile("pr-ready");
        n.put("pr_url", bad);
        Refusal r = onlyRefusal(validate(n));
        assertEquals(
                "field 'pr_url' must be an absolute URI, e.g. https://github.com/acme/inventory/pull/42 (was \"" + bad
                        + "\")",
                r.message());
        assertEquals("set \"pr_url\": \"<https URL of the pull request>\"", r.fix());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4, -1})
    void tierTopologyOutOfRangeIsRefused(int bad) {
        ObjectNode n = validFile("scaffold-complete");
        n.put("tier_topology", bad);
        Refusal r = onlyRefusal(validate(n));
        assertTrue(r.message().startsWith("field 'tier_topology' "), r.message());
        assertTrue(r.message().endsWith("(was " + bad + ")"), r.message());
        assertTrue(r.message().contains(bad < 1 ? "minimum" : "maximum"), r.message());
    }

    @Test
    void tierTopologyMustBeAnInteger() {
        ObjectNode n = validFile("scaffold-complete");
        n.put("tier_topology", "2");
        Refusal r = onlyRefusal(validate(n));
        assertEquals("field 'tier_topology' must be an integer (was \"2\")", r.message());
        assertEquals("set \"tier_topology\": 2 (the number of tiers: 1, 2 or 3)", r.fix());
    }

    @Test
    void unknownStateAndWrongVersionAreRefused() {
        ObjectNode n = validFile("scaffold-complete");
        n.put("state", "done");
        n.put("version", 2);
        Verdict v = validate(n);
        assertEquals(2, v.refusals().size(), v::render);
        assertEquals(
                "field 'state' must be one of scaffold-complete, feature-claimed, pr-ready, ci-green, merged"
                        + " (was \"done\")",
                v.refusals().get(0).message());
        assertEquals(
                "use one of: scaffold-complete, feature-claimed, pr-ready, ci-green, merged",
                v.refusals().get(0).fix());
        assertEquals("field 'version' must be 1 (was 2)", v.refusals().get(1).message());
    }

    @Test
    void aNonObjectDocumentIsRefused() {
        Refusal r = onlyRefusal(StateFileValidator.validateKitState("[1]".getBytes(StandardCharsets.UTF_8), PATH));
        assertEquals("the document must be an object (was [1])", r.message());
        Refusal empty = onlyRefusal(StateFileValidator.validateKitState(new byte[0], PATH));
        assertEquals("state.json", empty.rule());
    }

    @Test
    void syntaxErrorIsRefusedWithLine() {
        Refusal r = onlyRefusal(
                StateFileValidator.validateKitState("{\n\"version\": 1,\n}".getBytes(StandardCharsets.UTF_8), PATH));
        assertEquals("state.json", r.rule());
        assertEquals(PATH + ":3", r.where());
    }

    @Test
    void branchOfReadsTheKitBranch() {
        byte[] bytes = validFile("feature-claimed").toString().getBytes(StandardCharsets.UTF_8);
        assertEquals(
                "feature/F1-split-inventory", StateFileValidator.branchOf(bytes).orElseThrow());
        assertTrue(StateFileValidator.branchOf("nope".getBytes(StandardCharsets.UTF_8))
                .isEmpty());
        assertTrue(StateFileValidator.branchOf(
                        validFile("scaffold-complete").toString().getBytes(StandardCharsets.UTF_8))
                .isEmpty());
    }

    @Test
    void theKitsSchemaReferenceIsAllowed() {
        ObjectNode n = validFile("scaffold-complete");
        n.put("$schema", "./scm-workflow-state.schema.json");
        assertTrue(validate(n).isAllowed(), () -> validate(n).render());
        n.put("$schema", "");
        Refusal r = onlyRefusal(validate(n));
        assertEquals("state.schema", r.rule());
        assertEquals("field '$schema' must not be empty (was \"\")", r.message());
        assertEquals("set \"$schema\": \"./scm-workflow-state.schema.json\"", r.fix());
    }

    @ParameterizedTest
    @ValueSource(strings = {"project_id", "feature_id", "branch", "parent_branch", "lakebase_branch_uid"})
    void anEmptyRequiredStringIsRefused(String field) {
        ObjectNode n = validFile("feature-claimed");
        n.put(field, "");
        Refusal r = onlyRefusal(validate(n));
        assertEquals("state.schema", r.rule());
        assertEquals("field '" + field + "' must not be empty (was \"\")", r.message());
        assertTrue(r.fix().startsWith("set \"" + field + "\": \"<"), r.fix());
    }

    @Test
    void millisecondTimestampsAsTheKitWritesThemPass() {
        ObjectNode n = validFile("feature-claimed");
        n.put("claimed_at", "2026-06-16T09:30:00.123Z");
        assertTrue(validate(n).isAllowed(), () -> validate(n).render());
    }

    @Test
    void trailingTextAfterTheObjectIsRefused() {
        String text = validFile("scaffold-complete").toString() + "\n{\"state\": \"merged\"}\n";
        Refusal r = onlyRefusal(StateFileValidator.validateKitState(text.getBytes(StandardCharsets.UTF_8), PATH));
        assertEquals("state.json", r.rule());
        assertEquals(PATH + ":2", r.where());
        assertEquals("has text after the JSON object (the kit's tools refuse it)", r.message());
        assertTrue(r.fix().startsWith("delete everything after the object's closing '}'"), r.fix());
        Refusal word = onlyRefusal(StateFileValidator.validateKitState(
                (validFile("scaffold-complete").toString() + " trailing").getBytes(StandardCharsets.UTF_8), PATH));
        assertEquals("state.json", word.rule());
    }

    @Test
    void aByteOrderMarkIsRefusedWithAClearMessage() {
        byte[] body = validFile("scaffold-complete").toString().getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[body.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(body, 0, withBom, 3, body.length);
        Refusal r = onlyRefusal(StateFileValidator.validateKitState(withBom, PATH));
        assertEquals("state.json", r.rule());
        assertEquals(PATH + ":1", r.where());
        assertEquals(
                "starts with a UTF-8 byte-order mark (bytes EF BB BF), which the kit's tools (JSON.parse) refuse",
                r.message());
        assertEquals(
                "save the file as UTF-8 without a byte-order mark, e.g. sed -i '1s/^\\xEF\\xBB\\xBF//' " + PATH,
                r.fix());
        assertTrue(StateFileValidator.validateKitState(body, PATH).isAllowed());
    }
}
