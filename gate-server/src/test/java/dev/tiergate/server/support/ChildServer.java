package dev.tiergate.server.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code tiergate server} in a child JVM on the test class path, so it can be killed with SIGKILL. */
public final class ChildServer implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("(?:listening on |\"listen\":\")http://[^ \"]*:(\\d+)");
    public final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    public ChildServer(Path home, Map<String, String> env) throws IOException {
        this(home, env, "-Xmx256m");
    }

    public ChildServer(Path home, Map<String, String> env, String heap) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                heap,
                "-cp",
                System.getProperty("java.class.path"),
                "dev.tiergate.server.cli.ServerMain",
                "server",
                "--port",
                "0"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("TIERGATE_HOME", home.toString());
        pb.environment().putAll(env);
        this.process = pb.start();
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String l = r.readLine(); l != null; l = r.readLine()) {
                            lines.add(l);
                        }
                    } catch (IOException e) {
                        // the child is gone
                    }
                },
                "child-server-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** The port once the server says it listens; fails with everything it printed when it exits or takes too long. */
    public int awaitListening(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            String l = lines.poll(100, TimeUnit.MILLISECONDS);
            if (l != null) {
                seen.add(l);
                Matcher m = LISTENING.matcher(l);
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            } else if (!process.isAlive() && lines.isEmpty()) {
                throw new AssertionError("server exited with " + process.exitValue() + ":\n" + String.join("\n", seen));
            }
        }
        throw new AssertionError("server did not listen within " + timeoutMillis + " ms:\n" + String.join("\n", seen));
    }

    public String output() {
        lines.drainTo(seen);
        return String.join("\n", seen);
    }

    public void kill9() throws InterruptedException {
        process.destroyForcibly(); // SIGKILL on Unix: no shutdown hook runs
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy(); // SIGTERM: the shutdown hook stops the server and its PostgreSQL
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
