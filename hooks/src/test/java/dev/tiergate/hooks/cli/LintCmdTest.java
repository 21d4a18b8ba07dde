package dev.tiergate.hooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
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
     * The parts of SARIF 2.1.0 (OASIS) that code scanning reads, as the standard requires them: version, runs,
     * tool.driver.name, each result's message.text, its level from the standard's enumeration, and a physical
     * location with a 1-based region.
     */
    private static final String SARIF_REQUIRED = """
            {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "required": ["version", "runs"],
             "properties": {
              "version": {"const": "2.1.0"},
              "runs": {"type": "array", "items": {"type": "object", "required": ["tool"], "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {"type": "object",
                  "required": ["name"], "properties": {"name": {"type": "string"}, "rules": {"type": "array", "items": {
                    "type": "object", "required": ["id"], "properties": {"defaultConfiguration": {"type": "object",
                    "properties": {"level": {"enum": ["none", "note", "warning", "error"]}}}}}}}}}},
                "results": {"type": "array", "items": {"type": "object", "required": ["message"], "properties": {
                  "ruleId": {"type": "string"}, "level": {"enum": ["none", "note", "warning", "error"]},
                  "message": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
                  "locations": {"type": "array", "items": {"type": "object", "properties": {"physicalLocation": {
                    "type": "object", "required": ["artifactLocation"], "properties": {
                      "artifactLocation": {"type": "object", "required": ["uri"]},
                      "region": {"type": "object", "required": ["startLine"], "properties": {
                        "startLine": {"type": "integer", "minimum": 1}, "startColumn": {"type": "integer", "minimum": 1}}}}}}}}}}}}}}},
             "additionalProperties": true}
            """;

    private record Run(int exit, String out, String err) {
    }

    private static Run lint(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 1];
        all[0] = "lint";
        System.arraycopy(args, 0, all, 1, args.length);
        int exit = TiergateCli.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void textNamesFileLineColumnSeverityRuleAndFixAndExitsTwoOnAnError() throws Exception {
        Path f = Files.writeString(dir.resolve("V1__idx.sql"), "SET lock_timeout = '1s';\n\nCREATE INDEX IF NOT EXISTS i ON orders (c);\n");
        Run r = lint(f.toString());
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains(f + ":3:1: error sql.index-not-concurrent: CREATE INDEX without CONCURRENTLY"), r.out());
        assertTrue(r.out().contains("\n  fix: CREATE INDEX CONCURRENTLY"), r.out());
    }

    @Test
    void warningsOnlyExitZeroAndAPolicyCanLowerAnError() throws Exception {
        Path f = Files.writeString(dir.resolve("V1__t.sql"), "CREATE TABLE IF NOT EXISTS t (code char(3));\n");
        assertEquals(0, lint(f.toString()).exit());
        Path idx = Files.writeString(dir.resolve("V2__idx.sql"), "SET lock_timeout = '1s';\nCREATE INDEX IF NOT EXISTS i ON orders (c);\n");
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "version: 1\nseverity:\n  sql.index-not-concurrent: warning\n");
        Run r = lint("--policy", policy.toString(), idx.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("warning sql.index-not-concurrent"), r.out());
    }

    @Test
    void aFileThatCannotBeReadExitsThree() {
        Run r = lint(dir.resolve("missing.sql").toString());
        assertEquals(3, r.exit());
        assertTrue(r.err().contains("cannot read"), r.err());
    }

    @Test
    void sarifOutputHasTheStructureSarif210Requires() throws Exception {
        Files.writeString(dir.resolve("V1__a.sql"), "ALTER TABLE orders RENAME COLUMN a TO b;\nALTER TABLE orders FROBNICATE;\n");
        Run r = lint("--format", "sarif", dir.toString());
        assertEquals(2, r.exit(), r.err());
        ObjectMapper m = new ObjectMapper();
        JsonNode doc = m.readTree(r.out());
        JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(m.readTree(SARIF_REQUIRED));
        Set<ValidationMessage> problems = schema.validate(doc);
        assertEquals(Set.of(), problems);
        JsonNode results = doc.at("/runs/0/results");
        assertTrue(results.size() >= 2, r.out());
        assertEquals("sql.rename", results.get(0).at("/ruleId").asText(), r.out());
        assertEquals(1, results.get(0).at("/locations/0/physicalLocation/region/startLine").asInt());
        assertTrue(r.out().contains("sql.not-analysed"), r.out());
        // and a broken document fails the same check, so the check can fail
        ((com.fasterxml.jackson.databind.node.ObjectNode) doc).put("version", "2.0.0");
        assertEquals(1, schema.validate(doc).size());
    }
}
