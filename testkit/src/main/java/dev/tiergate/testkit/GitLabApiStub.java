package dev.tiergate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for GitLab's REST API v4 for one project that behaves as GitLab does after a write, modelled on
 * GitLab's documentation:
 * <ul>
 * <li>a commit status posted with {@code pipeline_id} becomes a job (stage {@code external}) of that pipeline, and
 *     without one, of the SHA's latest pipeline or of a new pipeline with source {@code external} when the SHA has
 *     none (docs.gitlab.com/api/commits/#set-the-pipeline-status-of-a-commit);</li>
 * <li>moving a job to the state it is already in is refused: 400 "Cannot transition status via :enqueue from
 *     :pending" (GitLab's commit status state machine);</li>
 * <li>the pipeline's status is recomputed over all its jobs, the external ones included, and a Pipeline Hook is
 *     delivered when it changes; the hook's {@code builds} list CI jobs only, not external statuses
 *     (docs.gitlab.com/user/project/integrations/webhook_events/#pipeline-events);</li>
 * <li>a CI job's every change fires a Job Hook (docs.gitlab.com/user/project/integrations/webhook_events/#job-events);
 *     external statuses fire none;</li>
 * <li>the commit's statuses list CI jobs and external statuses alike, the latest per name; lists are paged with
 *     {@code per_page} (default 20, at most 100) and {@code X-Next-Page} (docs.gitlab.com/api/rest/#pagination).</li>
 * </ul>
 */
public final class GitLabApiStub extends ForgeStub {
    private final String path;
    private final String base;
    /** ref → path → content. */
    private final Map<String, Map<String, String>> files = new LinkedHashMap<>();
    /** content by git blob SHA. */
    private final Map<String, String> blobs = new LinkedHashMap<>();

    private final Map<Long, List<Map<String, Object>>> notes = new LinkedHashMap<>();
    private final Map<Long, Map<String, Object>> mrs = new LinkedHashMap<>();
    private final Map<Long, List<Map<String, Object>>> approvals = new LinkedHashMap<>();
    /** Users by username: their ids, as GET /users?username= finds them. */
    private final Map<String, Long> users = new LinkedHashMap<>();
    /** Groups by full path: their members' usernames. */
    private final Map<String, List<String>> groups = new LinkedHashMap<>();

    private final Map<String, String> branches = new LinkedHashMap<>();
    private final List<Pipeline> pipelines = new ArrayList<>();
    private final List<JsonNode> postedStatuses = new ArrayList<>();
    private final List<JsonNode> statusCheckResponses = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong(100);
    private int statusCheckAnswer = 201;
    private int rateLimit = 2000;
    private long rateWindowEnd;
    private long rateObserved;
    private volatile BiConsumer<String, Object> webhooks;

    private static final class Job {
        final long id;
        final String name;
        final String stage;
        String status;
        String description;
        String targetUrl;
        boolean allowFailure;

        Job(long id, String name, String stage, String status) {
            this.id = id;
            this.name = name;
            this.stage = stage;
            this.status = status;
        }

        boolean external() {
            return stage.equals("external");
        }
    }

    private static final class Pipeline {
        final long id;
        final String sha;
        final String ref;
        final String source;
        final Map<String, Job> jobs = new LinkedHashMap<>();

        Pipeline(long id, String sha, String ref, String source) {
            this.id = id;
            this.sha = sha;
            this.ref = ref;
            this.source = source;
        }

        /**
         * GitLab's composite status over the jobs (Gitlab::Ci::Status::Composite): all success → success; only
         * pending/created → pending; any running or pending beside other states → running; then canceled, failed.
         * So [build: success, tiergate: pending] is running, exactly as [build: running, tiergate: pending] was.
         */
        String status() {
            List<String> st = jobs.values().stream()
                    .map(j -> j.allowFailure && j.status.equals("failed") ? "success" : j.status)
                    .toList();
            if (st.isEmpty() || st.stream().allMatch(x -> x.equals("skipped"))) {
                return "skipped";
            }
            if (st.stream().allMatch(x -> x.equals("success") || x.equals("skipped"))) {
                return "success";
            }
            if (st.stream().allMatch(x -> x.equals("created") || x.equals("skipped"))) {
                return "created";
            }
            if (st.stream().allMatch(x -> x.equals("canceled") || x.equals("success") || x.equals("skipped"))) {
                return "canceled";
            }
            if (st.stream().allMatch(x -> x.equals("pending") || x.equals("created") || x.equals("skipped"))) {
                return "pending";
            }
            if (st.stream().anyMatch(x -> x.equals("running") || x.equals("pending") || x.equals("created"))) {
                return "running";
            }
            return "failed";
        }
    }

    public GitLabApiStub(String path) {
        this.path = path;
        this.base = "/api/v4/projects/" + path;
    }

    /** Where GitLab delivers its webhooks (event name, payload): from now on, writes fire them as GitLab would. */
    public void deliverTo(BiConsumer<String, Object> sink) {
        this.webhooks = sink;
    }

    public synchronized void policy(String ref, String yaml) {
        file(ref, ".tiergate/policy.yaml", yaml);
    }

    public synchronized void file(String ref, String filePath, String content) {
        files.computeIfAbsent(ref, k -> new LinkedHashMap<>()).put(filePath, content);
        blobs.put(GitHubApiStub.gitBlobSha(content), content);
    }

    public synchronized void copyFiles(String from, String to) {
        files.getOrDefault(from, Map.of()).forEach((p, c) -> file(to, p, c));
    }

    /** tiergate's notes on a merge request, oldest first. */
    public synchronized List<String> notes(long iid) {
        return notes.getOrDefault(iid, List.of()).stream()
                .map(n -> String.valueOf(n.get("body")))
                .toList();
    }

    public synchronized void branch(String name, String sha) {
        if (sha == null) {
            branches.remove(name);
        } else {
            branches.put(name, sha);
        }
    }

    public synchronized void mergeRequest(
            long iid,
            String source,
            String sha,
            String target,
            String targetSha,
            String author,
            boolean bot,
            String state) {
        Map<String, Object> was = mrs.get(iid);
        if (was != null && !sha.equals(was.get("sha"))) {
            // GitLab's "Remove all approvals when commits are added to the source branch" (the project setting
            // reset_approvals_on_push, on by default): a new head has no approvals
            // (docs.gitlab.com/ee/user/project/merge_requests/approvals/settings.html)
            approvals.remove(iid);
        }
        Map<String, Object> mr = new LinkedHashMap<>();
        mr.put("id", 1000 + iid);
        mr.put("iid", iid);
        mr.put("project_id", 15);
        mr.put("state", state);
        mr.put("source_branch", source);
        mr.put("target_branch", target);
        mr.put("sha", sha);
        mr.put("author", Map.of("id", 7, "username", author, "name", author, "bot", bot));
        mr.put("reviewers", new ArrayList<>());
        mr.put("diff_refs", Map.of("base_sha", targetSha, "head_sha", sha, "start_sha", targetSha));
        mr.put("web_url", "https://gitlab.example.com/merge_requests/" + iid);
        mrs.put(iid, mr);
    }

    /** A user of the instance (GET /users?username= finds it). */
    public synchronized void user(String username) {
        userId(username);
    }

    /** A group, by its full path, and its members (each also a user of the instance). */
    public synchronized void group(String fullPath, String... usernames) {
        groups.put(fullPath, List.of(usernames));
        for (String u : usernames) {
            userId(u);
        }
    }

    /** The usernames of MR {@code iid}'s reviewers, as its {@code reviewers} field lists them. */
    @SuppressWarnings("unchecked")
    public synchronized List<String> reviewers(long iid) {
        Map<String, Object> mr = mrs.get(iid);
        if (mr == null || mr.get("reviewers") == null) {
            return List.of();
        }
        return ((List<Map<String, Object>>) mr.get("reviewers"))
                .stream().map(r -> String.valueOf(r.get("username"))).toList();
    }

    private long userId(String username) {
        return users.computeIfAbsent(username, u -> 100L + users.size());
    }

    public synchronized void approve(long iid, String username, boolean bot) {
        approvals
                .computeIfAbsent(iid, k -> new ArrayList<>())
                .add(Map.of("user", Map.of("id", 3, "username", username, "bot", bot)));
    }

    /** A CI job's status on a SHA, without a webhook (the caller delivers the event itself). */
    public synchronized void jobStatus(String sha, String name, String status) {
        setJob(sha, name, status);
    }

    /**
     * A CI job changes status: recorded, then a Job Hook (for CI jobs only, never for external statuses) and a
     * Pipeline Hook when the pipeline's status changed, as GitLab does.
     */
    public void runJob(String sha, String name, String status) {
        Map<String, Object> hook;
        Map<String, Object> jobHook;
        synchronized (this) {
            hook = setJob(sha, name, status);
            Pipeline pl = pipelines.stream()
                    .filter(x -> x.sha.equals(sha) && !x.source.equals("external"))
                    .reduce((a, b) -> b)
                    .orElseThrow();
            Job j = pl.jobs.get(name);
            jobHook = new LinkedHashMap<>();
            jobHook.put("object_kind", "build");
            jobHook.put("ref", pl.ref);
            jobHook.put("sha", sha);
            jobHook.put("build_id", j.id);
            jobHook.put("build_name", j.name);
            jobHook.put("build_stage", j.stage);
            jobHook.put("build_status", j.status);
            jobHook.put("build_allow_failure", j.allowFailure);
            jobHook.put("pipeline_id", pl.id);
            jobHook.put("project_id", 15);
            jobHook.put("project", Map.of("id", 15, "path_with_namespace", path, "default_branch", "main"));
        }
        send("Job Hook", jobHook);
        if (hook != null) {
            send("Pipeline Hook", hook);
        }
    }

    public synchronized void statusCheckAnswers(int httpStatus) {
        statusCheckAnswer = httpStatus;
    }

    /** The bodies of the {@code tiergate/workflow} statuses posted on a SHA (accepted or not), oldest first. */
    public List<JsonNode> posted(String sha) {
        return posted(sha, "tiergate/workflow");
    }

    public synchronized List<JsonNode> posted(String sha, String name) {
        return postedStatuses.stream()
                .filter(n -> n.path("_sha").asText().equals(sha)
                        && n.path("name").asText().equals(name))
                .toList();
    }

    public JsonNode lastPosted(String sha) {
        List<JsonNode> all = posted(sha);
        if (all.isEmpty()) {
            throw new AssertionError("no tiergate/workflow status was posted on " + sha);
        }
        return all.get(all.size() - 1);
    }

    public synchronized List<JsonNode> statusCheckResponses(long iid) {
        return statusCheckResponses.stream()
                .filter(n -> n.path("_iid").asLong() == iid)
                .toList();
    }

    public synchronized long latestPipelineId(String sha) {
        return latestPipeline(sha).map(pl -> pl.id).orElse(-1L);
    }

    /** The status GitLab shows for the SHA's latest pipeline. */
    public synchronized String pipelineStatus(String sha) {
        return latestPipeline(sha).map(Pipeline::status).orElse("none");
    }

    @Override
    protected String routeOf(String method, String p) {
        return method + " "
                + fold(p.replace(base, "/projects/{project}"))
                        .replaceAll("/branches/.+", "/branches/{branch}")
                        .replaceAll("/files/.+/raw", "/files/{path}/raw")
                        .replaceAll("/blobs/.+/raw", "/blobs/{sha}/raw");
    }

    /**
     * GitLab.com's limit on a user's authenticated API calls: 2,000 a minute (docs.gitlab.com/user/gitlab_com/
     * #rate-limits-on-gitlabcom). Every answer carries {@code RateLimit-Limit}, {@code -Observed}, {@code -Remaining}
     * and {@code -Reset} (epoch seconds); past the limit GitLab answers 429 "Retry later" with {@code Retry-After}
     * and does no work (docs.gitlab.com/security/rate_limits/#headers).
     */
    @Override
    protected Answer answer(Call c) {
        long now = Instant.now().getEpochSecond();
        if (rateWindowEnd == 0 || now >= rateWindowEnd) {
            rateWindowEnd = now + 60;
            rateObserved = 0;
        }
        rateObserved++;
        Answer a = rateObserved > rateLimit
                ? new Answer(
                        429,
                        new LinkedHashMap<>(Map.of(
                                "Content-Type",
                                "text/plain; charset=utf-8",
                                "Retry-After",
                                Long.toString(rateWindowEnd - now))),
                        "Retry later")
                : route(c);
        Map<String, String> h = new LinkedHashMap<>(a.headers());
        h.put("RateLimit-Limit", Integer.toString(rateLimit));
        h.put("RateLimit-Observed", Long.toString(rateObserved));
        h.put("RateLimit-Remaining", Long.toString(Math.max(0, rateLimit - rateObserved)));
        h.put("RateLimit-Reset", Long.toString(rateWindowEnd));
        return new Answer(a.status(), h, a.body());
    }

    /** The calls a minute the stand-in allows before it answers 429 (2,000 on GitLab.com); the window starts again. */
    public synchronized void rateLimit(int perMinute) {
        rateLimit = perMinute;
        rateWindowEnd = 0;
    }

    private Answer route(Call c) {
        Answer instance = instanceWide(c);
        if (instance != null) {
            return instance;
        }
        if (!c.path().startsWith(base)) {
            return Answer.json(404, Map.of("message", "404 Project Not Found"));
        }
        String p = c.path().substring(base.length());
        if (c.method().equals("PUT")) {
            Matcher update = Pattern.compile("/merge_requests/(\\d+)").matcher(p);
            if (update.matches()) {
                return updateMergeRequest(Long.parseLong(update.group(1)), c);
            }
            Matcher edit =
                    Pattern.compile("/merge_requests/(\\d+)/notes/(\\d+)").matcher(p);
            if (edit.matches()) {
                for (Map<String, Object> n : notes.getOrDefault(Long.parseLong(edit.group(1)), List.of())) {
                    if (String.valueOf(n.get("id")).equals(edit.group(2))) {
                        n.put("body", parse(c.body()).path("body").asText());
                        return Answer.json(200, n);
                    }
                }
            }
            return Answer.json(404, Map.of("message", "404 Note Not Found"));
        }
        if (c.method().equals("POST")) {
            Matcher status = Pattern.compile("/statuses/([0-9a-f]{40})").matcher(p);
            if (status.matches()) {
                return createStatus(status.group(1), c);
            }
            Matcher note = Pattern.compile("/merge_requests/(\\d+)/notes").matcher(p);
            if (note.matches()) {
                Map<String, Object> n = new LinkedHashMap<>();
                n.put("id", ids.incrementAndGet());
                n.put("body", parse(c.body()).path("body").asText());
                notes.computeIfAbsent(Long.parseLong(note.group(1)), k -> new ArrayList<>())
                        .add(n);
                return Answer.json(201, n);
            }
            Matcher check = Pattern.compile("/merge_requests/(\\d+)/status_check_responses")
                    .matcher(p);
            if (check.matches()) {
                JsonNode body = parse(c.body());
                ((ObjectNode) body).put("_iid", Long.parseLong(check.group(1)));
                statusCheckResponses.add(body);
                return statusCheckAnswer == 201
                        ? Answer.json(201, Map.of("id", ids.incrementAndGet()))
                        : Answer.json(statusCheckAnswer, Map.of("message", statusCheckAnswer + " Conflict"));
            }
            return Answer.json(404, Map.of("message", "404 Not Found"));
        }
        if (p.isEmpty()) {
            return Answer.json(200, Map.of("id", 15, "path_with_namespace", path, "default_branch", "main"));
        }
        Matcher file = Pattern.compile("/repository/files/(.+)/raw").matcher(p);
        if (file.matches()) {
            String yaml = files.getOrDefault(c.query().getOrDefault("ref", "main"), Map.of())
                    .get(file.group(1));
            if (yaml == null) {
                return Answer.json(404, Map.of("message", "404 File Not Found"));
            }
            return new Answer(200, new LinkedHashMap<>(Map.of("Content-Type", "text/plain; charset=utf-8")), yaml);
        }
        if (p.equals("/repository/compare")) {
            return compare(c);
        }
        if (p.equals("/repository/merge_base")) {
            // refs[]=base&refs[]=head: this stand-in's heads fork at their base (they are never behind)
            String first = c.params("refs[]").get(0);
            return Answer.json(200, Map.of("id", first));
        }
        if (p.equals("/repository/tree")) {
            // GET /projects/:id/repository/tree?path=&ref= (docs.gitlab.com/api/repositories/#list-repository-tree)
            String dir = c.query().getOrDefault("path", "");
            List<Object> entries = new ArrayList<>();
            files.getOrDefault(c.query().getOrDefault("ref", "main"), Map.of()).forEach((fp, body) -> {
                if (fp.startsWith(dir + "/") && fp.indexOf('/', dir.length() + 1) < 0) {
                    entries.add(Map.of(
                            "id",
                            GitHubApiStub.gitBlobSha(body),
                            "name",
                            fp.substring(dir.length() + 1),
                            "type",
                            "blob",
                            "path",
                            fp,
                            "mode",
                            "100644"));
                }
            });
            return entries.isEmpty() ? Answer.json(404, Map.of("message", "404 Tree Not Found")) : page(entries, c);
        }
        Matcher blob = Pattern.compile("/repository/blobs/([0-9a-f]{40})/raw").matcher(p);
        if (blob.matches()) {
            String body = blobs.get(blob.group(1));
            return body == null
                    ? Answer.json(404, Map.of("message", "404 Blob Not Found"))
                    : new Answer(200, new LinkedHashMap<>(Map.of("Content-Type", "text/plain; charset=utf-8")), body);
        }
        Matcher mrNotes = Pattern.compile("/merge_requests/(\\d+)/notes").matcher(p);
        if (mrNotes.matches()) {
            return page(new ArrayList<>(notes.getOrDefault(Long.parseLong(mrNotes.group(1)), List.of())), c);
        }
        if (p.equals("/repository/branches")) {
            List<Object> list = new ArrayList<>();
            branches.forEach((n, s) -> list.add(Map.of("name", n, "commit", Map.of("id", s), "protected", false)));
            return page(list, c);
        }
        if (p.startsWith("/repository/branches/")) {
            String name = p.substring("/repository/branches/".length());
            String sha = branches.get(name);
            return sha == null
                    ? Answer.json(404, Map.of("message", "404 Branch Not Found"))
                    : Answer.json(200, Map.of("name", name, "commit", Map.of("id", sha), "protected", false));
        }
        if (p.equals("/merge_requests")) {
            // GitLab's filters: state (opened, closed, merged, locked; none: all) and source_branch
            String state = c.query().getOrDefault("state", "all");
            String source = c.query().get("source_branch");
            return page(
                    mrs.values().stream()
                            .filter(m -> state.equals("all") || state.equals(m.get("state")))
                            .filter(m -> source == null || source.equals(m.get("source_branch")))
                            .map(m -> (Object) m)
                            .toList(),
                    c);
        }
        Matcher mr = Pattern.compile("/merge_requests/(\\d+)(/approvals)?").matcher(p);
        if (mr.matches()) {
            long iid = Long.parseLong(mr.group(1));
            if (!mrs.containsKey(iid)) {
                return Answer.json(404, Map.of("message", "404 Not found"));
            }
            if (mr.group(2) == null) {
                return Answer.json(200, mrs.get(iid));
            }
            List<Map<String, Object>> by = approvals.getOrDefault(iid, List.of());
            return Answer.json(200, Map.of("approved", !by.isEmpty(), "approved_by", by));
        }
        Matcher statuses =
                Pattern.compile("/repository/commits/([0-9a-f]{40})/statuses").matcher(p);
        if (statuses.matches()) {
            Map<String, Object> latest = new LinkedHashMap<>();
            for (int i = pipelines.size() - 1; i >= 0; i--) {
                Pipeline pl = pipelines.get(i);
                if (pl.sha.equals(statuses.group(1))) {
                    pl.jobs.values().forEach(j -> latest.putIfAbsent(j.name, jobJson(pl, j)));
                }
            }
            return page(new ArrayList<>(latest.values()), c);
        }
        if (p.equals("/pipelines")) {
            String sha = c.query().get("sha");
            List<Object> list = new ArrayList<>();
            for (int i = pipelines.size() - 1; i >= 0; i--) {
                Pipeline pl = pipelines.get(i);
                if (sha == null || pl.sha.equals(sha)) {
                    list.add(Map.of(
                            "id", pl.id, "sha", pl.sha, "ref", pl.ref, "status", pl.status(), "source", pl.source));
                }
            }
            return page(list, c);
        }
        return Answer.json(404, Map.of("message", "404 Not Found"));
    }

    /**
     * The endpoints outside the project: GET /users?username= (docs.gitlab.com/ee/api/users.html#list-users: an
     * array, empty when no one has the name) and GET /groups/:id/members/all (docs.gitlab.com/ee/api/members.html,
     * paged; 404 "404 Group Not Found"). Null for any other path.
     */
    private Answer instanceWide(Call c) {
        if (!c.method().equals("GET")) {
            return null;
        }
        if (c.path().equals("/api/v4/users")) {
            String name = c.query().get("username");
            Long id = name == null ? null : users.get(name);
            return Answer.json(
                    200, id == null ? List.of() : List.of(Map.of("id", id, "username", name, "state", "active")));
        }
        Matcher members = Pattern.compile("/api/v4/groups/(.+)/members/all").matcher(c.path());
        if (members.matches()) {
            List<String> in = groups.get(members.group(1));
            if (in == null) {
                return Answer.json(404, Map.of("message", "404 Group Not Found"));
            }
            List<Object> out = new ArrayList<>();
            in.forEach(u -> out.add(Map.of("id", userId(u), "username", u, "state", "active", "access_level", 30)));
            return page(out, c);
        }
        return null;
    }

    /**
     * PUT /projects/:id/merge_requests/:iid with {@code reviewer_ids}: the list replaces the MR's reviewers
     * (docs.gitlab.com/ee/api/merge_requests.html#update-mr); an id of no user is left out, as GitLab does.
     */
    private Answer updateMergeRequest(long iid, Call c) {
        Map<String, Object> mr = mrs.get(iid);
        if (mr == null) {
            return Answer.json(404, Map.of("message", "404 Not found"));
        }
        JsonNode body = parse(c.body());
        if (body.has("reviewer_ids")) {
            List<Object> reviewers = new ArrayList<>();
            for (JsonNode id : body.path("reviewer_ids")) {
                users.forEach((name, uid) -> {
                    if (uid == id.asLong()) {
                        reviewers.add(Map.of("id", uid, "username", name, "state", "active"));
                    }
                });
            }
            Object previous = mr.get("reviewers");
            mr.put("reviewers", reviewers);
            // GitLab then fires a Merge Request Hook, action "update", whose changes name the reviewers before and
            // after
            // (docs.gitlab.com/ee/user/project/integrations/webhook_events.html#merge-request-events)
            Map<String, Object> attrs = new LinkedHashMap<>();
            attrs.put("id", mr.get("id"));
            attrs.put("iid", iid);
            attrs.put("source_branch", mr.get("source_branch"));
            attrs.put("target_branch", mr.get("target_branch"));
            attrs.put("state", mr.get("state"));
            attrs.put("action", "update");
            attrs.put("last_commit", Map.of("id", mr.get("sha")));
            Map<String, Object> hook = new LinkedHashMap<>();
            hook.put("object_kind", "merge_request");
            hook.put("event_type", "merge_request");
            hook.put("user", Map.of("id", 1, "name", "tiergate", "username", "tiergate"));
            hook.put("project", Map.of("id", 15, "path_with_namespace", path, "default_branch", "main"));
            hook.put("object_attributes", attrs);
            hook.put("reviewers", reviewers);
            hook.put(
                    "changes",
                    Map.of(
                            "reviewers",
                            Map.of("previous", previous == null ? List.of() : previous, "current", reviewers)));
            afterAnswer(() -> send("Merge Request Hook", hook));
        }
        return Answer.json(200, mr);
    }

    /**
     * GET /repository/compare?from=&to= (docs.gitlab.com/ee/api/repositories.html#compare-branches-tags-or-commits):
     * the diffs between the two commits' files as the stand-in holds them.
     */
    private Answer compare(Call c) {
        Map<String, String> from = files.getOrDefault(c.query().get("from"), Map.of());
        Map<String, String> to = files.get(c.query().get("to"));
        List<Object> diffs = new ArrayList<>();
        if (to != null) {
            new java.util.TreeMap<>(to).forEach((fp, body) -> {
                String was = from.get(fp);
                if (was == null || !was.equals(body)) {
                    diffs.add(Map.of(
                            "old_path",
                            fp,
                            "new_path",
                            fp,
                            "new_file",
                            was == null,
                            "renamed_file",
                            false,
                            "deleted_file",
                            false,
                            "diff",
                            ""));
                }
            });
        }
        return Answer.json(
                200, Map.of("commits", List.of(), "diffs", diffs, "compare_timeout", false, "compare_same_ref", false));
    }

    private Answer createStatus(String sha, Call c) {
        JsonNode body = parse(c.body());
        ((ObjectNode) body).put("_sha", sha);
        postedStatuses.add(body);
        String state = body.path("state").asText();
        if (!List.of("pending", "running", "success", "failed", "canceled", "skipped")
                .contains(state)) {
            return Answer.json(400, Map.of("message", "state does not have a valid value"));
        }
        String name = body.path("name").asText("default");
        Pipeline pl;
        if (body.hasNonNull("pipeline_id")) {
            pl = pipelines.stream()
                    .filter(x -> x.id == body.path("pipeline_id").asLong() && x.sha.equals(sha))
                    .findFirst()
                    .orElse(null);
            if (pl == null) {
                return Answer.json(404, Map.of("message", "404 Pipeline Not Found"));
            }
        } else {
            pl = latestPipeline(sha).orElseGet(() -> newPipeline(sha, "external"));
        }
        String before = pl.status();
        Job job = pl.jobs.get(name);
        if (job != null && job.status.equals(state) && (state.equals("pending") || state.equals("running"))) {
            return Answer.json(
                    400,
                    Map.of(
                            "message",
                            "Cannot transition status via :" + (state.equals("pending") ? "enqueue" : "run") + " from :"
                                    + state));
        }
        if (job == null) {
            job = new Job(ids.incrementAndGet(), name, "external", state);
            pl.jobs.put(name, job);
        }
        job.status = state;
        job.description = body.path("description").asText(null);
        job.targetUrl = body.path("target_url").asText(null);
        Map<String, Object> answer = jobJson(pl, job);
        if (!before.equals(pl.status())) {
            Map<String, Object> hook = pipelineHook(pl);
            afterAnswer(() -> send("Pipeline Hook", hook));
        }
        return Answer.json(201, answer);
    }

    private Map<String, Object> setJob(String sha, String name, String status) {
        Pipeline pl = pipelines.stream()
                .filter(x -> x.sha.equals(sha) && !x.source.equals("external"))
                .reduce((a, b) -> b)
                .orElseGet(() -> newPipeline(sha, "push"));
        String before = pl.jobs.isEmpty() ? "none" : pl.status();
        // (a new pipeline's first job always changes its status from none)
        pl.jobs.computeIfAbsent(name, n -> new Job(ids.incrementAndGet(), n, "test", status)).status = status;
        return before.equals(pl.status()) ? null : pipelineHook(pl);
    }

    private Pipeline newPipeline(String sha, String source) {
        String ref = branches.entrySet().stream()
                .filter(e -> e.getValue().equals(sha))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElse("main");
        Pipeline pl = new Pipeline(ids.incrementAndGet(), sha, ref, source);
        pipelines.add(pl);
        return pl;
    }

    private Optional<Pipeline> latestPipeline(String sha) {
        return pipelines.stream().filter(x -> x.sha.equals(sha)).reduce((a, b) -> b);
    }

    private Map<String, Object> jobJson(Pipeline pl, Job j) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", j.id);
        m.put("sha", pl.sha);
        m.put("ref", pl.ref);
        m.put("status", j.status);
        m.put("name", j.name);
        m.put("stage", j.stage);
        m.put("description", j.description);
        m.put("target_url", j.targetUrl);
        m.put("allow_failure", j.allowFailure);
        m.put("pipeline_id", pl.id);
        return m;
    }

    private Map<String, Object> pipelineHook(Pipeline pl) {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("id", pl.id);
        attrs.put("iid", pl.id - 100);
        attrs.put("ref", pl.ref);
        attrs.put("tag", false);
        attrs.put("sha", pl.sha);
        attrs.put("source", pl.source);
        attrs.put("status", pl.status());
        attrs.put("detailed_status", pl.status());
        List<Object> builds = new ArrayList<>();
        for (Job j : pl.jobs.values()) {
            if (!j.external()) { // the hook lists CI builds, not external commit statuses
                builds.add(Map.of(
                        "id",
                        j.id,
                        "stage",
                        j.stage,
                        "name",
                        j.name,
                        "status",
                        j.status,
                        "allow_failure",
                        j.allowFailure));
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("object_kind", "pipeline");
        m.put("object_attributes", attrs);
        mrs.values().stream()
                .filter(mr -> pl.sha.equals(mr.get("sha")))
                .findFirst()
                .ifPresent(mr -> m.put(
                        "merge_request",
                        Map.of(
                                "id",
                                mr.get("id"),
                                "iid",
                                mr.get("iid"),
                                "source_branch",
                                mr.get("source_branch"),
                                "target_branch",
                                mr.get("target_branch"),
                                "state",
                                mr.get("state"))));
        m.put("project", Map.of("id", 15, "path_with_namespace", path, "default_branch", "main"));
        m.put("builds", builds);
        return m;
    }

    private void send(String event, Object payload) {
        BiConsumer<String, Object> to = webhooks;
        if (to != null) {
            to.accept(event, payload);
        }
    }

    /** One page of a list with GitLab's pagination headers. */
    private Answer page(List<Object> all, Call c) {
        int perPage = Math.max(1, Math.min(100, c.intParam("per_page", 20)));
        int page = Math.max(1, c.intParam("page", 1));
        int from = Math.min(all.size(), (page - 1) * perPage);
        int to = Math.min(all.size(), from + perPage);
        Answer a = Answer.json(200, all.subList(from, to));
        a.headers().put("X-Page", Integer.toString(page));
        a.headers().put("X-Per-Page", Integer.toString(perPage));
        a.headers().put("X-Total", Integer.toString(all.size()));
        a.headers().put("X-Next-Page", to < all.size() ? Integer.toString(page + 1) : "");
        return a;
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }
}
