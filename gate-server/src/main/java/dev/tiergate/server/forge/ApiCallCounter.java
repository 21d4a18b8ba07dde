package dev.tiergate.server.forge;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts one forge client's API calls: all of them, the conditional ones the forge answered {@code 304 Not
 * Modified} (GitHub does not charge those to the rate limit), and the last rate-limit budget the forge reported.
 * The numbers behind the API budget published in BENCHMARKS.md.
 */
public final class ApiCallCounter {
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong notModified = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final Map<String, AtomicLong> byRoute = new ConcurrentHashMap<>();
    private volatile long rateLimitRemaining = -1;

    void record(String method, String route, int status) {
        requests.incrementAndGet();
        if (status == 304) {
            notModified.incrementAndGet();
        }
        if (!method.equals("GET")) {
            writes.incrementAndGet();
        }
        byRoute.computeIfAbsent(method + " " + route, k -> new AtomicLong()).incrementAndGet();
    }

    void rateLimitRemaining(long remaining) {
        this.rateLimitRemaining = remaining;
    }

    public long requests() {
        return requests.get();
    }

    /** Requests answered 304 from a conditional request: free against GitHub's rate limit. */
    public long notModified() {
        return notModified.get();
    }

    /** Requests charged to the rate limit (everything but 304s). */
    public long charged() {
        return requests.get() - notModified.get();
    }

    public long writes() {
        return writes.get();
    }

    /** The last {@code X-RateLimit-Remaining} the forge sent, or -1 when it sends none. */
    public long rateLimitRemaining() {
        return rateLimitRemaining;
    }

    /** Calls by "METHOD route" with ids and SHAs folded, e.g. "GET /repos/{repo}/commits/{sha}/status". */
    public Map<String, Long> byRoute() {
        Map<String, Long> out = new TreeMap<>();
        byRoute.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** A copy of the counts so far, to subtract from a later one. */
    public Snapshot snapshot() {
        return new Snapshot(requests(), notModified(), writes());
    }

    public record Snapshot(long requests, long notModified, long writes) {
        public Snapshot minus(Snapshot earlier) {
            return new Snapshot(
                    requests - earlier.requests, notModified - earlier.notModified, writes - earlier.writes);
        }

        public long charged() {
            return requests - notModified;
        }
    }
}
