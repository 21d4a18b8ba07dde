package dev.tiergate.hooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.hooks.GitSandbox;
import dev.tiergate.hooks.Workspace;
import io.modelcontextprotocol.spec.ProtocolVersions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tiergate mcp} as an MCP client meets it: the real command in a subprocess, in a git sandbox with tiergate
 * installed, spoken to in newline-delimited JSON-RPC 2.0 on its stdin and stdout. Every read is bounded, so a server
 * that hangs fails the test instead of blocking it.
 */
class McpCmdTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final long READ_SECONDS = 30;
    static final List<String> NAMES =
            List.of("claim", "pr", "status", "next", "wait", "merge", "abandon", "lint", "check");

    @TempDir
    Path tmp;

    Server server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.process.destroyForcibly();
        }
    }

    /** The server process, its stdout read line by line on a thread of its own. */
    static final class Server {
        final Process process;
        final OutputStream stdin;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final List<String> everyLine = new ArrayList<>();
        final Path stderr;
        int nextId = 1;

        Server(GitSandbox sandbox) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(sandbox.launcher.toString(), "mcp").directory(sandbox.repo.toFile());
            // GitSandbox's environment: its own HOME and git configuration, no actor but the repository's user
            Path home = sandbox.root.resolve("home");
            pb.environment().put("HOME", home.toString());
            pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
            pb.environment().put("GIT_CONFIG_GLOBAL", home.resolve(".gitconfig").toString());
            pb.environment().put("TIERGATE_ACTOR", "");
            pb.environment().put("TIERGATE_LAUNCHER", sandbox.launcher.toString());
            // no tiergate server: a closed port on loopback, refused at once (never a server of the developer's)
            pb.environment().put("TIERGATE_SERVER", "http://127.0.0.1:1");
            pb.environment().remove("GIT_DIR");
            pb.environment().remove("GIT_INDEX_FILE");
            stderr = Files.createTempFile(sandbox.root, "mcp-err", ".txt");
            pb.redirectError(stderr.toFile());
            process = pb.start();
            stdin = process.getOutputStream();
            Thread reader = new Thread(() -> {
                try (BufferedReader r =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the process ended
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        void send(ObjectNode message) throws IOException {
            stdin.write((JSON.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        }

        /** The answer to a request; every line before it must be JSON-RPC too (a notification, say). */
        JsonNode request(String method, Object params) throws Exception {
            int id = nextId++;
            ObjectNode m = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id);
            m.put("method", method);
            if (params != null) {
                m.set("params", JSON.valueToTree(params));
            }
            send(m);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READ_SECONDS);
            while (true) {
                long left = deadline - System.nanoTime();
                String line = lines.poll(Math.max(left, 0), TimeUnit.NANOSECONDS);
                if (line == null) {
                    fail("no answer to " + method + " within " + READ_SECONDS + " s; stderr:\n" + stderr());
                }
                JsonNode n = jsonRpc(line);
                if (n.path("id").asInt(-1) == id) {
                    return n;
                }
            }
        }

        JsonNode jsonRpc(String line) {
            everyLine.add(line);
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (IOException e) {
                throw new AssertionError("not JSON on the server's stdout: " + line, e);
            }
            assertEquals("2.0", n.path("jsonrpc").asText(), "not JSON-RPC 2.0: " + line);
            return n;
        }

        void notify(String method) throws IOException {
            send(JSON.createObjectNode().put("jsonrpc", "2.0").put("method", method));
        }

        JsonNode call(String tool, Map<String, Object> arguments) throws Exception {
            JsonNode answer = request("tools/call", Map.of("name", tool, "arguments", arguments));
            assertTrue(answer.has("result"), tool + ": " + answer);
            return answer.get("result");
        }

        String stderr() throws IOException {
            return Files.readString(stderr);
        }

        /** Closes stdin: the server ends, exit 0, and every line it wrote was JSON-RPC. */
        int close() throws Exception {
            stdin.close();
            assertTrue(process.waitFor(READ_SECONDS, TimeUnit.SECONDS), "the server ends when its input does");
            for (String line; (line = lines.poll(1, TimeUnit.SECONDS)) != null; ) {
                jsonRpc(line);
            }
            return process.exitValue();
        }
    }

    Server started(GitSandbox sandbox) throws Exception {
        server = new Server(sandbox);
        JsonNode init = server.request(
                "initialize",
                Map.of(
                        "protocolVersion",
                        ProtocolVersions.MCP_2025_06_18,
                        "capabilities",
                        Map.of(),
                        "clientInfo",
                        Map.of("name", "McpCmdTest", "version", "1")));
        JsonNode result = init.get("result");
        assertNotNull(result, init.toString());
        assertEquals("tiergate", result.path("serverInfo").path("name").asText(), init.toString());
        assertFalse(result.path("serverInfo").path("version").asText().isEmpty(), init.toString());
        assertTrue(result.path("capabilities").has("tools"), init.toString());
        assertEquals(
                ProtocolVersions.MCP_2025_06_18, result.path("protocolVersion").asText());
        server.notify("notifications/initialized");
        return server;
    }

    static String text(JsonNode result) {
        StringBuilder b = new StringBuilder();
        for (JsonNode c : result.path("content")) {
            assertEquals("text", c.path("type").asText(), result.toString());
            b.append(c.path("text").asText());
        }
        return b.toString();
    }

    /** A result as every tool gives it: text content, isError, and the structured {exit, stdout, stderr}. */
    static JsonNode wellFormed(String tool, JsonNode result) {
        assertTrue(result.path("content").isArray() && result.path("content").size() > 0, tool + ": " + result);
        assertTrue(result.path("isError").isBoolean(), tool + ": " + result);
        JsonNode s = result.path("structuredContent");
        assertTrue(
                s.path("exit").isInt()
                        && s.path("stdout").isTextual()
                        && s.path("stderr").isTextual(),
                tool + ": " + result);
        assertEquals(s.path("exit").asInt() != 0, result.path("isError").asBoolean(), tool + ": " + result);
        return s;
    }

    @Test
    void servesEveryToolOverStdioAndNothingButJsonRpcOnStdout() throws Exception {
        GitSandbox sandbox = new GitSandbox(tmp).initialised();
        sandbox.write(
                "db/migration/V2__idx.sql",
                "SET lock_timeout = '1s';\n\nCREATE INDEX IF NOT EXISTS i ON orders (c);\n");
        Server s = started(sandbox);

        JsonNode list = s.request("tools/list", Map.of()).get("result");
        List<String> names = new ArrayList<>();
        Map<String, JsonNode> schemas = new HashMap<>();
        for (JsonNode t : list.path("tools")) {
            names.add(t.path("name").asText());
            schemas.put(t.path("name").asText(), t.path("inputSchema"));
            assertEquals("object", t.path("inputSchema").path("type").asText(), t.toString());
            assertTrue(t.path("description").asText().contains("tiergate"), t.toString());
        }
        assertEquals(NAMES, names);
        assertEquals("[\"feature_id\"]", schemas.get("claim").path("required").toString());
        assertEquals("[\"files\"]", schemas.get("lint").path("required").toString());

        JsonNode claim = s.call("claim", Map.of("feature_id", "F1-split", "supersedes", List.of("tests/old_test.sql")));
        assertEquals(0, wellFormed("claim", claim).path("exit").asInt(), claim.toString());
        assertTrue(text(claim).contains("claimed F1-split: branch feature/F1-split"), claim.toString());
        JsonNode state = JSON.readTree(sandbox.read(Workspace.STATE_PATH));
        JsonNode feature = state.path("features").get(0);
        assertEquals("F1-split", feature.path("feature_id").asText(), state.toString());
        assertEquals("feature/F1-split", feature.path("branch").asText(), state.toString());
        assertEquals(
                "[\"tests/old_test.sql\"]", feature.path("superseded_tests").toString());
        assertTrue(sandbox.git("branch", "--show-current").out().contains("feature/F1-split"));

        JsonNode lint = s.call("lint", Map.of("files", List.of("db/migration/V2__idx.sql")));
        JsonNode linted = wellFormed("lint", lint);
        assertEquals(2, linted.path("exit").asInt(), lint.toString()); // an error-level finding
        JsonNode findings = JSON.readTree(linted.path("stdout").asText());
        assertEquals("db/migration/V2__idx.sql", findings.get(0).path("file").asText(), findings.toString());
        assertEquals(
                "sql.index-not-concurrent",
                findings.get(0).path("findings").get(0).path("rule").asText(),
                findings.toString());
        assertEquals(
                findings, JSON.readTree(lint.path("content").get(0).path("text").asText()));

        JsonNode check = s.call("check", Map.of());
        JsonNode checked = wellFormed("check", check);
        assertTrue(checked.path("exit").asInt() == 0 || checked.path("exit").asInt() == 2, check.toString());
        assertFalse(text(check).isBlank(), check.toString());

        // the server-backed tools answer: with no server here most cannot (exit 3, or 4 for wait's one second; next
        // reads the local state), and a command not registered yet is refused by the CLI as unknown (exit 2). They
        // are exercised end to end, against a running server, in gate-server's agent session tests
        for (String tool : List.of("status", "next", "pr", "wait", "merge")) {
            Map<String, Object> args = new LinkedHashMap<>();
            switch (tool) {
                case "status" -> args.put("pr", 1);
                case "pr" -> args.putAll(Map.of("title", "Split inventory", "draft", true));
                case "wait" -> args.putAll(Map.of("until", "ci-green", "timeout", "1s"));
                case "merge" -> args.put("method", "squash");
                default -> {}
            }
            JsonNode r = s.call(tool, args);
            JsonNode answered = wellFormed(tool, r);
            if (answered.path("exit").asInt() == 0) {
                JSON.readTree(answered.path("stdout").asText()); // --json: one document
            }
        }

        // hostile arguments are refused before anything runs
        JsonNode here = s.call("claim", Map.of("feature_id", "--here"));
        assertEquals(2, wellFormed("claim", here).path("exit").asInt(), here.toString());
        assertTrue(text(here).contains("feature_id '--here' starts with '-'"), here.toString());
        JsonNode atFile = s.call("lint", Map.of("files", List.of("@/etc/passwd")));
        assertEquals(2, wellFormed("lint", atFile).path("exit").asInt(), atFile.toString());
        assertTrue(text(atFile).contains("files '@/etc/passwd' starts with '@'"), atFile.toString());
        assertFalse(text(atFile).contains("root:"), atFile.toString());
        JsonNode option = s.call("lint", Map.of("files", List.of("--policy=/tmp/p.yaml", "x.sql")));
        assertEquals(2, wellFormed("lint", option).path("exit").asInt(), option.toString());
        JsonNode extra = s.call("check", Map.of("base", "main", "shell", "rm -rf /"));
        assertTrue(extra.path("isError").asBoolean(), extra.toString());
        JsonNode wrongType = s.call("claim", Map.of("feature_id", 7));
        assertTrue(wrongType.path("isError").asBoolean(), wrongType.toString());
        assertEquals(
                1,
                JSON.readTree(sandbox.read(Workspace.STATE_PATH))
                        .path("features")
                        .size());

        JsonNode unknown = s.request("tools/call", Map.of("name", "push", "arguments", Map.of()));
        assertTrue(
                unknown.has("error") || unknown.path("result").path("isError").asBoolean(),
                "an unknown tool is an error: " + unknown);

        JsonNode abandon = s.call("abandon", Map.of());
        assertEquals(0, wellFormed("abandon", abandon).path("exit").asInt(), abandon.toString());
        assertTrue(text(abandon).contains("abandoned F1-split"), abandon.toString());
        assertEquals(
                0,
                JSON.readTree(sandbox.read(Workspace.STATE_PATH))
                        .path("features")
                        .size());
        JsonNode again = s.call("abandon", Map.of());
        assertEquals(1, wellFormed("abandon", again).path("exit").asInt(), again.toString()); // no claim: no state
        assertTrue(again.path("isError").asBoolean());

        assertEquals(0, s.close(), s.stderr());
        assertFalse(s.everyLine.isEmpty());
    }

    @Test
    void inputThatIsNotJsonRpcEndsTheServerRatherThanHangingIt() throws Exception {
        Server s = started(new GitSandbox(tmp).initialised());
        s.stdin.write("this is not JSON\n".getBytes(StandardCharsets.UTF_8));
        s.stdin.flush();
        assertTrue(s.process.waitFor(READ_SECONDS, TimeUnit.SECONDS), "the server ended; stderr:\n" + s.stderr());
        for (String line; (line = s.lines.poll(1, TimeUnit.SECONDS)) != null; ) {
            s.jsonRpc(line);
        }
    }

    @Test
    void printConfigNamesTheLauncher() throws Exception {
        GitSandbox sandbox = new GitSandbox(tmp);
        GitSandbox.Result r = sandbox.tiergate("mcp", "--print-config");
        assertEquals(0, r.exit(), r.all());
        JsonNode server = JSON.readTree(r.out()).path("mcpServers").path("tiergate");
        assertEquals(
                sandbox.launcher.toAbsolutePath().normalize().toString(),
                server.path("command").asText(),
                r.out());
        assertEquals("[\"mcp\"]", server.path("args").toString());
        assertEquals("", r.err());
    }

    @Test
    void everyToolIsInTheTableWithItsCommandLine() {
        assertEquals(NAMES, McpCmd.TOOLS.stream().map(McpCmd.Tool::name).toList());
        Map<String, Map<String, Object>> calls = new LinkedHashMap<>();
        calls.put("claim", Map.of("feature_id", "F1", "type", "feature", "supersedes", List.of("a_test.sql", "b.sql")));
        calls.put("pr", Map.of("title", "- leading dash", "body", "@alice see above", "draft", true));
        calls.put("status", Map.of("branch", "feature/F1", "pr", 12));
        calls.put("next", Map.of());
        calls.put("wait", Map.of("until", "merged", "timeout", "30m"));
        calls.put("merge", Map.of("wait_migrate", true, "method", "rebase"));
        calls.put("abandon", Map.of());
        calls.put("lint", Map.of("files", List.of("db/migration/V1__a.sql", "db")));
        calls.put("check", Map.of("base", "main"));
        Map<String, List<String>> expected = Map.of(
                "claim", List.of("claim", "F1", "--type=feature", "--supersedes=a_test.sql,b.sql"),
                "pr", List.of("pr", "--json", "--title=- leading dash", "--body=@alice see above", "--draft"),
                "status", List.of("status", "--json", "--branch=feature/F1", "--pr=12"),
                "next", List.of("next", "--json"),
                "wait", List.of("wait", "--json", "--until=merged", "--timeout=30m"),
                "merge", List.of("merge", "--json", "--wait-migrate", "--method=rebase"),
                "abandon", List.of("abandon"),
                "lint", List.of("lint", "--format", "json", "db/migration/V1__a.sql", "db"),
                "check", List.of("check", "--base=main"));
        for (McpCmd.Tool t : McpCmd.TOOLS) {
            assertEquals(expected.get(t.name()), McpCmd.argv(t, calls.get(t.name())), t.name());
            assertEquals("object", t.inputSchema().get("type"), t.name());
            assertTrue(t.description().contains("tiergate"), t.name());
            // the optional arguments left out: the bare command
            if (!t.inputSchema().containsKey("required")) {
                assertEquals(
                        expected.get(t.name()).subList(0, t.name().matches("status|next|wait|merge|pr") ? 2 : 1),
                        McpCmd.argv(t, Map.of()),
                        t.name());
            }
        }
    }

    @Test
    void argumentsThatWouldReachTheCommandLineAsOptionsOrArgumentFilesAreRefused() {
        Map<String, McpCmd.Tool> tools = new HashMap<>();
        McpCmd.TOOLS.forEach(t -> tools.put(t.name(), t));
        List<Map.Entry<String, Map<String, Object>>> hostile = List.of(
                Map.entry("claim", Map.of("feature_id", "--here")),
                Map.entry("claim", Map.of("feature_id", "@args")),
                Map.entry("claim", Map.of("feature_id", "F1", "type", "--actor=root")),
                Map.entry("claim", Map.of("feature_id", "F1", "supersedes", List.of("a,--here"))),
                Map.entry("claim", Map.of("feature_id", "F1", "actor", "root")),
                Map.entry("claim", Map.of()),
                Map.entry("status", Map.of("branch", "-h")),
                Map.entry("status", Map.of("pr", -3)),
                Map.entry("wait", Map.of("until", "forever")),
                Map.entry("merge", Map.of("method", "--force")),
                Map.entry("lint", Map.of("files", List.of("--policy=x"))),
                Map.entry("lint", Map.of("files", List.of("@/etc/passwd"))),
                Map.entry("lint", Map.of("files", List.of())),
                Map.entry("check", Map.of("base", "--output=/tmp/x")));
        for (Map.Entry<String, Map<String, Object>> h : hostile) {
            McpCmd.Tool t = tools.get(h.getKey());
            McpCmd.Refused e = assertThrows(McpCmd.Refused.class, () -> McpCmd.argv(t, h.getValue()), h.toString());
            assertFalse(e.getMessage().isBlank());
            var result = McpCmd.call(t, h.getValue());
            assertTrue(result.isError(), h.toString());
            assertTrue(result.content().toString().contains("refused"), result.toString());
        }
    }
}
