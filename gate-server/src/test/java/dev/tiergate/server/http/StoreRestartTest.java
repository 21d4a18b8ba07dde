package dev.tiergate.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.store.Database;
import dev.tiergate.server.support.ServerHarness;
import dev.tiergate.server.support.TestPostgres;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The store stopped and started again while deliveries keep coming: while it is down the server answers 503 (so the
 * forge delivers again), never a 2xx it could not keep; afterwards it reconnects by itself, and every delivery it
 * acknowledged is stored and processed once with one audit record.
 */
class StoreRestartTest {
    static EmbeddedPostgres start(Path data, int port) throws Exception {
        return EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .setPort(port)
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .start();
    }

    static int freePort() throws Exception {
        try (var s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!done.getAsBoolean()) {
            assertTrue(System.currentTimeMillis() < deadline, "not within 60 s: " + what);
            Thread.sleep(20);
        }
    }

    @Test
    void whileTheStoreIsDownDeliveriesAre503AndNothingAcknowledgedIsLost() throws Exception {
        Path data = Files.createTempDirectory("tiergate-store-restart");
        int port = freePort();
        EmbeddedPostgres pg = start(data, port);
        Map<String, Integer> answers = new ConcurrentHashMap<>();
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean sending = new AtomicBoolean(true);
        try (ServerHarness h =
                new ServerHarness(Map.of(), Database.at(pg.getJdbcUrl("postgres", "postgres"), "postgres", null))) {
            Thread sender = new Thread(
                    () -> {
                        for (int i = 0; i < 5_000 && sending.get(); i++) { // bounded: stops when told, or after 5,000
                            String id = "sr-" + i;
                            byte[] body =
                                    ("{\"zen\":\"restart " + i + "\",\"hook_id\":1}").getBytes(StandardCharsets.UTF_8);
                            int code;
                            try {
                                code = h.hooks.send("ping", body, id);
                            } catch (Exception e) {
                                code = -1;
                            }
                            answers.put(id, code);
                            order.add(id);
                        }
                    },
                    "store-restart-sender");
            sender.start();
            try {
                await(
                        "50 deliveries acknowledged",
                        () -> answers.values().stream().filter(c -> c == 202).count() >= 50);
                pg.close();
                await("a 503 while the store is down", () -> answers.containsValue(503));
                pg = start(data, port);
                int before = order.size();
                await("20 deliveries acknowledged after the restart", () -> {
                    synchronized (order) {
                        return order.stream()
                                        .skip(before)
                                        .filter(id -> answers.get(id) == 202)
                                        .count()
                                >= 20;
                    }
                });
            } finally {
                sending.set(false);
                sender.join(30_000);
            }
            for (var a : answers.entrySet()) {
                assertTrue(
                        a.getValue() == 202 || a.getValue() == 503,
                        a.getKey() + " was answered " + a.getValue() + ", not 202 or 503");
            }
            // the forge delivers again what was not acknowledged
            for (var a : answers.entrySet()) {
                if (a.getValue() != 202) {
                    byte[] body = ("{\"zen\":\"again\",\"hook_id\":1}").getBytes(StandardCharsets.UTF_8);
                    assertEquals(202, h.hooks.send("ping", body, a.getKey()));
                }
            }
            h.awaitIdle();
            Map<String, Long> audited = new HashMap<>();
            h.server.audit().all().stream()
                    .filter(r -> r.kind().equals("delivery"))
                    .forEach(r -> audited.merge(r.subject(), 1L, Long::sum));
            for (String id : answers.keySet()) {
                String[] status = h.server
                        .inbox()
                        .statusOf("github", id)
                        .orElseThrow(() -> new AssertionError(id + " is not in the inbox"));
                assertEquals("done", status[0], id + ": " + String.join(" ", status));
                assertEquals(1L, audited.getOrDefault("github:" + id, 0L), id + " has one delivery record");
            }
            assertTrue(h.server.audit().verify().isEmpty(), "the audit chain is intact");
        } finally {
            pg.close();
            TestPostgres.deleteTree(data);
        }
    }
}
