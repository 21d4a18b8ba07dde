package dev.tiergate.server.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * A forge API stand-in: WireMock on loopback whose every answer comes from an in-memory model of the forge
 * (subclasses), so a write changes what later reads see and can fire the webhooks the real forge fires. Counts
 * every request by route (the API budget in BENCHMARKS.md is measured here) and can be told to fail the next
 * requests the way forges fail (5xx, 429 / 403 with {@code Retry-After}).
 */
public abstract class ForgeStub implements AutoCloseable {
    protected static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern NUMBER = Pattern.compile("/\\d+(?=/|$)");
    protected final WireMockServer wm;
    private final ConcurrentLinkedDeque<Answer> injected = new ConcurrentLinkedDeque<>();
    private final Map<Pattern, Answer> failingPaths = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> byRoute = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong notModified = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final ThreadLocal<List<Runnable>> afterAnswer = ThreadLocal.withInitial(ArrayList::new);

    /** One answer: status, headers, body (null: none). */
    protected record Answer(int status, Map<String, String> headers, String body) {
        static Answer json(int status, Object body) {
            return new Answer(
                    status,
                    new LinkedHashMap<>(Map.of("Content-Type", "application/json; charset=utf-8")),
                    write(body));
        }
    }

    /** A request as the model sees it: method, decoded path (no query), query parameters, headers, body. */
    protected record Call(String method, String path, Map<String, String> query, Request raw) {
        String header(String name) {
            return raw.containsHeader(name) ? raw.getHeader(name) : null;
        }

        String body() {
            return raw.getBodyAsString();
        }

        int intParam(String name, int dflt) {
            try {
                return query.containsKey(name) ? Integer.parseInt(query.get(name)) : dflt;
            } catch (NumberFormatException e) {
                return dflt;
            }
        }
    }

    protected ForgeStub() {
        // no request journal: the stand-in's model records what the tests look at, and the journal's copy of every
        // request cost the shared CPU a tenth of the stand-in's time under the benches' load (JFR)
        wm = new WireMockServer(WireMockConfiguration.options()
                .dynamicPort()
                .disableRequestJournal()
                .extensions(new Router()));
        wm.start();
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(500).withBody("not routed")));
    }

    public String url() {
        return wm.baseUrl();
    }

    /** The model's answer; called one request at a time. */
    protected abstract Answer answer(Call call);

    /** Route label with ids folded, e.g. "GET /repos/{repo}/commits/{sha}/status". */
    protected abstract String routeOf(String method, String path);

    /** The next {@code times} requests answer {@code status} with these headers, as a failing or rate-limiting forge does. */
    public void failNext(int times, int status, Map<String, String> headers, String body) {
        for (int i = 0; i < times; i++) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put("Content-Type", "application/json; charset=utf-8");
            injected.add(new Answer(status, h, body));
        }
    }

    /** Every request whose path matches {@code pathRegex} answers {@code status} until {@link #heal} is called. */
    public void failPath(String pathRegex, int status, Map<String, String> headers, String body) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put("Content-Type", "application/json; charset=utf-8");
        failingPaths.put(Pattern.compile(pathRegex), new Answer(status, h, body));
    }

    public void heal() {
        failingPaths.clear();
        injected.clear();
    }

    public long requests() {
        return requests.get();
    }

    public long writes() {
        return writes.get();
    }

    public long notModified() {
        return notModified.get();
    }

    /** Requests by route since the stub started (or since {@link #resetCounts}). */
    public Map<String, Long> requestsByRoute() {
        Map<String, Long> out = new TreeMap<>();
        byRoute.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    public void resetCounts() {
        byRoute.clear();
        requests.set(0);
        notModified.set(0);
        writes.set(0);
    }

    /**
     * Runs {@code action} (a webhook delivery) once the model has answered, outside its lock and before the
     * response goes out: the forge has recorded the write and tells the server about it, as the real one does.
     */
    protected void afterAnswer(Runnable action) {
        afterAnswer.get().add(action);
    }

    protected static String fold(String path) {
        return NUMBER.matcher(SHA.matcher(path).replaceAll("{sha}")).replaceAll("/{n}");
    }

    protected static String write(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        wm.stop();
    }

    private final class Router implements ResponseDefinitionTransformerV2 {
        @Override
        public ResponseDefinition transform(ServeEvent event) {
            Request r = event.getRequest();
            URI uri = URI.create(r.getUrl());
            String path = URLDecoder.decode(uri.getRawPath(), StandardCharsets.UTF_8);
            Map<String, String> query = new LinkedHashMap<>();
            if (uri.getRawQuery() != null) {
                for (String kv : uri.getRawQuery().split("&")) {
                    int eq = kv.indexOf('=');
                    query.put(
                            URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8),
                            eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            String method = r.getMethod().getName();
            Answer a = injected.poll();
            if (a == null) {
                a = failingPaths.entrySet().stream()
                        .filter(e -> e.getKey().matcher(path).find())
                        .map(Map.Entry::getValue)
                        .findFirst()
                        .orElse(null);
            }
            if (a == null) {
                synchronized (ForgeStub.this) {
                    a = answer(new Call(method, path, query, r));
                }
                List<Runnable> actions = new ArrayList<>(afterAnswer.get());
                afterAnswer.get().clear();
                actions.forEach(Runnable::run);
            }
            requests.incrementAndGet();
            if (a.status() == 304) {
                notModified.incrementAndGet();
            }
            if (!method.equals("GET")) {
                writes.incrementAndGet();
            }
            byRoute.computeIfAbsent(routeOf(method, path), k -> new AtomicLong())
                    .incrementAndGet();
            if (System.getenv("STUB_TRACE") != null) {
                System.out.println("STUB " + method + " " + r.getUrl() + " -> " + a.status());
            }
            ResponseDefinitionBuilder b =
                    ResponseDefinitionBuilder.responseDefinition().withStatus(a.status());
            a.headers().forEach(b::withHeader);
            if (a.body() != null) {
                b.withBody(a.body());
            }
            return b.build();
        }

        @Override
        public String getName() {
            return "forge-model";
        }
    }
}
