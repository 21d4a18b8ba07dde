package dev.tiergate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.testkit.ForgeStub.Answer;
import dev.tiergate.testkit.ForgeStub.Call;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * {@link GitLabApiStub}'s merge requests and what hangs on them (docs.gitlab.com/api/merge_requests): list, get with
 * the merge status GitLab computes, open, merge for real in the bare repository (honouring "Pipelines must succeed"),
 * update (reviewers, title, description, draft); their approvals, notes and external status check responses; and
 * what an open MR becomes when branches move (update with {@code oldrev}, merged), with the Merge Request Hooks each
 * fires.
 *
 * <p>Not thread-safe: the stub calls it only under its own lock (it synchronizes on itself), where it did when this
 * was part of it. The hooks it makes are sent by the stub outside that lock: handed to {@link ForgeStub#afterAnswer}
 * on a call, returned to the stub's push handling on a branch move.
 */
final class GitLabMergeRequests {
    /** GitLab's draft prefixes of a title ([Draft], (Draft), Draft:), any case (MergeRequest::DRAFT_REGEX). */
    private static final Pattern DRAFT =
            Pattern.compile("^\\s*(\\[draft\\]|\\(draft\\)|draft:)", Pattern.CASE_INSENSITIVE);
    /** The stub: its URL, its project, its webhook delivery and its handling of branches that moved (a merge). */
    private final GitLabApiStub stub;

    private final String path;
    private final HostedRepository repository;
    private final GitLabPipelines pipelines;
    private final GitLabUsers users;
    /** The stub's ids, shared with its pipelines and jobs: a note or a status check response takes the next one. */
    private final AtomicLong ids;

    private final Map<Long, List<Map<String, Object>>> notes = new LinkedHashMap<>();
    private final Map<Long, Map<String, Object>> mrs = new LinkedHashMap<>();
    private final Map<Long, List<Map<String, Object>>> approvals = new LinkedHashMap<>();
    private final List<JsonNode> statusCheckResponses = new ArrayList<>();
    private int statusCheckAnswer = 201;
    /** The project's "Pipelines must succeed" (only_allow_merge_if_pipeline_succeeds). */
    private boolean pipelinesMustSucceed;

    GitLabMergeRequests(
            GitLabApiStub stub,
            String path,
            HostedRepository repository,
            GitLabPipelines pipelines,
            GitLabUsers users,
            AtomicLong ids) {
        this.stub = stub;
        this.path = path;
        this.repository = repository;
        this.pipelines = pipelines;
        this.users = users;
        this.ids = ids;
    }

    /** The MR as the arguments have it, as after a webhook carrying it (see {@link GitLabApiStub#mergeRequest}). */
    void mergeRequest(
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

    /** tiergate's notes on a merge request, oldest first. */
    List<String> notes(long iid) {
        return notes.getOrDefault(iid, List.of()).stream()
                .map(n -> String.valueOf(n.get("body")))
                .toList();
    }

    /** The project's "Pipelines must succeed" (see {@link GitLabApiStub#pipelinesMustSucceed}). */
    void pipelinesMustSucceed(boolean on) {
        pipelinesMustSucceed = on;
    }

    /** The usernames of MR {@code iid}'s reviewers, as its {@code reviewers} field lists them. */
    @SuppressWarnings("unchecked")
    List<String> reviewers(long iid) {
        Map<String, Object> mr = mrs.get(iid);
        if (mr == null || mr.get("reviewers") == null) {
            return List.of();
        }
        return ((List<Map<String, Object>>) mr.get("reviewers"))
                .stream().map(r -> String.valueOf(r.get("username"))).toList();
    }

    void approve(long iid, String username, boolean bot) {
        approvals
                .computeIfAbsent(iid, k -> new ArrayList<>())
                .add(Map.of("user", Map.of("id", 3, "username", username, "bot", bot)));
    }

    void statusCheckAnswers(int httpStatus) {
        statusCheckAnswer = httpStatus;
    }

    List<JsonNode> statusCheckResponses(long iid) {
        return statusCheckResponses.stream()
                .filter(n -> n.path("_iid").asLong() == iid)
                .toList();
    }

    /** The first MR whose head is {@code sha}, as a Pipeline Hook names it. */
    Optional<Map<String, Object>> withHead(String sha) {
        return mrs.values().stream().filter(mr -> sha.equals(mr.get("sha"))).findFirst();
    }

    /**
     * What GitLab does to the open MRs when {@code ch} moved a branch to a new head (a push, or a merge through the
     * API), as hooks to send once the lock is let go: per open MR whose source moved a Merge Request Hook
     * {@code update} with {@code oldrev} (its approvals reset, as reset_approvals_on_push does), per open MR whose
     * source the target now contains a Merge Request Hook {@code merge} (GitLab marks such an MR merged:
     * MergeRequests::RefreshService#post_merge_manually_merged).
     */
    List<Runnable> moved(GitHost.RefChange ch, String pusher) {
        List<Runnable> hooks = new ArrayList<>();
        String name = ch.branch();
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
                hooks.add(() -> stub.send("Merge Request Hook", hook));
            } else if (name.equals(target) && repository.git().hasCommit(sha)) {
                if (repository.brings(ch, sha)) {
                    markMerged(mr, ch.after(), null, pusher);
                    Map<String, Object> hook = mrHook(mr, "merge", null, pusher);
                    hooks.add(() -> stub.send("Merge Request Hook", hook));
                } else {
                    repository.recordMergeBase(ch.after(), sha);
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
        mr.put("merged_by", users.userJson(by));
        mr.put("merge_user", users.userJson(by));
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
            last.put("url", stub.url() + "/" + path + "/-/commit/" + sha);
            last.put("author", Map.of("name", k.authorName(), "email", k.authorEmail()));
        }
        attrs.put("last_commit", last);
        if (oldrev != null) {
            attrs.put("oldrev", oldrev);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("object_kind", "merge_request");
        m.put("event_type", "merge_request");
        m.put("user", users.userJson(by));
        m.put("project", stub.projectJson());
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
            String status = pipelines.pipelineStatus(sha);
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

    /**
     * POST /projects/:id/merge_requests {source_branch, target_branch, title, description, remove_source_branch}
     * (docs.gitlab.com/api/merge_requests/#create-mr): 201 with the MR, then a Merge Request Hook {@code open}. A
     * title starting "Draft:", "[Draft]" or "(Draft)" makes a draft. Refusals as lib/api/merge_requests.rb answers
     * them: 400 "<param> is missing"; 422 for the same source and target; 409 ["Another open merge request already
     * exists for this source branch: !iid"] (one open MR per source and target branch); 400
     * {"source_branch": ["does not exist"]} (or target_branch) for a branch the project does not have.
     */
    Answer createMergeRequest(Call c, String caller) {
        JsonNode body = GitLabApiStub.parse(c.body());
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
        mr.put("author", users.userJson(caller));
        mr.put("reviewers", new ArrayList<>());
        mr.put("diff_refs", Map.of("base_sha", mb == null ? targetSha : mb, "head_sha", sha, "start_sha", targetSha));
        mr.put("force_remove_source_branch", body.path("remove_source_branch").asBoolean(false));
        mr.put("squash", body.path("squash").asBoolean(false));
        mr.put("web_url", stub.url() + "/" + path + "/-/merge_requests/" + iid);
        mr.put("created_at", now);
        mr.put("updated_at", now);
        mr.put("merged_at", null);
        mrs.put(iid, mr);
        Map<String, Object> hook = mrHook(mr, "open", null, caller);
        stub.afterAnswer(() -> stub.deliver(List.of(() -> stub.send("Merge Request Hook", hook))));
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
    Answer mergeMergeRequest(long iid, Call c, String caller) {
        Map<String, Object> mr = mrs.get(iid);
        if (mr == null) {
            return Answer.json(404, Map.of("message", "404 Not found"));
        }
        JsonNode body = GitLabApiStub.parse(c.body());
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
        hooks.add(() -> stub.send("Merge Request Hook", hook));
        List<GitHost.RefChange> moved = new ArrayList<>(List.of(new GitHost.RefChange(target, targetTip, merged)));
        boolean remove = body.path("should_remove_source_branch")
                .asBoolean(Boolean.TRUE.equals(mr.get("force_remove_source_branch")));
        if (remove && sha.equals(git.heads().get(source)) && git.updateRef(source, null, sha)) {
            moved.add(new GitHost.RefChange(source, sha, null));
        }
        hooks.addAll(stub.applyChanges(moved, caller));
        stub.afterAnswer(() -> stub.deliver(hooks));
        return Answer.json(200, view(mr));
    }

    /**
     * PUT /projects/:id/merge_requests/:iid with {@code reviewer_ids}: the list replaces the MR's reviewers
     * (docs.gitlab.com/ee/api/merge_requests.html#update-mr); an id of no user is left out, as GitLab does.
     */
    Answer updateMergeRequest(long iid, Call c) {
        Map<String, Object> mr = mrs.get(iid);
        if (mr == null) {
            return Answer.json(404, Map.of("message", "404 Not found"));
        }
        JsonNode body = GitLabApiStub.parse(c.body());
        if (body.has("reviewer_ids")) {
            List<Object> reviewers = new ArrayList<>();
            for (JsonNode id : body.path("reviewer_ids")) {
                users.all().forEach((name, uid) -> {
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
            stub.afterAnswer(() -> stub.send("Merge Request Hook", hook));
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
                Map<String, Object> hook = mrHook(mr, "update", null, users.callerOr(c, "tiergate"));
                hook.put("changes", changes);
                stub.afterAnswer(() -> stub.deliver(List.of(() -> stub.send("Merge Request Hook", hook))));
            }
        }
        return Answer.json(200, view(mr));
    }

    /** A map that may hold nulls (Map.of may not). */
    private static Map<String, Object> mapOf(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }

    /** PUT /merge_requests/:iid/notes/:id: the note with its new body; null when the MR has no such note. */
    Answer editNote(long iid, String noteId, Call c) {
        for (Map<String, Object> n : notes.getOrDefault(iid, List.of())) {
            if (String.valueOf(n.get("id")).equals(noteId)) {
                n.put("body", GitLabApiStub.parse(c.body()).path("body").asText());
                return Answer.json(200, n);
            }
        }
        return null;
    }

    /** POST /merge_requests/:iid/notes. */
    Answer addNote(long iid, Call c) {
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("id", ids.incrementAndGet());
        n.put("body", GitLabApiStub.parse(c.body()).path("body").asText());
        notes.computeIfAbsent(iid, k -> new ArrayList<>()).add(n);
        return Answer.json(201, n);
    }

    /** POST /merge_requests/:iid/status_check_responses: recorded, answered as {@link #statusCheckAnswers} says. */
    Answer statusCheckResponse(long iid, Call c) {
        JsonNode body = GitLabApiStub.parse(c.body());
        ((ObjectNode) body).put("_iid", iid);
        statusCheckResponses.add(body);
        return statusCheckAnswer == 201
                ? Answer.json(201, Map.of("id", ids.incrementAndGet()))
                : Answer.json(statusCheckAnswer, Map.of("message", statusCheckAnswer + " Conflict"));
    }

    /** GET /merge_requests/:iid/notes, paged. */
    Answer notes(long iid, Call c) {
        return GitLabPaging.page(new ArrayList<>(notes.getOrDefault(iid, List.of())), c);
    }

    /** GET /merge_requests. */
    Answer list(Call c) {
        // GitLab's filters: state (opened, closed, merged, locked; none: all), source_branch and target_branch
        // (docs.gitlab.com/api/merge_requests/#list-project-merge-requests)
        String state = c.query().getOrDefault("state", "all");
        String source = c.query().get("source_branch");
        String target = c.query().get("target_branch");
        return GitLabPaging.page(
                mrs.values().stream()
                        .filter(m -> state.equals("all") || state.equals(m.get("state")))
                        .filter(m -> source == null || source.equals(m.get("source_branch")))
                        .filter(m -> target == null || target.equals(m.get("target_branch")))
                        .map(m -> (Object) view(m))
                        .toList(),
                c);
    }

    /** GET /merge_requests/:iid, and with {@code part} "/approvals" its approvals. */
    Answer read(long iid, String part) {
        if (!mrs.containsKey(iid)) {
            return Answer.json(404, Map.of("message", "404 Not found"));
        }
        if (part == null) {
            return Answer.json(200, view(mrs.get(iid)));
        }
        List<Map<String, Object>> by = approvals.getOrDefault(iid, List.of());
        return Answer.json(200, Map.of("approved", !by.isEmpty(), "approved_by", by));
    }
}
