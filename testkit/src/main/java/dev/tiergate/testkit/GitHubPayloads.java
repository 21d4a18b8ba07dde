package dev.tiergate.testkit;

import java.util.LinkedHashMap;
import java.util.Map;

/** Webhook payloads shaped like GitHub's (only the fields a receiver relies on, with GitHub's names). */
public final class GitHubPayloads {
    public static final String ZERO = "0000000000000000000000000000000000000000";

    private GitHubPayloads() {}

    static Map<String, Object> repository(String fullName) {
        return Map.of(
                "full_name",
                fullName,
                "name",
                fullName.substring(fullName.indexOf('/') + 1),
                "default_branch",
                "main",
                "owner",
                Map.of("login", fullName.substring(0, fullName.indexOf('/'))));
    }

    public static Map<String, Object> push(String repo, String branch, String before, String after, String pusher) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ref", "refs/heads/" + branch);
        m.put("before", before);
        m.put("after", after);
        m.put("created", ZERO.equals(before));
        m.put("deleted", ZERO.equals(after));
        m.put("forced", false);
        m.put("repository", repository(repo));
        m.put("pusher", Map.of("name", pusher));
        m.put("sender", Map.of("login", pusher, "type", "User"));
        return m;
    }

    public static Map<String, Object> pullRequest(String repo, String action, Pull p) {
        Map<String, Object> pr = new LinkedHashMap<>();
        pr.put("number", p.number());
        pr.put("state", p.state());
        pr.put("merged", p.merged());
        pr.put("user", Map.of("login", p.login(), "type", p.bot() ? "Bot" : "User"));
        pr.put("head", Map.of("ref", p.head(), "sha", p.headSha()));
        pr.put("base", Map.of("ref", p.base(), "sha", p.baseSha()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("action", action);
        m.put("number", p.number());
        m.put("pull_request", pr);
        m.put("repository", repository(repo));
        m.put("sender", Map.of("login", p.login(), "type", "User"));
        return m;
    }

    public static Map<String, Object> review(String repo, Pull p, String reviewer) {
        Map<String, Object> m = new LinkedHashMap<>(pullRequest(repo, "submitted", p));
        m.put(
                "review",
                Map.of(
                        "state",
                        "approved",
                        "commit_id",
                        p.headSha(),
                        "user",
                        Map.of("login", reviewer, "type", "User")));
        return m;
    }

    public static Map<String, Object> status(String repo, String sha, String context, String state) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sha", sha);
        m.put("context", context);
        m.put("state", state);
        m.put("repository", repository(repo));
        m.put("sender", Map.of("login", "ci", "type", "Bot"));
        return m;
    }

    /** A {@code check_run} webhook ({@code created}, {@code completed}) carrying the run as the checks API shows it. */
    public static Map<String, Object> checkRun(String repo, String action, Map<String, Object> run) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("action", action);
        m.put("check_run", run);
        m.put("repository", repository(repo));
        m.put("sender", Map.of("login", "ci", "type", "Bot"));
        return m;
    }

    /** A {@code check_suite completed} webhook: GitHub sends it once every run of an app's suite on a SHA has completed. */
    public static Map<String, Object> checkSuiteCompleted(String repo, String sha, String branch, String conclusion) {
        Map<String, Object> suite = new LinkedHashMap<>();
        suite.put("head_sha", sha);
        suite.put("head_branch", branch);
        suite.put("status", "completed");
        suite.put("conclusion", conclusion);
        suite.put("app", Map.of("slug", "ci"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("action", "completed");
        m.put("check_suite", suite);
        m.put("repository", repository(repo));
        m.put("sender", Map.of("login", "ci", "type", "Bot"));
        return m;
    }
}
