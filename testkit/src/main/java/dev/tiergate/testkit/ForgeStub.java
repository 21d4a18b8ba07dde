package dev.tiergate.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * An API stand-in: the JDK's HTTP server on loopback whose every answer comes from an in-memory model of the
 * service (subclasses), so a write changes what later reads see and can fire the webhooks the real forge fires. Counts
 * every request by route (the API budget in BENCHMARKS.md is measured here) and can be told to fail the next
 * requests the way forges fail (5xx, 429 / 403 with {@code Retry-After}).
 */
public abstract class ForgeStub implements AutoCloseable {
    protected static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern NUMBER = Pattern.compile("/\\d+(?=/|$)");
    private final HttpServer http;
    private final ExecutorService threads;
    private final ConcurrentLinkedDeque<Answer> injected = new ConcurrentLinkedDeque<>();
    private final Map<Pattern, Answer> failingPaths = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> byRoute = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong notModified = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final ThreadLocal<List<Runnable>> afterAnswer = ThreadLocal.withInitial(ArrayList::new);
    /** The repository served over git's smart HTTP protocol, when the stand-in hosts one (null: API only). */
    private volatile GitRoute gitRoute;

    /** Git URLs {@code /<repoPath>.git/<service>} (and {@code /<repoPath>/<service>}) go to {@code host}. */
    private record GitRoute(GitHost host, String repoPath, String realm) {
        String service(String path) {
            for (String prefix : List.of("/" + repoPath + ".git/", "/" + repoPath + "/")) {
                if (path.startsWith(prefix)) {
                    return GitHost.serviceOf("/" + path.substring(prefix.length()));
                }
            }
            return null;
        }
    }

    /** One answer: status, headers, body (null: none). */
    public record Answer(int status, Map<String, String> headers, String body) {
        public static Answer json(int status, Object body) {
            return new Answer(
                    status,
                    new LinkedHashMap<>(Map.of("Content-Type", "application/json; charset=utf-8")),
                    write(body));
        }
    }

    /**
     * A request as the model sees it: method, decoded path (no query), query parameters (the first value of each;
     * {@link #params} has them all), headers (names in any case), body ("" when none).
     */
    public record Call(
            String method,
            String path,
            Map<String, String> query,
            Map<String, List<String>> allQuery,
            Headers headers,
            String body) {
        public String header(String name) {
            return headers.getFirst(name);
        }

        /** Every value of a query parameter given more than once, e.g. GitLab's {@code refs[]}; empty when absent. */
        public List<String> params(String name) {
            return allQuery.getOrDefault(name, List.of());
        }

        public int intParam(String name, int dflt) {
            try {
                return query.containsKey(name) ? Integer.parseInt(query.get(name)) : dflt;
            } catch (NumberFormatException e) {
                return dflt;
            }
        }
    }

    static {
        // The JDK's HTTP server leaves Nagle's algorithm on by default: it writes the headers and the body apart, and
        // the body then waits for the client's delayed ACK (about 40 ms on Linux) on every keep-alive request. A real
        // forge answers in one go; read once, when the first server starts (sun.net.httpserver.ServerConfig).
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    protected ForgeStub() {
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on loopback", e);
        }
        // a pool, not one thread: the server under test calls from many workers at once, as against the real forge
        threads = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, getClass().getSimpleName() + "-http");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(threads);
        http.createContext("/", this::serve);
        http.start();
    }

    public String url() {
        return "http://localhost:" + http.getAddress().getPort();
    }

    /** The loopback port the stand-in listens on. */
    public int port() {
        return http.getAddress().getPort();
    }

    /**
     * From now on {@code host}'s repository is served at {@code /<repoPath>.git} by this server, behind HTTP Basic
     * authentication ({@link #gitLogin}); a 401 names {@code realm}, as GitHub's and GitLab's do, so git asks its
     * credential helper. Git requests are not API calls: they are not counted in {@link #requests} nor by route, and
     * {@link #failNext} leaves them alone; {@link #failPath} applies to them (a path such as
     * {@code "\\.git/git-receive-pack"} fails pushes).
     */
    protected final void hostGit(GitHost host, String repoPath, String realm) {
        gitRoute = new GitRoute(host, repoPath, realm);
    }

    /**
     * Hosts {@code repository}'s git data in a bare repository at {@code bareRepoDir} (made there when absent): the
     * branches it already has enter the model, under this stand-in's lock, then it is served as {@link #hostGit(GitHost,
     * String, String)} serves it.
     */
    final void hostGit(HostedRepository repository, Path bareRepoDir, String repoPath, String realm) {
        GitHost host = GitHost.open(bareRepoDir);
        synchronized (this) {
            repository.host(host);
        }
        hostGit(host, repoPath, realm);
    }

    /** The login a git request authenticates as with this Basic username and password; null refuses it (401). */
    protected String gitLogin(String username, String password) {
        return null;
    }

    /**
     * After every receive-pack request (a push, successful or not), before its answer goes out: the subclass reads
     * what moved into its model and fires the webhooks the forge fires after a push.
     */
    protected void afterPush(String login) {}

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

    /**
     * Sends webhooks, one after the other; a delivery that fails is reported, never the push or the call that caused
     * it (as on GitHub and GitLab). Call it outside this stand-in's lock.
     */
    protected final void deliver(List<Runnable> hooks) {
        for (Runnable h : hooks) {
            try {
                h.run();
            } catch (RuntimeException e) {
                System.err.println(getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }

    /**
     * Makes {@code change} under this stand-in's lock (it changes the model and returns the webhooks the forge fires
     * for it), then {@link #deliver}s them once the lock is let go.
     */
    protected final void deliverAfter(Supplier<List<Runnable>> change) {
        List<Runnable> hooks;
        synchronized (this) {
            hooks = change.get();
        }
        deliver(hooks);
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
        http.stop(0);
        threads.shutdownNow();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            URI uri = exchange.getRequestURI();
            String path = URLDecoder.decode(uri.getRawPath(), StandardCharsets.UTF_8);
            GitRoute git = gitRoute;
            String service = git == null ? null : git.service(path);
            if (service != null) {
                serveGit(exchange, git, service, path);
                return;
            }
            Map<String, String> query = new LinkedHashMap<>();
            Map<String, List<String>> allQuery = new LinkedHashMap<>();
            if (uri.getRawQuery() != null) {
                for (String kv : uri.getRawQuery().split("&")) {
                    int eq = kv.indexOf('=');
                    String name = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
                    String value = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                    query.putIfAbsent(name, value);
                    allQuery.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
                }
            }
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            String method = exchange.getRequestMethod();
            Answer a = injected.poll();
            if (a == null) {
                a = failingPaths.entrySet().stream()
                        .filter(e -> e.getKey().matcher(path).find())
                        .map(Map.Entry::getValue)
                        .findFirst()
                        .orElse(null);
            }
            if (a == null) {
                Call call = new Call(method, path, query, allQuery, exchange.getRequestHeaders(), body);
                try {
                    synchronized (this) {
                        a = answer(call);
                    }
                } catch (RuntimeException e) {
                    a = Answer.json(500, Map.of("message", "stand-in failed: " + e));
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
                System.out.println("STUB " + method + " " + uri + " -> " + a.status());
            }
            send(exchange, method, a);
        }
    }

    private static void send(HttpExchange exchange, String method, Answer a) throws IOException {
        a.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        byte[] out = a.body() == null ? new byte[0] : a.body().getBytes(StandardCharsets.UTF_8);
        // -1: no body at all (304, 204 and HEAD must carry none); otherwise the exact length, no chunking
        boolean none = out.length == 0 && (a.status() == 304 || a.status() == 204 || method.equals("HEAD"));
        exchange.sendResponseHeaders(a.status(), none ? -1 : out.length == 0 ? -1 : out.length);
        if (out.length > 0 && !method.equals("HEAD")) {
            try (OutputStream o = exchange.getResponseBody()) {
                o.write(out);
            }
        }
    }

    /**
     * A git smart HTTP request: HTTP Basic credentials whose password is a user token (reads and pushes alike: the
     * stand-ins' repositories are private), then {@code git http-backend}. No or unknown credentials: 401 with
     * {@code WWW-Authenticate: Basic realm="..."}, which makes git ask its credential helper and, when that has
     * nothing better, fail with "Authentication failed".
     */
    private void serveGit(HttpExchange exchange, GitRoute git, String service, String path) throws IOException {
        String method = exchange.getRequestMethod();
        Answer failing = failingPaths.entrySet().stream()
                .filter(e -> e.getKey().matcher(path).find())
                .map(Map.Entry::getValue)
                .findFirst()
                .orElse(null);
        if (failing != null) {
            exchange.getRequestBody().readAllBytes();
            send(exchange, method, failing);
            return;
        }
        String login = null;
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String pair = new String(
                        java.util.Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = pair.indexOf(':');
                if (colon >= 0) {
                    login = gitLogin(pair.substring(0, colon), pair.substring(colon + 1));
                }
            } catch (IllegalArgumentException e) {
                login = null; // not base64: no credentials
            }
        }
        if (System.getenv("STUB_TRACE") != null) {
            Headers h = exchange.getRequestHeaders();
            System.out.println("STUB GIT " + method + " " + exchange.getRequestURI() + " as " + login
                    + (h.containsKey("Transfer-Encoding")
                            ? " Transfer-Encoding: " + h.getFirst("Transfer-Encoding")
                            : "")
                    + (h.containsKey("Content-Encoding")
                            ? " Content-Encoding: " + h.getFirst("Content-Encoding")
                            : ""));
        }
        if (login == null) {
            exchange.getRequestBody().readAllBytes();
            Map<String, String> h = new LinkedHashMap<>();
            h.put("WWW-Authenticate", "Basic realm=\"" + git.realm() + "\"");
            h.put("Content-Type", "text/plain; charset=utf-8");
            send(exchange, method, new Answer(401, h, "Authentication required\n"));
            return;
        }
        String user = login;
        git.host().serve(exchange, service, user, () -> afterPush(user));
    }
}
