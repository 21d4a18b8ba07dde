package dev.tiergate.hooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LintCmdTest {
    @TempDir
    Path dir;

    /**
     * The official SARIF 2.1.0 JSON schema (OASIS Standard incorporating Approved Errata 01, draft-04), copied unchanged
     * from the OASIS TC's repository github.com/oasis-tcs/sarif-spec, file sarif-2.1/schema/sarif-schema-2.1.0.json
     * at commit e0583813 (last changed a560296, 2024-05-02); its "id" is
     * https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json. Formats (uri,
     * uri-reference, date-time) are asserted, not only annotated.
     */
    private static final JsonSchema SARIF_SCHEMA = sarifSchema();

    private static JsonSchema sarifSchema() {
        try (InputStream in = LintCmdTest.class.getResourceAsStream("/sarif/sarif-schema-2.1.0.json")) {
            SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                    .formatAssertionsEnabled(true)
                    .build();
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(in, config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Run(int exit, String out, String err) {}

    private static Run lint(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 1];
        all[0] = "lint";
        System.arraycopy(args, 0, all, 1, args.length);
        int exit = TiergateCli.run(
                all,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpOnTheSubcommandPrintsItsUsageAndExitsZero() {
        Run r = lint("--help");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("Usage: tiergate lint") && r.out().contains("--each-file-alone"), r.out());
        assertTrue(r.err().isEmpty(), r.err());
    }

    @Test
    void textNamesFileLineColumnSeverityRuleAndFixAndExitsTwoOnAnError() throws Exception {
        Path f = Files.writeString(
                dir.resolve("V1__idx.sql"),
                "SET lock_timeout = '1s';\n\nCREATE INDEX IF NOT EXISTS i ON orders (c);\n");
        Run r = lint(f.toString());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(
                r.out().contains(f + ":3:1: error sql.index-not-concurrent: CREATE INDEX without CONCURRENTLY"),
                r.out());
        assertTrue(r.out().contains("\n  fix: CREATE INDEX CONCURRENTLY"), r.out());
    }

    @Test
    void warningsOnlyExitZeroAndAPolicyCanLowerAnError() throws Exception {
        Path f = Files.writeString(dir.resolve("V1__t.sql"), "CREATE TABLE IF NOT EXISTS t (code char(3));\n");
        assertEquals(0, lint(f.toString()).exit());
        Path idx = Files.writeString(
                dir.resolve("V2__idx.sql"), "SET lock_timeout = '1s';\nCREATE INDEX IF NOT EXISTS i ON orders (c);\n");
        Path policy = Files.writeString(
                dir.resolve("policy.yaml"), "version: 1\nseverity:\n  sql.index-not-concurrent: warning\n");
        Run r = lint("--policy", policy.toString(), idx.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("warning sql.index-not-concurrent"), r.out());
    }

    @Test
    void theToolComesFromThePolicyAndTheFlagOverridesIt() throws Exception {
        // alone in its script, Flyway runs it outside a transaction: only the transactional-lock finding is left
        Path idx = Files.writeString(
                dir.resolve("V2__idx.sql"), "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON orders (c);\n");
        Path lockOff = Files.writeString(
                dir.resolve("flyway.yaml"), "version: 1\nmigrations:\n  flyway: {transactional_lock: false}\n");
        Run flyway = lint("--policy", lockOff.toString(), idx.toString());
        assertEquals(0, flyway.exit(), flyway.out() + flyway.err());
        Run assumed = lint("--policy", lockOff.toString(), "--assume-in-transaction", idx.toString());
        assertEquals(2, assumed.exit(), assumed.out());
        assertTrue(
                assumed.out()
                        .contains(
                                "error sql.concurrently-in-transaction: CREATE INDEX CONCURRENTLY cannot run inside a"
                                        + " transaction block, and the runner wraps each file in a transaction (--assume-in-transaction)"),
                assumed.out());
        Path goose = Files.writeString(dir.resolve("goose.yaml"), "version: 1\nmigrations:\n  tool: goose\n");
        Run g = lint("--policy", goose.toString(), idx.toString());
        assertTrue(
                g.out()
                        .contains(
                                "goose runs each migration in a transaction unless it is annotated -- +goose NO TRANSACTION"),
                g.out());
        assertEquals(
                0,
                lint("--policy", goose.toString(), "--no-assume-in-transaction", idx.toString())
                        .exit());
    }

    @Test
    void aFlywayScriptConfigurationFileBesideTheScriptIsRead() throws Exception {
        Path reindex = Files.writeString(dir.resolve("V3__reindex.sql"), "REINDEX INDEX CONCURRENTLY i;\n");
        Path lockOff = Files.writeString(
                dir.resolve("flyway.yaml"), "version: 1\nmigrations:\n  flyway: {transactional_lock: false}\n");
        assertEquals(2, lint("--policy", lockOff.toString(), reindex.toString()).exit());
        Files.writeString(dir.resolve("V3__reindex.sql.conf"), "executeInTransaction=false\n");
        Run r = lint("--policy", lockOff.toString(), reindex.toString());
        assertEquals(0, r.exit(), r.out());
    }

    @Test
    void theFastPathPrintsWhatPicocliWouldAndLeavesEverythingElseToIt() throws Exception {
        Path f = Files.writeString(
                dir.resolve("V1__idx.sql"), "CREATE INDEX i ON orders (c);\nALTER TABLE t RENAME a TO b;\n");
        for (String[] args : new String[][] {
            {f.toString()},
            {"--format", "json", "--each-file-alone", f.toString()},
            {"--format=sarif", "--assume-in-transaction", "--", f.toString()},
            {"--no-assume-in-transaction", f.toString()}
        }) {
            Run picocli = lint(args);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            String[] all = new String[args.length + 1];
            all[0] = "lint";
            System.arraycopy(args, 0, all, 1, args.length);
            Integer fast = LintCmd.fastPath(
                    all,
                    new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(picocli.exit(), fast, String.join(" ", args));
            assertEquals(picocli.out(), out.toString(StandardCharsets.UTF_8), String.join(" ", args));
            assertEquals(picocli.err(), err.toString(StandardCharsets.UTF_8), String.join(" ", args));
        }
        for (String[] args : new String[][] {
            {"lint"},
            {"lint", "--help"},
            {"lint", "--format", "yaml", f.toString()},
            {"lint", "--each-file", f.toString()},
            {"lint", "-h"}
        }) {
            assertEquals(null, LintCmd.fastPath(args, System.out, System.err), String.join(" ", args));
        }
    }

    @Test
    void theJsonFormatIsJsonWhateverTheMessagesHoldAndHasEveryField() throws Exception {
        Path f = Files.writeString(
                dir.resolve("V1__odd.sql"), "ALTER TABLE \"q\"\"t\\x\" RENAME COLUMN \"a\tb\u0001\" TO c;\n");
        Run r = lint("--format", "json", f.toString());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals(1, doc.size());
        JsonNode file = doc.get(0);
        assertEquals(f.toString(), file.get("file").asText());
        assertEquals(1, file.get("statements").asInt());
        assertEquals(0, file.get("not_analysed").asInt());
        assertEquals(0, file.get("suppressed").asInt());
        JsonNode rename = null;
        for (JsonNode x : file.get("findings")) {
            if (x.get("rule").asText().equals("sql.rename")) {
                rename = x;
            }
        }
        assertEquals(
                "column q\"t\\x.a\tb\u0001 renamed to c: code still running uses the old name",
                rename.get("message").asText());
        assertEquals("error", rename.get("severity").asText());
        assertEquals(1, rename.get("line").asInt());
        assertEquals(22, rename.get("column").asInt());
        assertTrue(rename.get("fix").asText().startsWith("expand: add the new name"), rename.toString());
        assertTrue(
                r.out().contains("\\u0001")
                        && r.out().contains("\\t")
                        && r.out().endsWith("]\n"),
                r.out());
    }

    @Test
    void aFileThatCannotBeReadExitsThree() {
        Run r = lint(dir.resolve("missing.sql").toString());
        assertEquals(3, r.exit());
        assertTrue(r.err().contains("cannot read"), r.err());
    }

    @Test
    void sarifOutputIsValidAgainstTheOfficialSarif210Schema() throws Exception {
        Files.writeString(
                dir.resolve("V1__a.sql"), "ALTER TABLE orders RENAME COLUMN a TO b;\nALTER TABLE orders FROBNICATE;\n");
        // a space and a non-ASCII letter in the path: SARIF's artifactLocation.uri must be a URI reference
        Files.writeString(dir.resolve("V2__b cé.sql"), "CREATE INDEX i ON orders (c);\n");
        Run r = lint("--format", "sarif", dir.toString());
        assertEquals(2, r.exit(), r.err());
        ObjectMapper m = new ObjectMapper();
        JsonNode doc = m.readTree(r.out());
        assertEquals(Set.of(), SARIF_SCHEMA.validate(doc), r.out());
        JsonNode results = doc.at("/runs/0/results");
        assertTrue(results.size() >= 3, r.out());
        assertEquals("sql.rename", results.get(0).at("/ruleId").asText(), r.out());
        assertEquals(
                1,
                results.get(0)
                        .at("/locations/0/physicalLocation/region/startLine")
                        .asInt());
        assertTrue(r.out().contains("sql.not-analysed"), r.out());
        String uri = results.get(results.size() - 1)
                .at("/locations/0/physicalLocation/artifactLocation/uri")
                .asText();
        assertTrue(uri.endsWith("/V2__b%20c%C3%A9.sql"), uri);
    }

    @Test
    void theSchemaCheckRefusesDocumentsThatBreakSarif() throws Exception {
        ObjectMapper m = new ObjectMapper();
        Files.writeString(dir.resolve("V1__a.sql"), "ALTER TABLE orders RENAME COLUMN a TO b;\n");
        ObjectNode doc = (ObjectNode)
                m.readTree(lint("--format", "sarif", dir.toString()).out());
        assertEquals(Set.of(), SARIF_SCHEMA.validate(doc));
        // each break is one the schema names: a wrong version, a level outside its enumeration, a 0 line, an
        // unknown top-level property (the schema has additionalProperties false), a URI that is not a URI reference
        assertRefused(doc.deepCopy().put("version", "2.0.0"), "version");
        ObjectNode badLevel = doc.deepCopy();
        ((ObjectNode) badLevel.at("/runs/0/results/0")).put("level", "fatal");
        assertRefused(badLevel, "level");
        ObjectNode badLine = doc.deepCopy();
        ((ObjectNode) badLine.at("/runs/0/results/0/locations/0/physicalLocation/region")).put("startLine", 0);
        assertRefused(badLine, "startLine");
        assertRefused(doc.deepCopy().put("tool", "tiergate"), "tool");
        ObjectNode badUri = doc.deepCopy();
        ((ObjectNode) badUri.at("/runs/0/results/0/locations/0/physicalLocation/artifactLocation"))
                .put("uri", "a b\\c");
        assertRefused(badUri, "uri");
    }

    @Test
    void relativePathsStayRelativeUriReferences() {
        assertEquals("db/migration/V1__a%20b.sql", LintCmd.uriReference("db/migration/V1__a b.sql"));
        assertEquals("./V1:a.sql", LintCmd.uriReference("V1:a.sql"));
        assertEquals("db/V1%C3%A9.sql", LintCmd.uriReference("db\\V1\u00e9.sql"));
    }

    private static void assertRefused(JsonNode doc, String about) {
        Set<ValidationMessage> problems = SARIF_SCHEMA.validate(doc);
        assertTrue(problems.stream().anyMatch(p -> p.getMessage().contains(about)), about + ": " + problems);
    }
}
