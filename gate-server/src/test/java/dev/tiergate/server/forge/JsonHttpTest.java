package dev.tiergate.server.forge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JsonHttpTest {
    static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    /** An answer the test server gives: status, headers, body ("" for none). */
    record Reply(int status, Map<String, String> headers, String body) {}

    /** Path → what to answer, given the request's If-None-Match (null when absent). */
    final Map<String, Function<String, Reply>> routes = new ConcurrentHashMap<>();

    final HttpServer server;
    final JsonHttp http;

    JsonHttpTest() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
        http = new JsonHttp(
                "http://localhost:" + server.getAddress().getPort(),
                Map.of(),
                Clock.fixed(NOW, ZoneOffset.UTC),
                new ApiCallCounter());
    }

    private void answer(HttpExchange ex) throws IOException {
        try (ex) {
            Function<String, Reply> route = routes.get(ex.getRequestURI().getPath());
            Reply r = route == null
                    ? new Reply(404, Map.of(), "{\"message\":\"Not Found\"}")
                    : route.apply(ex.getRequestHeaders().getFirst("If-None-Match"));
            r.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(r.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                ex.getResponseBody().write(body);
            }
        }
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    static HttpHeaders headers(Map<String, String> h) {
        return HttpHeaders.of(
                h.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> List.of(e.getValue()))),
                (a, b) -> true);
    }

    @Test
    void anUnchangedAnswerIsAFree304AndTheCachedBodyIsReturned() {
        // GitHub answers a conditional request whose ETag still matches with 304 and no body
        // (docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate)
        routes.put(
                "/repos/a/b",
                ifNoneMatch -> "\"v1\"".equals(ifNoneMatch)
                        ? new Reply(304, Map.of("ETag", "\"v1\""), "")
                        : new Reply(200, Map.of("ETag", "\"v1\""), "{\"default_branch\":\"main\"}"));
        assertEquals("main", http.get("/repos/a/b").path("default_branch").asText());
        assertEquals(
                "main", http.get("/repos/a/b").path("default_branch").asText(), "the 304 is answered from the cache");
        assertEquals(2, http.calls().requests());
        assertEquals(1, http.calls().notModified());
        assertEquals(1, http.calls().charged());
        assertEquals(Map.of("GET /repos/{repo}", 2L), http.calls().byRoute());
    }

    @Test
    void rateLimitsSayHowLongToWait() {
        assertEquals(
                Optional.of(Duration.ofSeconds(30)), http.rateLimitWait(429, headers(Map.of("retry-after", "30"))));
        assertEquals(
                Optional.of(Duration.ofSeconds(60)),
                http.rateLimitWait(403, headers(Map.of("retry-after", "60"))),
                "secondary limit");
        assertEquals(
                Optional.of(Duration.ofSeconds(120)),
                http.rateLimitWait(
                        403,
                        headers(Map.of(
                                "x-ratelimit-remaining",
                                "0",
                                "x-ratelimit-reset",
                                Long.toString(NOW.getEpochSecond() + 120)))),
                "primary limit");
        assertEquals(
                Optional.of(Duration.ofSeconds(90)),
                http.rateLimitWait(429, headers(Map.of("retry-after", "Thu, 26 Nov 2026 10:01:30 GMT"))));
        assertEquals(
                Optional.of(Duration.ofMinutes(1)), http.rateLimitWait(429, headers(Map.of())), "no hint: a minute");
        assertEquals(
                Optional.empty(),
                http.rateLimitWait(403, headers(Map.of("x-ratelimit-remaining", "4999"))),
                "a plain 403 is no rate limit");
    }

    @Test
    void aRateLimitedCallIsRetryableWithTheWaitAndAPlain403IsFinal() {
        routes.put(
                "/limited",
                any -> new Reply(
                        403,
                        Map.of("Retry-After", "45"),
                        "{\"message\":\"You have exceeded a secondary rate limit\"}"));
        ForgeException e = assertThrows(ForgeException.class, () -> http.get("/limited"));
        assertTrue(e.retryable());
        assertEquals(Optional.of(Duration.ofSeconds(45)), e.retryAfter());
        routes.put(
                "/forbidden",
                any -> new Reply(403, Map.of(), "{\"message\":\"Resource not accessible by integration\"}"));
        ForgeException f = assertThrows(ForgeException.class, () -> http.get("/forbidden"));
        assertFalse(f.retryable());
        assertTrue(f.getMessage().contains("Resource not accessible by integration"), f.getMessage());
    }
}
