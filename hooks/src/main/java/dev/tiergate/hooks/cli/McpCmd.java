package dev.tiergate.hooks.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.core.TiergateVersion;
import dev.tiergate.hooks.Main;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tiergate mcp}: the agent's side of tiergate served to an MCP client (Claude Code, Claude Desktop, any other)
 * over stdio, with the official MCP Java SDK. Each tool runs the tiergate command it names, in this JVM and in its
 * working directory (the repository the client started {@code tiergate mcp} in), with the arguments the CLI takes:
 * what an agent may do here is what it may do on the command line, judged by the same policy and the same server. There
 * is no tool that merges, pushes, runs a shell or hands out a credential past them.
 *
 * <p>A tool's result: the command's standard output as a text block and its standard error as a second one when it
 * wrote any; {@code isError} when it exited non-zero; and the structured content {@code {"exit": n, "stdout": ...,
 * "stderr": ...}} (the tools' output schema) with the exit code ({@link Main}: 0 ok, 1 no state, 2 refused, 3 failed, 4
 * timed out). An argument that could be read as an option ({@code -...}) or as picocli's argument file ({@code @...})
 * is refused before any command runs, with exit 2.
 *
 * <p>The standard output is the protocol's: while serving, anything else in this JVM that prints there is sent to the
 * standard error, and the SDK logs through slf4j, which the hooks' class path binds to slf4j-nop.
 */
@Command(
        name = "mcp",
        description =
                "Serve tiergate's agent commands (claim, pr, status, next, wait, merge, abandon, lint, check) to an"
                        + " MCP client over stdio; --print-config prints the client's configuration.")
final class McpCmd implements Callable<Integer> {
    @Option(
            names = "--print-config",
            description = "print the mcpServers entry an MCP client needs (.mcp.json, Claude Desktop's configuration)")
    boolean printConfig;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (printConfig) {
            spec.commandLine().getOut().println(config(launcher()));
            spec.commandLine().getOut().flush();
            return Main.OK;
        }
        PrintStream protocol = System.out;
        System.setOut(System.err);
        try {
            return serve(System.in, protocol);
        } finally {
            System.setOut(protocol);
        }
    }

    /** The launcher install.sh writes passes its own path; else whatever {@code tiergate} is on the client's PATH. */
    static String launcher() {
        String l = System.getProperty("tiergate.launcher");
        return l == null || l.isBlank()
                ? "tiergate"
                : Path.of(l).toAbsolutePath().normalize().toString();
    }

    /** The configuration an MCP client needs to start this server, as Claude Code's .mcp.json has it. */
    static String config(String launcher) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode server = root.putObject("mcpServers").putObject("tiergate");
        server.put("command", launcher);
        server.putArray("args").add("mcp");
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    static final String INSTRUCTIONS = "tiergate's workflow for an agent in this repository: claim a feature (a working"
            + " branch and its claim), commit and push with git, open its pull request with pr, follow it with status,"
            + " next and wait, and merge it with merge. Every tool runs the tiergate command of its name: the"
            + " repository's policy and the tiergate server judge each one, and a refusal says what to fix.";

    // ---------------------------------------------------------------------------------------------------------------
    // The tools: name, description, input schema, and the tiergate command line each one runs

    /**
     * A tool: its name, what it does, the JSON Schema of its arguments, whether it only reads, and the tiergate command
     * line it runs for arguments (a {@link Refused} for arguments the command must not see).
     */
    record Tool(
            String name,
            String description,
            Map<String, Object> inputSchema,
            boolean readOnly,
            Function<Args, List<String>> argv) {}

    static final List<String> UNTIL = List.of("ci-green", "mergeable", "merged", "migrated");
    static final List<String> METHODS = List.of("merge", "squash", "rebase");

    /** Every tool, in the order tools/list names them; nothing else is served. */
    static final List<Tool> TOOLS = List.of(
            new Tool(
                    "claim",
                    "Claim a feature: create its working branch from its tier and record the claim in the repository's"
                            + " tiergate state (tiergate claim), as the repository's policy allows.",
                    object(
                            List.of("feature_id"),
                            "feature_id",
                            string("feature id, e.g. F1-split-inventory; the branch is named from it"),
                            "type",
                            string("working-branch type from the policy (default: feature)"),
                            "supersedes",
                            strings("test files this feature may delete (the agents' allowlist)", 0)),
                    false,
                    a -> {
                        List<String> v = new ArrayList<>(List.of("claim", a.required("feature_id")));
                        a.option(v, "--type", a.value("type"));
                        List<String> tests = a.values("supersedes");
                        for (String t : tests) {
                            if (t.contains(",")) {
                                throw new Refused("supersedes: '" + t + "' holds a comma, which splits the list;"
                                        + " name each file as its own item");
                            }
                        }
                        a.option(v, "--supersedes", tests.isEmpty() ? null : String.join(",", tests));
                        return v;
                    }),
            new Tool(
                    "pr",
                    "Push the claimed branch and open (or reuse) its pull request into the claim's tier (tiergate pr"
                            + " --json); the tiergate server judges the pull request against the policy.",
                    object(
                            List.of(),
                            "title",
                            string("pull request title (default: the feature id and the last commit's subject)"),
                            "body",
                            string("pull request description"),
                            "draft",
                            bool("open it as a draft")),
                    false,
                    a -> {
                        List<String> v = new ArrayList<>(List.of("pr", "--json"));
                        a.option(v, "--title", a.text("title"));
                        a.option(v, "--body", a.text("body"));
                        a.flag(v, "--draft", "draft");
                        return v;
                    }),
            new Tool(
                    "status",
                    "Report a branch's or pull request's state as the tiergate server judges it: checks, reviews,"
                            + " what holds the merge (tiergate status --json).",
                    object(
                            List.of(),
                            "branch",
                            string("branch (default: the checked-out one)"),
                            "pr",
                            integer("pull request number")),
                    true,
                    a -> {
                        List<String> v = new ArrayList<>(List.of("status", "--json"));
                        a.option(v, "--branch", a.value("branch"));
                        a.option(v, "--pr", a.number("pr"));
                        return v;
                    }),
            new Tool(
                    "next",
                    "Say what the claimed feature needs next on its way to merge, as the policy and the tiergate server"
                            + " see it (tiergate next --json).",
                    object(List.of()),
                    true,
                    a -> List.of("next", "--json")),
            new Tool(
                    "wait",
                    "Wait until the pull request is ci-green, mergeable, merged or migrated as the tiergate server"
                            + " judges it, or the timeout passes (exit " + Main.TIMED_OUT + ") (tiergate wait --json).",
                    object(
                            List.of(),
                            "until",
                            oneOf("the state to wait for (default: mergeable)", UNTIL),
                            "timeout",
                            pattern("how long to wait at most, e.g. 90s, 30m, 2h (default: 30m)", "^[0-9][0-9smh]*$")),
                    true,
                    a -> {
                        List<String> v = new ArrayList<>(List.of("wait", "--json"));
                        a.option(v, "--until", a.oneOf("until", UNTIL));
                        a.option(v, "--timeout", a.value("timeout"));
                        return v;
                    }),
            new Tool(
                    "merge",
                    "Ask the tiergate server to merge the pull request, which it does only when the policy allows"
                            + " (tiergate merge --json).",
                    object(
                            List.of(),
                            "wait_migrate",
                            bool("wait until the tiers' databases are migrated"),
                            "method",
                            oneOf("merge method (default: merge)", METHODS)),
                    false,
                    a -> {
                        List<String> v = new ArrayList<>(List.of("merge", "--json"));
                        a.flag(v, "--wait-migrate", "wait_migrate");
                        a.option(v, "--method", a.oneOf("method", METHODS));
                        return v;
                    }),
            new Tool(
                    "abandon",
                    "Give up the claim of the checked-out branch, as the policy's workflow allows (tiergate abandon).",
                    object(List.of()),
                    false,
                    a -> List.of("abandon")),
            new Tool(
                    "lint",
                    "Lint PostgreSQL migration files with the severities of the repository's policy, findings as JSON"
                            + " (tiergate lint --format json).",
                    object(
                            List.of("files"),
                            "files",
                            strings("SQL files, or directories searched for *.sql, relative to the repository", 1)),
                    true,
                    a -> {
                        List<String> v = new ArrayList<>(List.of("lint", "--format", "json"));
                        List<String> files = a.values("files");
                        if (files.isEmpty()) {
                            throw new Refused("files: name at least one SQL file or directory");
                        }
                        v.addAll(files);
                        return v;
                    }),
            new Tool(
                    "check",
                    "Run every rule of the repository's policy over the branch's commits, the verdict the tiergate"
                            + " server's gate reaches (tiergate check).",
                    object(List.of(), "base", string("first commit not to check (default: the branch's target tier)")),
                    true,
                    a -> {
                        List<String> v = new ArrayList<>(List.of("check"));
                        a.option(v, "--base", a.value("base"));
                        return v;
                    }));

    /** Every tool's structured content. */
    static final Map<String, Object> OUTPUT_SCHEMA = object(
            List.of("exit", "stdout", "stderr"),
            "exit",
            Map.of(
                    "type",
                    "integer",
                    "description",
                    "the command's exit code: 0 ok, 1 no state, 2 refused, 3 failed, 4 timed out"),
            "stdout",
            Map.of(
                    "type",
                    "string",
                    "description",
                    "the command's standard output (JSON for the commands that take --json)"),
            "stderr",
            Map.of("type", "string", "description", "the command's standard error: refusals, with what to fix"));

    private static Map<String, Object> object(List<String> required, Object... namesAndSchemas) {
        Map<String, Object> properties = new LinkedHashMap<>();
        for (int i = 0; i < namesAndSchemas.length; i += 2) {
            properties.put((String) namesAndSchemas[i], namesAndSchemas[i + 1]);
        }
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", "object");
        schema.put("properties", Collections.unmodifiableMap(properties));
        if (!required.isEmpty()) {
            schema.put("required", required);
        }
        schema.put("additionalProperties", false);
        return Collections.unmodifiableMap(schema);
    }

    private static Map<String, Object> string(String description) {
        return Map.of("type", "string", "description", description, "minLength", 1);
    }

    private static Map<String, Object> pattern(String description, String regex) {
        return Map.of("type", "string", "description", description, "pattern", regex);
    }

    private static Map<String, Object> oneOf(String description, List<String> values) {
        return Map.of("type", "string", "description", description, "enum", values);
    }

    private static Map<String, Object> bool(String description) {
        return Map.of("type", "boolean", "description", description);
    }

    private static Map<String, Object> integer(String description) {
        return Map.of("type", "integer", "description", description, "minimum", 1);
    }

    private static Map<String, Object> strings(String description, int minItems) {
        return Map.of(
                "type",
                "array",
                "description",
                description,
                "items",
                Map.of("type", "string", "minLength", 1),
                "minItems",
                minItems);
    }

    /** Arguments the command line must not see: what is wrong and how to ask instead. */
    static final class Refused extends IllegalArgumentException {
        Refused(String message) {
            super(message);
        }
    }

    /**
     * A tool's arguments, read for the command line. A value the command takes is refused when it starts with '-'
     * (the command would read an option: a feature id {@code --here}, a file {@code --policy=x}) or '@' (picocli
     * would read the rest as an argument file to expand). Options go on the command line as {@code --name=value}, so
     * free text (a pull request's title and body) may start with either.
     */
    static final class Args {
        private final Tool tool;
        private final Map<String, Object> values;

        Args(Tool tool, Map<String, Object> values) {
            this.tool = tool;
            this.values = values == null ? Map.of() : values;
            @SuppressWarnings("unchecked")
            Set<String> known = ((Map<String, Object>) tool.inputSchema().get("properties")).keySet();
            for (String name : this.values.keySet()) {
                if (!known.contains(name)) {
                    throw new Refused("'" + name + "' is not an argument of " + tool.name() + "; it takes "
                            + (known.isEmpty() ? "none" : String.join(", ", known)));
                }
            }
        }

        String required(String name) {
            String v = value(name);
            if (v == null) {
                throw new Refused(name + " is required by " + tool.name());
            }
            return v;
        }

        /** A value that goes on the command line on its own or as an option's: no leading '-' or '@'. */
        String value(String name) {
            String v = text(name);
            return v == null ? null : checked(name, v);
        }

        /** Free text, for an option's value only ({@code --name=text}). */
        String text(String name) {
            Object v = values.get(name);
            if (v == null) {
                return null;
            }
            if (!(v instanceof String s)) {
                throw new Refused(name + " must be a string");
            }
            if (s.isEmpty()) {
                throw new Refused(name + " is empty; leave it out instead");
            }
            return s;
        }

        String oneOf(String name, List<String> allowed) {
            String v = value(name);
            if (v != null && !allowed.contains(v)) {
                throw new Refused(name + " '" + v + "' is not one of " + allowed);
            }
            return v;
        }

        String number(String name) {
            Object v = values.get(name);
            if (v == null) {
                return null;
            }
            if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < 1) {
                throw new Refused(name + " must be a positive whole number");
            }
            return v.toString();
        }

        List<String> values(String name) {
            Object v = values.get(name);
            if (v == null) {
                return List.of();
            }
            if (!(v instanceof List<?> list)) {
                throw new Refused(name + " must be a list of strings");
            }
            List<String> out = new ArrayList<>();
            for (Object item : list) {
                if (!(item instanceof String s) || s.isEmpty()) {
                    throw new Refused(name + " must be a list of non-empty strings");
                }
                out.add(checked(name, s));
            }
            return out;
        }

        void option(List<String> argv, String option, String value) {
            if (value != null) {
                argv.add(option + "=" + value);
            }
        }

        void flag(List<String> argv, String option, String name) {
            Object v = values.get(name);
            if (v != null && !(v instanceof Boolean)) {
                throw new Refused(name + " must be true or false");
            }
            if (Boolean.TRUE.equals(v)) {
                argv.add(option);
            }
        }

        private static String checked(String name, String v) {
            if (v.startsWith("-")) {
                throw new Refused(name + " '" + v + "' starts with '-' and would be read as an option; tiergate's"
                        + " options are this tool's other arguments, and a name or path cannot start with '-'"
                        + " (write ./" + v + " for a file)");
            }
            if (v.startsWith("@")) {
                throw new Refused(name + " '" + v + "' starts with '@' and would be read as an argument file; name"
                        + " the value itself (write ./" + v + " for a file)");
            }
            return v;
        }
    }

    /** The tiergate command line a tool runs for these arguments. */
    static List<String> argv(Tool tool, Map<String, Object> arguments) {
        return tool.argv().apply(new Args(tool, arguments));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Running a tool

    /** What a command printed and how it exited. */
    record Outcome(int exit, String stdout, String stderr) {}

    /** Runs the tool as the CLI would, or refuses its arguments (exit 2) without running anything. */
    static CallToolResult call(Tool tool, Map<String, Object> arguments) {
        Outcome o;
        try {
            o = run(argv(tool, arguments));
        } catch (Refused e) {
            o = new Outcome(Main.REFUSED, "", "tiergate mcp: " + tool.name() + " refused: " + e.getMessage() + "\n");
        }
        return result(tool, o);
    }

    /** {@code tiergate args...}, in this JVM, with its output captured. */
    static Outcome run(List<String> argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            try {
                exit = TiergateCli.run(argv.toArray(String[]::new), o, e);
            } catch (RuntimeException x) {
                // as Main.run answers what escapes a command
                e.println("tiergate " + argv.get(0) + ": " + x.getMessage());
                exit = Main.FAILED;
            }
        }
        return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static CallToolResult result(Tool tool, Outcome o) {
        CallToolResult.Builder b = CallToolResult.builder();
        if (!o.stdout().isEmpty()) {
            b.addTextContent(o.stdout());
        }
        if (!o.stderr().isEmpty()) {
            b.addTextContent(o.stderr());
        }
        if (o.stdout().isEmpty() && o.stderr().isEmpty()) {
            b.addTextContent("tiergate " + tool.name() + ": exit " + o.exit() + ", no output");
        }
        Map<String, Object> structured = new LinkedHashMap<>();
        structured.put("exit", o.exit());
        structured.put("stdout", o.stdout());
        structured.put("stderr", o.stderr());
        return b.structuredContent(structured).isError(o.exit() != Main.OK).build();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The server

    /** How long a command the client asked for before it left may take to finish before this process ends. */
    static final long GRACE_SECONDS = 10;

    /** Serves the tools on {@code in}/{@code out} until the client closes {@code in}. */
    static int serve(InputStream in, OutputStream out) throws InterruptedException {
        McpJsonMapper mapper = new McpSdk.JacksonMapper(JSON);
        McpSdk.Stdio transport = new McpSdk.Stdio(mapper, in, out);
        // one command at a time: they share the working tree, its branch and its state file
        ReentrantLock running = new ReentrantLock();
        List<SyncToolSpecification> tools = new ArrayList<>();
        for (Tool t : TOOLS) {
            tools.add(SyncToolSpecification.builder()
                    .tool(McpSchema.Tool.builder()
                            .name(t.name())
                            .description(t.description())
                            .inputSchema(t.inputSchema())
                            .outputSchema(OUTPUT_SCHEMA)
                            .annotations(McpSchema.ToolAnnotations.builder()
                                    .readOnlyHint(t.readOnly())
                                    .build())
                            .build())
                    .callHandler((exchange, request) -> {
                        running.lock();
                        try {
                            return call(t, request.arguments());
                        } finally {
                            running.unlock();
                        }
                    })
                    .build());
        }
        McpSyncServer server = McpServer.sync(transport)
                .serverInfo("tiergate", TiergateVersion.current())
                .instructions(INSTRUCTIONS)
                .capabilities(
                        McpSchema.ServerCapabilities.builder().tools(false).build())
                .jsonMapper(mapper)
                .jsonSchemaValidator(new McpSdk.SchemaValidator(JSON))
                .tools(tools)
                .build();
        transport.closed.await();
        // a command under way (a claim between its branch and its state file) finishes; its answer has no reader
        if (running.tryLock(GRACE_SECONDS, TimeUnit.SECONDS)) {
            running.unlock();
        }
        server.close();
        return Main.OK;
    }
}
