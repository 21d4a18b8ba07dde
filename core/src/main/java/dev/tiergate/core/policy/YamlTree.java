package dev.tiergate.core.policy;

import java.io.StringReader;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.MappingStartEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.events.SequenceStartEvent;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * A YAML (or JSON) document as a tree, read with SnakeYAML's parser alone. The hooks read the policy on every commit,
 * and Jackson's YAML module would first have to start Jackson: on a fresh JVM that is a chain of 25 ms the hook's
 * thread would wait for (BENCHMARKS.md, hooks). The tree types scalars as Jackson's YAML module does, because the
 * policy's JSON Schema is checked on Jackson's tree ({@link PolicyValidator}) and both must see the same document:
 * quoted scalars and {@code !!str} are strings; plain ones are typed by SnakeYAML's YAML 1.1 resolver (so {@code yes}
 * and {@code off} are booleans, {@code 017} is octal); an alias reads as its anchor's name; only the first document
 * counts; a repeated key keeps its last value.
 */
final class YamlTree {
    enum Kind {
        MAPPING,
        SEQUENCE,
        STRING,
        INTEGER,
        FLOAT,
        BOOLEAN,
        NULL
    }

    private static final Resolver RESOLVER = new Resolver();

    final Kind kind;
    /** A scalar's text as Jackson's {@code asText()} gives it (numbers and booleans canonical); null otherwise. */
    private final String text;

    private final BigInteger integer;
    /** 1-based line where the node starts. */
    final int line;

    private final Map<String, YamlTree> fields;
    private final List<YamlTree> elements;

    private YamlTree(
            Kind kind,
            String text,
            BigInteger integer,
            int line,
            Map<String, YamlTree> fields,
            List<YamlTree> elements) {
        this.kind = kind;
        this.text = text;
        this.integer = integer;
        this.line = line;
        this.fields = fields;
        this.elements = elements;
    }

    /**
     * How deep a document may nest: far beyond any policy (its deepest field is five levels down), and far within a
     * thread's stack, which {@link #node} descends one frame a level. SnakeYAML's own composer stops at 50.
     */
    static final int MAX_DEPTH = 64;
    /** Aliases a document may use (SnakeYAML's default for collections): a policy needs none, a billion laughs many. */
    static final int MAX_ALIASES = 50;
    /** Bytes a document may hold: a policy is a few kilobytes. */
    static final int MAX_BYTES = 256 * 1024;

    /** A syntax error: SnakeYAML's message and the 1-based line it points at (0 when it names none). */
    static class SyntaxError extends Exception {
        private static final long serialVersionUID = 1L;
        final int line;

        SyntaxError(String message, int line) {
            super(message);
            this.line = line;
        }
    }

    /** The document is past one of the bounds above; the message names the bound, {@link #fix} what to do. */
    static final class LimitExceeded extends SyntaxError {
        private static final long serialVersionUID = 1L;
        final String fix;

        LimitExceeded(String message, int line, String fix) {
            super(message, line);
            this.fix = fix;
        }
    }

    /** The first document's root; empty for a document with no content (only comments, or nothing). */
    static Optional<YamlTree> parse(String content) throws SyntaxError {
        int bytes = utf8Length(content);
        if (bytes > MAX_BYTES) {
            throw tooLarge(bytes);
        }
        try {
            Parser parser = new ParserImpl(new StreamReader(new StringReader(content)), new LoaderOptions());
            parser.getEvent(); // stream start
            if (parser.checkEvent(Event.ID.StreamEnd)) {
                return Optional.empty();
            }
            parser.getEvent(); // document start
            return Optional.of(node(parser, parser.getEvent(), 1, new int[1]));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            return fail(e.getMessage(), mark == null ? 0 : mark.getLine() + 1);
        } catch (YAMLException e) {
            return fail(e.getMessage(), 0);
        }
    }

    static LimitExceeded tooLarge(int bytes) {
        return new LimitExceeded(
                "the file is " + bytes + " bytes, more than the " + MAX_BYTES + " a policy may hold",
                0,
                "keep the policy to its settings (a policy is a few kilobytes)");
    }

    /** UTF-8 length, counted without encoding (a lone surrogate counts as the 3 bytes its replacement takes). */
    static int utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return (int) Math.min(n, Integer.MAX_VALUE);
    }

    private static <T> T fail(String message, int line) throws SyntaxError {
        throw new SyntaxError(message, line);
    }

    /** {@code depth}: 1 for the root; {@code aliases}: how many the document used so far. */
    private static YamlTree node(Parser parser, Event e, int depth, int[] aliases) throws SyntaxError {
        int line = e.getStartMark() == null ? 0 : e.getStartMark().getLine() + 1;
        if (depth > MAX_DEPTH && (e instanceof MappingStartEvent || e instanceof SequenceStartEvent)) {
            throw new LimitExceeded(
                    "lists and mappings nest deeper than " + MAX_DEPTH + " levels",
                    line,
                    "un-nest it: a policy's deepest field is a few levels down");
        }
        if (e instanceof MappingStartEvent) {
            Map<String, YamlTree> fields = new LinkedHashMap<>();
            while (!parser.checkEvent(Event.ID.MappingEnd)) {
                Event key = parser.getEvent();
                if (!(key instanceof ScalarEvent k)) {
                    return fail("a mapping key must be a plain name, not a list or a mapping", line(key));
                }
                fields.put(k.getValue(), node(parser, parser.getEvent(), depth + 1, aliases));
            }
            parser.getEvent();
            return new YamlTree(Kind.MAPPING, null, null, line, fields, null);
        }
        if (e instanceof SequenceStartEvent) {
            List<YamlTree> elements = new ArrayList<>();
            while (!parser.checkEvent(Event.ID.SequenceEnd)) {
                elements.add(node(parser, parser.getEvent(), depth + 1, aliases));
            }
            parser.getEvent();
            return new YamlTree(Kind.SEQUENCE, null, null, line, null, elements);
        }
        if (e instanceof AliasEvent a) {
            if (++aliases[0] > MAX_ALIASES) {
                throw new LimitExceeded(
                        "more than " + MAX_ALIASES + " aliases (*name)",
                        line,
                        "write the values out: a policy needs no aliases");
            }
            return new YamlTree(Kind.STRING, a.getAnchor(), null, line, null, null);
        }
        if (e instanceof ScalarEvent s) {
            return scalar(s, line);
        }
        return fail("unexpected " + e.getEventId() + " in the document", line);
    }

    private static YamlTree scalar(ScalarEvent s, int line) throws SyntaxError {
        String value = s.getValue();
        String tag = s.getTag();
        String type;
        if (tag == null || tag.equals("!")) {
            Tag resolved =
                    RESOLVER.resolve(NodeId.scalar, value, s.getImplicit().canOmitTagInPlainScalar());
            type = resolved.getValue().substring(Tag.PREFIX.length());
        } else {
            type = tag.startsWith(Tag.PREFIX) ? tag.substring(Tag.PREFIX.length()) : "str";
            if (value.isEmpty() && !type.equals("bool")) {
                type = "str"; // as Jackson: an explicit !!null, !!int or !!float on nothing is the empty string
            }
        }
        switch (type) {
            case "null":
                return new YamlTree(Kind.NULL, null, null, line, null, null);
            case "bool": {
                Boolean b = bool(value);
                if (b != null) {
                    return new YamlTree(Kind.BOOLEAN, b.toString(), null, line, null, null);
                }
                break;
            }
            case "int": {
                BigInteger i = integer(value);
                if (i != null) {
                    return new YamlTree(Kind.INTEGER, i.toString(), i, line, null, null);
                }
                break; // YAML 1.1's base 60 ("1:30"): kept as written
            }
            case "float":
                try {
                    return new YamlTree(
                            Kind.FLOAT,
                            Double.toString(Double.parseDouble(value.replace("_", ""))),
                            null,
                            line,
                            null,
                            null);
                } catch (NumberFormatException x) {
                    return fail("malformed number '" + value + "'", line);
                }
            default:
                break;
        }
        return new YamlTree(Kind.STRING, value, null, line, null, null);
    }

    private static Boolean bool(String v) {
        return switch (v) {
            case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON" -> Boolean.TRUE;
            case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF" -> Boolean.FALSE;
            default -> null;
        };
    }

    /** A YAML 1.1 integer: decimal, 0x hex, 0b binary, 0-led octal, underscores anywhere; null when none of these. */
    private static BigInteger integer(String value) {
        String v = value.replace("_", "");
        boolean negative = v.startsWith("-");
        if (negative || v.startsWith("+")) {
            v = v.substring(1);
        }
        try {
            BigInteger i;
            if (v.startsWith("0x")) {
                i = new BigInteger(v.substring(2), 16);
            } else if (v.startsWith("0b")) {
                i = new BigInteger(v.substring(2), 2);
            } else if (v.length() > 1 && v.startsWith("0")) {
                i = new BigInteger(v.substring(1), 8);
            } else {
                i = new BigInteger(v);
            }
            return negative ? i.negate() : i;
        } catch (NumberFormatException | ArithmeticException e) {
            return null; // e.g. YAML 1.1's base-60 "1:30"
        }
    }

    private static int line(Event e) {
        return e.getStartMark() == null ? 0 : e.getStartMark().getLine() + 1;
    }

    boolean isObject() {
        return kind == Kind.MAPPING;
    }

    boolean isArray() {
        return kind == Kind.SEQUENCE;
    }

    boolean isNull() {
        return kind == Kind.NULL;
    }

    boolean isTextual() {
        return kind == Kind.STRING;
    }

    boolean isNumber() {
        return kind == Kind.INTEGER || kind == Kind.FLOAT;
    }

    boolean isBoolean() {
        return kind == Kind.BOOLEAN;
    }

    /** A scalar's text; a mapping's or list's is empty, as with Jackson. */
    String asText() {
        return text == null ? (kind == Kind.NULL ? "null" : "") : text;
    }

    /** A whole number that fits an {@code int}. */
    boolean isInt() {
        return kind == Kind.INTEGER && integer.bitLength() < 32;
    }

    int intValue() {
        return integer.intValue();
    }

    boolean booleanValue() {
        return "true".equals(text);
    }

    /** The field names, in order; empty unless a mapping. */
    Iterable<String> fieldNames() {
        return fields == null ? List.of() : fields.keySet();
    }

    /** A mapping's field, or null. */
    YamlTree get(String name) {
        return fields == null ? null : fields.get(name);
    }

    int size() {
        return elements != null ? elements.size() : fields != null ? fields.size() : 0;
    }

    /** A list's element. */
    YamlTree get(int index) {
        return elements.get(index);
    }
}
