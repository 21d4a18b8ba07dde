package dev.tiergate.server.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A WireMock stub of the GitHub REST API for one repository, answering with GitHub's response shapes and
 * recording the statuses tiergate posts. Each setter re-stubs the endpoint with the current state.
 */
public final class GitHubApiStub implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final WireMockServer wm = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private final String repo;
    private final Map<Long, Map<String, Object>> pulls = new LinkedHashMap<>();
    private final Map<Long, List<Map<String, Object>>> reviews = new LinkedHashMap<>();
    private final Map<String, List<Map<String, Object>>> statuses = new LinkedHashMap<>();
    private final Map<String, String> branches = new LinkedHashMap<>();

    public GitHubApiStub(String repo) {
        this.repo = repo;
        wm.start();
        String base = "/repos/" + repo;
        wm.stubFor(get(urlPathEqualTo(base)).willReturn(okJson(json(Map.of("full_name", repo, "default_branch", "main")))));
        wm.stubFor(get(urlPathMatching(base + "/contents/.*")).atPriority(10)
                .willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/json")
                        .withBody("{\"message\":\"Not Found\",\"documentation_url\":\"https://docs.github.com/rest/repos/contents#get-repository-content\"}")));
        wm.stubFor(post(urlPathMatching(base + "/statuses/.*")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":1,\"state\":\"pending\",\"context\":\"tiergate/workflow\"}")));
        wm.stubFor(get(urlPathMatching(base + "/commits/.*/check-runs")).willReturn(okJson("{\"total_count\":0,\"check_runs\":[]}")));
        wm.stubFor(get(urlPathMatching(base + "/commits/.*/status")).atPriority(10)
                .willReturn(okJson("{\"state\":\"pending\",\"statuses\":[],\"total_count\":0}")));
        wm.stubFor(get(urlPathMatching(base + "/pulls/[0-9]+/reviews")).atPriority(10).willReturn(okJson("[]")));
        restubLists();
    }

    public String url() {
        return wm.baseUrl();
    }

    public WireMockServer wireMock() {
        return wm;
    }

    /** Serves {@code .tiergate/policy.yaml} at a ref (a SHA or a branch name). */
    public void policy(String ref, String yaml) {
        wm.stubFor(get(urlPathEqualTo("/repos/" + repo + "/contents/.tiergate/policy.yaml")).withQueryParam("ref", equalTo(ref))
                .atPriority(1).willReturn(okJson(json(Map.of("type", "file", "encoding", "base64", "path", ".tiergate/policy.yaml",
                        "content", Base64.getMimeEncoder().encodeToString(yaml.getBytes(StandardCharsets.UTF_8)))))));
    }

    public void branch(String name, String sha) {
        if (sha == null) {
            branches.remove(name);
        } else {
            branches.put(name, sha);
        }
        restubLists();
    }

    public void pull(long number, String head, String headSha, String base, String baseSha, String login, boolean bot,
                     String state, boolean merged) {
        Map<String, Object> pr = new LinkedHashMap<>();
        pr.put("url", url() + "/repos/" + repo + "/pulls/" + number);
        pr.put("html_url", "https://github.com/" + repo + "/pull/" + number);
        pr.put("number", number);
        pr.put("state", state);
        pr.put("title", "PR " + number);
        pr.put("user", Map.of("login", login, "id", 1, "type", bot ? "Bot" : "User"));
        pr.put("head", Map.of("ref", head, "sha", headSha, "label", "acme:" + head));
        pr.put("base", Map.of("ref", base, "sha", baseSha, "label", "acme:" + base));
        pr.put("merged", merged);
        pr.put("merged_at", merged ? "2026-11-25T10:00:00Z" : null);
        pulls.put(number, pr);
        wm.stubFor(get(urlPathEqualTo("/repos/" + repo + "/pulls/" + number)).willReturn(okJson(json(pr))));
        restubLists();
    }

    public void review(long number, String login, boolean bot, String state, String commitId) {
        reviews.computeIfAbsent(number, k -> new ArrayList<>()).add(Map.of("id", reviews.get(number).size() + 1,
                "user", Map.of("login", login, "type", bot ? "Bot" : "User"), "state", state, "commit_id", commitId,
                "submitted_at", "2026-11-25T09:00:00Z"));
        wm.stubFor(get(urlPathEqualTo("/repos/" + repo + "/pulls/" + number + "/reviews")).atPriority(1)
                .willReturn(okJson(json(reviews.get(number)))));
    }

    public void ciStatus(String sha, String context, String state) {
        statuses.computeIfAbsent(sha, k -> new ArrayList<>()).add(Map.of("context", context, "state", state,
                "description", "CI", "target_url", "https://ci.example/1"));
        wm.stubFor(get(urlPathEqualTo("/repos/" + repo + "/commits/" + sha + "/status")).atPriority(1)
                .willReturn(okJson(json(Map.of("state", state, "sha", sha, "statuses", statuses.get(sha), "total_count", statuses.get(sha).size())))));
    }

    /** The bodies of tiergate/workflow statuses posted on a SHA, oldest first. */
    public List<JsonNode> posted(String sha) {
        List<JsonNode> out = new ArrayList<>();
        wm.findAll(postRequestedFor(urlPathEqualTo("/repos/" + repo + "/statuses/" + sha))).forEach(r -> {
            try {
                out.add(JSON.readTree(r.getBodyAsString()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return out;
    }

    public JsonNode lastPosted(String sha) {
        List<JsonNode> all = posted(sha);
        if (all.isEmpty()) {
            throw new AssertionError("no tiergate/workflow status was posted on " + sha);
        }
        return all.get(all.size() - 1);
    }

    private void restubLists() {
        List<Map<String, Object>> b = new ArrayList<>();
        branches.forEach((n, s) -> b.add(Map.of("name", n, "commit", Map.of("sha", s), "protected", false)));
        wm.stubFor(get(urlPathEqualTo("/repos/" + repo + "/branches")).willReturn(okJson(json(b))));
        List<Map<String, Object>> open = pulls.values().stream().filter(p -> "open".equals(p.get("state"))).toList();
        wm.stubFor(get(urlPathEqualTo("/repos/" + repo + "/pulls")).willReturn(okJson(json(open))));
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        wm.stop();
    }
}
