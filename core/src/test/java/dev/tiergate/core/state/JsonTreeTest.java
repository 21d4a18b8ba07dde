package dev.tiergate.core.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streaming reader gives the tree the validator's strict ObjectMapper gives, node type for node type. */
class JsonTreeTest {
    static final List<String> DOCUMENTS = List.of(
            "{}",
            "[]",
            "{\"version\": 1, \"project_id\": \"p\", \"features\": []}",
            "{\"a\": {\"b\": [1, 2.5, -3, 1e3, true, false, null, \"x\"]}}",
            "{\"int\": 2147483647, \"long\": 2147483648, \"big\": 123456789012345678901234567890, \"neg\": -9223372036854775808}",
            "{\"escapes\": \"tab\\t quote\\\" slash\\/ unicode \\u00e9 \\ud83d\\ude00\"}",
            "{\"dup\": 1, \"dup\": 2}",
            "{\"nested\": [[], [{}], [[1]]], \"empty\": \"\"}",
            "  \n{\"spaces\" :\t[ 1 ,2 ] }\n",
            "\"just a string\"",
            "42");

    @Test
    void eachDocumentGivesTheSameTreeAsTheStrictMapper() throws Exception {
        for (String doc : DOCUMENTS) {
            byte[] bytes = doc.getBytes(StandardCharsets.UTF_8);
            JsonNode expected = StateFileValidator.JSON.readTree(bytes);
            JsonNode actual = JsonTree.read(bytes);
            assertEquals(expected, actual, doc);
            assertEquals(expected.toString(), actual.toString(), doc);
            assertEquals(types(expected), types(actual), doc);
        }
    }

    @Test
    void whatTheStrictMapperRefusesIsRefused() throws Exception {
        for (String doc : List.of("", "{\"a\": 1} {}", "{\"a\": 1", "[1, 2", "{\"a\": tru}", "{'a': 1}")) {
            byte[] bytes = doc.getBytes(StandardCharsets.UTF_8);
            if (!doc.isEmpty()) {
                assertThrows(JsonProcessingException.class, () -> StateFileValidator.JSON.readTree(bytes), doc);
            }
            assertThrows(JsonProcessingException.class, () -> JsonTree.read(bytes), doc);
        }
    }

    /** Every node's class, depth first: a LongNode and an IntNode of the same value are different readings. */
    private static String types(JsonNode n) {
        StringBuilder out = new StringBuilder(n.getClass().getSimpleName());
        n.elements().forEachRemaining(c -> out.append('(').append(types(c)).append(')'));
        return out.toString();
    }
}
