package dev.tiergate.core.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.ValidationMessage;
import dev.tiergate.core.migration.MigrationHeader;
import dev.tiergate.core.migration.Phase;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonSchemasTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void migrationHeaderSchemaAcceptsWhatTheParserAccepts() throws Exception {
        MigrationHeader h = MigrationHeader.parse("-- refactoring: split column\n-- phase: CONTRACT\n")
                .header()
                .orElseThrow();
        var doc = JSON.valueToTree(
                Map.of("refactoring", h.refactoring(), "phase", h.phase().wireName()));
        assertEquals(List.of(), JsonSchemas.validate(JsonSchemas.MIGRATION_HEADER, doc));
        assertEquals(Phase.CONTRACT, h.phase());
        List<ValidationMessage> bad = JsonSchemas.validate(
                JsonSchemas.MIGRATION_HEADER,
                JSON.readTree("{\"refactoring\": \"Split Column\", \"phase\": \"cleanup\", \"extra\": 1}"));
        assertEquals(
                List.of("additionalProperties", "enum"),
                bad.stream().map(ValidationMessage::getType).sorted().toList());
    }

    @Test
    void everySchemaLoadsFromTheClasspath() throws Exception {
        var empty = JSON.readTree("{}");
        for (String s : List.of(
                JsonSchemas.KIT_STATE_V1,
                JsonSchemas.TIERGATE_STATE,
                JsonSchemas.POLICY,
                JsonSchemas.MIGRATION_HEADER)) {
            assertTrue(
                    JsonSchemas.validate(s, empty).stream()
                            .anyMatch(m -> m.getType().equals("required")),
                    s);
        }
        assertThrows(IllegalArgumentException.class, () -> JsonSchemas.validate("nope.json", empty));
    }

    @Test
    void plainNamesReadLikeFieldPaths() {
        assertEquals("features[0].links.pull_request", SchemaRefusals.plainName("/features/0/links/pull_request"));
        assertEquals("a/b", SchemaRefusals.plainName("/a~1b"));
        assertEquals("", SchemaRefusals.plainName(""));
    }
}
