package dev.tiergate.core.state;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Line numbers of the values in a JSON or YAML document, keyed by JSON pointer ({@code /tiers/0/parent}).
 * A tree model forgets where things were; a second, streaming pass over the (small) file remembers them,
 * so a refusal can say {@code policy.yaml:12} instead of only naming the field.
 */
public final class JsonLocations {
    private final Map<String, Integer> lines;

    private JsonLocations(Map<String, Integer> lines) {
        this.lines = lines;
    }

    public static JsonLocations none() {
        return new JsonLocations(Map.of());
    }

    /** Walks the document; on a syntax error it keeps what it saw so far (the caller reports the error). */
    public static JsonLocations of(JsonFactory factory, byte[] content) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser p = factory.createParser(content)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                String pointer = p.getParsingContext().pathAsPointer().toString();
                if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    continue;
                }
                // A field name comes first, so "/tiers/0/parent" maps to the line where "parent:" is written.
                lines.putIfAbsent(pointer, p.currentTokenLocation().getLineNr());
            }
        } catch (IOException e) {
            // syntax errors are reported by the tree parse that follows
        }
        return new JsonLocations(lines);
    }

    /** The line of the value at the pointer, or of its nearest enclosing value that has one. */
    public Optional<Integer> lineOf(String pointer) {
        String p = pointer;
        while (true) {
            Integer line = lines.get(p);
            if (line != null && line > 0) {
                return Optional.of(line);
            }
            if (p.isEmpty()) {
                return Optional.empty();
            }
            int slash = p.lastIndexOf('/');
            p = slash <= 0 ? "" : p.substring(0, slash);
        }
    }
}
