package dev.tiergate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.testkit.ForgeStub.Answer;
import dev.tiergate.testkit.ForgeStub.Call;
import dev.tiergate.testkit.GitHubApiStub.User;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link GitHubApiStub}'s pull requests and the conversation on them: the pulls (docs.github.com/en/rest/pulls/pulls:
 * list, get with mergeability, open, merge for real in the bare repository, honouring the required checks of a
 * protected base), their reviews, the review requests to users and to the organisation's teams, and the issue
 * comments; and what an open PR becomes when branches move (synchronize, closed, merged).
 *
 * <p>Not thread-safe: the stub calls it only under its own lock (it synchronizes on itself), where it did when this
 * was part of it. The webhooks it makes are sent by the stub outside that lock: handed to
 * {@link ForgeStub#afterAnswer} on a call, returned to the stub's push handling on a branch move.
 */
final class GitHubPulls {
    private static final String PULLS_DOCS = "https://docs.github.com/rest/pulls/pulls";
    /** The stub: its URL, its webhook delivery and its handling of branches that moved (a merge moves its base). */
    private final GitHubApiStub stub;

    private final String repo;
    private final HostedRepository repository;
    private final GitHubChecks checks;
    private final GitHubContents contents;
    private final GitHubPaging paging;
    /** The stub's ids, shared with its statuses, runs and tokens: a comment takes the next one. */
    private final AtomicLong ids;

    private final Map<Long, Map<String, Object>> pulls = new LinkedHashMap<>();
    private final Map<Long, List<Map<String, Object>>> reviews = new LinkedHashMap<>();
    private final Map<String, List<String>> teams = new LinkedHashMap<>();
    private final Map<Long, List<Map<String, Object>>> reviewRequests = new LinkedHashMap<>();
    /** Issue comments per PR number, oldest first. */
    private final Map<Long, List<Map<String, Object>>> comments = new LinkedHashMap<>();

    GitHubPulls(
            GitHubApiStub stub,
            String repo,
            HostedRepository repository,
            GitHubChecks checks,
            GitHubContents contents,
            GitHubPaging paging,
            AtomicLong ids) {
        this.stub = stub;
        this.repo = repo;
        this.repository = repository;
        this.checks = checks;
        this.contents = contents;
        this.paging = paging;
        this.ids = ids;
    }

    /** The PR as {@code p} has it (state, head, base, author), as after a webhook carrying {@code p}. */
    void pull(Pull p) {
        Map<String, Object> pr = newPull(
                p.number(), p.head(), p.headSha(), p.base(), p.baseSha(), p.state(), "PR " + p.number(), null, false);
        pr.put("user", Map.of("login", p.login(), "id", 1, "type", p.bot() ? "Bot" : "User"));
        pr.put("head", Map.of("ref", p.head(), "sha", p.headSha(), "label", "acme:" + p.head()));
        pr.put("base", Map.of("ref", p.base(), "sha", p.baseSha(), "label", "acme:" + p.base()));
        pr.put("merged", p.merged());
        pr.put("merged_at", p.merged() ? "2026-11-25T10:00:00Z" : null);
        pulls.put(p.number(), pr);
    }

    /** tiergate's comments on a PR, oldest first. */
    List<String> comments(long number) {
        return comments.getOrDefault(number, List.of()).stream()
                .map(c -> String.valueOf(c.get("body")))
                .toList();
    }

    /** A team of the repository's organisation, {@code org/slug}, and its members' logins. */
    void team(String orgSlashSlug, String... logins) {
        teams.put(orgSlashSlug.toLowerCase(Locale.ROOT), List.of(logins));
    }

    /** The members of team {@code org/slug} (any case); null for a team the stand-in does not know. */
    List<String> teamMembers(String orgSlashSlug) {
        return teams.get(orgSlashSlug.toLowerCase(Locale.ROOT));
    }

    /** The review requests PR {@code number} received, each {@code {reviewers: [...], team_reviewers: [...]}}. */
    List<Map<String, Object>> reviewRequests(long number) {
        return List.copyOf(reviewRequests.getOrDefault(number, List.of()));
    }

    /**
     * What GitHub does to the open PRs when {@code ch} moved a branch (a push, or a merge through the API), as
     * webhooks to send once the lock is let go: for each open PR whose head moved {@code synchronize} (head and base
     * SHAs refreshed), whose head branch was deleted {@code closed}, whose base now contains its head {@code closed}
     * with {@code merged: true} (GitHub marks such a PR merged: docs.github.com/en/pull-requests/collaborating-with-
     * pull-requests/incorporating-changes-from-a-pull-request/merging-a-pull-request).
     */
    List<Runnable> moved(GitHost.RefChange ch, User pusher) {
        List<Runnable> hooks = new ArrayList<>();
        String name = ch.branch();
        for (Map<String, Object> pr : pulls.values()) {
            if (!"open".equals(pr.get("state"))) {
                continue;
            }
            String head = side(pr, "head", "ref");
            String headSha = side(pr, "head", "sha");
            String base = side(pr, "base", "ref");
            if (head.equals(name) && ch.after() == null) {
                pr.put("state", "closed");
                pr.put("closed_at", Instant.now().toString());
                pr.put("updated_at", Instant.now().toString());
                Map<String, Object> event = pullEvent("closed", pr, pusher);
                hooks.add(() -> stub.send("pull_request", event));
            } else if (head.equals(name) && !ch.after().equals(headSha)) {
                String baseSha = repository.branches().getOrDefault(base, side(pr, "base", "sha"));
                pr.put("head", headRef(head, ch.after()));
                pr.put("base", baseRef(base, baseSha));
                pr.put("updated_at", Instant.now().toString());
                contents.recordMergeBase(baseSha, ch.after());
                Map<String, Object> event = pullEvent("synchronize", pr, pusher);
                event.put("before", headSha);
                event.put("after", ch.after());
                hooks.add(() -> stub.send("pull_request", event));
            } else if (base.equals(name)
                    && ch.after() != null
                    && repository.git().hasCommit(headSha)) {
                if (repository.brings(ch, headSha)) {
                    markMerged(pr, ch.after(), pusher);
                    Map<String, Object> event = pullEvent("closed", pr, pusher);
                    hooks.add(() -> stub.send("pull_request", event));
                } else {
                    contents.recordMergeBase(ch.after(), headSha);
                    contents.recordMergeBase(side(pr, "base", "sha"), headSha);
                }
            }
        }
        return hooks;
    }

    /** GET /pulls. */
    Answer list(Call c) {
        // GitHub's filters: state (open, closed, all), head ("owner:branch") and base (a branch name)
        // (docs.github.com/en/rest/pulls/pulls#list-pull-requests)
        String state = c.query().getOrDefault("state", "open");
        String head = c.query().get("head");
        String baseBranch = c.query().get("base");
        return paging.page(
                pulls.values().stream()
                        .filter(pr -> state.equals("all") || state.equals(pr.get("state")))
                        .filter(pr -> head == null
                                || head.equals(repo.substring(0, repo.indexOf('/')) + ":"
                                        + ((Map<?, ?>) pr.get("head")).get("ref")))
                        .filter(pr -> baseBranch == null || baseBranch.equals(side(pr, "base", "ref")))
                        .map(pr -> (Object) pr)
                        .toList(),
                c);
    }

    /** GET /pulls/{n}, and with {@code part} "/reviews" or "/merge" those of PR {@code n}. */
    Answer read(long n, String part, Call c) {
        if (!pulls.containsKey(n)) {
            return Answer.json(404, Map.of("message", "Not Found"));
        }
        if ("/merge".equals(part)) {
            // 204 when merged, 404 when not
            // (docs.github.com/en/rest/pulls/pulls#check-if-a-pull-request-has-been-merged)
            return Boolean.TRUE.equals(pulls.get(n).get("merged"))
                    ? new Answer(204, new LinkedHashMap<>(), null)
                    : Answer.json(404, Map.of("message", "Not Found"));
        }
        return part == null
                ? Answer.json(200, withMergeability(pulls.get(n)))
                : paging.page(new ArrayList<>(reviews.getOrDefault(n, List.of())), c);
    }

    /** GET /issues/{n}/comments. */
    Answer issueComments(long number, Call c) {
        return paging.page(new ArrayList<>(comments.getOrDefault(number, List.of())), c);
    }

    /** A pull object with GitHub's fields (docs.github.com/en/rest/pulls/pulls#get-a-pull-request). */
    private Map<String, Object> newPull(
            long number,
            String head,
            String headSha,
            String base,
            String baseSha,
            String state,
            String title,
            String body,
            boolean draft) {
        Map<String, Object> pr = new LinkedHashMap<>();
        pr.put("url", stub.url() + "/repos/" + repo + "/pulls/" + number);
        pr.put("html_url", "https://github.com/" + repo + "/pull/" + number);
        pr.put("number", number);
        pr.put("state", state);
        pr.put("draft", draft);
        pr.put("title", title);
        pr.put("body", body);
        pr.put("head", headRef(head, headSha));
        pr.put("base", baseRef(base, baseSha));
        pr.put("merged", false);
        pr.put("merged_at", null);
        pr.put("merge_commit_sha", null);
        pr.put("closed_at", null);
        pr.put("created_at", Instant.now().toString());
        pr.put("updated_at", Instant.now().toString());
        return pr;
    }

    private Map<String, Object> headRef(String ref, String sha) {
        return Map.of("ref", ref, "sha", sha, "label", owner() + ":" + ref);
    }

    private Map<String, Object> baseRef(String ref, String sha) {
        return Map.of("ref", ref, "sha", sha, "label", owner() + ":" + ref);
    }

    private String owner() {
        return repo.substring(0, repo.indexOf('/'));
    }

    private static String side(Map<String, Object> pr, String side, String field) {
        return String.valueOf(((Map<?, ?>) pr.get(side)).get(field));
    }

    private static void markMerged(Map<String, Object> pr, String mergeCommit, User by) {
        String now = Instant.now().toString();
        pr.put("state", "closed");
        pr.put("merged", true);
        pr.put("merged_at", now);
        pr.put("closed_at", now);
        pr.put("updated_at", now);
        pr.put("merge_commit_sha", mergeCommit);
        pr.put("merged_by", by.json());
    }

    /** A {@code pull_request} webhook carrying the PR as the API shows it (GitHubPayloads.pullRequest's fields and more). */
    private Map<String, Object> pullEvent(String action, Map<String, Object> pr, User sender) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("action", action);
        m.put("number", pr.get("number"));
        m.put("pull_request", new LinkedHashMap<>(pr));
        m.put("repository", GitHubPayloads.repository(repo));
        m.put("sender", sender.json());
        return m;
    }

    void review(long number, String login, boolean bot, String state, String commitId) {
        List<Map<String, Object>> list = reviews.computeIfAbsent(number, k -> new ArrayList<>());
        list.add(Map.of(
                "id",
                list.size() + 1,
                "user",
                Map.of("login", login, "type", bot ? "Bot" : "User"),
                "state",
                state,
                "commit_id",
                commitId,
                "submitted_at",
                "2026-11-25T09:00:00Z"));
    }

    private static Answer validationFailed(Map<String, Object> error, String docs) {
        return Answer.json(
                422, Map.of("message", "Validation Failed", "errors", List.of(error), "documentation_url", docs));
    }

    /**
     * POST /pulls {title, head, base, body, draft} (docs.github.com/en/rest/pulls/pulls#create-a-pull-request): 201
     * with the pull object and a {@code Location}, then {@code pull_request opened}. Refused with 422 "Validation
     * Failed" as GitHub does: a missing field ({@code missing_field}), an unknown base or head ({@code invalid}), a
     * PR already open from that head into that base ("A pull request already exists for owner:branch."), a head
     * with no commit the base lacks ("No commits between base and head").
     */
    Answer createPull(Call c, User caller) {
        JsonNode body;
        try {
            body = ForgeStub.JSON.readTree(c.body());
        } catch (Exception e) {
            return Answer.json(400, Map.of("message", "Problems parsing JSON"));
        }
        String docs = PULLS_DOCS + "#create-a-pull-request";
        for (String field : List.of("title", "head", "base")) {
            if (body.path(field).asText("").isBlank()) {
                return validationFailed(
                        Map.of("resource", "PullRequest", "code", "missing_field", "field", field), docs);
            }
        }
        String title = body.path("title").asText();
        String headParam = body.path("head").asText();
        String base = body.path("base").asText();
        int colon = headParam.indexOf(':');
        String head = colon < 0 ? headParam : headParam.substring(colon + 1);
        String headOwner = colon < 0 ? owner() : headParam.substring(0, colon);
        Map<String, String> branches = repository.branches();
        if (!branches.containsKey(base)) {
            return validationFailed(Map.of("resource", "PullRequest", "field", "base", "code", "invalid"), docs);
        }
        if (!headOwner.equalsIgnoreCase(owner()) || !branches.containsKey(head)) {
            return validationFailed(Map.of("resource", "PullRequest", "field", "head", "code", "invalid"), docs);
        }
        for (Map<String, Object> pr : pulls.values()) {
            if ("open".equals(pr.get("state"))
                    && side(pr, "head", "ref").equals(head)
                    && side(pr, "base", "ref").equals(base)) {
                return validationFailed(
                        Map.of(
                                "resource",
                                "PullRequest",
                                "code",
                                "custom",
                                "message",
                                "A pull request already exists for " + owner() + ":" + head + "."),
                        docs);
            }
        }
        String headSha = branches.get(head);
        String baseSha = branches.get(base);
        boolean hosted = repository.hasCommits(headSha, baseSha);
        boolean nothing = hosted ? repository.git().commitsAhead(baseSha, headSha) == 0 : headSha.equals(baseSha);
        if (nothing) {
            return validationFailed(
                    Map.of(
                            "resource",
                            "PullRequest",
                            "code",
                            "custom",
                            "message",
                            "No commits between " + base + " and " + headParam),
                    docs);
        }
        long number = 1;
        for (long n : pulls.keySet()) {
            number = Math.max(number, n + 1);
        }
        for (long n : comments.keySet()) {
            number = Math.max(number, n + 1); // issues and PRs share their numbers
        }
        Map<String, Object> pr = newPull(
                number,
                head,
                headSha,
                base,
                baseSha,
                "open",
                title,
                body.path("body").isNull() ? null : body.path("body").asText(null),
                body.path("draft").asBoolean(false));
        pr.put("user", caller.json());
        pulls.put(number, pr);
        if (hosted) {
            contents.recordMergeBase(baseSha, headSha);
        }
        Map<String, Object> event = pullEvent("opened", pr, caller);
        stub.afterAnswer(() -> stub.deliver(List.of(() -> stub.send("pull_request", event))));
        Answer a = Answer.json(201, pr);
        a.headers().put("Location", String.valueOf(pr.get("url")));
        return a;
    }

    /**
     * PUT /pulls/{n}/merge {sha, merge_method, commit_title, commit_message}
     * (docs.github.com/en/rest/pulls/pulls#merge-a-pull-request): the merge is made in the bare repository (merge:
     * a merge commit of base and head, {@code git merge-tree --write-tree} + {@code commit-tree}; squash and rebase:
     * one new commit on the base with the merged tree, the stand-in does not replay a rebase commit by commit), the
     * base branch moves ({@code update-ref} from the tip it merged onto), the PR is closed and merged, then
     * {@code pull_request closed} ({@code merged: true}) and {@code push} to the base. Refusals as GitHub answers
     * them: 404 unknown PR; 405 "Pull Request is not mergeable" (closed, merged, or conflicting), 405 "Pull Request is
     * still a draft", 405 "Required status check \"ctx\" is expected." (none yet, or pending) or "... is failing."
     * on a protected base (the first unmet context, in {@link GitHubApiStub#protect}'s order); 409 "Head branch was modified.
     * Review and try the merge again." when {@code sha} is not the head; 409 "Base branch was modified. ..." when the
     * base moved during the merge.
     */
    Answer mergePull(long number, Call c, User caller) {
        Map<String, Object> pr = pulls.get(number);
        String docs = PULLS_DOCS + "#merge-a-pull-request";
        if (pr == null) {
            return Answer.json(404, Map.of("message", "Not Found", "documentation_url", docs));
        }
        JsonNode body;
        try {
            body = c.body().isBlank() ? ForgeStub.JSON.createObjectNode() : ForgeStub.JSON.readTree(c.body());
        } catch (Exception e) {
            return Answer.json(400, Map.of("message", "Problems parsing JSON"));
        }
        if (!"open".equals(pr.get("state"))) {
            return Answer.json(405, Map.of("message", "Pull Request is not mergeable", "documentation_url", docs));
        }
        String head = side(pr, "head", "ref");
        String headSha = side(pr, "head", "sha");
        String base = side(pr, "base", "ref");
        String sha = body.path("sha").asText(null);
        if (sha != null && !sha.equals(headSha)) {
            return Answer.json(
                    409,
                    Map.of(
                            "message",
                            "Head branch was modified. Review and try the merge again.",
                            "documentation_url",
                            docs));
        }
        String method = body.path("merge_method").asText("merge");
        if (!List.of("merge", "squash", "rebase").contains(method)) {
            return validationFailed(
                    Map.of("resource", "PullRequest", "field", "merge_method", "code", "invalid"), docs);
        }
        if (Boolean.TRUE.equals(pr.get("draft"))) {
            return Answer.json(405, Map.of("message", "Pull Request is still a draft", "documentation_url", docs));
        }
        String unmet = checks.unmetRequiredCheck(base, headSha);
        if (unmet != null) {
            return Answer.json(
                    405,
                    Map.of(
                            "message",
                            unmet,
                            "documentation_url",
                            "https://docs.github.com/articles/about-protected-branches"));
        }
        GitHost git = repository.git();
        if (git == null) {
            return Answer.json(500, Map.of("message", "stand-in: merging needs gitHosted(...)"));
        }
        String baseTip = git.heads().get(base);
        String tree = baseTip == null || !git.hasCommit(headSha) ? null : git.mergeTree(baseTip, headSha);
        if (tree == null) {
            return Answer.json(405, Map.of("message", "Pull Request is not mergeable", "documentation_url", docs));
        }
        String title = String.valueOf(pr.get("title"));
        String defaultTitle = method.equals("merge")
                ? "Merge pull request #" + number + " from " + owner() + "/" + head
                : title + " (#" + number + ")";
        String defaultMessage = method.equals("merge") ? title : squashedMessages(baseTip, headSha);
        String commitTitle = body.path("commit_title").asText(defaultTitle);
        String commitMessage = body.path("commit_message").asText(defaultMessage);
        String message = commitMessage.isBlank() ? commitTitle : commitTitle + "\n\n" + commitMessage;
        String author = method.equals("merge") ? caller.login() : side(pr, "user", "login");
        String merged = git.commitTree(
                tree,
                method.equals("merge") ? List.of(baseTip, headSha) : List.of(baseTip),
                message,
                new GitHost.Ident(author, author + "@users.noreply.github.com"),
                new GitHost.Ident("GitHub", "noreply@github.com"));
        if (!git.updateRef(base, merged, baseTip)) {
            return Answer.json(
                    409,
                    Map.of(
                            "message",
                            "Base branch was modified. Review and try the merge again.",
                            "documentation_url",
                            docs));
        }
        markMerged(pr, merged, caller);
        List<Runnable> hooks = new ArrayList<>();
        Map<String, Object> closed = pullEvent("closed", pr, caller);
        hooks.add(() -> stub.send("pull_request", closed));
        hooks.addAll(stub.applyChanges(List.of(new GitHost.RefChange(base, baseTip, merged)), caller));
        stub.afterAnswer(() -> stub.deliver(hooks));
        return Answer.json(200, Map.of("sha", merged, "merged", true, "message", "Pull Request successfully merged"));
    }

    /** GitHub's default squash message: each commit of the PR, "* title", oldest first. */
    private String squashedMessages(String baseTip, String headSha) {
        StringBuilder out = new StringBuilder();
        for (GitHost.Commit k : repository.git().pushed("", baseTip, headSha, 250)) {
            out.append("* ").append(k.title()).append('\n');
        }
        return out.toString().strip();
    }

    /**
     * A single PR as GET /pulls/{n} shows it: with {@code mergeable} and {@code mergeable_state}, which GitHub
     * computes for that endpoint alone (null while it has not; here at once when the repository is hosted):
     * {@code dirty} on a conflict, {@code draft}, {@code blocked} by a required check, else {@code clean}.
     */
    private Map<String, Object> withMergeability(Map<String, Object> pr) {
        Map<String, Object> out = new LinkedHashMap<>(pr);
        String headSha = side(pr, "head", "sha");
        String baseTip = repository.branches().get(side(pr, "base", "ref"));
        if (!"open".equals(pr.get("state")) || !repository.hasCommits(headSha, baseTip)) {
            out.put("mergeable", null);
            out.put("mergeable_state", "unknown");
            return out;
        }
        boolean clean = repository.git().mergeTree(baseTip, headSha) != null;
        out.put("mergeable", clean);
        out.put(
                "mergeable_state",
                !clean
                        ? "dirty"
                        : Boolean.TRUE.equals(pr.get("draft"))
                                ? "draft"
                                : checks.unmetRequiredCheck(side(pr, "base", "ref"), headSha) != null
                                        ? "blocked"
                                        : "clean");
        return out;
    }

    /**
     * POST /pulls/{n}/requested_reviewers (docs.github.com/en/rest/pulls/review-requests): 201 with the PR, which
     * lists them in {@code requested_reviewers} and {@code requested_teams} from then on; 422 for the PR's author
     * ("Review cannot be requested from pull request author.") and for a team of the organisation the stand-in does
     * not know ("Reviews may only be requested from collaborators. ...").
     */
    Answer requestReviewers(long number, Call c) {
        Map<String, Object> pr = pulls.get(number);
        if (pr == null) {
            return Answer.json(404, Map.of("message", "Not Found"));
        }
        JsonNode body;
        try {
            body = ForgeStub.JSON.readTree(c.body());
        } catch (Exception e) {
            return Answer.json(400, Map.of("message", "Problems parsing JSON"));
        }
        List<String> logins = new ArrayList<>();
        body.path("reviewers").forEach(r -> logins.add(r.asText()));
        List<String> slugs = new ArrayList<>();
        body.path("team_reviewers").forEach(t -> slugs.add(t.asText()));
        String author = String.valueOf(((Map<?, ?>) pr.get("user")).get("login"));
        if (logins.stream().anyMatch(author::equalsIgnoreCase)) {
            return Answer.json(422, Map.of("message", "Review cannot be requested from pull request author."));
        }
        String org = repo.substring(0, repo.indexOf('/'));
        if (slugs.stream().anyMatch(t -> !teams.containsKey((org + "/" + t).toLowerCase(Locale.ROOT)))) {
            return Answer.json(
                    422,
                    Map.of(
                            "message",
                            "Reviews may only be requested from collaborators. One or more of the users or teams you"
                                    + " specified is not a collaborator of the " + repo + " repository."));
        }
        reviewRequests
                .computeIfAbsent(number, k -> new ArrayList<>())
                .add(Map.of("reviewers", logins, "team_reviewers", slugs));
        List<Object> users = new ArrayList<>();
        logins.forEach(l -> users.add(Map.of("login", l, "type", "User")));
        List<Object> teamObjects = new ArrayList<>();
        slugs.forEach(t -> teamObjects.add(Map.of("slug", t)));
        pr.put("requested_reviewers", users);
        pr.put("requested_teams", teamObjects);
        // GitHub then sends pull_request "review_requested" once per reviewer and team asked, each naming it
        // (docs.github.com/en/webhooks/webhook-events-and-payloads#pull_request)
        Map<String, Object> snapshot = new LinkedHashMap<>(pr);
        stub.afterAnswer(() -> {
            for (String login : logins) {
                stub.sendReviewRequested(
                        snapshot, Map.of("requested_reviewer", Map.of("login", login, "type", "User")));
            }
            for (String slug : slugs) {
                stub.sendReviewRequested(snapshot, Map.of("requested_team", Map.of("slug", slug)));
            }
        });
        return Answer.json(201, pr);
    }

    /** POST /issues/{n}/comments creates; PATCH /issues/comments/{id} edits (docs.github.com/en/rest/issues/comments). */
    Answer comment(String p, Call c) {
        JsonNode body;
        try {
            body = ForgeStub.JSON.readTree(c.body());
        } catch (Exception e) {
            return Answer.json(400, Map.of("message", "Problems parsing JSON"));
        }
        Matcher create = Pattern.compile("/issues/(\\d+)/comments").matcher(p);
        if (create.matches() && c.method().equals("POST")) {
            Map<String, Object> comment = new LinkedHashMap<>();
            comment.put("id", ids.incrementAndGet());
            comment.put("body", body.path("body").asText());
            comment.put("user", GitHubApiStub.sender());
            comments.computeIfAbsent(Long.parseLong(create.group(1)), k -> new ArrayList<>())
                    .add(comment);
            return Answer.json(201, comment);
        }
        Matcher edit = Pattern.compile("/issues/comments/(\\d+)").matcher(p);
        if (edit.matches() && c.method().equals("PATCH")) {
            for (List<Map<String, Object>> list : comments.values()) {
                for (Map<String, Object> comment : list) {
                    if (String.valueOf(comment.get("id")).equals(edit.group(1))) {
                        comment.put("body", body.path("body").asText());
                        return Answer.json(200, comment);
                    }
                }
            }
        }
        return Answer.json(404, Map.of("message", "Not Found"));
    }
}
