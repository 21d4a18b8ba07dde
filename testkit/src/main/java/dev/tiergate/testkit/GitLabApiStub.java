package dev.tiergate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
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
    /** The ids of pipelines, jobs, notes and status check responses: one sequence, which the parts share. */
    private final AtomicLong ids = new AtomicLong(100);

    // One part per API area; this stand-in routes the calls to them and calls them under its own lock only.
    private final GitLabRateLimit rate = new GitLabRateLimit();
    private final GitLabUsers users = new GitLabUsers();
    private final GitLabContents contents = new GitLabContents(repository);
    private final GitLabPipelines pipelines;
    private final GitLabMergeRequests mergeRequests;

    private volatile BiConsumer<String, Object> webhooks;

    private static final Pattern MERGE = Pattern.compile("/merge_requests/(\\d+)/merge");

    public GitLabApiStub(String path) {
        this.path = path;
        this.base = "/api/v4/projects/" + path;
        this.pipelines = new GitLabPipelines(path, repository, ids, this::mergeRequestWithHead);
        this.mergeRequests = new GitLabMergeRequests(this, path, repository, pipelines, users, ids);
    }

    /** The MR a Pipeline Hook names ({@link GitLabMergeRequests#withHead}); under this lock, as the hook is made. */
    private Optional<Map<String, Object>> mergeRequestWithHead(String sha) {
        return mergeRequests.withHead(sha);
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
        return mergeRequests.notes(iid);
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
        mergeRequests.mergeRequest(iid, source, sha, target, targetSha, author, bot, state);
    }

    /**
     * A user's token (a personal access token): it opens and merges merge requests as {@code username} through the
     * API ({@code PRIVATE-TOKEN: <token>} or {@code Authorization: Bearer <token>}) and reads and pushes over git
     * (HTTP Basic, the token as the password). The user is one of the instance's, as {@link #user} makes them.
     */
    public synchronized void userToken(String token, String username) {
        users.userToken(token, username);
    }

    /**
     * The project's "Pipelines must succeed": a merge is refused (405) unless the latest pipeline of the MR's head
     * succeeded; with no pipeline at all it is refused too (MergeRequest#mergeable_ci_state?: no head pipeline, not
     * mergeable; docs.gitlab.com/user/project/merge_requests/auto_merge/#require-a-successful-pipeline-for-merge).
     */
    public synchronized void pipelinesMustSucceed(boolean on) {
        mergeRequests.pipelinesMustSucceed(on);
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
        return username.isBlank() ? null : users.tokenUser(password);
    }

    @Override
    protected void afterPush(String login) {
        deliverAfter(() -> applyChanges(repository.changes(null), login));
    }

    /**
     * What GitLab does after branches moved (a push, or a merge through the API): the model takes the branches and
     * their files; then, as hooks to send once the lock is let go, a Push Hook per branch, and what the open MRs
     * become ({@link GitLabMergeRequests#moved}: {@code update} with {@code oldrev}, {@code merge}). Held under the
     * lock.
     */
    List<Runnable> applyChanges(List<GitHost.RefChange> changes, String pusher) {
        List<Runnable> hooks = new ArrayList<>();
        for (GitHost.RefChange ch : changes) {
            repository.moved(ch);
            Map<String, Object> push = pushHook(ch, pusher);
            hooks.add(() -> send("Push Hook", push));
            if (ch.after() == null) {
                continue; // an MR whose source branch is gone stays open (and cannot be merged)
            }
            hooks.addAll(mergeRequests.moved(ch, pusher));
        }
        return hooks;
    }

    /** The project as the hooks carry it. */
    Map<String, Object> projectJson() {
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
        m.put("user_id", users.userId(pusher));
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

    /** A user of the instance (GET /users?username= finds it). */
    public synchronized void user(String username) {
        users.userId(username);
    }

    /** A group, by its full path, and its members (each also a user of the instance). */
    public synchronized void group(String fullPath, String... usernames) {
        users.group(fullPath, usernames);
    }

    /** The usernames of MR {@code iid}'s reviewers, as its {@code reviewers} field lists them. */
    public synchronized List<String> reviewers(long iid) {
        return mergeRequests.reviewers(iid);
    }

    public synchronized void approve(long iid, String username, boolean bot) {
        mergeRequests.approve(iid, username, bot);
    }

    /** A CI job's status on a SHA, without a webhook (the caller delivers the event itself). */
    public synchronized void jobStatus(String sha, String name, String status) {
        pipelines.setJob(sha, name, status);
    }

    /**
     * A CI job changes status: recorded, then a Job Hook (for CI jobs only, never for external statuses) and a
     * Pipeline Hook when the pipeline's status changed, as GitLab does.
     */
    public void runJob(String sha, String name, String status) {
        Map<String, Object> hook;
        Map<String, Object> jobHook;
        synchronized (this) {
            hook = pipelines.setJob(sha, name, status);
            jobHook = pipelines.jobHook(sha, name);
        }
        send("Job Hook", jobHook);
        if (hook != null) {
            send("Pipeline Hook", hook);
        }
    }

    public synchronized void statusCheckAnswers(int httpStatus) {
        mergeRequests.statusCheckAnswers(httpStatus);
    }

    /** The bodies of the {@code tiergate/workflow} statuses posted on a SHA (accepted or not), oldest first. */
    public List<JsonNode> posted(String sha) {
        return posted(sha, "tiergate/workflow");
    }

    public synchronized List<JsonNode> posted(String sha, String name) {
        return pipelines.posted(sha, name);
    }

    public JsonNode lastPosted(String sha) {
        List<JsonNode> all = posted(sha);
        if (all.isEmpty()) {
            throw new AssertionError("no tiergate/workflow status was posted on " + sha);
        }
        return all.get(all.size() - 1);
    }

    public synchronized List<JsonNode> statusCheckResponses(long iid) {
        return mergeRequests.statusCheckResponses(iid);
    }

    public synchronized long latestPipelineId(String sha) {
        return pipelines.latestPipelineId(sha);
    }

    /** The status GitLab shows for the SHA's latest pipeline. */
    public synchronized String pipelineStatus(String sha) {
        return pipelines.pipelineStatus(sha);
    }

    @Override
    protected String routeOf(String method, String p) {
        return method + " "
                + fold(p.replace(base, "/projects/{project}"))
                        .replaceAll("/branches/.+", "/branches/{branch}")
                        .replaceAll("/files/.+/raw", "/files/{path}/raw")
                        .replaceAll("/blobs/.+/raw", "/blobs/{sha}/raw");
    }

    /** Every call is counted against the rate limit ({@link GitLabRateLimit}); past it, the 429 instead of the work. */
    @Override
    protected Answer answer(Call c) {
        Answer refused = rate.exceeded();
        return rate.withHeaders(refused != null ? refused : route(c));
    }

    /** The calls a minute the stand-in allows before it answers 429 (2,000 on GitLab.com); the window starts again. */
    public synchronized void rateLimit(int perMinute) {
        rate.rateLimit(perMinute);
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
        Answer instance = users.instanceWide(c);
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
            String caller = users.caller(c);
            return caller == null
                    ? GitLabUsers.unauthorized()
                    : create
                            ? mergeRequests.createMergeRequest(c, caller)
                            : mergeRequests.mergeMergeRequest(Long.parseLong(merge.group(1)), c, caller);
        }
        if (c.method().equals("PUT")) {
            Matcher update = Pattern.compile("/merge_requests/(\\d+)").matcher(p);
            if (update.matches()) {
                return mergeRequests.updateMergeRequest(Long.parseLong(update.group(1)), c);
            }
            Matcher edit =
                    Pattern.compile("/merge_requests/(\\d+)/notes/(\\d+)").matcher(p);
            if (edit.matches()) {
                Answer edited = mergeRequests.editNote(Long.parseLong(edit.group(1)), edit.group(2), c);
                if (edited != null) {
                    return edited;
                }
            }
            return Answer.json(404, Map.of("message", "404 Note Not Found"));
        }
        if (c.method().equals("POST")) {
            Matcher status = Pattern.compile("/statuses/([0-9a-f]{40})").matcher(p);
            if (status.matches()) {
                return pipelines.createStatus(
                        status.group(1), c, hook -> afterAnswer(() -> send("Pipeline Hook", hook)));
            }
            Matcher note = Pattern.compile("/merge_requests/(\\d+)/notes").matcher(p);
            if (note.matches()) {
                return mergeRequests.addNote(Long.parseLong(note.group(1)), c);
            }
            Matcher check = Pattern.compile("/merge_requests/(\\d+)/status_check_responses")
                    .matcher(p);
            if (check.matches()) {
                return mergeRequests.statusCheckResponse(Long.parseLong(check.group(1)), c);
            }
            return Answer.json(404, Map.of("message", "404 Not Found"));
        }
        if (p.isEmpty()) {
            return Answer.json(200, Map.of("id", 15, "path_with_namespace", path, "default_branch", "main"));
        }
        Matcher file = Pattern.compile("/repository/files/(.+)/raw").matcher(p);
        if (file.matches()) {
            return contents.rawFile(file.group(1), c);
        }
        if (p.equals("/repository/compare")) {
            return contents.compare(c);
        }
        if (p.equals("/repository/merge_base")) {
            return contents.mergeBase(c);
        }
        if (p.equals("/repository/tree")) {
            return contents.tree(c);
        }
        Matcher blob = Pattern.compile("/repository/blobs/([0-9a-f]{40})/raw").matcher(p);
        if (blob.matches()) {
            return contents.blob(blob.group(1));
        }
        Matcher mrNotes = Pattern.compile("/merge_requests/(\\d+)/notes").matcher(p);
        if (mrNotes.matches()) {
            return mergeRequests.notes(Long.parseLong(mrNotes.group(1)), c);
        }
        if (p.equals("/repository/branches")) {
            List<Object> list = new ArrayList<>();
            repository
                    .branches()
                    .forEach((n, s) -> list.add(Map.of("name", n, "commit", Map.of("id", s), "protected", false)));
            return GitLabPaging.page(list, c);
        }
        if (p.startsWith("/repository/branches/")) {
            String name = p.substring("/repository/branches/".length());
            String sha = repository.branches().get(name);
            return sha == null
                    ? Answer.json(404, Map.of("message", "404 Branch Not Found"))
                    : Answer.json(200, Map.of("name", name, "commit", Map.of("id", sha), "protected", false));
        }
        if (p.equals("/merge_requests")) {
            return mergeRequests.list(c);
        }
        Matcher mr = Pattern.compile("/merge_requests/(\\d+)(/approvals)?").matcher(p);
        if (mr.matches()) {
            return mergeRequests.read(Long.parseLong(mr.group(1)), mr.group(2));
        }
        Matcher statuses =
                Pattern.compile("/repository/commits/([0-9a-f]{40})/statuses").matcher(p);
        if (statuses.matches()) {
            return pipelines.commitStatuses(statuses.group(1), c);
        }
        if (p.equals("/pipelines")) {
            return pipelines.list(c);
        }
        return Answer.json(404, Map.of("message", "404 Not Found"));
    }

    /** Delivers one webhook, when {@link #deliverTo} named where; call it outside this stand-in's lock. */
    void send(String event, Object payload) {
        BiConsumer<String, Object> to = webhooks;
        if (to != null) {
            to.accept(event, payload);
        }
    }

    /** A request's JSON body; an empty object when it is not JSON (the parts share it). */
    static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }
}
