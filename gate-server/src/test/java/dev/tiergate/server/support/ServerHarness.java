package dev.tiergate.server.support;

import dev.tiergate.server.config.ServerConfig;
import dev.tiergate.server.http.GateServer;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.BranchRecord;
import dev.tiergate.server.store.Database;
import dev.tiergate.server.wiring.ForgeBindings;
import dev.tiergate.testkit.GitHubApiStub;
import dev.tiergate.testkit.WebhookSender;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** A real server on a fresh store in the shared embedded PostgreSQL, the testkit's GitHub stand-in, and a signing sender. */
public final class ServerHarness implements AutoCloseable {
    public static final String SECRET = "It's a Secret to Everybody";
    public final String repoPath;
    public final RepoRef repo;
    public final GitHubApiStub github;
    public final Database db;
    public final GateServer server;
    public final WebhookSender hooks;
    /** TIERGATE_HOME: where the audit anchor is kept. */
    public final Path home;

    private final HttpClient http = HttpClient.newHttpClient();

    public ServerHarness() {
        this(Map.of());
    }

    /** {@code settings} add to or override the test configuration (e.g. TIERGATE_RECONCILE_SECONDS). */
    public ServerHarness(Map<String, String> settings) {
        this(settings, TestPostgres.freshStore());
    }

    /** On a given store (closed with the harness), e.g. one on a PostgreSQL the test stops and starts. */
    public ServerHarness(Map<String, String> settings, Database store) {
        this.repoPath = "acme/inv-" + UUID.randomUUID().toString().substring(0, 8);
        this.repo = new RepoRef("github", null, repoPath);
        this.github = new GitHubApiStub(repoPath);
        this.db = store;
        Map<String, String> env = new HashMap<>(Map.of(
                "TIERGATE_PORT", "0",
                "TIERGATE_GITHUB_WEBHOOK_SECRET", SECRET,
                "TIERGATE_GITHUB_API_URL", github.url(),
                "TIERGATE_PUBLIC_URL", "https://tiergate.example",
                "TIERGATE_RETRY_BASE_MS", "50",
                "TIERGATE_MAX_ATTEMPTS", "3",
                // background copies would only load the shared test PostgreSQL; tests of the pool turn it on
                "TIERGATE_CLONE_POOL", System.getProperty("tiergate.test.clonePool", "0")));
        env.putAll(TestPostgres.branches().settings());
        env.putAll(settings);
        ServerConfig cfg = ServerConfig.fromEnvironment(env, null);
        try {
            this.home = Files.createTempDirectory("tiergate-home");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        this.server = GateServer.start(cfg, db, ForgeBindings.fromConfig(cfg), home);
        this.hooks = new WebhookSender(baseUrl(), SECRET);
        github.deliverTo(hooks); // as on github.com: every status posted comes back as a status webhook
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    /** Sends a signed delivery and waits until the inbox is drained; returns the HTTP status. */
    public int deliver(String event, Object payload) throws Exception {
        int code = hooks.send(event, payload);
        awaitIdle();
        return code;
    }

    public void awaitIdle() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (server.pendingWork() > 0) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("inbox not drained within 30 s");
            }
            Thread.sleep(20);
        }
    }

    public Optional<BranchRecord> branch(String gitBranch) {
        return server.store().find(repo, gitBranch);
    }

    public boolean dbBranchExists(String name) {
        return server.backend().exists(repo, name);
    }

    public HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(baseUrl() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GET with {@code Authorization: Bearer <token>}. */
    public HttpResponse<String> get(String path, String bearerToken) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(baseUrl() + path))
                        .header("Authorization", "Bearer " + bearerToken)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> postRaw(String path, Map<String, String> headers, byte[] body) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(baseUrl() + path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        server.close();
        db.close();
        github.close();
        TestPostgres.deleteTree(home); // its keys and secret: thousands of folders a run otherwise left behind
    }
}
