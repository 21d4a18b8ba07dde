package dev.tiergate.hooks.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A server or forge that answers without end ends the agent command with exit 3 and a sentence, not with the heap: the
 * client reads at most {@link BoundedBody#LIMIT} of an answer and stops reading there. No database.
 */
class BoundedBodyTest {
    HttpServer server;
    /** Bytes the endless answer managed to send before the client hung up. */
    final AtomicLong sent = new AtomicLong();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/small", x -> {
            byte[] body = "{\"number\": 7}".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, body.length);
            try (OutputStream o = x.getResponseBody()) {
                o.write(body);
            }
        });
        server.createContext("/endless", x -> {
            x.sendResponseHeaders(200, 0); // chunked, no length: only the client can end it
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) ' ');
            try (OutputStream o = x.getResponseBody()) {
                for (int i = 0; i < 100_000; i++) { // 6.4 GB if nobody stops it
                    o.write(chunk);
                    sent.addAndGet(chunk.length);
                }
            } catch (java.io.IOException hungUp) {
                // the client stopped reading: what this test wants
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void theServerClientReadsAnAnswerAndRefusesAnEndlessOne() throws Exception {
        ServerClient client = new ServerClient(url(), "t");
        assertEquals(
                7,
                client.get("/small", Duration.ofSeconds(30))
                        .body()
                        .path("number")
                        .asInt());
        ServerClient.Unreachable e =
                assertThrows(ServerClient.Unreachable.class, () -> client.get("/endless", Duration.ofSeconds(60)));
        assertTrue(
                e.getMessage()
                        .equals(url() + ": its answer is larger than 8 MiB, more than any answer it should give;"
                                + " check TIERGATE_SERVER"),
                e.getMessage());
        assertTrue(sent.get() < 64L * 1024 * 1024, "the client stopped reading near the limit: " + sent.get());
    }

    @Test
    void aForgeCallRefusesAnEndlessAnswerAsAFailureNotARefusal() {
        ForgeApi.ForgeFailure f = assertThrows(
                ForgeApi.ForgeFailure.class,
                () -> JsonCalls.call("GitHub", "GET", URI.create(url() + "/endless"), Map.of(), null));
        assertTrue(!f.refused(), "a failure (exit 3), not a refusal (exit 2)");
        assertEquals(
                "GitHub at 127.0.0.1: its answer is larger than 8 MiB, more than any answer it should give"
                        + " (GET /endless)",
                f.getMessage());
    }
}
