package dev.tiergate.server.forge.gitlab;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.core.gate.Approval;
import dev.tiergate.core.gate.CheckResult;
import dev.tiergate.core.gate.ForgeIdentity;
import dev.tiergate.core.gate.PullRequestFacts;
import dev.tiergate.core.gate.StatusState;
import dev.tiergate.server.forge.ApiCallCounter;
import dev.tiergate.server.forge.CommitChecks;
import dev.tiergate.server.forge.CommitStatus;
import dev.tiergate.server.forge.Forge;
import dev.tiergate.server.forge.ForgeException;
import dev.tiergate.server.forge.JsonHttp;
import dev.tiergate.server.forge.RepoFile;
import dev.tiergate.server.repo.RepoRef;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * GitLab's REST API v4 (GitLab.com or self-managed) through plain HTTP, like the GitHub adapter: merge requests
 * are the forge-neutral "pull requests" (number = iid), pipelines and commit statuses are the checks, and the
 * {@code tiergate/workflow} commit status (made blocking by "Pipelines must succeed") is the gate.
 */
public final class GitLabForge implements Forge {
    public static final String ID = "gitlab";
    /** The check name under which the pipeline's jobs (tiergate's own left out) are judged. */
    public static final String PIPELINE_CHECK = "pipeline";

    private static final Pattern BOT_USER = Pattern.compile("^(project|group)_\\d+_bot(_[0-9a-f]+)?$");
    private final JsonHttp http;
    private final String baseUrl;

    public GitLabForge(String gitlabUrl, String token) {
        this(gitlabUrl, token, new ApiCallCounter());
    }

    public GitLabForge(String gitlabUrl, String token, ApiCallCounter counter) {
        this.baseUrl = gitlabUrl.endsWith("/") ? gitlabUrl.substring(0, gitlabUrl.length() - 1) : gitlabUrl;
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Accept", "application/json");
        h.put("User-Agent", "tiergate");
        if (token != null) {
            h.put("PRIVATE-TOKEN", token);
        }
        this.http = new JsonHttp(baseUrl + "/api/v4", h, Clock.systemUTC(), counter);
    }

    @Override
    public String id() {
        return ID;
    }

    public String baseUrl() {
        return baseUrl;
    }

    static String project(RepoRef repo) {
        return "/projects/" + URLEncoder.encode(repo.path(), StandardCharsets.UTF_8);
    }

    @Override
    public String defaultBranch(RepoRef repo) {
        return http.get(project(repo)).path("default_branch").asText("main");
    }

    @Override
    public PullRequestFacts pullRequest(RepoRef repo, long iid) {
        return facts(http.get(project(repo) + "/merge_requests/" + iid));
    }

    @Override
    public List<PullRequestFacts> openPullRequests(RepoRef repo) {
        List<PullRequestFacts> out = new ArrayList<>();
        for (JsonNode mr : paged(project(repo) + "/merge_requests?state=opened&per_page=100")) {
            out.add(facts(mr));
        }
        return out;
    }

    /** GitLab's list filter {@code source_branch} over every state (docs.gitlab.com/api/merge_requests#list-project-merge-requests). */
    @Override
    public List<PullRequestFacts> closedPullRequestsFrom(RepoRef repo, String branch) {
        List<PullRequestFacts> out = new ArrayList<>();
        for (JsonNode mr : paged(project(repo) + "/merge_requests?source_branch="
                + URLEncoder.encode(branch, StandardCharsets.UTF_8) + "&per_page=100")) {
            PullRequestFacts f = facts(mr);
            if (!f.open()) {
                out.add(f);
            }
        }
        return out;
    }

    @Override
    public Map<String, String> branches(RepoRef repo) {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode b : paged(project(repo) + "/repository/branches?per_page=100")) {
            out.put(b.path("name").asText(), b.path("commit").path("id").asText());
        }
        return out;
    }

    /** GitLab's approvals API does not say for which commit; projects that reset approvals on push keep it honest. */
    @Override
    public List<Approval> approvals(RepoRef repo, long iid) {
        List<Approval> out = new ArrayList<>();
        for (JsonNode a : http.get(project(repo) + "/merge_requests/" + iid + "/approvals")
                .path("approved_by")) {
            JsonNode user = a.path("user");
            out.add(new Approval(new ForgeIdentity(user.path("username").asText(), isBot(user)), null));
        }
        return out;
    }

    /**
     * The commit's statuses (GitLab lists CI jobs and external statuses alike, the latest per name), one paged
     * request. tiergate's own are set apart. The pipeline is judged by its other jobs, never by its overall
     * status: a status posted with {@code pipeline_id} becomes a job of that pipeline (stage {@code external}), so
     * the overall status includes tiergate's own and a pending tiergate job would keep the pipeline, and so the
     * gate, waiting on itself. The result is offered as the check {@code pipeline}.
     */
    @Override
    public CommitChecks checks(RepoRef repo, String sha) {
        List<CheckResult> ci = new ArrayList<>();
        Map<String, CommitStatus> ours = new LinkedHashMap<>();
        List<CheckResult.Outcome> jobs = new ArrayList<>();
        for (JsonNode s : paged(project(repo) + "/repository/commits/" + sha + "/statuses?per_page=100")) {
            String name = s.path("name").asText();
            String status = s.path("status").asText();
            if (CommitChecks.isOurs(name)) {
                ours.putIfAbsent(
                        name,
                        new CommitStatus(
                                name,
                                switch (status) {
                                    case "success" -> StatusState.SUCCESS;
                                    case "failed", "canceled" -> StatusState.FAILURE;
                                    default -> StatusState.PENDING;
                                },
                                s.path("description").asText(null),
                                s.path("target_url").asText(null)));
                continue;
            }
            CheckResult.Outcome o = outcome(status);
            if (o == CheckResult.Outcome.FAILURE && s.path("allow_failure").asBoolean(false)) {
                o = CheckResult.Outcome.SUCCESS; // GitLab lets the pipeline pass with this job failed
            }
            ci.add(new CheckResult(name, o));
            jobs.add(o);
        }
        if (!jobs.isEmpty()) {
            ci.add(new CheckResult(
                    PIPELINE_CHECK,
                    jobs.contains(CheckResult.Outcome.FAILURE)
                            ? CheckResult.Outcome.FAILURE
                            : jobs.contains(CheckResult.Outcome.PENDING)
                                    ? CheckResult.Outcome.PENDING
                                    : CheckResult.Outcome.SUCCESS));
        }
        return new CommitChecks(ci, ours);
    }

    @Override
    public Optional<String> branchHead(RepoRef repo, String branch) {
        return http.getIfExists(
                        project(repo) + "/repository/branches/" + URLEncoder.encode(branch, StandardCharsets.UTF_8))
                .map(r -> r.body().path("commit").path("id").asText(null));
    }

    /**
     * GitLab refuses to move a job to the state it is in ("Cannot transition status via :enqueue from :pending"),
     * so a pending job's description cannot change until its state does: pending is already shown as pending.
     */
    @Override
    public boolean alreadyShows(CommitStatus wanted, CommitStatus shown) {
        return wanted.sameAs(shown)
                || shown != null
                        && wanted.context().equals(shown.context())
                        && wanted.state() == StatusState.PENDING
                        && shown.state() == StatusState.PENDING;
    }

    @Override
    public ApiCallCounter calls() {
        return http.calls();
    }

    /** GET /projects/:id/repository/tree?path=dir&ref=sha (paged): the folder's blobs. */
    @Override
    public List<RepoFile> listDirectory(RepoRef repo, String sha, String dir) {
        List<RepoFile> out = new ArrayList<>();
        String first = project(repo) + "/repository/tree?path=" + URLEncoder.encode(dir, StandardCharsets.UTF_8)
                + "&ref=" + URLEncoder.encode(sha, StandardCharsets.UTF_8) + "&per_page=100";
        if (http.getIfExists(first).isEmpty()) {
            return out; // GitLab answers 404 "Tree Not Found" for a folder the commit does not have
        }
        for (JsonNode e : paged(first)) {
            if (e.path("type").asText().equals("blob")) {
                out.add(new RepoFile(e.path("path").asText(), e.path("id").asText()));
            }
        }
        return out;
    }

    /**
     * GET /projects/:id/repository/merge_base (docs.gitlab.com/api/repositories/#merge-base) and
     * GET /projects/:id/repository/compare?from=&to= for the diffs whose deleted_file is true.
     */
    @Override
    public Changes changes(RepoRef repo, String baseSha, String headSha) {
        String mergeBase = http.getIfExists(
                        project(repo) + "/repository/merge_base?refs%5B%5D=" + baseSha + "&refs%5B%5D=" + headSha)
                .map(r -> r.body().path("id").asText(null))
                .orElse(null);
        List<String> removed = new ArrayList<>();
        Set<String> touched = new LinkedHashSet<>();
        http.getIfExists(project(repo) + "/repository/compare?from=" + baseSha + "&to=" + headSha)
                .ifPresent(r -> {
                    for (JsonNode d : r.body().path("diffs")) {
                        if (d.path("deleted_file").asBoolean(false)) {
                            removed.add(d.path("old_path").asText());
                        }
                        touched.add(d.path("old_path").asText());
                        touched.add(d.path("new_path").asText()); // a rename touches both
                    }
                });
        touched.remove("");
        return new Changes(mergeBase, removed, List.copyOf(touched));
    }

    /**
     * A group's members, inherited ones included: GET /groups/:id/members/all (docs.gitlab.com/ee/api/members.html),
     * paged; {@code team} is the group's full path. An unknown group (404) has no members.
     */
    @Override
    public Set<String> teamMembers(RepoRef repo, String team) {
        Set<String> out = new TreeSet<>();
        for (JsonNode m : groupMembers(team)) {
            out.add(m.path("username").asText().toLowerCase(Locale.ROOT));
        }
        return out;
    }

    private List<JsonNode> groupMembers(String group) {
        return paged("/groups/" + URLEncoder.encode(group, StandardCharsets.UTF_8) + "/members/all?per_page=100", true);
    }

    /**
     * Adds reviewers to a merge request: PUT /projects/:id/merge_requests/:iid with {@code reviewer_ids}, which
     * replaces the list, so the reviewers it has are kept (docs.gitlab.com/ee/api/merge_requests.html#update-mr).
     * Logins become user ids through GET /users?username=; a group's members through its member list.
     */
    @Override
    public void requestReviews(RepoRef repo, long iid, List<String> logins, List<String> teams) {
        String mr = project(repo) + "/merge_requests/" + iid;
        Set<Long> ids = new LinkedHashSet<>();
        http.get(mr).path("reviewers").forEach(r -> ids.add(r.path("id").asLong()));
        int before = ids.size();
        List<String> unknown = new ArrayList<>();
        for (String login : logins) {
            JsonNode found = http.get("/users?username=" + URLEncoder.encode(login, StandardCharsets.UTF_8));
            if (found.isEmpty()) {
                unknown.add(login);
            }
            found.forEach(u -> ids.add(u.path("id").asLong()));
        }
        for (String team : teams) {
            groupMembers(team).forEach(m -> ids.add(m.path("id").asLong()));
        }
        if (ids.size() > before) {
            http.send("PUT", mr, Map.of("reviewer_ids", List.copyOf(ids)));
        }
        if (!unknown.isEmpty()) { // the others are asked; these are named in the audit record
            throw new ForgeException("GitLab has no user named " + String.join(", ", unknown), false);
        }
    }

    @Override
    public byte[] blob(RepoRef repo, String blobSha) {
        return http.getIfExists(project(repo) + "/repository/blobs/" + blobSha + "/raw")
                .map(JsonHttp.Response::bytes)
                .orElseThrow(() -> new ForgeException("blob " + blobSha + " not found in " + repo.path(), false));
    }

    /** The merge request note whose body holds {@code marker}, created once and edited in place when its body differs. */
    @Override
    public boolean upsertComment(RepoRef repo, long iid, String marker, String body, boolean createIfMissing) {
        for (JsonNode n : paged(project(repo) + "/merge_requests/" + iid + "/notes?per_page=100")) {
            if (n.path("body").asText("").contains(marker)) {
                if (n.path("body").asText("").equals(body)) {
                    return false;
                }
                http.send(
                        "PUT",
                        project(repo) + "/merge_requests/" + iid + "/notes/"
                                + n.path("id").asLong(),
                        Map.of("body", body));
                return true;
            }
        }
        if (!createIfMissing) {
            return false;
        }
        http.post(project(repo) + "/merge_requests/" + iid + "/notes", Map.of("body", body));
        return true;
    }

    @Override
    public Optional<byte[]> fileAt(RepoRef repo, String ref, String path) {
        return http.getIfExists(project(repo) + "/repository/files/" + URLEncoder.encode(path, StandardCharsets.UTF_8)
                        + "/raw?ref=" + URLEncoder.encode(ref, StandardCharsets.UTF_8))
                .map(JsonHttp.Response::bytes);
    }

    @Override
    public void postStatus(RepoRef repo, String sha, CommitStatus status) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(
                "state",
                switch (status.state()) {
                    case SUCCESS -> "success";
                    case FAILURE -> "failed";
                    case PENDING -> "pending";
                });
        body.put("name", status.context());
        body.put("description", status.description());
        if (status.targetUrl() != null) {
            body.put("target_url", status.targetUrl());
        }
        latestPipelineId(repo, sha).ifPresent(id -> body.put("pipeline_id", id));
        JsonHttp.Response r = http.postLenient(project(repo) + "/statuses/" + sha, body);
        // GitLab refuses to move a job to the state it is in ("Cannot transition status via :enqueue from :pending"):
        // the forge already shows that state, which is what was wanted
        if (r.status() == 400 && r.body().path("message").asText("").contains("Cannot transition status")) {
            return;
        }
        if (r.status() >= 400) {
            throw new ForgeException(
                    "POST status on " + sha + " answered " + r.status() + ": "
                            + r.body().path("message").asText(""),
                    false);
        }
    }

    /**
     * Answers an external status check (GitLab Ultimate) for the SHA GitLab asked about. A 409 means the MR has
     * moved on to another SHA: not an error, the next request will carry the new one.
     */
    @Override
    public void answerStatusCheck(RepoRef repo, long iid, String sha, long checkId, boolean passed) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("sha", sha);
        body.put("external_status_check_id", checkId);
        body.put("status", passed ? "passed" : "failed");
        JsonHttp.Response r =
                http.postLenient(project(repo) + "/merge_requests/" + iid + "/status_check_responses", body);
        if (r.status() >= 400 && r.status() != 409) {
            throw new ForgeException("status check response for !" + iid + " answered " + r.status(), false);
        }
    }

    private Optional<Long> latestPipelineId(RepoRef repo, String sha) {
        JsonNode pipelines = http.get(project(repo) + "/pipelines?sha=" + sha + "&order_by=id&sort=desc&per_page=1");
        return pipelines.isArray() && pipelines.size() > 0
                ? Optional.of(pipelines.get(0).path("id").asLong())
                : Optional.empty();
    }

    private List<JsonNode> paged(String first) {
        return paged(first, false);
    }

    /** Every item of a listing, page after page; {@code absentIsEmpty}: a 404 on the first page is an empty list. */
    private List<JsonNode> paged(String first, boolean absentIsEmpty) {
        List<JsonNode> out = new ArrayList<>();
        String url = first;
        for (int page = 0; url != null && page < 50; page++) {
            JsonHttp.Response r;
            if (page == 0 && absentIsEmpty) {
                Optional<JsonHttp.Response> found = http.getIfExists(url);
                if (found.isEmpty()) {
                    return out;
                }
                r = found.get();
            } else {
                r = http.getResponse(url);
            }
            r.body().forEach(out::add);
            String next = r.header("x-next-page").orElse("");
            url = next.isBlank() ? null : first + (first.contains("?") ? "&" : "?") + "page=" + next;
        }
        return out;
    }

    private static CheckResult.Outcome outcome(String status) {
        return switch (status) {
            case "success", "skipped", "manual" -> CheckResult.Outcome.SUCCESS;
            case "failed", "canceled" -> CheckResult.Outcome.FAILURE;
            default -> CheckResult.Outcome.PENDING;
        };
    }

    private static PullRequestFacts facts(JsonNode mr) {
        String state = mr.path("state").asText();
        JsonNode refs = mr.path("diff_refs");
        return new PullRequestFacts(
                mr.path("iid").asLong(),
                mr.path("source_branch").asText(),
                mr.path("sha").asText(),
                mr.path("target_branch").asText(),
                // start_sha is the target branch's head the MR was compared with: the policy is read there, never from
                // the source
                refs.path("start_sha").asText(refs.path("base_sha").asText()),
                new ForgeIdentity(mr.path("author").path("username").asText(), isBot(mr.path("author"))),
                state.equals("opened"),
                state.equals("merged"),
                mr.path("web_url").asText(null));
    }

    static boolean isBot(JsonNode user) {
        return user.path("bot").asBoolean(false)
                || BOT_USER.matcher(user.path("username").asText()).matches();
    }
}
