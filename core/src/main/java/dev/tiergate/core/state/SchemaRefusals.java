package dev.tiergate.core.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.ValidationMessage;
import dev.tiergate.core.verdict.Refusal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a JSON Schema validator's findings into refusals a person can act on: the file (and line when
 * known), the field as a plain name ({@code features[0].links.pull_request}, not a JSON pointer), the rule id
 * and a concrete fix.
 */
public final class SchemaRefusals {
    private SchemaRefusals() {}

    /**
     * @param hints example values by field name (last path segment), used in "add ..." and "set ..." fixes
     */
    public static List<Refusal> toRefusals(
            List<ValidationMessage> problems,
            JsonNode document,
            String path,
            String rule,
            Map<String, String> hints,
            JsonLocations locations) {
        List<Refusal> refusals = new ArrayList<>();
        for (ValidationMessage m : problems) {
            refusals.add(toRefusal(m, document, path, rule, hints, locations));
        }
        return refusals;
    }

    static Refusal toRefusal(
            ValidationMessage m,
            JsonNode document,
            String path,
            String rule,
            Map<String, String> hints,
            JsonLocations locations) {
        String pointer = m.getInstanceLocation().toString();
        String type = m.getType();
        if ("required".equals(type)) {
            String field = m.getProperty();
            String full = join(plainName(pointer), field);
            String message;
            JsonNode state = stateAbove(document, pointer);
            if (m.getEvaluationPath().toString().contains("then") && state != null && state.isTextual()) {
                message = "state '" + state.asText() + "' requires field '" + full + "' (missing)";
            } else {
                message = "field '" + full + "' is required (missing)";
            }
            String where = pointer.isEmpty() ? path : at(path, locations, pointer);
            return new Refusal(rule, where, message, "add \"" + field + "\": " + hintFor(field, hints));
        }
        String field = plainName(pointer);
        String where = at(path, locations, pointer);
        if ("additionalProperties".equals(type) || "unevaluatedProperties".equals(type)) {
            String extra = join(field, m.getProperty());
            String extraWhere = at(path, locations, pointer + "/" + m.getProperty());
            return new Refusal(
                    rule,
                    extraWhere,
                    "field '" + extra + "' is not allowed (unknown field)",
                    "remove \"" + m.getProperty() + "\" or correct its spelling; the schema allows no other fields");
        }
        String was = m.getInstanceNode() == null ? "" : " (was " + m.getInstanceNode() + ")";
        String last = lastSegment(pointer);
        if ("format".equals(type)) {
            String format = m.getSchemaNode() != null && m.getSchemaNode().isTextual()
                    ? m.getSchemaNode().asText()
                    : "";
            String what = switch (format) {
                case "date-time" -> "an ISO-8601 date-time with a time zone, e.g. 2026-06-16T09:30:00Z";
                case "uri" -> "an absolute URI, e.g. https://github.com/acme/inventory/pull/42";
                default -> "in format " + format;
            };
            return new Refusal(
                    rule,
                    where,
                    "field '" + field + "' must be " + what + was,
                    "set \"" + last + "\": " + hintFor(last, hints));
        }
        String subject = field.isEmpty() ? "the document" : "field '" + field + "'";
        // An array element is named by its array for hints: actors[0] -> "actors".
        String hintKey = last.chars().allMatch(Character::isDigit) ? parentSegment(pointer) : last;
        String fix = field.isEmpty()
                ? "write one JSON object as the schema describes"
                : "set \"" + (hintKey.equals(last) ? last : field) + "\": " + hintFor(hintKey, hints);
        JsonNode schemaNode = m.getSchemaNode();
        String detail = switch (type) {
            case "enum" -> {
                List<String> allowed = new ArrayList<>();
                if (schemaNode != null) {
                    schemaNode.forEach(v -> allowed.add(v.asText()));
                }
                fix = "use one of: " + String.join(", ", allowed);
                yield "must be one of " + String.join(", ", allowed);
            }
            case "const" -> "must be " + schemaNode;
            case "minLength" ->
                schemaNode != null && schemaNode.asInt() == 1
                        ? "must not be empty"
                        : "must be at least " + schemaNode + " characters long";
            case "type" ->
                "must be "
                        + article(
                                schemaNode == null
                                        ? "?"
                                        : schemaNode.isArray()
                                                ? String.join(" or ", textsOf(schemaNode))
                                                : schemaNode.asText());
            default -> withoutLocation(m.getMessage(), pointer);
        };
        return new Refusal(rule, where, subject + " " + detail + was, fix);
    }

    /** The {@code state} of the nearest object at or above the pointer: the state that made a field required. */
    private static JsonNode stateAbove(JsonNode document, String pointer) {
        String p = pointer;
        while (true) {
            JsonNode state = document.at(p).get("state");
            if (state != null) {
                return state;
            }
            if (p.isEmpty()) {
                return null;
            }
            p = p.substring(0, p.lastIndexOf('/'));
        }
    }

    private static String withoutLocation(String message, String pointer) {
        int colon = message.indexOf(": ");
        if (colon >= 0 && (message.startsWith("/") || pointer.isEmpty() && message.startsWith(": "))) {
            return message.substring(colon + 2);
        }
        return colon == 0 ? message.substring(2) : message;
    }

    private static String article(String type) {
        return (type.matches("^[aeiou].*") ? "an " : "a ") + type;
    }

    private static List<String> textsOf(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    private static String parentSegment(String pointer) {
        String parent = pointer.substring(0, Math.max(0, pointer.lastIndexOf('/')));
        return lastSegment(parent);
    }

    private static String hintFor(String field, Map<String, String> hints) {
        return hints.getOrDefault(field, "<a valid value>");
    }

    private static String at(String path, JsonLocations locations, String pointer) {
        return locations.lineOf(pointer).map(l -> path + ":" + l).orElse(path);
    }

    private static String join(String parent, String child) {
        return parent.isEmpty() ? child : parent + "." + child;
    }

    private static String lastSegment(String pointer) {
        return pointer.substring(pointer.lastIndexOf('/') + 1);
    }

    /** {@code /features/0/links/pull_request} becomes {@code features[0].links.pull_request}. */
    public static String plainName(String pointer) {
        StringBuilder b = new StringBuilder();
        for (String seg : pointer.split("/")) {
            if (seg.isEmpty()) {
                continue;
            }
            String s = seg.replace("~1", "/").replace("~0", "~");
            if (s.chars().allMatch(Character::isDigit)) {
                b.append('[').append(s).append(']');
            } else {
                if (b.length() > 0) {
                    b.append('.');
                }
                b.append(s);
            }
        }
        return b.toString();
    }
}
