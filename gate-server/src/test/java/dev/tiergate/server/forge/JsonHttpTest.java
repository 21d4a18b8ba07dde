package dev.tiergate.server.forge;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JsonHttpTest {
    static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    final WireMockServer wm = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    final JsonHttp http;

    JsonHttpTest() {
        wm.start();
        http = new JsonHttp(wm.baseUrl(), Map.of(), Clock.fixed(NOW, ZoneOffset.UTC), new ApiCallCounter());
    }

    @AfterEach
    void stop() {
        wm.stop();
    }

    static HttpHeaders headers(Map<String, String> h) {
        return HttpHeaders.of(
                h.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> List.of(e.getValue()))),
                (a, b) -> true);
    }

    @Test
    void anUnchangedAnswerIsAFree304AndTheCachedBodyIsReturned() {
        wm.stubFor(get(urlPathEqualTo("/repos/a/b"))
                .withHeader("If-None-Match", absent())
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("ETag", "\"v1\"")
                        .withBody("{\"default_branch\":\"main\"}")));
        wm.stubFor(get(urlPathEqualTo("/repos/a/b"))
                .withHeader("If-None-Match", equalTo("\"v1\""))
                .willReturn(aResponse().withStatus(304)));
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
        wm.stubFor(get(urlPathEqualTo("/limited"))
                .willReturn(aResponse()
                        .withStatus(403)
                        .withHeader("Retry-After", "45")
                        .withBody("{\"message\":\"You have exceeded a secondary rate limit\"}")));
        ForgeException e = assertThrows(ForgeException.class, () -> http.get("/limited"));
        assertTrue(e.retryable());
        assertEquals(Optional.of(Duration.ofSeconds(45)), e.retryAfter());
        wm.stubFor(get(urlPathEqualTo("/forbidden"))
                .willReturn(aResponse()
                        .withStatus(403)
                        .withBody("{\"message\":\"Resource not accessible by integration\"}")));
        ForgeException f = assertThrows(ForgeException.class, () -> http.get("/forbidden"));
        assertFalse(f.retryable());
        assertTrue(f.getMessage().contains("Resource not accessible by integration"), f.getMessage());
    }
}
