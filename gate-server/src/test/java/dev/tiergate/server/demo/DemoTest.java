package dev.tiergate.server.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoTest {
    /** What the libraries' log lines look like (slf4j-simple: "[thread] LEVEL logger - message", or a date first). */
    static final Pattern LIBRARY_LINE = Pattern.compile(
            "(^\\[|^\\d{4}-\\d\\d-\\d\\dT.* (INFO|WARN|ERROR|DEBUG) |\\b(INFO|WARN) (io\\.javalin|org\\.eclipse"
                    + "|com\\.zaxxer|io\\.zonky|org\\.flywaydb)|Javalin|Jetty|jetty-|HikariPool|Did not clean up directory|days old)");

    @TempDir
    Path tmp;

    @Test
    void tellsTheWholeStoryAndLeavesNothingRunning() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code = Demo.run(new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        assertStory(out);
        // nothing of the server is left running: no workers, reconciler, HTTP server threads or connection pools
        Thread.sleep(200);
        List<String> left = Thread.getAllStackTraces().keySet().stream()
                .map(Thread::getName)
                .filter(n -> n.startsWith("tiergate-")
                        || n.startsWith("qtp")
                        || n.startsWith("JettyServerThreadPool")
                        || n.contains("Hikari"))
                .toList();
        assertTrue(left.isEmpty(), "threads still running: " + left);
    }

    /** {@code tiergate demo --no-wait} as the launcher runs it: the story on stdout, and not one line from the libraries. */
    @Test
    void printsOnlyItsStoryByDefault() throws Exception {
        Child demo = Child.start(tmp, "demo", "--no-wait");
        demo.process.getOutputStream().close();
        assertEquals(0, demo.process.waitFor(120, TimeUnit.SECONDS) ? demo.process.exitValue() : -1, demo.output());
        String out = demo.stdout();
        assertStory(out);
        assertTrue(out.contains("Starting an embedded PostgreSQL (a few seconds)"), out);
        assertEquals("", demo.stderr(), "the libraries said something on stderr");
        for (String line : out.split("\n")) {
            assertTrue(
                    !LIBRARY_LINE.matcher(line).find(), "a library's line in the demo's output: " + line + "\n" + out);
        }
    }

    /** Without --no-wait the demo keeps its server up and shows its pages until Enter; --verbose brings the libraries back. */
    @Test
    void waitsForEnterWithTheDashboardUpAndVerboseShowsTheLibraries() throws Exception {
        Child demo = Child.start(tmp, "demo", "--verbose");
        try {
            waitsForEnter(demo);
        } finally {
            demo.process.destroyForcibly();
        }
    }

    private static void waitsForEnter(Child demo) throws Exception {
        String url = demo.awaitStdout(Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/ui/acme/inventory)\\s"), 120_000);
        HttpResponse<String> page = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(
                page.body().contains("feature/F3-agent-index")
                        && page.body().contains("gate.approvals.agent-needs-human"),
                page.body());
        assertTrue(demo.process.isAlive(), "the demo must wait for Enter");
        assertTrue(demo.stdout().contains("Press Enter to stop."), demo.stdout());
        demo.process.getOutputStream().write('\n');
        demo.process.getOutputStream().flush();
        assertTrue(demo.process.waitFor(60, TimeUnit.SECONDS), "Enter did not stop the demo");
        assertEquals(0, demo.process.exitValue(), demo.output());
        assertTrue(demo.stdout().contains("temporary files removed"), demo.stdout());
        assertTrue(
                demo.stderr().contains("io.javalin") && demo.stderr().contains("HikariDataSource"),
                "--verbose shows the libraries:\n" + demo.stderr());
    }

    static void assertStory(String out) {
        assertTrue(
                out.contains("database branches in PostgreSQL: feature-f1-split-inventory, production, staging"), out);
        assertTrue(
                out.contains(
                        "database branches in PostgreSQL: ci-pr-1, feature-f1-split-inventory, production, staging"),
                out);
        assertTrue(out.contains("feature/F1-split-inventory is ci-green"), out);
        assertTrue(out.contains("SUCCESS — All tiergate rules hold"), out);
        assertTrue(out.contains("feature/F1-split-inventory is merged"), out);
        assertTrue(
                out.contains(
                        "FAILURE — feature branches merge into staging, not main (production); retarget the PR [gate.edge.skips-tier]"),
                out);
        assertTrue(out.contains("[gate.approvals.agent-needs-human]"), out);
        assertTrue(out.contains("tiergate/migrations on "), out);
        assertTrue(out.contains("SUCCESS — 1 migration(s) rehearsed on a copy of staging: all applied"), out);
        assertTrue(out.contains("+ column public.inventory.code_prefix: text"), out);
        // the comment's statement rows come under their own header, not under the per-migration one (columns shifted)
        String comment = out.substring(out.indexOf("the PR comment"));
        assertTrue(
                comment.indexOf("| file:line") > comment.indexOf("| migration")
                        && comment.indexOf("| file:line") < comment.indexOf(":3`"),
                comment);
        assertTrue(
                out.contains(
                        "the merge migrated staging (after a snapshot, staging-backup-pr1): V20260616093000 applied"),
                out);
        assertTrue(out.contains("chain intact"), out);
        assertTrue(out.contains("temporary files removed"), out);
    }

    /** {@code tiergate <args>} through ServerMain.main in a child JVM on the test class path, as the launcher runs it. */
    record Child(Process process, Path out, Path err) {
        static Child start(Path dir, String... args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m",
                    "-cp",
                    System.getProperty("java.class.path"),
                    "dev.tiergate.server.cli.ServerMain"));
            cmd.addAll(List.of(args));
            Path out = Files.createTempFile(dir, "out", ".txt");
            Path err = Files.createTempFile(dir, "err", ".txt");
            Process p = new ProcessBuilder(cmd)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            return new Child(p, out, err);
        }

        String stdout() throws IOException {
            return Files.readString(out, StandardCharsets.UTF_8);
        }

        String stderr() throws IOException {
            return Files.readString(err, StandardCharsets.UTF_8);
        }

        String output() throws IOException {
            return "stdout:\n" + stdout() + "\nstderr:\n" + stderr();
        }

        /** Polls stdout until {@code p} matches; its first group. */
        String awaitStdout(Pattern p, long timeoutMillis) throws Exception {
            long deadline = System.currentTimeMillis() + timeoutMillis;
            while (System.currentTimeMillis() < deadline) {
                Matcher m = p.matcher(stdout());
                if (m.find()) {
                    return m.group(1);
                }
                if (!process.isAlive()) {
                    throw new AssertionError("the demo exited with " + process.exitValue() + ":\n" + output());
                }
                Thread.sleep(50);
            }
            process.destroy();
            throw new AssertionError("no match for " + p + " within " + timeoutMillis + " ms:\n" + output());
        }
    }
}
