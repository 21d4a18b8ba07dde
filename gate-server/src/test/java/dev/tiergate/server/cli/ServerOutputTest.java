package dev.tiergate.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.server.support.ChildServer;
import dev.tiergate.testkit.WebhookSender;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code tiergate server} prints: one start-up line, a line per delivery, nothing from the libraries. */
class ServerOutputTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SECRET = "s3cret";

    @Test
    void textSaysWhereItListensWhichStoreAndForgesInOneLineThenOneLinePerDelivery(@TempDir Path home) throws Exception {
        try (ChildServer server = new ChildServer(
                home, Map.of("TIERGATE_GITHUB_WEBHOOK_SECRET", SECRET, "TIERGATE_GITHUB_TOKEN", "t0ken"))) {
            int port = server.awaitListening(90_000);
            String id = UUID.randomUUID().toString();
            assertEquals(
                    202,
                    new WebhookSender("http://127.0.0.1:" + port, SECRET)
                            .send(
                                    "ping",
                                    "{\"zen\":\"Design for failure.\",\"hook_id\":1}".getBytes(StandardCharsets.UTF_8),
                                    id));
            String line = awaitLine(server, "delivery ");
            List<String> lines = List.of(server.output().split("\n"));
            // first start: a line saying the embedded PostgreSQL is being set up, then the start-up line, then the
            // delivery
            assertEquals(3, lines.size(), server.output());
            assertTrue(
                    lines.get(0).contains("first start of the embedded PostgreSQL")
                            && lines.get(0).contains("a few seconds"),
                    lines.get(0));
            assertTrue(
                    lines.get(1)
                            .matches("\\S+Z tiergate server listening on http://127\\.0\\.0\\.1:" + port
                                    + "; store: embedded PostgreSQL jdbc:postgresql://localhost:\\d+/postgres \\(data in "
                                    + home.resolve("pg") + "\\)"
                                    + "; forges: github \\(https://api\\.github\\.com, token\\)"),
                    lines.get(1));
            assertTrue(line.matches("\\S+Z delivery done github ping " + id + " \\d+ ms"), line);
            assertTrue(
                    !server.output().contains("t0ken") && !server.output().contains(SECRET), "a secret in the output");
        }
    }

    @Test
    void jsonIsOneObjectPerLineForLogShippers(@TempDir Path home) throws Exception {
        try (ChildServer server = new ChildServer(
                home, Map.of("TIERGATE_GITHUB_WEBHOOK_SECRET", SECRET, "TIERGATE_LOG_FORMAT", "json"))) {
            int port = server.awaitListening(90_000);
            String id = UUID.randomUUID().toString();
            assertEquals(
                    202,
                    new WebhookSender("http://127.0.0.1:" + port, SECRET)
                            .send(
                                    "ping",
                                    "{\"zen\":\"Keep it logically awesome.\",\"hook_id\":1}"
                                            .getBytes(StandardCharsets.UTF_8),
                                    id));
            awaitLine(server, "\"kind\":\"delivery\"");
            List<JsonNode> lines = new ArrayList<>();
            for (String l : server.output().split("\n")) {
                lines.add(JSON.readTree(l)); // every line is JSON: a library's text line would fail here
            }
            assertEquals(
                    List.of("progress", "started", "delivery"),
                    lines.stream().map(n -> n.path("kind").asText()).toList(),
                    server.output());
            JsonNode started = lines.get(1);
            assertEquals("http://127.0.0.1:" + port, started.path("listen").asText());
            assertTrue(started.path("store").asText().startsWith("embedded PostgreSQL"), started.toString());
            assertEquals(
                    "github (https://api.github.com, no credentials)",
                    started.path("forges").get(0).asText());
            JsonNode d = lines.get(2);
            assertEquals("done", d.path("outcome").asText());
            assertEquals("github", d.path("forge").asText());
            assertEquals("ping", d.path("event").asText());
            assertEquals(id, d.path("delivery_id").asText());
            assertTrue(d.path("ms").isIntegralNumber() && d.path("ts").asText().endsWith("Z"), d.toString());
        }
    }

    @Test
    void anUnknownLogFormatIsRefusedWithTheChoices(@TempDir Path home) throws Exception {
        try (ChildServer server =
                new ChildServer(home, Map.of("TIERGATE_GITHUB_WEBHOOK_SECRET", SECRET, "TIERGATE_LOG_FORMAT", "xml"))) {
            assertTrue(server.process.waitFor(60, TimeUnit.SECONDS));
            assertEquals(2, server.process.exitValue());
            assertTrue(
                    server.output()
                            .contains("TIERGATE_LOG_FORMAT=xml: not a log format; use text (the default) or json"),
                    server.output());
        }
    }

    private static String awaitLine(ChildServer server, String needle) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            for (String l : server.output().split("\n")) {
                if (l.contains(needle)) {
                    return l;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no line with " + needle + ":\n" + server.output());
    }
}
