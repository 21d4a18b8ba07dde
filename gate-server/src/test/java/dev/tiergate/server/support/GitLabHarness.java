package dev.tiergate.server.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.server.config.ServerConfig;
import dev.tiergate.server.forge.gitlab.GitLabWebhookReceiver;
import dev.tiergate.server.http.GateServer;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.BranchRecord;
import dev.tiergate.server.store.Database;
import dev.tiergate.server.wiring.ForgeBindings;
import dev.tiergate.testkit.GitLabApiStub;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** A real server on a fresh store, a stand-in GitLab that delivers its webhooks to it, and a signing sender. */
public final class GitLabHarness implements AutoCloseable {
    public static final String SECRET = "gl-hook-secret";
    public static final String SIGNING = "whsec_"
            + Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8));
    private static final ObjectMapper JSON = new ObjectMapper();
    public final String path;
    public final RepoRef repo;
    public final GitLabApiStub gitlab;
    public final Database db;
    public final GateServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    public GitLabHarness(Map<String, String> settings) {
        this.path = "acme/inv-" + UUID.randomUUID().toString().substring(0, 8);
        this.repo = new RepoRef("gitlab", null, path);
        this.gitlab = new GitLabApiStub(path);
        this.db = TestPostgres.freshStore();
        Map<String, String> env = new HashMap<>(Map.of(
                "TIERGATE_PORT",
                "0",
                "TIERGATE_GITLAB_URL",
                gitlab.url(),
                "TIERGATE_GITLAB_TOKEN",
                "glpat-test",
                "TIERGATE_GITLAB_WEBHOOK_SECRET",
                SECRET,
                "TIERGATE_GITLAB_SIGNING_TOKEN",
                SIGNING,
                "TIERGATE_RETRY_BASE_MS",
                "50",
                "TIERGATE_MAX_ATTEMPTS",
                "3"));
        env.putAll(TestPostgres.branches().settings());
        env.putAll(settings);
        ServerConfig cfg = ServerConfig.fromEnvironment(env, null);
        this.server = GateServer.start(cfg, db, ForgeBindings.fromConfig(cfg));
        gitlab.deliverTo((event, payload) -> {
            try {
                send(event, payload);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Sends a signed delivery as GitLab does; returns the HTTP status. */
    public int send(String event, Object payload) throws Exception {
        byte[] body = JSON.writeValueAsBytes(payload);
        String id = UUID.randomUUID().toString();
        long ts = Instant.now().getEpochSecond();
        HttpRequest.Builder b = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/webhooks/gitlab"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/json")
                .header("X-Gitlab-Event", event)
                .header("X-Gitlab-Token", SECRET)
                .header("X-Gitlab-Event-UUID", UUID.randomUUID().toString())
                .header("Idempotency-Key", id)
                .header("X-Gitlab-Instance", gitlab.url())
                .header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(ts))
                .header("webhook-signature", GitLabWebhookReceiver.sign(SIGNING, id, Long.toString(ts), body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    public int deliver(String event, Object payload) throws Exception {
        int code = send(event, payload);
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

    /** Waits until the periodic reconciler has finished {@code passes} more passes, and the inbox is drained. */
    public void awaitPasses(int passes) throws InterruptedException {
        long target = server.reconcilePasses() + passes;
        long deadline = System.currentTimeMillis() + 30_000;
        while (server.reconcilePasses() < target) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("reconciler did not run " + passes + " passes within 30 s");
            }
            Thread.sleep(50);
        }
        awaitIdle();
    }

    public Optional<BranchRecord> branch(String gitBranch) {
        return server.store().find(repo, gitBranch);
    }

    @Override
    public void close() {
        server.close();
        db.close();
        gitlab.close();
    }
}
