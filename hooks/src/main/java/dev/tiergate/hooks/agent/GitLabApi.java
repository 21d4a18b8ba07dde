package dev.tiergate.hooks.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * GitLab's merge requests API with the caller's token (docs.gitlab.com/api/merge_requests): list by {@code
 * source_branch}, create (a draft's title starts {@code Draft:}), and merge with {@code sha} so that GitLab refuses
 * (409) a head that moved after tiergate said yes.
 */
final class GitLabApi implements ForgeApi {
    private final String api;
    private final String project;
    private final String token;

    GitLabApi(String api, String projectPath, String token) {
        this.api = api.endsWith("/") ? api.substring(0, api.length() - 1) : api;
        this.project = URLEncoder.encode(projectPath, StandardCharsets.UTF_8);
        this.token = token;
    }

    @Override
    public String name() {
        return "gitlab";
    }

    private Map<String, String> headers() {
        return Map.of("PRIVATE-TOKEN", token);
    }

    private URI uri(String pathAndQuery) {
        return URI.create(api + "/projects/" + project + pathAndQuery);
    }

    @Override
    public Optional<Pull> openPull(String headBranch) throws ForgeFailure {
        JsonCalls.Answer a = JsonCalls.call(
                "GitLab",
                "GET",
                uri("/merge_requests?state=opened&per_page=100&source_branch="
                        + URLEncoder.encode(headBranch, StandardCharsets.UTF_8)),
                headers(),
                null);
        refuseUnlessOk(a, "list the merge requests of " + headBranch);
        for (JsonNode mr : a.body()) {
            if (headBranch.equals(mr.path("source_branch").asText())) {
                return Optional.of(pull(mr));
            }
        }
        return Optional.empty();
    }

    @Override
    public Pull open(String headBranch, String base, String title, String body, boolean draft) throws ForgeFailure {
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("source_branch", headBranch);
        req.put("target_branch", base);
        req.put("title", draft ? "Draft: " + title : title);
        req.put("description", body);
        JsonCalls.Answer a = JsonCalls.call("GitLab", "POST", uri("/merge_requests"), headers(), req);
        refuseUnlessOk(a, "open a merge request from " + headBranch + " into " + base);
        return pull(a.body());
    }

    @Override
    public String merge(long number, String sha, String method) throws ForgeFailure {
        if (method.equals("rebase")) {
            throw new ForgeFailure(
                    true,
                    0,
                    "GitLab merges with the project's merge method; --method rebase is GitHub's. Use merge or squash");
        }
        JsonCalls.Answer a = JsonCalls.call(
                "GitLab",
                "PUT",
                uri("/merge_requests/" + number + "/merge"),
                headers(),
                Map.of("sha", sha, "squash", method.equals("squash")));
        refuseUnlessOk(a, "merge merge request !" + number);
        JsonNode b = a.body();
        return b.path("merge_commit_sha").asText(b.path("squash_commit_sha").asText(""));
    }

    private static Pull pull(JsonNode mr) {
        return new Pull(
                mr.path("iid").asLong(),
                mr.path("web_url").asText(),
                mr.path("sha").asText(),
                mr.path("target_branch").asText(),
                mr.path("draft").asBoolean(mr.path("work_in_progress").asBoolean()));
    }

    private static void refuseUnlessOk(JsonCalls.Answer a, String what) throws ForgeFailure {
        if (a.status() / 100 != 2) {
            throw new ForgeFailure(
                    true,
                    a.status(),
                    "GitLab refused to " + what + " (" + a.status() + "): " + JsonCalls.message(a.body())
                            + (a.status() == 401 ? " (set GITLAB_TOKEN to a token with the api scope)" : ""));
        }
    }
}
