package dev.tiergate.server.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tiergate.testkit.GitHubApiStub;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One GitHub API address in front of several {@link GitHubApiStub}s, one per repository, so one server serves two
 * repositories as it does on github.com (where every repository is under {@code /repos/{owner}/{repo}} of one API).
 * A request under {@code /repos/<path>/} goes to that repository's stand-in unchanged; anything else goes to the first
 * one routed. Each stand-in keeps its own model and delivers its own webhooks.
 */
public final class GitHubFront implements AutoCloseable {
    /** Headers java.net.http sets itself and refuses from a caller, and the hop-by-hop ones. */
    private static final Set<String> NOT_FORWARDED =
            Set.of("connection", "content-length", "expect", "host", "upgrade", "transfer-encoding", "keep-alive");

    private final Map<String, GitHubApiStub> byRepo = new ConcurrentHashMap<>();
    private volatile GitHubApiStub first;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "github-front");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public GitHubFront() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new IllegalStateException("cannot open the GitHub front: " + e.getMessage(), e);
        }
        server.createContext("/", this::forward);
        server.setExecutor(threads);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Requests for repository {@code path} ("owner/name") go to {@code stub}. */
    public void route(String path, GitHubApiStub stub) {
        byRepo.put(path, stub);
        if (first == null) {
            first = stub;
        }
    }

    private GitHubApiStub target(String rawPath) {
        for (Map.Entry<String, GitHubApiStub> e : byRepo.entrySet()) {
            String prefix = "/repos/" + e.getKey();
            if (rawPath.equals(prefix) || rawPath.startsWith(prefix + "/")) {
                return e.getValue();
            }
        }
        return first;
    }

    private void forward(HttpExchange ex) throws IOException {
        try (ex) {
            URI in = ex.getRequestURI();
            GitHubApiStub to = target(in.getRawPath());
            if (to == null) {
                ex.sendResponseHeaders(502, -1);
                return;
            }
            byte[] body;
            try (InputStream is = ex.getRequestBody()) {
                body = is.readAllBytes();
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(
                            to.url() + in.getRawPath() + (in.getRawQuery() == null ? "" : "?" + in.getRawQuery())))
                    .method(
                            ex.getRequestMethod(),
                            body.length == 0
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofByteArray(body));
            ex.getRequestHeaders().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(v -> b.header(name, v));
                }
            });
            HttpResponse<byte[]> answer;
            try {
                answer = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ex.sendResponseHeaders(502, -1);
                return;
            }
            answer.headers().map().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                    ex.getResponseHeaders().put(name, List.copyOf(values));
                }
            });
            byte[] out = answer.body();
            boolean noBody = answer.statusCode() == 304 || answer.statusCode() == 204 || out.length == 0;
            ex.sendResponseHeaders(answer.statusCode(), noBody ? -1 : out.length);
            if (!noBody) {
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(out);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
