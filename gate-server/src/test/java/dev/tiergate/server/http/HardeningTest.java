package dev.tiergate.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.store.Database;
import dev.tiergate.server.support.ChildServer;
import dev.tiergate.server.support.ServerHarness;
import dev.tiergate.server.support.TestPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No request without a valid signature can make the server slower for anyone else. */
class HardeningTest {
    static ServerHarness h;

    @BeforeAll
    static void start() {
        h = new ServerHarness();
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void healthChecksByTheDozenNeitherDelayAWebhookNorStopTheWorkers() throws Exception {
        AtomicBoolean go = new AtomicBoolean(true);
        AtomicInteger answered = new AtomicInteger();
        List<Thread> probes = new ArrayList<>();
        CountDownLatch started = new CountDownLatch(64);
        for (int i = 0; i < 64; i++) {
            Thread t = new Thread(() -> {
                HttpClient c = HttpClient.newHttpClient();
                started.countDown();
                while (go.get()) {
                    try {
                        if (c.send(
                                                HttpRequest.newBuilder(URI.create(h.baseUrl() + "/healthz"))
                                                        .build(),
                                                HttpResponse.BodyHandlers.ofString())
                                        .statusCode()
                                == 200) {
                            answered.incrementAndGet();
                        }
                    } catch (IOException | InterruptedException e) {
                        return;
                    }
                }
            });
            t.start();
            probes.add(t);
        }
        try {
            started.await();
            long t0 = System.nanoTime();
            byte[] body = "{\"zen\":\"x\",\"hook_id\":1}".getBytes(StandardCharsets.UTF_8);
            var r = h.postRaw("/webhooks/github", WebhookEndpointTest.signed("ping", "under-load", body), body);
            long ackMillis = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(202, r.statusCode());
            assertTrue(ackMillis < 2000, "acknowledged after " + ackMillis + " ms under 64 concurrent health checks");
            long deadline = System.currentTimeMillis() + 5000;
            while (!"done"
                    .equals(h.server.inbox().statusOf("github", "under-load").orElseThrow()[0])) {
                assertTrue(System.currentTimeMillis() < deadline, "no worker claimed the delivery within 5 s");
                Thread.sleep(20);
            }
        } finally {
            go.set(false);
            for (Thread t : probes) {
                t.join(5000);
            }
        }
        assertTrue(answered.get() >= 64, "health checks answered: " + answered.get());
    }

    @Test
    void slowSendersAreDroppedAndHealthChecksStayFast() throws Exception {
        List<Socket> slow = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Socket s = new Socket();
            s.connect(new InetSocketAddress("127.0.0.1", h.server.port()), 2000);
            s.setSoTimeout(200);
            s.getOutputStream()
                    .write(("POST /webhooks/github HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                    + "X-GitHub-Event: push\r\nX-GitHub-Delivery: slow-" + i
                                    + "\r\nX-Hub-Signature-256: sha256=00\r\n"
                                    + "Content-Length: 100000\r\n\r\n{")
                            .getBytes(StandardCharsets.US_ASCII));
            slow.add(s);
        }
        Map<Socket, Boolean> closed = new ConcurrentHashMap<>();
        AtomicLong slowestProbe = new AtomicLong();
        HttpClient probe = HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + 15_000;
        while (closed.size() < slow.size() && System.currentTimeMillis() < deadline) {
            for (Socket s : slow) {
                if (!closed.containsKey(s) && droppedByServer(s)) {
                    closed.put(s, true);
                }
            }
            long t0 = System.nanoTime();
            int code = probe.send(
                            HttpRequest.newBuilder(URI.create(h.baseUrl() + "/healthz"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .statusCode();
            slowestProbe.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
            assertEquals(200, code);
            Thread.sleep(250); // the senders' pace: one byte per round
        }
        for (Socket s : slow) {
            s.close();
        }
        assertEquals(slow.size(), closed.size(), "slow senders still connected after 15 s");
        assertTrue(
                slowestProbe.get() < 1000, "slowest /healthz while 40 senders trickled: " + slowestProbe.get() + " ms");
    }

    /** Sends one more byte; true once the server has answered or closed the connection. */
    private static boolean droppedByServer(Socket s) {
        try {
            OutputStream out = s.getOutputStream();
            out.write(' ');
            out.flush();
            InputStream in = s.getInputStream();
            try {
                return in.read() != 0 || true; // any answer (a 408/503) or end of stream means the server gave up on it
            } catch (SocketTimeoutException e) {
                return false;
            }
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    void aDeclaredLengthOverTheCapIsRefusedAtItsFirstByte() throws Exception {
        try (Socket s = new Socket("127.0.0.1", h.server.port())) {
            s.setSoTimeout(2000);
            s.getOutputStream()
                    .write(
                            ("POST /webhooks/github HTTP/1.1\r\nHost: x\r\nX-GitHub-Event: push\r\nX-GitHub-Delivery: huge\r\n"
                                            + "Content-Length: " + (26L * 1024 * 1024) + "\r\n\r\n{")
                                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 413", answer);
        }
    }

    /**
     * The server runs in a child JVM with a 320 MB heap: 48 concurrent 24 MB bodies (1.1 GB) read whole, as before,
     * exhaust it; read at most 8 at a time, they fit, and every sender gets an answer. (The 96 uploads
     * take twice as long on the shared 2-core machine and prove nothing more.)
     */
    static final int UPLOADS = 48;

    @Test
    void concurrentOversizedUploadsWithAWrongSignatureFitInA320MegabyteHeap(@TempDir Path home) throws Exception {
        Database store = TestPostgres.freshStore();
        store.close();
        try (ChildServer child = new ChildServer(
                home,
                Map.of(
                        "TIERGATE_GITHUB_WEBHOOK_SECRET",
                        ServerHarness.SECRET,
                        "TIERGATE_DB_URL",
                        store.jdbcUrl(),
                        "TIERGATE_DB_USER",
                        "postgres"),
                "-Xmx320m")) {
            int port = child.awaitListening(30_000);
            String base = "http://127.0.0.1:" + port;
            byte[] body = new byte[24 * 1024 * 1024];
            Arrays.fill(body, (byte) ' ');
            HttpClient client =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
            List<CompletableFuture<?>> all = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < UPLOADS; i++) {
                HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/webhooks/github"))
                        .header("X-GitHub-Event", "push")
                        .header("X-GitHub-Delivery", "big-" + i)
                        .header("X-Hub-Signature-256", "sha256=" + "0".repeat(64))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build();
                all.add(client.sendAsync(req, HttpResponse.BodyHandlers.discarding())
                        .handle((r, e) -> answers.computeIfAbsent(
                                        r == null ? e.getClass().getSimpleName() : Integer.toString(r.statusCode()),
                                        k -> new AtomicInteger())
                                .incrementAndGet()));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            System.out.printf(
                    UPLOADS + " x 24 MB with a wrong signature against -Xmx320m: %s in %d ms%n",
                    answers,
                    (System.nanoTime() - t0) / 1_000_000);
            assertTrue(answers.containsKey("401"), "some were read whole and refused for their signature: " + answers);
            assertTrue(
                    answers.keySet().stream()
                            .allMatch(k -> k.equals("401") || k.equals("503") || k.endsWith("Exception")),
                    "only 401 and 503 (or a connection closed after the 503): " + answers);
            var health = client.send(
                    HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());
            assertTrue(child.process.isAlive());
            assertTrue(!child.output().contains("OutOfMemoryError"), child.output());
        }
    }
}
