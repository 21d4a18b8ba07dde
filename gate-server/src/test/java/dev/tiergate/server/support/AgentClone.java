package dev.tiergate.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.core.state.JsonSchemas;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A clone of a stand-in forge's repository on disk, driven as a person or an agent drives one: the real {@code git}
 * binary (its credentials in git's own {@code store} helper, isolated from the user's configuration) and the real
 * {@code tiergate} command, run as a process from the test class path. What a command prints is kept for asserting.
 */
public final class AgentClone {
    static final ObjectMapper JSON = new ObjectMapper();
    public final Path dir;
    private final Path root;
    private final Path launcher;
    private final Map<String, String> env = new HashMap<>();

    /** One command's exit code and output. */
    public record Run(int exit, String out, String err) {
        /** Every line of standard output as JSON (each must parse). */
        public List<JsonNode> lines() {
            List<JsonNode> out = new ArrayList<>();
            for (String l : this.out.split("\n")) {
                if (!l.isBlank()) {
                    try {
                        out.add(JSON.readTree(l));
                    } catch (IOException e) {
                        throw new AssertionError("not JSON on standard output: " + l + "\nstderr: " + err, e);
                    }
                }
            }
            return out;
        }

        /** The last JSON line, after checking every line against {@code schema} (or the error schema). */
        public JsonNode json(String schema) {
            List<JsonNode> all = lines();
            if (all.isEmpty()) {
                throw new AssertionError("no JSON on standard output (exit " + exit + "): " + err);
            }
            for (JsonNode n : all) {
                String s = n.has("error") && n.size() == 1 ? JsonSchemas.CLI_ERROR : schema;
                var problems = JsonSchemas.validate(s, n);
                if (!problems.isEmpty()) {
                    throw new AssertionError("against " + s + ": " + problems + "\n" + n);
                }
            }
            return all.get(all.size() - 1);
        }

        @Override
        public String toString() {
            return "exit " + exit + "\nout: " + out + "\nerr: " + err;
        }
    }

    /**
     * Clones {@code cloneUrl} into {@code root/name}; git's credential store holds {@code user:token} for its host, so
     * the forge token of {@code tiergate pr|merge} comes from git's credential helper as it would on a laptop.
     */
    public AgentClone(Path root, String name, String cloneUrl, String user, String token) throws IOException {
        this.root = root;
        this.dir = root.resolve(name);
        Path home = root.resolve(name + "-home");
        Files.createDirectories(home);
        env.put("HOME", home.toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", home.resolve(".gitconfig").toString());
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("TIERGATE_ACTOR", "");
        for (String k : List.of("GH_TOKEN", "GITHUB_TOKEN", "GITLAB_TOKEN", "TIERGATE_TOKEN", "TIERGATE_API_TOKEN")) {
            env.put(k, "");
        }
        String cp = hooksClassPath();
        this.launcher = root.resolve(name + "-tiergate");
        Files.writeString(
                launcher,
                "#!/bin/sh\ncase $0 in /*) self=$0 ;; *) self=$PWD/$0 ;; esac\nexec '"
                        + Path.of(System.getProperty("java.home"), "bin", "java")
                        + "' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dtiergate.launcher=\"$self\" -cp '" + cp
                        + "' dev.tiergate.hooks.Main \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path credentials = home.resolve(".git-credentials");
        java.net.URI u = java.net.URI.create(cloneUrl);
        Files.writeString(
                credentials, u.getScheme() + "://" + user + ":" + token + "@" + u.getHost() + ":" + u.getPort() + "\n");
        ok(root, "git", "config", "--global", "credential.helper", "store --file=" + credentials);
        ok(root, "git", "config", "--global", "user.name", name);
        ok(root, "git", "config", "--global", "user.email", name + "@example.com");
        ok(root, "git", "config", "--global", "init.defaultBranch", "main");
        ok(root, "git", "clone", "-q", cloneUrl, dir.toString());
    }

    /**
     * The command as install.sh installs it: the hooks module's jar and its libraries (JGit, picocli, the MCP SDK),
     * which the reactor packaged before this module's tests ran.
     */
    static String hooksClassPath() throws IOException {
        Path target = Path.of("..", "hooks", "target").toAbsolutePath().normalize();
        List<String> parts = new ArrayList<>();
        try (var jars = Files.list(target)) {
            jars.filter(j -> j.getFileName().toString().matches("tiergate-hooks-.*(?<!-sources|-tests)\\.jar"))
                    .forEach(j -> parts.add(j.toString()));
        }
        if (parts.isEmpty() || !Files.isDirectory(target.resolve("lib"))) {
            throw new IllegalStateException("no packaged hooks module under " + target + "; run mvn package first");
        }
        parts.add(target.resolve("lib").toString() + "/*");
        return String.join(":", parts);
    }

    public void env(String k, String v) {
        env.put(k, v);
    }

    public void write(String path, String content) throws IOException {
        Path p = dir.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content, StandardCharsets.UTF_8);
    }

    public String read(String path) throws IOException {
        return Files.readString(dir.resolve(path), StandardCharsets.UTF_8);
    }

    public Run git(String... args) throws IOException {
        List<String> c = new ArrayList<>(List.of("git"));
        c.addAll(List.of(args));
        return run(dir, c);
    }

    /** git, which must succeed; its standard output, stripped. */
    public String gitOk(String... args) throws IOException {
        List<String> c = new ArrayList<>(List.of("git"));
        c.addAll(List.of(args));
        return ok(dir, c.toArray(String[]::new)).out().strip();
    }

    public Run tiergate(String... args) throws IOException {
        List<String> c = new ArrayList<>(List.of(launcher.toString()));
        c.addAll(List.of(args));
        return run(dir, c);
    }

    /** A command left running, e.g. a {@code tiergate wait} while the test pushes. */
    public record Background(Process process, Path out, Path err) {
        public Run finish() throws Exception {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the command did not end within 120 s");
            }
            return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
        }

        /** Standard output so far. */
        public String outSoFar() throws IOException {
            return Files.readString(out);
        }
    }

    public Background start(String... args) throws IOException {
        List<String> c = new ArrayList<>(List.of(launcher.toString()));
        c.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(c).directory(dir.toFile());
        pb.environment().putAll(env);
        Path out = Files.createTempFile(root, "out", ".txt");
        Path err = Files.createTempFile(root, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        return new Background(p, out, err);
    }

    /**
     * One MCP tool call through {@code tiergate mcp} over stdio, as a client makes it: initialize, initialized,
     * tools/call; the call's result (its structuredContent has exit, stdout and stderr). Every line the server writes
     * must be JSON-RPC.
     */
    public JsonNode mcpCall(String tool, Map<String, Object> arguments) throws Exception {
        java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        List<String> c = new ArrayList<>(List.of(launcher.toString(), "mcp"));
        ProcessBuilder pb = new ProcessBuilder(c).directory(dir.toFile());
        pb.environment().putAll(env);
        pb.redirectError(Files.createTempFile(root, "mcp-err", ".txt").toFile());
        Process mcp = pb.start();
        Thread reader = new Thread(() -> {
            try (var in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(mcp.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = in.readLine()) != null; ) {
                    lines.add(l);
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        try (var out = mcp.getOutputStream()) {
            send(
                    out,
                    Map.of(
                            "jsonrpc",
                            "2.0",
                            "id",
                            1,
                            "method",
                            "initialize",
                            "params",
                            Map.of(
                                    "protocolVersion", "2025-06-18",
                                    "capabilities", Map.of(),
                                    "clientInfo", Map.of("name", "AgentClone", "version", "1"))));
            answer(lines, 1);
            send(out, Map.of("jsonrpc", "2.0", "method", "notifications/initialized"));
            send(
                    out,
                    Map.of(
                            "jsonrpc",
                            "2.0",
                            "id",
                            2,
                            "method",
                            "tools/call",
                            "params",
                            Map.of("name", tool, "arguments", arguments)));
            JsonNode result = answer(lines, 2).path("result");
            if (result.isMissingNode()) {
                throw new AssertionError("tools/call " + tool + " had no result");
            }
            return result;
        } finally {
            if (!mcp.waitFor(30, TimeUnit.SECONDS)) {
                mcp.destroyForcibly();
            }
        }
    }

    private static void send(java.io.OutputStream out, Object message) throws IOException {
        out.write((JSON.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static JsonNode answer(java.util.concurrent.BlockingQueue<String> lines, int id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            String l = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (l == null) {
                throw new AssertionError("tiergate mcp did not answer request " + id + " within 120 s");
            }
            JsonNode n = JSON.readTree(l);
            if (!"2.0".equals(n.path("jsonrpc").asText())) {
                throw new AssertionError("not JSON-RPC on tiergate mcp's standard output: " + l);
            }
            if (n.path("id").asInt(-1) == id) {
                return n;
            }
        }
    }

    public String head() throws IOException {
        return gitOk("rev-parse", "HEAD");
    }

    private Run ok(Path in, String... cmd) throws IOException {
        Run r = run(in, List.of(cmd));
        if (r.exit() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed: " + r);
        }
        return r;
    }

    private Run run(Path in, List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(in.toFile());
        pb.environment().putAll(env);
        pb.environment().remove("GIT_DIR");
        pb.environment().remove("GIT_INDEX_FILE");
        Path out = Files.createTempFile(root, "out", ".txt");
        Path err = Files.createTempFile(root, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        try {
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + " did not end within 180 s");
            }
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
