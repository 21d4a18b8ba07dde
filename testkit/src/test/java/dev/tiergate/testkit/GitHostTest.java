package dev.tiergate.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stand-ins as git hosts, driven by the real git binary (isolated from the machine's configuration): clone,
 * push, the model and the webhooks after a push, and opening and merging a PR / MR through the API with a user token.
 */
class GitHostTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    private Path home;
    private Path emptyConfig;

    /** Webhooks as received: event and body. */
    record Hook(String event, JsonNode body) {}

    private final List<Hook> hooks = new CopyOnWriteArrayList<>();
    private HttpServer receiver;

    @BeforeEach
    void isolate() throws IOException {
        home = Files.createDirectories(tmp.resolve("home"));
        emptyConfig = Files.writeString(tmp.resolve("empty-gitconfig"), "");
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        receiver.createContext("/webhooks/github", ex -> {
            try (ex;
                    InputStream in = ex.getRequestBody()) {
                hooks.add(new Hook(ex.getRequestHeaders().getFirst("X-GitHub-Event"), JSON.readTree(in)));
                ex.sendResponseHeaders(202, -1);
            }
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        receiver.stop(0);
    }

    @Test
    void gitHubHostsTheRepositoryAndMergesPullRequests() throws Exception {
        try (GitHubApiStub gh = new GitHubApiStub("acme/inv")) {
            gh.gitHosted(tmp.resolve("forge/inv.git"));
            gh.user("ghp_alice", "alice", false);
            gh.protect("main", "ci/build");
            gh.deliverTo(new WebhookSender(
                    "http://127.0.0.1:" + receiver.getAddress().getPort(), "s3cret"));

            // no credentials: 401 with a Basic challenge, and git (with no helper, no terminal) gives up
            Result anonymous = git(tmp, "clone", gh.cloneUrl(), "anon");
            assertNotEquals(0, anonymous.exit);
            HttpResponse<String> challenge = get(gh.cloneUrl() + "/info/refs?service=git-upload-pack", Map.of());
            assertEquals(401, challenge.statusCode());
            assertEquals(
                    "Basic realm=\"GitHub\"",
                    challenge.headers().firstValue("WWW-Authenticate").orElseThrow());

            String withToken = gh.cloneUrl().replace("http://", "http://x-access-token:ghp_alice@");
            ok(tmp, "clone", "--quiet", withToken, "work");
            Path work = tmp.resolve("work");
            Files.writeString(work.resolve("README.md"), "hello\n");
            ok(work, "add", "-A");
            ok(work, "commit", "--quiet", "-m", "first");
            ok(work, "push", "--quiet", "origin", "HEAD:main");
            String main1 = ok(work, "rev-parse", "HEAD").trim();
            Hook push = only("push");
            assertEquals("refs/heads/main", push.body.path("ref").asText());
            assertEquals(GitHubPayloads.ZERO, push.body.path("before").asText());
            assertEquals(main1, push.body.path("after").asText());
            assertTrue(push.body.path("created").asBoolean());
            assertEquals("alice", push.body.path("pusher").path("name").asText());
            assertEquals(
                    "README.md",
                    push.body.path("commits").get(0).path("added").get(0).asText());
            assertEquals(
                    main1,
                    api(gh, "GET", "/repos/acme/inv/branches/main", null, null)
                            .path("commit")
                            .path("sha")
                            .asText());
            assertEquals("hello\n", content(gh, "README.md", main1));

            ok(work, "checkout", "--quiet", "-b", "feature");
            Files.createDirectories(work.resolve("db"));
            Files.writeString(work.resolve("db/V1__init.sql"), "create table t (id int);\n");
            ok(work, "add", "-A");
            ok(work, "commit", "--quiet", "-m", "V1");
            ok(work, "push", "--quiet", "origin", "feature");
            String feature1 = ok(work, "rev-parse", "HEAD").trim();
            assertEquals("create table t (id int);\n", content(gh, "db/V1__init.sql", "feature"));

            // open the PR with the user's token
            hooks.clear();
            assertEquals(
                    401,
                    send(gh, "POST", "/repos/acme/inv/pulls", null, prBody("feature", "main"))
                            .statusCode());
            HttpResponse<String> bad = send(gh, "POST", "/repos/acme/inv/pulls", "nope", prBody("feature", "main"));
            assertEquals(401, bad.statusCode());
            assertEquals(
                    "Bad credentials", JSON.readTree(bad.body()).path("message").asText());
            HttpResponse<String> opened =
                    send(gh, "POST", "/repos/acme/inv/pulls", "ghp_alice", prBody("feature", "main"));
            assertEquals(201, opened.statusCode(), opened.body());
            JsonNode pr = JSON.readTree(opened.body());
            long number = pr.path("number").asLong();
            assertEquals("alice", pr.path("user").path("login").asText());
            assertEquals(feature1, pr.path("head").path("sha").asText());
            assertEquals("acme:feature", pr.path("head").path("label").asText());
            Hook openedHook = only("pull_request");
            assertEquals("opened", openedHook.body.path("action").asText());
            assertFalse(openedHook.body.path("pull_request").path("draft").asBoolean());

            assertEquals(
                    "A pull request already exists for acme:feature.",
                    error(send(gh, "POST", "/repos/acme/inv/pulls", "ghp_alice", prBody("feature", "main")), 422));
            HttpResponse<String> unknownHead =
                    send(gh, "POST", "/repos/acme/inv/pulls", "ghp_alice", prBody("nothing", "main"));
            assertEquals(422, unknownHead.statusCode());
            assertEquals(
                    "head",
                    JSON.readTree(unknownHead.body())
                            .path("errors")
                            .get(0)
                            .path("field")
                            .asText());
            assertEquals(
                    "No commits between feature and main",
                    error(send(gh, "POST", "/repos/acme/inv/pulls", "ghp_alice", prBody("main", "feature")), 422));

            // a new commit on the head: push, then synchronize
            hooks.clear();
            Files.writeString(work.resolve("db/V2__more.sql"), "alter table t add c int;\n");
            ok(work, "add", "-A");
            ok(work, "commit", "--quiet", "-m", "V2");
            ok(work, "push", "--quiet", "origin", "feature");
            String feature2 = ok(work, "rev-parse", "HEAD").trim();
            assertEquals(feature2, only("push").body.path("after").asText());
            Hook sync = only("pull_request");
            assertEquals("synchronize", sync.body.path("action").asText());
            assertEquals(feature1, sync.body.path("before").asText());
            assertEquals(
                    feature2,
                    sync.body.path("pull_request").path("head").path("sha").asText());
            JsonNode listed =
                    api(gh, "GET", "/repos/acme/inv/pulls?state=open&head=acme:feature&base=main", "ghp_alice", null);
            assertEquals(1, listed.size());
            assertEquals(feature2, listed.get(0).path("head").path("sha").asText());
            JsonNode compare = api(gh, "GET", "/repos/acme/inv/compare/" + main1 + "..." + feature2, null, null);
            assertEquals(main1, compare.path("merge_base_commit").path("sha").asText());
            assertEquals(2, compare.path("files").size());

            // merge: the required check is missing, then a stale sha, then accepted
            String merge = "/repos/acme/inv/pulls/" + number + "/merge";
            assertEquals(
                    "Required status check \"ci/build\" is expected.",
                    error(send(gh, "PUT", merge, "ghp_alice", "{\"sha\":\"" + feature2 + "\"}"), 405));
            gh.ciReports(feature2, "ci/build", "failure");
            assertEquals(
                    "Required status check \"ci/build\" is failing.",
                    error(send(gh, "PUT", merge, "ghp_alice", "{\"sha\":\"" + feature2 + "\"}"), 405));
            gh.ciReports(feature2, "ci/build", "success");
            assertEquals(
                    "Head branch was modified. Review and try the merge again.",
                    error(send(gh, "PUT", merge, "ghp_alice", "{\"sha\":\"" + feature1 + "\"}"), 409));
            assertEquals(401, send(gh, "PUT", merge, null, "{}").statusCode());
            hooks.clear();
            HttpResponse<String> merged =
                    send(gh, "PUT", merge, "ghp_alice", "{\"sha\":\"" + feature2 + "\",\"merge_method\":\"merge\"}");
            assertEquals(200, merged.statusCode(), merged.body());
            JsonNode result = JSON.readTree(merged.body());
            assertTrue(result.path("merged").asBoolean());
            String mainMerged = result.path("sha").asText();
            Hook closed = only("pull_request");
            assertEquals("closed", closed.body.path("action").asText());
            assertTrue(closed.body.path("pull_request").path("merged").asBoolean());
            assertEquals(
                    mainMerged,
                    closed.body.path("pull_request").path("merge_commit_sha").asText());
            Hook mainPush = only("push");
            assertEquals("refs/heads/main", mainPush.body.path("ref").asText());
            assertEquals(main1, mainPush.body.path("before").asText());
            assertEquals(mainMerged, mainPush.body.path("after").asText());
            assertEquals(2 + 1, mainPush.body.path("commits").size()); // V1, V2 and the merge commit

            Path bare = gh.bareRepository();
            assertEquals(0, git(bare, "merge-base", "--is-ancestor", feature2, "main").exit);
            assertEquals(mainMerged, ok(bare, "rev-parse", "main").trim());
            assertEquals("alter table t add c int;\n", content(gh, "db/V2__more.sql", "main"));
            JsonNode after = api(gh, "GET", "/repos/acme/inv/pulls/" + number, null, null);
            assertEquals("closed", after.path("state").asText());
            assertTrue(after.path("merged").asBoolean());
            assertEquals(mainMerged, after.path("merge_commit_sha").asText());
            assertEquals("Pull Request is not mergeable", error(send(gh, "PUT", merge, "ghp_alice", "{}"), 405));

            ok(work, "fetch", "--quiet", "origin");
            assertEquals(mainMerged, ok(work, "rev-parse", "origin/main").trim());
            assertEquals(0, git(work, "merge-base", "--is-ancestor", feature2, "origin/main").exit);

            // a branch written into the bare repository directly, then announced
            hooks.clear();
            ok(bare, "update-ref", "refs/heads/side", feature1);
            gh.pushed("side");
            assertEquals("refs/heads/side", only("push").body.path("ref").asText());
            assertEquals(
                    feature1,
                    api(gh, "GET", "/repos/acme/inv/branches/side", null, null)
                            .path("commit")
                            .path("sha")
                            .asText());
        }
    }

    @Test
    void gitLabHostsTheProjectAndMergesMergeRequests() throws Exception {
        List<Object[]> glHooks = new CopyOnWriteArrayList<>();
        try (GitLabApiStub gl = new GitLabApiStub("acme/inv")) {
            gl.gitHosted(tmp.resolve("forge/inv.git"));
            gl.userToken("glpat-bob", "bob");
            gl.pipelinesMustSucceed(true);
            gl.deliverTo((event, payload) -> glHooks.add(new Object[] {event, JSON.valueToTree(payload)}));
            String helper = "!f() { echo username=oauth2; echo password=glpat-bob; }; f";
            ok(tmp, "clone", "--quiet", "--config", "credential.helper=" + helper, gl.cloneUrl(), "work");
            Path work = tmp.resolve("work");
            Files.writeString(work.resolve("README.md"), "hello\n");
            ok(work, "add", "-A");
            ok(work, "commit", "--quiet", "-m", "first");
            ok(work, "push", "--quiet", "origin", "HEAD:main");
            String main1 = ok(work, "rev-parse", "HEAD").trim();
            JsonNode push = glOnly(glHooks, "Push Hook");
            assertEquals(GitHost.ZERO, push.path("before").asText());
            assertEquals(main1, push.path("after").asText());
            assertEquals("bob", push.path("user_username").asText());
            assertEquals(
                    "acme/inv", push.path("project").path("path_with_namespace").asText());

            // a push big enough to go chunked (git's post buffer at its smallest)
            ok(work, "checkout", "--quiet", "-b", "feature");
            byte[] noise = new byte[300_000];
            new Random(7).nextBytes(noise);
            Files.writeString(work.resolve("data.txt"), Base64.getMimeEncoder().encodeToString(noise));
            Files.writeString(work.resolve("V1.sql"), "create table t (id int);\n");
            ok(work, "add", "-A");
            ok(work, "commit", "--quiet", "-m", "V1");
            ok(work, "-c", "http.postBuffer=65536", "push", "--quiet", "origin", "feature");
            String feature1 = ok(work, "rev-parse", "HEAD").trim();
            assertEquals(feature1, glOnly(glHooks, "Push Hook").path("after").asText());
            assertEquals("create table t (id int);\n", raw(gl, "V1.sql", feature1));

            String mrs = "/api/v4/projects/acme%2Finv/merge_requests";
            String body = "{\"source_branch\":\"feature\",\"target_branch\":\"main\",\"title\":\"Draft: V1\"}";
            assertEquals(401, send(gl, "POST", mrs, null, body).statusCode());
            HttpResponse<String> created = send(gl, "POST", mrs, "glpat-bob", body);
            assertEquals(201, created.statusCode(), created.body());
            JsonNode mr = JSON.readTree(created.body());
            long iid = mr.path("iid").asLong();
            assertTrue(mr.path("draft").asBoolean());
            assertEquals("bob", mr.path("author").path("username").asText());
            assertEquals(feature1, mr.path("sha").asText());
            JsonNode open = glOnly(glHooks, "Merge Request Hook");
            assertEquals("open", open.path("object_attributes").path("action").asText());
            HttpResponse<String> again = send(gl, "POST", mrs, "glpat-bob", body);
            assertEquals(409, again.statusCode());
            assertEquals(
                    "Another open merge request already exists for this source branch: !" + iid,
                    JSON.readTree(again.body()).path("message").get(0).asText());
            HttpResponse<String> noSource = send(
                    gl,
                    "POST",
                    mrs,
                    "glpat-bob",
                    "{\"source_branch\":\"x\",\"target_branch\":\"main\",\"title\":\"t\"}");
            assertEquals(400, noSource.statusCode());

            // a draft cannot be merged
            String merge = mrs + "/" + iid + "/merge";
            assertEquals("405 Method Not Allowed", error(send(gl, "PUT", merge, "glpat-bob", "{}"), 405));

            // a new commit on the source: Push Hook, then Merge Request Hook update with oldrev
            Files.writeString(work.resolve("V2.sql"), "alter table t add c int;\n");
            ok(work, "add", "-A");
            ok(work, "commit", "--quiet", "-m", "V2");
            ok(work, "push", "--quiet", "origin", "feature");
            String feature2 = ok(work, "rev-parse", "HEAD").trim();
            assertEquals(feature2, glOnly(glHooks, "Push Hook").path("after").asText());
            JsonNode update = glOnly(glHooks, "Merge Request Hook").path("object_attributes");
            assertEquals("update", update.path("action").asText());
            assertEquals(feature1, update.path("oldrev").asText());
            assertEquals(feature2, update.path("last_commit").path("id").asText());
            assertEquals("V2", update.path("last_commit").path("title").asText());

            // out of draft (the title loses its prefix), and the pipeline must succeed
            assertEquals(
                    200,
                    send(gl, "PUT", mrs + "/" + iid, "glpat-bob", "{\"title\":\"V1\"}")
                            .statusCode());
            JsonNode edited = glOnly(glHooks, "Merge Request Hook");
            assertFalse(edited.path("object_attributes").path("draft").asBoolean());
            assertFalse(edited.path("object_attributes").has("oldrev"));
            JsonNode found =
                    JSON.readTree(send(gl, "GET", mrs + "?source_branch=feature&state=opened", "glpat-bob", null)
                            .body());
            assertEquals(1, found.size());
            assertEquals(
                    "ci_must_pass", found.get(0).path("detailed_merge_status").asText());
            assertEquals("405 Method Not Allowed", error(send(gl, "PUT", merge, "glpat-bob", "{}"), 405));
            gl.runJob(feature2, "build", "success");
            glHooks.clear();
            assertEquals(
                    "SHA does not match HEAD of source branch: " + feature2,
                    error(send(gl, "PUT", merge, "glpat-bob", "{\"sha\":\"" + feature1 + "\"}"), 409));
            HttpResponse<String> merged = send(
                    gl,
                    "PUT",
                    merge,
                    "glpat-bob",
                    "{\"sha\":\"" + feature2 + "\",\"should_remove_source_branch\":true}");
            assertEquals(200, merged.statusCode(), merged.body());
            JsonNode done = JSON.readTree(merged.body());
            assertEquals("merged", done.path("state").asText());
            String mergeCommit = done.path("merge_commit_sha").asText();
            assertEquals(
                    "merge",
                    glOnly(glHooks, "Merge Request Hook")
                            .path("object_attributes")
                            .path("action")
                            .asText());
            List<JsonNode> pushes = glAll(glHooks, "Push Hook");
            assertEquals(2, pushes.size());
            assertEquals("refs/heads/main", pushes.get(0).path("ref").asText());
            assertEquals(mergeCommit, pushes.get(0).path("after").asText());
            assertEquals("refs/heads/feature", pushes.get(1).path("ref").asText());
            assertEquals(GitHost.ZERO, pushes.get(1).path("after").asText());

            Path bare = gl.bareRepository();
            assertEquals(0, git(bare, "merge-base", "--is-ancestor", feature2, "main").exit);
            assertNotEquals(0, git(bare, "rev-parse", "--verify", "--quiet", "refs/heads/feature").exit);
            assertEquals(
                    "merged",
                    JSON.readTree(send(gl, "GET", "/api/v4/projects/15/merge_requests/" + iid, null, null)
                                    .body())
                            .path("state")
                            .asText());
            ok(work, "fetch", "--quiet", "--prune", "origin");
            assertEquals(mergeCommit, ok(work, "rev-parse", "origin/main").trim());
            assertEquals(0, git(work, "merge-base", "--is-ancestor", feature2, "origin/main").exit);

            // a conflict: both sides change README.md
            ok(work, "checkout", "--quiet", "-b", "clash", main1);
            Files.writeString(work.resolve("README.md"), "theirs\n");
            ok(work, "commit", "--quiet", "-am", "clash");
            ok(work, "push", "--quiet", "origin", "clash");
            ok(work, "checkout", "--quiet", "-b", "ours", "origin/main");
            Files.writeString(work.resolve("README.md"), "ours\n");
            ok(work, "commit", "--quiet", "-am", "ours");
            ok(work, "push", "--quiet", "origin", "HEAD:main");
            gl.pipelinesMustSucceed(false);
            JsonNode clash = JSON.readTree(send(
                            gl,
                            "POST",
                            mrs,
                            "glpat-bob",
                            "{\"source_branch\":\"clash\",\"target_branch\":\"main\",\"title\":\"clash\"}")
                    .body());
            assertEquals("conflict", clash.path("detailed_merge_status").asText());
            assertEquals(
                    "Branch cannot be merged",
                    error(send(gl, "PUT", mrs + "/" + clash.path("iid").asLong() + "/merge", "glpat-bob", "{}"), 422));
        }
    }

    @Test
    void gzipRequestBodiesReachHttpBackend() throws Exception {
        try (GitHubApiStub gh = new GitHubApiStub("acme/inv")) {
            gh.gitHosted(tmp.resolve("forge/inv.git"));
            gh.user("ghp_alice", "alice", false);
            // protocol v2 ls-refs, gzipped as git sends a large request
            ByteArrayOutputStream zipped = new ByteArrayOutputStream();
            try (GZIPOutputStream z = new GZIPOutputStream(zipped)) {
                z.write("0014command=ls-refs\n00010000".getBytes(StandardCharsets.US_ASCII));
            }
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(gh.cloneUrl() + "/git-upload-pack"))
                            .header("Authorization", basic("x-access-token", "ghp_alice"))
                            .header("Content-Type", "application/x-git-upload-pack-request")
                            .header("Content-Encoding", "gzip")
                            .header("Git-Protocol", "version=2")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(zipped.toByteArray()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(
                    "application/x-git-upload-pack-result",
                    r.headers().firstValue("Content-Type").orElseThrow());
            assertEquals("0000", r.body()); // an empty repository has no refs
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String prBody(String head, String base) {
        return "{\"title\":\"Add " + head + "\",\"head\":\"" + head + "\",\"base\":\"" + base + "\",\"body\":\"b\"}";
    }

    private Hook only(String event) throws InterruptedException {
        List<Hook> of = new ArrayList<>();
        for (Hook h : hooks) {
            if (h.event.equals(event)) {
                of.add(h);
            }
        }
        assertEquals(1, of.size(), "webhooks " + event + ": " + of);
        hooks.removeAll(of);
        return of.get(0);
    }

    private static JsonNode glOnly(List<Object[]> hooks, String event) {
        List<JsonNode> of = glAll(hooks, event);
        assertEquals(1, of.size(), event + ": " + of);
        return of.get(0);
    }

    private static List<JsonNode> glAll(List<Object[]> hooks, String event) {
        List<JsonNode> of = new ArrayList<>();
        List<Object[]> taken = new ArrayList<>();
        for (Object[] h : hooks) {
            if (h[0].equals(event)) {
                of.add((JsonNode) h[1]);
                taken.add(h);
            }
        }
        hooks.removeAll(taken);
        return of;
    }

    private static String error(HttpResponse<String> r, int status) throws IOException {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        JsonNode errors = body.path("errors");
        return errors.isArray() && errors.size() > 0 && errors.get(0).has("message")
                ? errors.get(0).path("message").asText()
                : body.path("message").asText();
    }

    private String content(GitHubApiStub gh, String path, String ref) throws Exception {
        JsonNode file = api(gh, "GET", "/repos/acme/inv/contents/" + path + "?ref=" + ref, null, null);
        return new String(Base64.getMimeDecoder().decode(file.path("content").asText()), StandardCharsets.UTF_8);
    }

    private String raw(GitLabApiStub gl, String path, String ref) throws Exception {
        return send(gl, "GET", "/api/v4/projects/acme%2Finv/repository/files/" + path + "/raw?ref=" + ref, null, null)
                .body();
    }

    private JsonNode api(ForgeStub stub, String method, String path, String token, String body) throws Exception {
        HttpResponse<String> r = send(stub, method, path, token, body);
        assertTrue(r.statusCode() < 300, method + " " + path + " -> " + r.statusCode() + " " + r.body());
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> send(ForgeStub stub, String method, String path, String token, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stub.url() + path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header(
                    stub instanceof GitLabApiStub ? "PRIVATE-TOKEN" : "Authorization",
                    stub instanceof GitLabApiStub ? token : "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String url, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    record Result(int exit, String out, String err) {}

    /** git in {@code dir}, with no system or global configuration and no terminal prompt. */
    private Result git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("GIT_"));
        env.put("HOME", home.toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", emptyConfig.toString());
        env.put("GIT_TERMINAL_PROMPT", "0");
        env.put("GIT_ASKPASS", "");
        env.put("SSH_ASKPASS", "");
        env.put("GIT_AUTHOR_NAME", "Alice");
        env.put("GIT_AUTHOR_EMAIL", "alice@example.com");
        env.put("GIT_COMMITTER_NAME", "Alice");
        env.put("GIT_COMMITTER_EMAIL", "alice@example.com");
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        var err = new java.util.concurrent.CompletableFuture<String>();
        Thread t = new Thread(() -> {
            try {
                err.complete(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                err.complete(e.toString());
            }
        });
        t.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        return new Result(exit, out, err.get());
    }

    private String ok(Path dir, String... args) throws Exception {
        Result r = git(dir, args);
        assertEquals(0, r.exit, "git " + String.join(" ", args) + ": " + r.err);
        return r.out;
    }
}
