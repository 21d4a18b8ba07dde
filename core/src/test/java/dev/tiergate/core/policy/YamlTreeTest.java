package dev.tiergate.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * YamlTree must see a document as Jackson's YAML module does: the policy's schema is checked on Jackson's tree and
 * the records are read from this one. Each document is read both ways and rendered the same way.
 */
class YamlTreeTest {
    private static final ObjectMapper JACKSON = new ObjectMapper(new YAMLFactory());

    static final List<String> DOCUMENTS = List.of(
            "a: yes\nb: no\nc: on\nd: off\ne: True\nf: TRUE\ng: tRue\nh: ~\ni: null\nj: Null\nk:\n",
            "l: 0x1F\nm: 0o17\nn: 017\no: 1_000\np: 1.5\nu: +12\nv: -3\nw: 12345678901234567890\nx: 1e3\nff: 0\ngg: 00\nhh: -0x10\n",
            "r: '12'\ns: \"true\"\nt: !!str 12\ny: y\nz: 2026-01-01\ncc: |\n  block\n  two\ndd: [1, a, [b], {c: d}]\nee: {}\nzz: []\n",
            "aa: &x foo\nbb: *x\nbase: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n",
            "a: 1\na: 2\nb: 3\n",
            "a: 1\n---\nb: 2\n",
            "- 1\n- two\n",
            "hello\n",
            "1: a\ntrue: b\nnull: c\n",
            "{\"json\": [1, 2.5, true, null, \"x\"], \"nested\": {\"k\": \"v\"}}",
            "\uFEFFversion: 1\n",
            "version: 1\ntiers:\n  - {name: production, branch: main}\n  - name: staging\n    branch: staging\n    parent: production\n",
            "t: !!int 42\nu: !!bool yes\nv: !!null ''\nw: !!float 1\nx: !custom 7\ny: !!bool maybe\n",
            "time: 1:30\nneg: -1_000\nbin: 0b101\nexp: 1.0e+3\n");

    @Test
    void readsEveryDocumentAsJacksonsYamlModuleDoes() throws Exception {
        for (String doc : DOCUMENTS) {
            JsonNode jackson = JACKSON.readTree(doc);
            Optional<YamlTree> ours = YamlTree.parse(doc);
            String expected = jackson == null || jackson.isMissingNode() ? "(none)" : render(jackson);
            assertEquals(expected, ours.map(YamlTreeTest::render).orElse("(none)"), doc);
        }
    }

    @Test
    void emptyDocumentsHaveNoRoot() throws Exception {
        assertEquals(Optional.empty(), YamlTree.parse(""));
        assertEquals(Optional.empty(), YamlTree.parse("# only a comment\n"));
    }

    @Test
    void aSyntaxErrorNamesItsLine() {
        YamlTree.SyntaxError e =
                assertThrows(YamlTree.SyntaxError.class, () -> YamlTree.parse("a: 1\nb: [1, 2\nc: 3\n"));
        assertTrue(e.line >= 2, "line " + e.line);
        assertTrue(e.getMessage().contains("flow sequence"), e.getMessage());
    }

    @Test
    void linesAreWhereEachValueStarts() throws Exception {
        YamlTree root = YamlTree.parse("version: 1\ntiers:\n  - name: a\n    branch: main\n")
                .orElseThrow();
        assertEquals(1, root.get("version").line);
        assertEquals(3, root.get("tiers").line);
        assertEquals(4, root.get("tiers").get(0).get("branch").line);
    }

    @Test
    void aNumberTooMalformedForJacksonIsAnErrorHereToo() {
        assertThrows(Exception.class, () -> JACKSON.readTree("q: .inf\n"));
        assertThrows(YamlTree.SyntaxError.class, () -> YamlTree.parse("q: .inf\n"));
    }

    /** A tree as the renderer sees it: Jackson's and YamlTree are rendered by one method. */
    private interface View<T> {
        boolean isObject(T n);

        boolean isArray(T n);

        Iterable<String> names(T n);

        T field(T n, String name);

        int size(T n);

        T element(T n, int i);

        /** A scalar as kind and text: s"..." string, b boolean, i integer, f float; null for null. */
        String leaf(T n);
    }

    private static final View<JsonNode> JACKSON_VIEW = new View<>() {
        public boolean isObject(JsonNode n) {
            return n.isObject();
        }

        public boolean isArray(JsonNode n) {
            return n.isArray();
        }

        public Iterable<String> names(JsonNode n) {
            return n::fieldNames;
        }

        public JsonNode field(JsonNode n, String name) {
            return n.get(name);
        }

        public int size(JsonNode n) {
            return n.size();
        }

        public JsonNode element(JsonNode n, int i) {
            return n.get(i);
        }

        public String leaf(JsonNode n) {
            return n.isNull()
                    ? "null"
                    : (n.isTextual()
                                    ? "s"
                                    : n.isBoolean() ? "b" : n.isIntegralNumber() ? "i" : n.isNumber() ? "f" : "?")
                            + "\"" + n.asText() + "\"";
        }
    };

    private static final View<YamlTree> OUR_VIEW = new View<>() {
        public boolean isObject(YamlTree n) {
            return n.isObject();
        }

        public boolean isArray(YamlTree n) {
            return n.isArray();
        }

        public Iterable<String> names(YamlTree n) {
            return n.fieldNames();
        }

        public YamlTree field(YamlTree n, String name) {
            return n.get(name);
        }

        public int size(YamlTree n) {
            return n.size();
        }

        public YamlTree element(YamlTree n, int i) {
            return n.get(i);
        }

        public String leaf(YamlTree n) {
            String kind = switch (n.kind) {
                case STRING -> "s";
                case BOOLEAN -> "b";
                case INTEGER -> "i";
                case FLOAT -> "f";
                default -> "?";
            };
            return n.isNull() ? "null" : kind + "\"" + n.asText() + "\"";
        }
    };

    private static String render(JsonNode n) {
        return render(n, JACKSON_VIEW);
    }

    private static String render(YamlTree n) {
        return render(n, OUR_VIEW);
    }

    private static <T> String render(T n, View<T> v) {
        StringBuilder b = new StringBuilder();
        if (v.isObject(n)) {
            b.append('{');
            for (String k : v.names(n)) {
                b.append(b.length() > 1 ? "," : "").append(k).append('=').append(render(v.field(n, k), v));
            }
            return b.append('}').toString();
        }
        if (v.isArray(n)) {
            b.append('[');
            for (int i = 0; i < v.size(n); i++) {
                b.append(i == 0 ? "" : ",").append(render(v.element(n, i), v));
            }
            return b.append(']').toString();
        }
        return v.leaf(n);
    }
}
