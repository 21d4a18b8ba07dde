package dev.tiergate.testkit;

import dev.tiergate.testkit.ForgeStub.Answer;
import dev.tiergate.testkit.ForgeStub.Call;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a call costs on {@link GitHubApiStub}: GitHub's primary rate limit ({@code X-RateLimit-*} headers on every
 * answer, 403 past the hour's limit) and conditional requests (every GET carries an {@code ETag}; a matching
 * {@code If-None-Match} is answered 304 with no body, and a 304 is not charged to the rate limit:
 * docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api).
 *
 * <p>Not thread-safe: the stub calls it only under its own lock (it synchronizes on itself), where it did when this
 * was part of it.
 */
final class GitHubRateLimit {
    private int rateLimit = 5000;
    private long rateRemaining = 5000;
    /** When the current rate-limit window ends (epoch seconds); 0 before the first request. */
    private long rateWindowEnd;

    /** ETag on every 200; a matching If-None-Match is a free 304. Rate-limit headers on everything. */
    Answer conditional(Answer a, Call c) {
        Map<String, String> h = new LinkedHashMap<>(a.headers());
        if (a.status() == 200) {
            String etag = "W/\"" + digest(a.body()) + "\"";
            h.put("ETag", etag);
            if (etag.equals(c.header("If-None-Match"))) {
                rateHeaders(h, false);
                return new Answer(304, h, null);
            }
        }
        rateHeaders(h, true);
        return new Answer(a.status(), h, a.body());
    }

    /**
     * Past the hour's limit GitHub refuses every call until the window ends: 403 with {@code X-RateLimit-Remaining: 0}
     * and the window's end in {@code X-RateLimit-Reset} (docs.github.com/en/rest/using-the-rest-api/
     * rate-limits-for-the-rest-api#exceeding-the-primary-rate-limit). Null while requests are left.
     */
    Answer rateLimitExceeded() {
        openWindow();
        if (rateRemaining > 0) {
            return null;
        }
        Map<String, String> h = new LinkedHashMap<>(Map.of("Content-Type", "application/json; charset=utf-8"));
        rateHeaders(h, false);
        return new Answer(
                403,
                h,
                ForgeStub.write(Map.of(
                        "message",
                        "API rate limit exceeded for installation ID 4242.",
                        "documentation_url",
                        "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api")));
    }

    /** The requests an hour the token may make ({@link GitHubApiStub#rateLimit}); the window starts again. */
    void rateLimit(int perHour) {
        rateLimit = perHour;
        rateWindowEnd = 0;
    }

    private void openWindow() {
        long now = Instant.now().getEpochSecond();
        if (rateWindowEnd == 0 || now >= rateWindowEnd) {
            rateWindowEnd = now + 3600;
            rateRemaining = rateLimit;
        }
    }

    /**
     * GitHub's primary rate limit: 5,000 charged requests per window of an hour, the window's end fixed when it opens
     * and given in {@code X-RateLimit-Reset}, a fresh window after it (docs.github.com/en/rest/using-the-rest-api/
     * rate-limits-for-the-rest-api#checking-the-status-of-your-rate-limit). A demo left running for hours sees the
     * window reset as against GitHub.
     */
    void rateHeaders(Map<String, String> h, boolean charged) {
        openWindow();
        if (charged && rateRemaining > 0) {
            rateRemaining--;
        }
        h.put("X-RateLimit-Limit", Integer.toString(rateLimit));
        h.put("X-RateLimit-Remaining", Long.toString(rateRemaining));
        h.put("X-RateLimit-Used", Long.toString(rateLimit - rateRemaining));
        h.put("X-RateLimit-Reset", Long.toString(rateWindowEnd));
        h.put("X-RateLimit-Resource", "core");
    }

    private static String digest(String body) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8)))
                    .substring(0, 32);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
