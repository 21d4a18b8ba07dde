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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** A WireMock stub of GitLab's REST API v4 for one project, with GitLab's response shapes; records posted statuses. */
public final class GitLabApiStub implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final WireMockServer wm = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private final String base;
    private final Map<Long, Map<String, Object>> mrs = new LinkedHashMap<>();
    private final Map<Long, List<Map<String, Object>>> approvals = new LinkedHashMap<>();
    private final Map<String, List<Map<String, Object>>> statuses = new LinkedHashMap<>();
    private final Map<String, String> branches = new LinkedHashMap<>();

    public GitLabApiStub(String path) {
        wm.start();
        this.base = "/api/v4/projects/" + path.replace("/", "%2F");
        String q = Pattern.quote(base);
        wm.stubFor(get(urlPathEqualTo(base)).willReturn(okJson(json(Map.of("id", 15, "path_with_namespace", path, "default_branch", "main")))));
        wm.stubFor(get(urlPathMatching(q + "/repository/files/.*/raw")).atPriority(10)
                .willReturn(aResponse().withStatus(404).withHeader("Content-Type", "application/json").withBody("{\"message\":\"404 File Not Found\"}")));
        wm.stubFor(post(urlPathMatching(q + "/statuses/.*")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":1,\"status\":\"pending\",\"name\":\"tiergate/workflow\"}")));
        wm.stubFor(get(urlPathMatching(q + "/repository/commits/.*/statuses")).atPriority(10).willReturn(okJson("[]")));
        wm.stubFor(get(urlPathEqualTo(base + "/pipelines")).atPriority(10).willReturn(okJson("[]")));
        wm.stubFor(get(urlPathMatching(q + "/merge_requests/[0-9]+/approvals")).atPriority(10)
                .willReturn(okJson("{\"approved\":false,\"approved_by\":[]}")));
        wm.stubFor(post(urlPathMatching(q + "/merge_requests/[0-9]+/status_check_responses")).atPriority(10)
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody("{\"id\":1}")));
        restubLists();
    }

    public String url() {
        return wm.baseUrl();
    }

    public void policy(String ref, String yaml) {
        wm.stubFor(get(urlPathEqualTo(base + "/repository/files/.tiergate%2Fpolicy.yaml/raw")).withQueryParam("ref", equalTo(ref))
                .atPriority(1).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/plain").withBody(yaml)));
    }

    public void branch(String name, String sha) {
        if (sha == null) {
            branches.remove(name);
        } else {
            branches.put(name, sha);
        }
        restubLists();
    }

    public void mergeRequest(long iid, String source, String sha, String target, String targetSha, String author, boolean bot, String state) {
        Map<String, Object> mr = new LinkedHashMap<>();
        mr.put("id", 1000 + iid);
        mr.put("iid", iid);
        mr.put("project_id", 15);
        mr.put("state", state);
        mr.put("source_branch", source);
        mr.put("target_branch", target);
        mr.put("sha", sha);
        mr.put("author", Map.of("id", 7, "username", author, "name", author, "bot", bot));
        mr.put("diff_refs", Map.of("base_sha", targetSha, "head_sha", sha, "start_sha", targetSha));
        mr.put("web_url", "https://gitlab.example.com/merge_requests/" + iid);
        mrs.put(iid, mr);
        wm.stubFor(get(urlPathEqualTo(base + "/merge_requests/" + iid)).willReturn(okJson(json(mr))));
        restubLists();
    }

    public void approve(long iid, String username, boolean bot) {
        approvals.computeIfAbsent(iid, k -> new ArrayList<>()).add(Map.of("user", Map.of("id", 3, "username", username, "bot", bot)));
        wm.stubFor(get(urlPathEqualTo(base + "/merge_requests/" + iid + "/approvals")).atPriority(1)
                .willReturn(okJson(json(Map.of("approved", true, "approved_by", approvals.get(iid))))));
    }

    public void jobStatus(String sha, String name, String status) {
        statuses.computeIfAbsent(sha, k -> new ArrayList<>()).add(Map.of("id", 5, "sha", sha, "name", name, "status", status));
        wm.stubFor(get(urlPathEqualTo(base + "/repository/commits/" + sha + "/statuses")).atPriority(1).willReturn(okJson(json(statuses.get(sha)))));
        wm.stubFor(get(urlPathEqualTo(base + "/pipelines")).withQueryParam("sha", equalTo(sha)).atPriority(1)
                .willReturn(okJson(json(List.of(Map.of("id", 31, "sha", sha, "ref", "x", "status", status))))));
    }

    public void statusCheckAnswers(int httpStatus) {
        wm.stubFor(post(urlPathMatching(Pattern.quote(base) + "/merge_requests/[0-9]+/status_check_responses")).atPriority(1)
                .willReturn(aResponse().withStatus(httpStatus).withHeader("Content-Type", "application/json").withBody("{\"message\":\"409 Conflict\"}")));
    }

    public List<JsonNode> posted(String sha) {
        return bodies(postRequestedFor(urlPathEqualTo(base + "/statuses/" + sha)));
    }

    public JsonNode lastPosted(String sha) {
        List<JsonNode> all = posted(sha);
        if (all.isEmpty()) {
            throw new AssertionError("no tiergate/workflow status was posted on " + sha);
        }
        return all.get(all.size() - 1);
    }

    public List<JsonNode> statusCheckResponses(long iid) {
        return bodies(postRequestedFor(urlPathEqualTo(base + "/merge_requests/" + iid + "/status_check_responses")));
    }

    private List<JsonNode> bodies(com.github.tomakehurst.wiremock.matching.RequestPatternBuilder p) {
        List<JsonNode> out = new ArrayList<>();
        wm.findAll(p).forEach(r -> {
            try {
                out.add(JSON.readTree(r.getBodyAsString()));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return out;
    }

    private void restubLists() {
        List<Map<String, Object>> b = new ArrayList<>();
        branches.forEach((n, s) -> b.add(Map.of("name", n, "commit", Map.of("id", s), "protected", false)));
        wm.stubFor(get(urlPathEqualTo(base + "/repository/branches")).willReturn(okJson(json(b))));
        List<Map<String, Object>> open = mrs.values().stream().filter(m -> "opened".equals(m.get("state"))).toList();
        wm.stubFor(get(urlPathEqualTo(base + "/merge_requests")).willReturn(okJson(json(open))));
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
