package dev.tiergate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
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
 *     {@code per_page} (default 20, at most 100) and {@code X-Next-Page} (docs.gitlab.com/api/rest/#pagination);</li>
 * <li>with {@link #gitHosted} it is a git host too: {@code /group/project.git} over git's smart HTTP protocol, HTTP
 *     Basic with a user token as the password ("Username: any non-blank value", e.g. {@code oauth2}:
 *     docs.gitlab.com/user/profile/personal_access_tokens), for reads and pushes alike (a private project); after a
 *     push the model holds the branch and its files, and a Push Hook goes out, with a Merge Request Hook
 *     {@code update} (with {@code oldrev}) for an open MR whose source branch moved and {@code merge} for one whose
 *     source the target branch now contains (docs.gitlab.com/user/project/integrations/webhook_events);</li>
 * <li>user tokens ({@link #userToken}) open and merge merge requests (docs.gitlab.com/api/merge_requests): with
 *     {@code PRIVATE-TOKEN} or {@code Authorization: Bearer} of a known user, else 401 "401 Unauthorized"; the merge
 *     really happens in the bare repository and honours {@link #pipelinesMustSucceed}. The project is addressed by
 *     its URL-encoded path or by its id, 15.</li>
 * </ul>
 */
public final class GitLabApiStub extends ForgeStub {
    private final String path;
    private final String base;
    /** Files, blobs, branches and merge bases, and the bare repository once {@link #gitHosted}; under this lock. */
    private final HostedRepository repository = new HostedRepository();

    private final Map<Long, List<Map<String, Object>>> notes = new LinkedHashMap<>();
    private final Map<Long, Map<String, Object>> mrs = new LinkedHashMap<>();
    private final Map<Long, List<Map<String, Object>>> approvals = new LinkedHashMap<>();
    /** Users by username: their ids, as GET /users?username= finds them. */
    private final Map<String, Long> users = new LinkedHashMap<>();
    /** Groups by full path: their members' usernames. */
    private final Map<String, List<String>> groups = new LinkedHashMap<>();

    private final List<Pipeline> pipelines = new ArrayList<>();
    private final List<JsonNode> postedStatuses = new ArrayList<>();
    private final List<JsonNode> statusCheckResponses = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong(100);
    private int statusCheckAnswer = 201;
    private int rateLimit = 2000;
    private long rateWindowEnd;
    private long rateObserved;
    private volatile BiConsumer<String, Object> webhooks;
    /** Users' tokens (personal access tokens): token → username. */
    private final Map<String, String> userTokens = new LinkedHashMap<>();
    /** The project's "Pipelines must succeed" (only_allow_merge_if_pipeline_succeeds). */
    private boolean pipelinesMustSucceed;

    private static final Pattern MERGE = Pattern.compile("/merge_requests/(\\d+)/merge");
    /** GitLab's draft prefixes of a title ([Draft], (Draft), Draft:), any case (MergeRequest::DRAFT_REGEX). */
    private static final Pattern DRAFT =
            Pattern.compile("^\\s*(\\[draft\\]|\\(draft\\)|draft:)", Pattern.CASE_INSENSITIVE);

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
        repository.file(ref, filePath, content);
    }

    public synchronized void copyFiles(String from, String to) {
        repository.copyFiles(from, to);
    }

    /** tiergate's notes on a merge request, oldest first. */
    public synchronized List<String> notes(long iid) {
        return notes.getOrDefault(iid, List.of()).stream()
                .map(n -> String.valueOf(n.get("body")))
                .toList();
    }

    public synchronized void branch(String name, String sha) {
        repository.branch(name, sha);
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
        mr.put("title", was == null ? "MR " + iid : was.get("title"));
        mr.put("description", was == null ? null : was.get("description"));
        mr.put("draft", was != null && Boolean.TRUE.equals(was.get("draft")));
        mr.put("merge_commit_sha", null);
        mr.put("squash_commit_sha", null);
        mr.put("merged_at", null);
        mrs.put(iid, mr);
    }

    /**
     * A user's token (a personal access token): it opens and merges merge requests as {@code username} through the
     * API ({@code PRIVATE-TOKEN: <token>} or {@code Authorization: Bearer <token>}) and reads and pushes over git
     * (HTTP Basic, the token as the password). The user is one of the instance's, as {@link #user} makes them.
     */
    public synchronized void userToken(String token, String username) {
        userId(username);
        userTokens.put(token, username);
    }

    /**
     * The project's "Pipelines must succeed": a merge is refused (405) unless the latest pipeline of the MR's head
     * succeeded; with no pipeline at all it is refused too (MergeRequest#mergeable_ci_state?: no head pipeline, not
     * mergeable; docs.gitlab.com/user/project/merge_requests/auto_merge/#require-a-successful-pipeline-for-merge).
     */
    public synchronized void pipelinesMustSucceed(boolean on) {
        pipelinesMustSucceed = on;
    }

    /**
     * Hosts the project's git data in a bare repository at {@code bareRepoDir} (made there when absent), served at
     * {@link #cloneUrl}. The branches it already has enter the model (branch and files) without webhooks.
     */
    public GitLabApiStub gitHosted(Path bareRepoDir) {
        hostGit(repository, bareRepoDir, path, "GitLab");
        return this;
    }

    /** The bare repository behind {@link #cloneUrl} (null before {@link #gitHosted}). */
    public synchronized Path bareRepository() {
        return repository.dir();
    }

    /** The URL {@code git clone} takes: {@code http://127.0.0.1:<port>/<group>/<project>.git}. */
    public String cloneUrl() {
        return "http://127.0.0.1:" + port() + "/" + path + ".git";
    }

    /**
     * {@code branch} was updated in the bare repository some other way than a push over HTTP (a test wrote to it):
     * the model imports it and the hooks of a push go out, as after {@code git push}; nothing when it did not move
     * since the model last saw it.
     */
    public void pushed(String branch) {
        deliverAfter(() -> applyChanges(repository.changes(branch), "root"));
    }

    @Override
    protected synchronized String gitLogin(String username, String password) {
        return username.isBlank() ? null : userTokens.get(password);
    }

    @Override
    protected void afterPush(String login) {
        deliverAfter(() -> applyChanges(repository.changes(null), login));
    }

    /**
     * What GitLab does after branches moved (a push, or a merge through the API): the model takes the branches and
     * their files; then, as hooks to send once the lock is let go, a Push Hook per branch, and per open MR whose
     * source moved a Merge Request Hook {@code update} with {@code oldrev} (its approvals reset, as
     * reset_approvals_on_push does), per open MR whose source the target now contains a Merge Request Hook
     * {@code merge} (GitLab marks such an MR merged: MergeRequests::RefreshService#post_merge_manually_merged).
     */
    private List<Runnable> applyChanges(List<GitHost.RefChange> changes, String pusher) {
        List<Runnable> hooks = new ArrayList<>();
        for (GitHost.RefChange ch : changes) {
            String name = ch.branch();
            repository.moved(ch);
            Map<String, Object> push = pushHook(ch, pusher);
            hooks.add(() -> send("Push Hook", push));
            if (ch.after() == null) {
                continue; // an MR whose source branch is gone stays open (and cannot be merged)
            }
            for (Map<String, Object> mr : mrs.values()) {
                if (!"opened".equals(mr.get("state"))) {
                    continue;
                }
                String sha = String.valueOf(mr.get("sha"));
                String target = String.valueOf(mr.get("target_branch"));
                if (name.equals(mr.get("source_branch")) && !ch.after().equals(sha)) {
                    String targetSha = repository.branches().getOrDefault(target, sha);
                    String mb = repository.recordMergeBase(targetSha, ch.after());
                    mr.put("sha", ch.after());
                    mr.put(
                            "diff_refs",
                            Map.of(
                                    "base_sha",
                                    mb == null ? targetSha : mb,
                                    "head_sha",
                                    ch.after(),
                                    "start_sha",
                                    targetSha));
                    mr.put("updated_at", Instant.now().toString());
                    approvals.remove(((Number) mr.get("iid")).longValue());
                    Map<String, Object> hook = mrHook(mr, "update", sha, pusher);
                    hooks.add(() -> send("Merge Request Hook", hook));
                } else if (name.equals(target) && repository.git().hasCommit(sha)) {
                    if (repository.brings(ch, sha)) {
                        markMerged(mr, ch.after(), null, pusher);
                        Map<String, Object> hook = mrHook(mr, "merge", null, pusher);
                        hooks.add(() -> send("Merge Request Hook", hook));
                    } else {
                        repository.recordMergeBase(ch.after(), sha);
                    }
                }
            }
        }
        return hooks;
    }

    private void markMerged(Map<String, Object> mr, String mergeCommit, String squashCommit, String by) {
        String now = Instant.now().toString();
        mr.put("state", "merged");
        mr.put("merge_commit_sha", mergeCommit);
        mr.put("squash_commit_sha", squashCommit);
        mr.put("merged_at", now);
        mr.put("updated_at", now);
        mr.put("merged_by", userJson(by));
        mr.put("merge_user", userJson(by));
    }

    private Map<String, Object> userJson(String username) {
        return Map.of("id", userId(username), "username", username, "name", username, "bot", false);
    }

    private Map<String, Object> projectJson() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("id", 15);
        p.put("name", path.substring(path.lastIndexOf('/') + 1));
        p.put("path_with_namespace", path);
        p.put("default_branch", "main");
        p.put("web_url", url() + "/" + path);
        p.put("git_http_url", cloneUrl());
        return p;
    }

    /**
     * GitLab's Push Hook (docs.gitlab.com/user/project/integrations/webhook_events/#push-events): before and after
     * (zeros for a new or a deleted branch), {@code checkout_sha}, the pusher, the commits (at most 20, the newest:
     * "If the push includes more than 20 commits, the hook contains only the newest 20") and the total count.
     */
    private Map<String, Object> pushHook(GitHost.RefChange ch, String pusher) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("object_kind", "push");
        m.put("event_name", "push");
        m.put("before", ch.before() == null ? GitHost.ZERO : ch.before());
        m.put("after", ch.after() == null ? GitHost.ZERO : ch.after());
        m.put("ref", "refs/heads/" + ch.branch());
        m.put("ref_protected", false);
        m.put("checkout_sha", ch.after());
        m.put("user_id", userId(pusher));
        m.put("user_name", pusher);
        m.put("user_username", pusher);
        m.put("project_id", 15);
        m.put("project", projectJson());
        List<Object> commits = new ArrayList<>();
        GitHost git = repository.git();
        git.pushed(ch.branch(), ch.before(), ch.after(), 20).forEach(k -> commits.add(commitJson(k)));
        m.put("commits", commits);
        m.put("total_commits_count", git.pushedCount(ch.branch(), ch.before(), ch.after()));
        m.put("repository", Map.of("name", projectJson().get("name"), "git_http_url", cloneUrl()));
        return m;
    }

    private Map<String, Object> commitJson(GitHost.Commit k) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("id", k.sha());
        c.put("message", k.message());
        c.put("title", k.title());
        c.put("timestamp", k.timestamp());
        c.put("url", url() + "/" + path + "/-/commit/" + k.sha());
        c.put("author", Map.of("name", k.authorName(), "email", k.authorEmail()));
        c.put("added", k.added());
        c.put("modified", k.modified());
        c.put("removed", k.removed());
        return c;
    }

    /**
     * A Merge Request Hook (docs.gitlab.com/user/project/integrations/webhook_events/#merge-request-events) for
     * {@code action} ("open", "update", "merge"): {@code object_attributes} carries the MR, its {@code last_commit},
     * and for an update that added commits the previous head as {@code oldrev}.
     */
    private Map<String, Object> mrHook(Map<String, Object> mr, String action, String oldrev, String by) {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("id", mr.get("id"));
        attrs.put("iid", mr.get("iid"));
        attrs.put("title", mr.get("title"));
        attrs.put("description", mr.get("description"));
        attrs.put("source_branch", mr.get("source_branch"));
        attrs.put("target_branch", mr.get("target_branch"));
        attrs.put("source_project_id", 15);
        attrs.put("target_project_id", 15);
        attrs.put("state", mr.get("state"));
        attrs.put("action", action);
        attrs.put("draft", mr.get("draft"));
        attrs.put("work_in_progress", mr.get("draft"));
        attrs.put("merge_status", "unchecked");
        attrs.put("detailed_merge_status", detailedMergeStatus(mr));
        attrs.put("merge_commit_sha", mr.get("merge_commit_sha"));
        attrs.put("url", mr.get("web_url"));
        String sha = String.valueOf(mr.get("sha"));
        Map<String, Object> last = new LinkedHashMap<>();
        last.put("id", sha);
        GitHost git = repository.git();
        if (git != null && git.hasCommit(sha)) {
            GitHost.Commit k = git.commit(sha);
            last.put("message", k.message());
            last.put("title", k.title());
            last.put("timestamp", k.timestamp());
            last.put("url", url() + "/" + path + "/-/commit/" + sha);
            last.put("author", Map.of("name", k.authorName(), "email", k.authorEmail()));
        }
        attrs.put("last_commit", last);
        if (oldrev != null) {
            attrs.put("oldrev", oldrev);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("object_kind", "merge_request");
        m.put("event_type", "merge_request");
        m.put("user", userJson(by));
        m.put("project", projectJson());
        m.put("object_attributes", attrs);
        m.put("changes", Map.of());
        return m;
    }

    /**
     * The MR's {@code detailed_merge_status} (docs.gitlab.com/api/merge_requests/#merge-status): {@code not_open},
     * {@code draft_status}, {@code conflict} (the bare repository cannot merge it), {@code ci_must_pass} /
     * {@code ci_still_running} under "Pipelines must succeed", else {@code mergeable}.
     */
    private String detailedMergeStatus(Map<String, Object> mr) {
        if (!"opened".equals(mr.get("state"))) {
            return "not_open";
        }
        if (Boolean.TRUE.equals(mr.get("draft"))) {
            return "draft_status";
        }
        String sha = String.valueOf(mr.get("sha"));
        String targetTip = repository.branches().get(String.valueOf(mr.get("target_branch")));
        if (repository.hasCommits(sha, targetTip) && repository.git().mergeTree(targetTip, sha) == null) {
            return "conflict";
        }
        if (pipelinesMustSucceed) {
            String status = latestPipeline(sha).map(Pipeline::status).orElse("none");
            if (List.of("running", "pending", "created").contains(status)) {
                return "ci_still_running";
            }
            if (!status.equals("success")) {
                return "ci_must_pass";
            }
        }
        return "mergeable";
    }

    /** The MR as the API shows it: the model's fields and the merge status GitLab computes. */
    private Map<String, Object> view(Map<String, Object> mr) {
        Map<String, Object> out = new LinkedHashMap<>(mr);
        String detailed = detailedMergeStatus(mr);
        out.put("detailed_merge_status", detailed);
        out.put("merge_status", detailed.equals("conflict") ? "cannot_be_merged" : "can_be_merged");
        out.put("has_conflicts", detailed.equals("conflict"));
        out.put("work_in_progress", mr.get("draft"));
        return out;
    }

    /** The username whose token the call carries (PRIVATE-TOKEN, or Authorization: Bearer); null when none. */
    private String caller(Call c) {
        String token = c.header("PRIVATE-TOKEN");
        String auth = c.header("Authorization");
        if (token == null && auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = auth.substring(7).trim();
        }
        return token == null ? null : userTokens.get(token);
    }

    private static Answer unauthorized() {
        return Answer.json(401, Map.of("message", "401 Unauthorized"));
    }

    /**
     * POST /projects/:id/merge_requests {source_branch, target_branch, title, description, remove_source_branch}
     * (docs.gitlab.com/api/merge_requests/#create-mr): 201 with the MR, then a Merge Request Hook {@code open}. A
     * title starting "Draft:", "[Draft]" or "(Draft)" makes a draft. Refusals as lib/api/merge_requests.rb answers
     * them: 400 "<param> is missing"; 422 for the same source and target; 409 ["Another open merge request already
     * exists for this source branch: !iid"] (one open MR per source and target branch); 400
     * {"source_branch": ["does not exist"]} (or target_branch) for a branch the project does not have.
     */
    private Answer createMergeRequest(Call c, String caller) {
        JsonNode body = parse(c.body());
        List<String> missing = new ArrayList<>();
        for (String field : List.of("title", "source_branch", "target_branch")) {
            if (body.path(field).asText("").isBlank()) {
                missing.add(field + " is missing");
            }
        }
        if (!missing.isEmpty()) {
            return Answer.json(400, Map.of("error", String.join(", ", missing)));
        }
        String title = body.path("title").asText();
        String source = body.path("source_branch").asText();
        String target = body.path("target_branch").asText();
        if (source.equals(target)) {
            return Answer.json(
                    422, Map.of("message", List.of("You can't use same project/branch for source and target")));
        }
        for (Map<String, Object> mr : mrs.values()) {
            if ("opened".equals(mr.get("state"))
                    && source.equals(mr.get("source_branch"))
                    && target.equals(mr.get("target_branch"))) {
                return Answer.json(
                        409,
                        Map.of(
                                "message",
                                List.of("Another open merge request already exists for this source branch: !"
                                        + mr.get("iid"))));
            }
        }
        Map<String, String> branches = repository.branches();
        if (!branches.containsKey(source)) {
            return Answer.json(400, Map.of("message", Map.of("source_branch", List.of("does not exist"))));
        }
        if (!branches.containsKey(target)) {
            return Answer.json(400, Map.of("message", Map.of("target_branch", List.of("does not exist"))));
        }
        long iid = 1;
        for (long n : mrs.keySet()) {
            iid = Math.max(iid, n + 1);
        }
        String sha = branches.get(source);
        String targetSha = branches.get(target);
        String mb = repository.recordMergeBase(targetSha, sha);
        String now = Instant.now().toString();
        Map<String, Object> mr = new LinkedHashMap<>();
        mr.put("id", 1000 + iid);
        mr.put("iid", iid);
        mr.put("project_id", 15);
        mr.put("title", title);
        mr.put("description", body.path("description").asText(null));
        mr.put("state", "opened");
        mr.put("draft", DRAFT.matcher(title).find());
        mr.put("source_branch", source);
        mr.put("target_branch", target);
        mr.put("source_project_id", 15);
        mr.put("target_project_id", 15);
        mr.put("sha", sha);
        mr.put("merge_commit_sha", null);
        mr.put("squash_commit_sha", null);
        mr.put("author", userJson(caller));
        mr.put("reviewers", new ArrayList<>());
        mr.put("diff_refs", Map.of("base_sha", mb == null ? targetSha : mb, "head_sha", sha, "start_sha", targetSha));
        mr.put("force_remove_source_branch", body.path("remove_source_branch").asBoolean(false));
        mr.put("squash", body.path("squash").asBoolean(false));
        mr.put("web_url", url() + "/" + path + "/-/merge_requests/" + iid);
        mr.put("created_at", now);
        mr.put("updated_at", now);
        mr.put("merged_at", null);
        mrs.put(iid, mr);
        Map<String, Object> hook = mrHook(mr, "open", null, caller);
        afterAnswer(() -> deliver(List.of(() -> send("Merge Request Hook", hook))));
        return Answer.json(201, view(mr));
    }

    /**
     * PUT /projects/:id/merge_requests/:iid/merge {sha, squash, should_remove_source_branch, merge_commit_message,
     * squash_commit_message} (docs.gitlab.com/api/merge_requests/#merge-a-merge-request), checked in
     * lib/api/merge_requests.rb's order: 405 "405 Method Not Allowed" when it cannot be merged in its state (not open,
     * a draft, "Pipelines must succeed" and the head's latest pipeline did not); 422 "Branch cannot be merged" on a
     * conflict; 409 "SHA does not match HEAD of source branch: <head>". The merge is made in the bare repository (a
     * merge commit of the target and the source, "Merge branch 'x' into 'y'"; with squash, a squash commit of the
     * source's changes on the merge base first, merged likewise), then the MR is merged, a Merge Request Hook
     * {@code merge} and a Push Hook for the target go out (and one deleting the source when asked). 200 with the MR.
     */
    private Answer mergeMergeRequest(long iid, Call c, String caller) {
        Map<String, Object> mr = mrs.get(iid);
        if (mr == null) {
            return Answer.json(404, Map.of("message", "404 Not found"));
        }
        JsonNode body = parse(c.body());
        String detailed = detailedMergeStatus(mr);
        if (List.of("not_open", "draft_status", "ci_must_pass", "ci_still_running")
                .contains(detailed)) {
            return Answer.json(405, Map.of("message", "405 Method Not Allowed"));
        }
        GitHost git = repository.git();
        if (git == null) {
            return Answer.json(500, Map.of("message", "stand-in: merging needs gitHosted(...)"));
        }
        String sha = String.valueOf(mr.get("sha"));
        String source = String.valueOf(mr.get("source_branch"));
        String target = String.valueOf(mr.get("target_branch"));
        String targetTip = git.heads().get(target);
        String tree = targetTip == null || !git.hasCommit(sha) ? null : git.mergeTree(targetTip, sha);
        if (tree == null) {
            return Answer.json(422, Map.of("message", "Branch cannot be merged"));
        }
        String given = body.path("sha").asText(null);
        if (given != null && !given.equals(sha)) {
            return Answer.json(409, Map.of("message", "SHA does not match HEAD of source branch: " + sha));
        }
        GitHost.Ident me = new GitHost.Ident(caller, caller + "@example.com");
        String second = sha;
        String squashSha = null;
        if (body.path("squash").asBoolean(Boolean.TRUE.equals(mr.get("squash")))) {
            String mb = git.mergeBase(targetTip, sha);
            String author = String.valueOf(((Map<?, ?>) mr.get("author")).get("username"));
            squashSha = git.commitTree(
                    git.treeOf(sha),
                    mb == null ? List.of() : List.of(mb),
                    body.path("squash_commit_message").asText(String.valueOf(mr.get("title"))),
                    new GitHost.Ident(author, author + "@example.com"),
                    me);
            second = squashSha;
        }
        String message = body.path("merge_commit_message")
                .asText("Merge branch '" + source + "' into '" + target + "'\n\n" + mr.get("title")
                        + "\n\nSee merge request " + path + "!" + iid);
        String merged = git.commitTree(tree, List.of(targetTip, second), message, me, me);
        if (!git.updateRef(target, merged, targetTip)) {
            return Answer.json(422, Map.of("message", "Branch cannot be merged"));
        }
        markMerged(mr, merged, squashSha, caller);
        List<Runnable> hooks = new ArrayList<>();
        Map<String, Object> hook = mrHook(mr, "merge", null, caller);
        hooks.add(() -> send("Merge Request Hook", hook));
        List<GitHost.RefChange> moved = new ArrayList<>(List.of(new GitHost.RefChange(target, targetTip, merged)));
        boolean remove = body.path("should_remove_source_branch")
                .asBoolean(Boolean.TRUE.equals(mr.get("force_remove_source_branch")));
        if (remove && sha.equals(git.heads().get(source)) && git.updateRef(source, null, sha)) {
            moved.add(new GitHost.RefChange(source, sha, null));
        }
        hooks.addAll(applyChanges(moved, caller));
        afterAnswer(() -> deliver(hooks));
        return Answer.json(200, view(mr));
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
        String byId = "/api/v4/projects/15";
        if (c.path().equals(byId) || c.path().startsWith(byId + "/")) {
            // the project by its id as well as by its URL-encoded path (docs.gitlab.com/api/rest/#namespaced-paths)
            c = new Call(
                    c.method(),
                    base + c.path().substring(byId.length()),
                    c.query(),
                    c.allQuery(),
                    c.headers(),
                    c.body());
        }
        Answer instance = instanceWide(c);
        if (instance != null) {
            return instance;
        }
        if (!c.path().startsWith(base)) {
            return Answer.json(404, Map.of("message", "404 Project Not Found"));
        }
        String p = c.path().substring(base.length());
        Matcher merge = MERGE.matcher(p);
        boolean create = c.method().equals("POST") && p.equals("/merge_requests");
        if (create || c.method().equals("PUT") && merge.matches()) {
            String caller = caller(c);
            return caller == null
                    ? unauthorized()
                    : create
                            ? createMergeRequest(c, caller)
                            : mergeMergeRequest(Long.parseLong(merge.group(1)), c, caller);
        }
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
            String yaml = repository.file(c.query().getOrDefault("ref", "main"), file.group(1));
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
            List<String> refs = c.params("refs[]");
            String known = refs.size() == 2 ? repository.mergeBase(refs.get(0), refs.get(1)) : null;
            if (known == null && refs.size() == 2) {
                known = repository.recordMergeBase(refs.get(0), refs.get(1)); // two commits of the bare repository
            }
            return Answer.json(200, Map.of("id", known != null ? known : first));
        }
        if (p.equals("/repository/tree")) {
            // GET /projects/:id/repository/tree?path=&ref= (docs.gitlab.com/api/repositories/#list-repository-tree)
            String dir = c.query().getOrDefault("path", "");
            List<Object> entries = new ArrayList<>();
            repository.files(c.query().getOrDefault("ref", "main")).forEach((fp, body) -> {
                if (fp.startsWith(dir + "/") && fp.indexOf('/', dir.length() + 1) < 0) {
                    entries.add(Map.of(
                            "id",
                            HostedRepository.gitBlobSha(body),
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
            String body = repository.blob(blob.group(1));
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
            repository
                    .branches()
                    .forEach((n, s) -> list.add(Map.of("name", n, "commit", Map.of("id", s), "protected", false)));
            return page(list, c);
        }
        if (p.startsWith("/repository/branches/")) {
            String name = p.substring("/repository/branches/".length());
            String sha = repository.branches().get(name);
            return sha == null
                    ? Answer.json(404, Map.of("message", "404 Branch Not Found"))
                    : Answer.json(200, Map.of("name", name, "commit", Map.of("id", sha), "protected", false));
        }
        if (p.equals("/merge_requests")) {
            // GitLab's filters: state (opened, closed, merged, locked; none: all), source_branch and target_branch
            // (docs.gitlab.com/api/merge_requests/#list-project-merge-requests)
            String state = c.query().getOrDefault("state", "all");
            String source = c.query().get("source_branch");
            String target = c.query().get("target_branch");
            return page(
                    mrs.values().stream()
                            .filter(m -> state.equals("all") || state.equals(m.get("state")))
                            .filter(m -> source == null || source.equals(m.get("source_branch")))
                            .filter(m -> target == null || target.equals(m.get("target_branch")))
                            .map(m -> (Object) view(m))
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
                return Answer.json(200, view(mrs.get(iid)));
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
        if (c.path().equals("/api/v4/user")) {
            // the token's user (docs.gitlab.com/api/users/#retrieve-the-current-user)
            String me = caller(c);
            if (me == null) {
                return unauthorized();
            }
            Map<String, Object> u = new LinkedHashMap<>(userJson(me));
            u.put("state", "active");
            return Answer.json(200, u);
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
        if (body.hasNonNull("title") || body.hasNonNull("description")) {
            // a new title sets draft from its prefix ("Draft:" in, out of draft when gone); GitLab then fires a
            // Merge Request Hook "update" whose changes carry each field before and after
            Map<String, Object> changes = new LinkedHashMap<>();
            for (String field : List.of("title", "description")) {
                if (body.hasNonNull(field) && !body.path(field).asText().equals(mr.get(field))) {
                    changes.put(
                            field,
                            mapOf(
                                    "previous",
                                    mr.get(field),
                                    "current",
                                    body.path(field).asText()));
                    mr.put(field, body.path(field).asText());
                }
            }
            boolean draft = DRAFT.matcher(String.valueOf(mr.get("title"))).find();
            if (!Boolean.valueOf(draft).equals(mr.get("draft"))) {
                changes.put("draft", mapOf("previous", mr.get("draft"), "current", draft));
                mr.put("draft", draft);
            }
            if (!changes.isEmpty()) {
                mr.put("updated_at", Instant.now().toString());
                Map<String, Object> hook = mrHook(mr, "update", null, callerOr(c, "tiergate"));
                hook.put("changes", changes);
                afterAnswer(() -> deliver(List.of(() -> send("Merge Request Hook", hook))));
            }
        }
        return Answer.json(200, view(mr));
    }

    private String callerOr(Call c, String dflt) {
        String who = caller(c);
        return who == null ? dflt : who;
    }

    /** A map that may hold nulls (Map.of may not). */
    private static Map<String, Object> mapOf(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }

    /**
     * GET /repository/compare?from=&to= (docs.gitlab.com/ee/api/repositories.html#compare-branches-tags-or-commits):
     * the diffs between the two commits' files as the stand-in holds them.
     */
    private Answer compare(Call c) {
        String fromRef = c.query().get("from");
        String toRef = c.query().get("to");
        if (repository.hasCommits(fromRef, toRef)) {
            return compareInGit(fromRef, toRef, "true".equals(c.query().get("straight")));
        }
        Map<String, String> from = repository.files(fromRef);
        Map<String, String> to = repository.holds(toRef) ? repository.files(toRef) : null;
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

    /**
     * The comparison of two commits of the bare repository as GitLab makes it: from their merge base unless
     * {@code straight=true} ({@code from...to}, the default, versus {@code from..to}), each file added, changed or
     * deleted, and the commits {@code to} has that the merge base lacks.
     */
    private Answer compareInGit(String fromSha, String toSha, boolean straight) {
        String mb = straight ? fromSha : repository.recordMergeBase(fromSha, toSha);
        String start = mb == null ? fromSha : mb;
        repository.importFiles(start);
        repository.importFiles(toSha);
        Map<String, String> from = repository.files(start);
        Map<String, String> to = repository.files(toSha);
        java.util.TreeSet<String> paths = new java.util.TreeSet<>(from.keySet());
        paths.addAll(to.keySet());
        List<Object> diffs = new ArrayList<>();
        for (String fp : paths) {
            String was = from.get(fp);
            String now = to.get(fp);
            if (!java.util.Objects.equals(was, now)) {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("old_path", fp);
                d.put("new_path", fp);
                d.put("new_file", was == null);
                d.put("renamed_file", false);
                d.put("deleted_file", now == null);
                d.put("diff", "");
                diffs.add(d);
            }
        }
        List<Object> commits = new ArrayList<>();
        for (GitHost.Commit k : repository.git().pushed("", start, toSha, 10_000)) {
            commits.add(Map.of(
                    "id",
                    k.sha(),
                    "short_id",
                    k.sha().substring(0, 8),
                    "title",
                    k.title(),
                    "message",
                    k.message(),
                    "author_name",
                    k.authorName(),
                    "author_email",
                    k.authorEmail()));
        }
        return Answer.json(
                200,
                Map.of(
                        "commits",
                        commits,
                        "diffs",
                        diffs,
                        "compare_timeout",
                        false,
                        "compare_same_ref",
                        fromSha.equals(toSha)));
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
        String ref = repository.branches().entrySet().stream()
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
