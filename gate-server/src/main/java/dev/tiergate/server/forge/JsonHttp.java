package dev.tiergate.server.forge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A thin JSON-over-HTTP client shared by the forge adapters: one place that maps transport failures, 5xx and
 * rate limits to retryable {@link ForgeException}s (with the wait the forge asked for) and other 4xx to final
 * ones; that makes every GET conditional ({@code If-None-Match} with the last {@code ETag}, so an unchanged
 * answer is a {@code 304} that GitHub does not charge to the rate limit); and that counts every call. Tokens are
 * sent as headers and never appear in exception messages.
 */
public final class JsonHttp {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CACHE_ENTRIES = 4096;
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern NUMBER = Pattern.compile("/\\d+(?=/|$)");
    private static final Pattern GITHUB_REPO = Pattern.compile("/repos/[^/]+/[^/]+");
    private static final Pattern GITLAB_PROJECT = Pattern.compile("/projects/[^/]+");
    // HTTP/1.1 keep-alive: on an http:// base URL (a GitHub Enterprise or GitLab behind a proxy, the stand-ins) the JDK
    // client would otherwise upgrade each new connection to cleartext HTTP/2, whose framing cost a third more CPU per
    // call than the call's own work (JFR, bench/delivery-to-status.sh); one call at a time per worker gains nothing
    // from HTTP/2's multiplexing
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final String baseUrl;
    private final Map<String, String> headers;
    private final Clock clock;
    private final ApiCallCounter counter;
    private final Authorizer authorizer;
    /** URL → the last 200 answer with an ETag; access-ordered, so the least recently read goes first. */
    private final Map<String, Cached> etags;

    /**
     * The {@code Authorization} header for a request, chosen per URL (a GitHub App's installation token differs per
     * repository), and what to do when the forge answers 401 to it.
     */
    public interface Authorizer {
        /** The header's value for a request to {@code url}, or null for none. */
        String authorization(String url);

        /**
         * The forge refused {@code rejected} with 401 for {@code url}: forget it. True when a fresh credential may
         * succeed, so the request is sent once more (and only once).
         */
        default boolean rejected(String url, String rejected) {
            return false;
        }
    }

    private record Cached(String etag, byte[] body, HttpHeaders headers) {}

    public JsonHttp(String baseUrl, Map<String, String> headers) {
        this(baseUrl, headers, Clock.systemUTC(), new ApiCallCounter());
    }

    /** {@code counter} may be shared by the clients of one forge (several GitLab instances count as one forge). */
    public JsonHttp(String baseUrl, Map<String, String> headers, Clock clock, ApiCallCounter counter) {
        this(baseUrl, headers, clock, counter, null, newCache());
    }

    private JsonHttp(
            String baseUrl,
            Map<String, String> headers,
            Clock clock,
            ApiCallCounter counter,
            Authorizer authorizer,
            Map<String, Cached> etags) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.headers = Map.copyOf(headers);
        this.clock = clock;
        this.counter = counter;
        this.authorizer = authorizer;
        this.etags = etags;
    }

    private static Map<String, Cached> newCache() {
        return new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
                return size() > CACHE_ENTRIES;
            }
        };
    }

    /**
     * The same client (base URL, headers, call counter, conditional-request cache) sending the {@code Authorization}
     * {@code authorizer} chooses for each request, and sending a request once more when a 401 made it pick afresh.
     */
    public JsonHttp authorizedBy(Authorizer authorizer) {
        return new JsonHttp(baseUrl, headers, clock, counter, authorizer, etags);
    }

    /** A response: its status, its JSON (or a text node), its headers and raw bytes. */
    public record Response(int status, JsonNode body, HttpHeaders headers, byte[] bytes) {
        public Optional<String> header(String name) {
            return headers.firstValue(name);
        }
    }

    public ApiCallCounter calls() {
        return counter;
    }

    public JsonNode get(String path) {
        return send("GET", path, null, false).body();
    }

    /** GET that answers empty on 404. */
    public Optional<Response> getIfExists(String path) {
        Response r = send("GET", path, null, true);
        return r.status() == 404 ? Optional.empty() : Optional.of(r);
    }

    public Response getResponse(String path) {
        return send("GET", path, null, false);
    }

    public JsonNode post(String path, Object body) {
        return send("POST", path, body, false).body();
    }

    /** PATCH, PUT or DELETE with a JSON body. */
    public JsonNode send(String method, String path, Object body) {
        return send(method, path, body, false).body();
    }

    /** POST that returns the response whatever its status (for callers that treat some 4xx as normal). */
    public Response postLenient(String path, Object body) {
        return send("POST", path, body, true);
    }

    /**
     * A request with headers of its own (e.g. a GitHub App's JWT as {@code Authorization}) and no authorizer; the
     * response whatever its 4xx status; 5xx, rate limits and transport failures throw as everywhere else.
     */
    public Response request(String method, String path, Object body, Map<String, String> extraHeaders) {
        return send(method, path, body, true, extraHeaders);
    }

    private Response send(String method, String path, Object body, boolean lenient) {
        if (authorizer == null) {
            return send(method, path, body, lenient, Map.of());
        }
        String url = path.startsWith("http") ? path : baseUrl + path;
        String auth = authorizer.authorization(url);
        Response r = send(method, path, body, true, auth == null ? Map.of() : Map.of("Authorization", auth));
        if (r.status() == 401 && auth != null && authorizer.rejected(url, auth)) {
            String fresh = authorizer.authorization(url);
            r = send(method, path, body, true, fresh == null ? Map.of() : Map.of("Authorization", fresh));
        }
        if (lenient || r.status() < 400) {
            return r;
        }
        throw new ForgeException(
                method + " " + url + " answered " + r.status() + ": "
                        + abbreviate(new String(r.bytes(), StandardCharsets.UTF_8)),
                false);
    }

    private Response send(String method, String path, Object body, boolean lenient, Map<String, String> extraHeaders) {
        String url = path.startsWith("http") ? path : baseUrl + path;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        headers.forEach(b::header);
        extraHeaders.forEach(b::header);
        Cached cached = null;
        if (method.equals("GET")) {
            synchronized (etags) {
                cached = etags.get(url);
            }
            if (cached != null) {
                b.header("If-None-Match", cached.etag());
            }
        }
        try {
            if (body == null) {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                b.header("Content-Type", "application/json");
                b.method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            }
            HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            int s = r.statusCode();
            counter.record(method, route(url), s);
            r.headers().firstValue("x-ratelimit-remaining").ifPresent(v -> {
                try {
                    counter.rateLimitRemaining(Long.parseLong(v.trim()));
                } catch (NumberFormatException e) {
                    // not a number: keep the last one
                }
            });
            if (s == 304 && cached != null) {
                return new Response(200, parse(cached.body()), cached.headers(), cached.body());
            }
            JsonNode json = parse(r.body());
            if (s >= 200 && s < 300) {
                if (method.equals("GET")) {
                    Optional<String> etag = r.headers().firstValue("etag");
                    synchronized (etags) {
                        if (etag.isPresent()) {
                            etags.put(url, new Cached(etag.get(), r.body(), r.headers()));
                        } else {
                            etags.remove(url);
                        }
                    }
                }
                return new Response(s, json, r.headers(), r.body());
            }
            Optional<Duration> wait = rateLimitWait(s, r.headers());
            if (lenient && s < 500 && wait.isEmpty()) {
                return new Response(s, json, r.headers(), r.body());
            }
            boolean retryable = s >= 500 || wait.isPresent();
            throw new ForgeException(
                    method + " " + url + " answered " + s
                            + wait.map(w -> " (rate limited; retry in " + w.toSeconds() + " s)")
                                    .orElse("") + ": " + abbreviate(new String(r.body(), StandardCharsets.UTF_8)),
                    retryable,
                    null,
                    wait.orElse(null));
        } catch (IOException e) {
            throw new ForgeException(method + " " + url + " failed: " + e.getMessage(), true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ForgeException(method + " " + url + " interrupted", true, e);
        }
    }

    /**
     * A rate limit, primary or secondary, and how long to wait: GitHub answers 429, or 403 with {@code Retry-After}
     * (secondary limits) or with {@code X-RateLimit-Remaining: 0} and the reset time in {@code X-RateLimit-Reset}
     * (epoch seconds); GitLab answers 429 with {@code Retry-After} and {@code RateLimit-Reset}. Without a hint, a
     * minute, as GitHub's documentation advises for secondary limits.
     */
    Optional<Duration> rateLimitWait(int status, HttpHeaders h) {
        Optional<String> retryAfter = h.firstValue("retry-after");
        boolean exhausted = h.firstValue("x-ratelimit-remaining")
                        .map(v -> v.trim().equals("0"))
                        .orElse(false)
                || h.firstValue("ratelimit-remaining")
                        .map(v -> v.trim().equals("0"))
                        .orElse(false);
        if (status != 429 && !(status == 403 && (retryAfter.isPresent() || exhausted))) {
            return Optional.empty();
        }
        if (retryAfter.isPresent()) {
            String v = retryAfter.get().trim();
            try {
                return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v))));
            } catch (NumberFormatException e) {
                try {
                    ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                    return Optional.of(positive(Duration.between(clock.instant(), at.toInstant())));
                } catch (RuntimeException ignored) {
                    // fall through to the reset headers
                }
            }
        }
        Optional<String> reset = h.firstValue("x-ratelimit-reset").or(() -> h.firstValue("ratelimit-reset"));
        if (reset.isPresent()) {
            try {
                long epoch = Long.parseLong(reset.get().trim());
                return Optional.of(
                        positive(Duration.ofSeconds(epoch - clock.instant().getEpochSecond())));
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        return Optional.of(Duration.ofMinutes(1));
    }

    private static Duration positive(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    static String route(String url) {
        String path = URI.create(url).getRawPath();
        path = GITHUB_REPO.matcher(path).replaceFirst("/repos/{repo}");
        path = GITLAB_PROJECT.matcher(path).replaceFirst("/projects/{project}");
        path = SHA.matcher(path).replaceAll("{sha}");
        return NUMBER.matcher(path).replaceAll("/{n}");
    }

    private static JsonNode parse(byte[] bytes) {
        if (bytes.length == 0) {
            return JSON.missingNode();
        }
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(new String(bytes, StandardCharsets.UTF_8));
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
