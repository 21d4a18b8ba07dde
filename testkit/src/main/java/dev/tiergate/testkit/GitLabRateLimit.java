package dev.tiergate.testkit;

import dev.tiergate.testkit.ForgeStub.Answer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a call costs on {@link GitLabApiStub}: GitLab.com's limit on a user's authenticated API calls, 2,000 a minute
 * (docs.gitlab.com/user/gitlab_com/#rate-limits-on-gitlabcom). Every answer carries {@code RateLimit-Limit},
 * {@code -Observed}, {@code -Remaining} and {@code -Reset} (epoch seconds); past the limit GitLab answers 429 "Retry
 * later" with {@code Retry-After} and does no work (docs.gitlab.com/security/rate_limits/#headers).
 *
 * <p>Not thread-safe: the stub calls it only under its own lock (it synchronizes on itself), where it did when this
 * was part of it.
 */
final class GitLabRateLimit {
    private int rateLimit = 2000;
    /** When the current window of a minute ends (epoch seconds); 0 before the first call. */
    private long rateWindowEnd;

    private long rateObserved;

    /**
     * Counts the call in the current window (a new one when the last ended): the 429 past the limit, which the stub
     * answers instead of doing the work; null while calls are left.
     */
    Answer exceeded() {
        long now = Instant.now().getEpochSecond();
        if (rateWindowEnd == 0 || now >= rateWindowEnd) {
            rateWindowEnd = now + 60;
            rateObserved = 0;
        }
        rateObserved++;
        return rateObserved > rateLimit
                ? new Answer(
                        429,
                        new LinkedHashMap<>(Map.of(
                                "Content-Type",
                                "text/plain; charset=utf-8",
                                "Retry-After",
                                Long.toString(rateWindowEnd - now))),
                        "Retry later")
                : null;
    }

    /** {@code a} with the {@code RateLimit-*} headers of the window the call was counted in. */
    Answer withHeaders(Answer a) {
        Map<String, String> h = new LinkedHashMap<>(a.headers());
        h.put("RateLimit-Limit", Integer.toString(rateLimit));
        h.put("RateLimit-Observed", Long.toString(rateObserved));
        h.put("RateLimit-Remaining", Long.toString(Math.max(0, rateLimit - rateObserved)));
        h.put("RateLimit-Reset", Long.toString(rateWindowEnd));
        return new Answer(a.status(), h, a.body());
    }

    /** The calls a minute allowed ({@link GitLabApiStub#rateLimit}); the window starts again. */
    void rateLimit(int perMinute) {
        rateLimit = perMinute;
        rateWindowEnd = 0;
    }
}
