package dev.tiergate.hooks.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * GitHub's pulls API with the caller's token (docs.github.com/en/rest/pulls/pulls): list by {@code head=owner:branch},
 * create, and merge with {@code sha} so that GitHub refuses (409) a head that moved after tiergate said yes.
 */
final class GitHubApi implements ForgeApi {
    private final String api;
    private final String repo;
    private final String token;

    GitHubApi(String api, String repo, String token) {
        this.api = api.endsWith("/") ? api.substring(0, api.length() - 1) : api;
        this.repo = repo;
        this.token = token;
    }

    @Override
    public String name() {
        return "github";
    }

    private Map<String, String> headers() {
        return Map.of(
                "Authorization", "Bearer " + token,
                "Accept", "application/vnd.github+json",
                "X-GitHub-Api-Version", "2022-11-28");
    }

    private URI uri(String pathAndQuery) {
        return URI.create(api + "/repos/" + repo + pathAndQuery);
    }

    @Override
    public Optional<Pull> openPull(String headBranch) throws ForgeFailure {
        String owner = repo.substring(0, repo.indexOf('/'));
        JsonCalls.Answer a = JsonCalls.call(
                "GitHub",
                "GET",
                uri("/pulls?state=open&per_page=100&head="
                        + URLEncoder.encode(owner + ":" + headBranch, StandardCharsets.UTF_8)),
                headers(),
                null);
        refuseUnlessOk(a, "list the pull requests of " + headBranch);
        for (JsonNode p : a.body()) {
            if (headBranch.equals(p.path("head").path("ref").asText())) {
                return Optional.of(pull(p));
            }
        }
        return Optional.empty();
    }

    @Override
    public Pull open(String headBranch, String base, String title, String body, boolean draft) throws ForgeFailure {
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("title", title);
        req.put("head", headBranch);
        req.put("base", base);
        req.put("body", body);
        req.put("draft", draft);
        JsonCalls.Answer a = JsonCalls.call("GitHub", "POST", uri("/pulls"), headers(), req);
        refuseUnlessOk(a, "open a pull request from " + headBranch + " into " + base);
        return pull(a.body());
    }

    @Override
    public String merge(long number, String sha, String method) throws ForgeFailure {
        JsonCalls.Answer a = JsonCalls.call(
                "GitHub",
                "PUT",
                uri("/pulls/" + number + "/merge"),
                headers(),
                Map.of("sha", sha, "merge_method", method));
        refuseUnlessOk(a, "merge pull request #" + number);
        return a.body().path("sha").asText();
    }

    private static Pull pull(JsonNode p) {
        return new Pull(
                p.path("number").asLong(),
                p.path("html_url").asText(),
                p.path("head").path("sha").asText(),
                p.path("base").path("ref").asText(),
                p.path("draft").asBoolean());
    }

    private static void refuseUnlessOk(JsonCalls.Answer a, String what) throws ForgeFailure {
        if (a.status() / 100 != 2) {
            String why = JsonCalls.message(a.body());
            throw new ForgeFailure(
                    true,
                    a.status(),
                    "GitHub refused to " + what + " (" + a.status() + "): " + why
                            + (a.status() == 401 ? " (set GH_TOKEN to a token that may write pull requests)" : ""));
        }
    }
}
