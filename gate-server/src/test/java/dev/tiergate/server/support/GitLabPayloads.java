package dev.tiergate.server.support;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Webhook bodies shaped like GitLab's documented examples (Push, Merge Request, Pipeline, status check). */
public final class GitLabPayloads {
    public static final String ZERO = "0000000000000000000000000000000000000000";

    private GitLabPayloads() {}

    static Map<String, Object> project(String path) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("id", 15);
        p.put("name", path.substring(path.lastIndexOf('/') + 1));
        p.put("path_with_namespace", path);
        p.put("default_branch", "main");
        p.put("web_url", "https://gitlab.example.com/" + path);
        return p;
    }

    public static Map<String, Object> push(String path, String branch, String before, String after, int totalCommits) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("object_kind", "push");
        m.put("event_name", "push");
        m.put("before", before);
        m.put("after", after);
        m.put("ref", "refs/heads/" + branch);
        m.put("checkout_sha", ZERO.equals(after) ? null : after);
        m.put("user_username", "alice");
        m.put("project_id", 15);
        m.put("project", project(path));
        m.put("commits", List.of());
        m.put("total_commits_count", totalCommits);
        return m;
    }

    public static Map<String, Object> mergeRequest(
            String path,
            long iid,
            String action,
            String source,
            String target,
            String lastCommit,
            String oldrev,
            String author) {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("id", 99);
        attrs.put("iid", iid);
        attrs.put("source_branch", source);
        attrs.put("target_branch", target);
        attrs.put("state", action.equals("merge") ? "merged" : action.equals("close") ? "closed" : "opened");
        attrs.put("merge_status", "unchecked");
        attrs.put("action", action);
        attrs.put("last_commit", Map.of("id", lastCommit, "message", "work", "author", Map.of("name", author)));
        if (oldrev != null) {
            attrs.put("oldrev", oldrev);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("object_kind", "merge_request");
        m.put("event_type", "merge_request");
        m.put("user", Map.of("id", 1, "name", author, "username", author));
        m.put("project", project(path));
        m.put("object_attributes", attrs);
        m.put("changes", Map.of());
        return m;
    }

    public static Map<String, Object> pipeline(String path, String sha, String ref, String status, long iid) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("object_kind", "pipeline");
        m.put(
                "object_attributes",
                Map.of("id", 31, "iid", 3, "ref", ref, "sha", sha, "status", status, "source", "merge_request_event"));
        m.put("merge_request", Map.of("id", 99, "iid", iid));
        m.put("project", project(path));
        return m;
    }

    public static Map<String, Object> statusCheckRequest(
            String path, long iid, String sha, long ruleId, String source, String target) {
        Map<String, Object> m = mergeRequest(path, iid, "update", source, target, sha, null, "alice");
        m.put(
                "external_approval_rule",
                Map.of("id", ruleId, "name", "tiergate", "external_url", "https://tiergate.example/webhooks/gitlab"));
        return m;
    }
}
