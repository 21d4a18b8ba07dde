package dev.tiergate.server.demo;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for the few GitHub REST endpoints tiergate reads, held in memory, on loopback. Used by
 * {@code tiergate demo} so a newcomer sees the whole story with no GitHub account. Shapes follow GitHub's API.
 */
public final class FakeGitHub implements AutoCloseable {
    public record Pull(
            long number,
            String head,
            String headSha,
            String base,
            String baseSha,
            String login,
            boolean bot,
            String state,
            boolean merged) {}

    public record PostedStatus(String sha, String state, String context, String description, String targetUrl) {}

    private final Javalin app;
    private final String repo;
    private volatile String policyYaml;
    private final Map<String, String> branches = new ConcurrentHashMap<>();
    private final Map<Long, Pull> pulls = new ConcurrentHashMap<>();
    private final Map<Long, List<Map<String, Object>>> reviews = new ConcurrentHashMap<>();
    private final Map<String, List<Map<String, Object>>> ciStatuses = new ConcurrentHashMap<>();
    private final List<PostedStatus> posted = new CopyOnWriteArrayList<>();
    private final Map<Long, List<Map<String, Object>>> comments = new ConcurrentHashMap<>();
    /** ref → path → content: the migrations at each commit of the story. */
    private final Map<String, Map<String, String>> files = new ConcurrentHashMap<>();

    private final Map<String, String> blobs = new ConcurrentHashMap<>();

    public FakeGitHub(String repo, String policyYaml) {
        this.repo = repo;
        this.policyYaml = policyYaml;
        this.app = Javalin.create(c -> c.showJavalinBanner = false);
        String base = "/repos/" + repo;
        app.get(base, ctx -> ctx.json(Map.of("full_name", repo, "default_branch", "main")));
        app.get(base + "/contents/<path>", this::contents);
        app.get(base + "/git/blobs/{sha}", ctx -> {
            String content = blobs.get(ctx.pathParam("sha"));
            if (content == null) {
                ctx.status(404).json(Map.of("message", "Not Found"));
            } else {
                ctx.json(Map.of(
                        "sha",
                        ctx.pathParam("sha"),
                        "encoding",
                        "base64",
                        "content",
                        Base64.getMimeEncoder().encodeToString(content.getBytes(StandardCharsets.UTF_8))));
            }
        });
        app.get(
                base + "/branches",
                ctx -> ctx.json(branches.entrySet().stream()
                        .map(e -> Map.of("name", e.getKey(), "commit", Map.of("sha", e.getValue())))
                        .toList()));
        app.get(base + "/branches/<name>", ctx -> {
            String sha = branches.get(ctx.pathParam("name"));
            if (sha == null) {
                ctx.status(404).json(Map.of("message", "Branch not found"));
            } else {
                ctx.json(Map.of("name", ctx.pathParam("name"), "commit", Map.of("sha", sha), "protected", false));
            }
        });
        app.get(
                base + "/pulls",
                ctx -> ctx.json(pulls.values().stream()
                        .filter(p -> p.state().equals("open"))
                        .map(this::pullJson)
                        .toList()));
        app.get(base + "/pulls/{n}", ctx -> {
            Pull p = pulls.get(Long.parseLong(ctx.pathParam("n")));
            if (p == null) {
                ctx.status(404).json(Map.of("message", "Not Found"));
            } else {
                ctx.json(pullJson(p));
            }
        });
        app.get(
                base + "/pulls/{n}/reviews",
                ctx -> ctx.json(reviews.getOrDefault(Long.parseLong(ctx.pathParam("n")), List.of())));
        // as on GitHub, the combined status holds the latest status per context, tiergate's own included
        app.get(base + "/commits/{sha}/status", ctx -> {
            String sha = ctx.pathParam("sha");
            Map<String, Map<String, Object>> latest = new LinkedHashMap<>();
            for (PostedStatus p : posted) {
                if (!p.sha().equals(sha)) {
                    continue;
                }
                latest.put(
                        p.context(),
                        Map.of(
                                "context",
                                p.context(),
                                "state",
                                p.state(),
                                "description",
                                p.description(),
                                "target_url",
                                p.targetUrl() == null ? "" : p.targetUrl()));
            }
            for (Map<String, Object> s : ciStatuses.getOrDefault(sha, List.of())) {
                latest.put(String.valueOf(s.get("context")), s);
            }
            ctx.json(Map.of("state", "success", "sha", sha, "statuses", new ArrayList<>(latest.values())));
        });
        app.get(base + "/commits/{sha}/check-runs", ctx -> ctx.json(Map.of("total_count", 0, "check_runs", List.of())));
        app.get(
                base + "/issues/{n}/comments",
                ctx -> ctx.json(comments.getOrDefault(Long.parseLong(ctx.pathParam("n")), List.of())));
        app.post(base + "/issues/{n}/comments", ctx -> {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("id", System.nanoTime());
            c.put("body", String.valueOf(ctx.bodyAsClass(Map.class).get("body")));
            comments.computeIfAbsent(Long.parseLong(ctx.pathParam("n")), k -> new CopyOnWriteArrayList<>())
                    .add(c);
            ctx.status(201).json(c);
        });
        app.patch(base + "/issues/comments/{id}", ctx -> {
            for (List<Map<String, Object>> list : comments.values()) {
                for (Map<String, Object> c : list) {
                    if (String.valueOf(c.get("id")).equals(ctx.pathParam("id"))) {
                        c.put("body", String.valueOf(ctx.bodyAsClass(Map.class).get("body")));
                        ctx.json(c);
                        return;
                    }
                }
            }
            ctx.status(404).json(Map.of("message", "Not Found"));
        });
        app.post(base + "/statuses/{sha}", ctx -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> body = ctx.bodyAsClass(Map.class);
            posted.add(new PostedStatus(
                    ctx.pathParam("sha"),
                    String.valueOf(body.get("state")),
                    String.valueOf(body.get("context")),
                    String.valueOf(body.get("description")),
                    (String) body.get("target_url")));
            ctx.status(201).json(body);
        });
        app.start("127.0.0.1", 0);
    }

    private void contents(Context ctx) {
        String path = ctx.pathParam("path");
        Map<String, String> tree = files.getOrDefault(String.valueOf(ctx.queryParam("ref")), Map.of());
        List<Map<String, Object>> folder = new ArrayList<>();
        tree.forEach((p, content) -> {
            if (p.startsWith(path + "/") && p.indexOf('/', path.length() + 1) < 0) {
                folder.add(Map.of(
                        "type", "file", "name", p.substring(path.length() + 1), "path", p, "sha", blobSha(content)));
            }
        });
        if (!folder.isEmpty()) {
            ctx.json(folder);
            return;
        }
        if (!path.equals(".tiergate/policy.yaml") || policyYaml == null) {
            ctx.status(404).json(Map.of("message", "Not Found"));
            return;
        }
        ctx.json(Map.of(
                "type",
                "file",
                "encoding",
                "base64",
                "content",
                Base64.getMimeEncoder().encodeToString(policyYaml.getBytes(StandardCharsets.UTF_8))));
    }

    private Map<String, Object> pullJson(Pull p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("number", p.number());
        m.put("state", p.state());
        m.put("merged", p.merged());
        m.put("html_url", "https://github.com/" + repo + "/pull/" + p.number());
        m.put("user", Map.of("login", p.login(), "type", p.bot() ? "Bot" : "User"));
        m.put("head", Map.of("ref", p.head(), "sha", p.headSha()));
        m.put("base", Map.of("ref", p.base(), "sha", p.baseSha()));
        return m;
    }

    public String apiUrl() {
        return "http://127.0.0.1:" + app.port();
    }

    /** A file at a commit of the story (migrations), served by the contents and blobs endpoints as GitHub does. */
    public void file(String ref, String path, String content) {
        files.computeIfAbsent(ref, k -> new ConcurrentHashMap<>()).put(path, content);
        blobs.put(blobSha(content), content);
    }

    public void copyFiles(String from, String to) {
        files.getOrDefault(from, Map.of()).forEach((p, c) -> file(to, p, c));
    }

    /** The PR comments posted so far, oldest first. */
    public List<String> comments(long number) {
        return comments.getOrDefault(number, List.of()).stream()
                .map(c -> String.valueOf(c.get("body")))
                .toList();
    }

    /** git's blob id: SHA-1 of "blob <size>\0<content>". */
    private static String blobSha(String content) {
        try {
            byte[] body = content.getBytes(StandardCharsets.UTF_8);
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(("blob " + body.length + "\0").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha1.digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public void branch(String name, String sha) {
        if (sha == null) {
            branches.remove(name);
        } else {
            branches.put(name, sha);
        }
    }

    public void pull(Pull p) {
        pulls.put(p.number(), p);
    }

    public Pull pull(long n) {
        return pulls.get(n);
    }

    public void approve(long n, String login, String sha) {
        reviews.computeIfAbsent(n, k -> new CopyOnWriteArrayList<>())
                .add(Map.of(
                        "id",
                        System.nanoTime(),
                        "state",
                        "APPROVED",
                        "commit_id",
                        sha,
                        "user",
                        Map.of("login", login, "type", "User")));
    }

    public void ciStatus(String sha, String context, String state) {
        ciStatuses
                .computeIfAbsent(sha, k -> new CopyOnWriteArrayList<>())
                .add(Map.of("context", context, "state", state));
    }

    /** {@code tiergate/workflow} statuses posted on a SHA, oldest first. */
    public List<PostedStatus> posted(String sha) {
        return posted(sha, "tiergate/workflow");
    }

    /** Statuses posted on a SHA in one context, oldest first. */
    public List<PostedStatus> posted(String sha, String context) {
        List<PostedStatus> out = new ArrayList<>();
        for (PostedStatus s : posted) {
            if (s.sha().equals(sha) && s.context().equals(context)) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public void close() {
        app.stop();
    }
}
