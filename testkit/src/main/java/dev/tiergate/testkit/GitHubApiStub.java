package dev.tiergate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for GitHub's REST API for one repository that behaves as GitHub does after a write, modelled on
 * GitHub's documentation:
 * <ul>
 * <li>every commit status posted joins that SHA's combined status (latest per context first) and is followed by
 *     a signed {@code status} webhook, tiergate's own included
 *     (docs.github.com/en/webhooks/webhook-events-and-payloads#status); a check run likewise fires {@code check_run};</li>
 * <li>at most 1,000 statuses per SHA and context: the next is refused with 422
 *     (docs.github.com/en/rest/commits/statuses#create-a-commit-status);</li>
 * <li>every GET carries an {@code ETag}; a matching {@code If-None-Match} is answered 304 with no body, and a 304
 *     is not charged to the rate limit (docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api);</li>
 * <li>with {@link #installApp} the repository has a GitHub App installed and every call needs its installation token:
 *     {@code GET /repos/{owner}/{repo}/installation} and {@code POST /app/installations/{id}/access_tokens} want a JWT
 *     whose RS256 signature verifies with the app's public key, {@code iss} the app id, {@code iat} in the past and
 *     {@code exp} at most 10 minutes ahead; tokens expire ({@code expires_at}) and an expired, revoked or unknown one
 *     is answered 401 "Bad credentials"
 *     (docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app);</li>
 * <li>{@code X-RateLimit-*} headers on every answer, lists paged with {@code per_page} (default 30, at most 100)
 *     and a {@code Link: rel="next"} header (docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api);</li>
 * <li>with {@link #gitHosted} it is a git host too: {@code /owner/repo.git} over git's smart HTTP protocol, HTTP Basic
 *     with a user token as the password (any username, e.g. {@code x-access-token}), for reads and pushes alike (the
 *     repository is private); after a push the model holds the branch and every file at its head, and GitHub's
 *     {@code push} webhook goes out, with {@code pull_request synchronize} for an open PR whose head moved, {@code
 *     closed} for one whose head branch was deleted, and {@code closed} with {@code merged: true} for one whose head
 *     the base branch now contains (docs.github.com/en/webhooks/webhook-events-and-payloads#push,
 *     #pull_request);</li>
 * <li>user tokens ({@link #user}) open and merge pull requests (docs.github.com/en/rest/pulls/pulls): {@code POST
 *     /pulls} and {@code PUT /pulls/{n}/merge} want {@code Authorization: Bearer <token>} (or {@code token <token>})
 *     of a known user, else 401; the merge really happens in the bare repository and honours {@link #protect}ed
 *     branches' required status checks.</li>
 * </ul>
 */
public final class GitHubApiStub extends ForgeStub {
    private static final Pattern STATUSES = Pattern.compile("/statuses/([0-9a-f]{40})");
    private static final Pattern REQUESTED_REVIEWERS = Pattern.compile("/pulls/(\\d+)/requested_reviewers");
    private static final Pattern MERGE = Pattern.compile("/pulls/(\\d+)/merge");
    private final String repo;
    private final String base;
    /** Files, blobs, branches and merge bases, and the bare repository once {@link #gitHosted}; under this lock. */
    private final HostedRepository repository = new HostedRepository();
    /** The ids of statuses, check runs, comments and installation tokens: one sequence, which the parts share. */
    private final AtomicLong ids = new AtomicLong(1000);

    // One part per API area; this stand-in routes the calls to them and calls them under its own lock only.
    private final GitHubPaging paging = new GitHubPaging(url());
    private final GitHubRateLimit rate = new GitHubRateLimit();
    private final GitHubAppAuth app;
    private final GitHubChecks checks = new GitHubChecks(ids, paging);
    private final GitHubContents contents = new GitHubContents(repository);
    private final GitHubPulls pulls;

    private volatile WebhookSender webhooks;
    /** Users' tokens (a CLI's personal access tokens): token → who. */
    private final Map<String, User> users = new LinkedHashMap<>();

    /** A user a token belongs to: GitHub's {@code user.type} is "Bot" for a bot. */
    record User(String login, boolean bot) {
        Map<String, Object> json() {
            return Map.of("login", login, "id", Math.abs(login.hashCode()), "type", bot ? "Bot" : "User");
        }
    }

    public GitHubApiStub(String repo) {
        this.repo = repo;
        this.base = "/repos/" + repo;
        this.app = new GitHubAppAuth(base, ids);
        this.pulls = new GitHubPulls(this, repo, repository, checks, contents, paging, ids);
    }

    /**
     * Installs a GitHub App on the repository: from now on every call must sign in as it. {@code clock} is GitHub's
     * (share it with the client to move time on); tokens last {@code tokenLifetime} (GitHub: one hour).
     */
    public synchronized void installApp(String appId, PublicKey publicKey, Clock clock, Duration tokenLifetime) {
        app.install(appId, publicKey, clock, tokenLifetime);
    }

    /** How many installation tokens the app was given. */
    public synchronized int tokensIssued() {
        return app.tokensIssued();
    }

    /** Revokes every installation token given so far (GitHub does this when a token leaks or the app's access changes). */
    public synchronized void revokeTokens() {
        app.revokeTokens();
    }

    /** Where GitHub delivers its webhooks: from now on, writes fire them as GitHub would. */
    public void deliverTo(WebhookSender sender) {
        this.webhooks = sender;
    }

    /** {@code listener} hears of every status recorded on a SHA, at the moment it is recorded (before any webhook). */
    public void onStatus(BiConsumer<String, Map<String, Object>> listener) {
        checks.onStatus(listener);
    }

    /** Serves {@code .tiergate/policy.yaml} at a ref (a SHA or a branch name). */
    public synchronized void policy(String ref, String yaml) {
        file(ref, ".tiergate/policy.yaml", yaml);
    }

    /** Serves a file at a ref (a SHA or a branch name). */
    public synchronized void file(String ref, String path, String content) {
        repository.file(ref, path, content);
    }

    /** {@code path} no longer at {@code ref} (a commit that deletes it). */
    public synchronized void deleteFile(String ref, String path) {
        repository.deleteFile(ref, path);
    }

    /** Every file of {@code from} also at {@code to} (a new commit on top of another). */
    public synchronized void copyFiles(String from, String to) {
        repository.copyFiles(from, to);
    }

    /** The head forked from the base's history at {@code forkedAt} (the head is behind a base that moved on). */
    public synchronized void mergeBase(String base, String head, String forkedAt) {
        repository.mergeBase(base, head, forkedAt);
    }

    /** The head removed these files since its merge base with the base (the compare API's "removed" files). */
    public synchronized void removed(String base, String head, String... paths) {
        contents.removed(base, head, List.of(paths));
    }

    /** tiergate's comments on a PR, oldest first. */
    public synchronized List<String> comments(long number) {
        return pulls.comments(number);
    }

    public synchronized void branch(String name, String sha) {
        repository.branch(name, sha);
    }

    public synchronized void pull(
            long number,
            String head,
            String headSha,
            String base,
            String baseSha,
            String login,
            boolean bot,
            String state,
            boolean merged) {
        pulls.pull(new Pull(number, head, headSha, base, baseSha, login, bot, state, merged));
    }

    /** The PR as {@code p} has it (state, head, base, author), as after a webhook carrying {@code p}. */
    public synchronized void pull(Pull p) {
        pulls.pull(p);
    }

    /**
     * A user's token (a personal access token or an OAuth token): it opens and merges pull requests as {@code login}
     * through the API ({@code Authorization: Bearer <token>} or {@code token <token>}) and reads and pushes over git
     * (HTTP Basic, the token as the password). {@code bot}: GitHub's {@code user.type} is "Bot".
     */
    public synchronized void user(String token, String login, boolean bot) {
        users.put(token, new User(login, bot));
    }

    /**
     * Protects {@code branch} with required status checks: a merge into it through the API is refused (405) until
     * the PR's head has every one of {@code requiredContexts} successful, as a commit status (the latest one of the
     * context) or a check run of that name (docs.github.com/en/repositories/configuring-branches-and-merges-in-your-
     * repository/managing-protected-branches/about-protected-branches#require-status-checks-before-merging).
     */
    public synchronized void protect(String branch, String... requiredContexts) {
        checks.protect(branch, List.of(requiredContexts));
    }

    /**
     * Hosts the repository's git data in a bare repository at {@code bareRepoDir} (made there when absent), served at
     * {@link #cloneUrl}. The branches it already has enter the model (branch and files) without webhooks.
     */
    public GitHubApiStub gitHosted(Path bareRepoDir) {
        hostGit(repository, bareRepoDir, repo, "GitHub");
        return this;
    }

    /** The bare repository behind {@link #cloneUrl} (null before {@link #gitHosted}). */
    public synchronized Path bareRepository() {
        return repository.dir();
    }

    /** The URL {@code git clone} takes: {@code http://127.0.0.1:<port>/<owner>/<repo>.git}. */
    public String cloneUrl() {
        return "http://127.0.0.1:" + port() + "/" + repo + ".git";
    }

    /**
     * {@code branch} was updated in the bare repository some other way than a push over HTTP (a test wrote to it):
     * the model imports it and the webhooks of a push go out, as after {@code git push}; nothing when it did not
     * move since the model last saw it.
     */
    public void pushed(String branch) {
        deliverAfter(() -> applyChanges(repository.changes(branch), new User(owner(), false)));
    }

    private String owner() {
        return repo.substring(0, repo.indexOf('/'));
    }

    @Override
    protected synchronized String gitLogin(String username, String password) {
        // any username, the token as the password: "x-access-token" is what GitHub's docs write for a token
        // (docs.github.com/en/get-started/git-basics/about-remote-repositories#cloning-with-https-urls)
        User u = username.isEmpty() ? null : users.get(password);
        return u == null ? null : u.login();
    }

    @Override
    protected void afterPush(String login) {
        deliverAfter(() -> {
            User pusher = users.values().stream()
                    .filter(u -> u.login().equals(login))
                    .findFirst()
                    .orElse(new User(login, false));
            return applyChanges(repository.changes(null), pusher);
        });
    }

    /**
     * What GitHub does after branches moved (a push, or a merge through the API): the model takes the branches and
     * their files; then, as webhooks to send once the lock is let go, {@code push} for each branch, and what the open
     * PRs become ({@link GitHubPulls#moved}: {@code synchronize}, {@code closed}, {@code closed} with
     * {@code merged: true}). Held under the lock.
     */
    List<Runnable> applyChanges(List<GitHost.RefChange> changes, User pusher) {
        List<Runnable> hooks = new ArrayList<>();
        for (GitHost.RefChange ch : changes) {
            repository.moved(ch);
            Map<String, Object> push = pushPayload(ch, pusher);
            hooks.add(() -> send("push", push));
            hooks.addAll(pulls.moved(ch, pusher));
        }
        return hooks;
    }

    /**
     * GitHub's {@code push} payload (docs.github.com/en/webhooks/webhook-events-and-payloads#push): the
     * {@link GitHubPayloads#push} fields, {@code forced} when the new head does not contain the old one, the pushed
     * commits (at most 2,048, as GitHub lists) with the files each added, removed and modified, and {@code head_commit}.
     */
    private Map<String, Object> pushPayload(GitHost.RefChange ch, User pusher) {
        String before = ch.before() == null ? GitHubPayloads.ZERO : ch.before();
        String after = ch.after() == null ? GitHubPayloads.ZERO : ch.after();
        GitHost git = repository.git();
        Map<String, Object> m = GitHubPayloads.push(repo, ch.branch(), before, after, pusher.login());
        m.put("forced", ch.before() != null && ch.after() != null && !git.isAncestor(ch.before(), ch.after()));
        m.put("base_ref", null);
        m.put(
                "compare",
                "https://github.com/" + repo + "/compare/" + before.substring(0, 12) + "..." + after.substring(0, 12));
        List<Object> commits = new ArrayList<>();
        git.pushed(ch.branch(), ch.before(), ch.after(), 2048).forEach(k -> commits.add(commitJson(k)));
        m.put("commits", commits);
        m.put("head_commit", ch.after() == null ? null : commitJson(git.commit(ch.after())));
        m.put("sender", pusher.json());
        return m;
    }

    private Map<String, Object> commitJson(GitHost.Commit k) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("id", k.sha());
        c.put("distinct", true);
        c.put("message", k.message());
        c.put("timestamp", k.timestamp());
        c.put("url", "https://github.com/" + repo + "/commit/" + k.sha());
        c.put("author", Map.of("name", k.authorName(), "email", k.authorEmail()));
        c.put("committer", Map.of("name", k.authorName(), "email", k.authorEmail()));
        c.put("added", k.added());
        c.put("removed", k.removed());
        c.put("modified", k.modified());
        return c;
    }

    public synchronized void review(long number, String login, boolean bot, String state, String commitId) {
        pulls.review(number, login, bot, state, commitId);
    }

    /** A team of the repository's organisation, {@code org/slug}, and its members' logins. */
    public synchronized void team(String orgSlashSlug, String... logins) {
        pulls.team(orgSlashSlug, logins);
    }

    /** The review requests PR {@code number} received, each {@code {reviewers: [...], team_reviewers: [...]}}. */
    public synchronized List<Map<String, Object>> reviewRequests(long number) {
        return pulls.reviewRequests(number);
    }

    /** CI's status on a SHA, recorded without a webhook (the caller delivers the event itself). */
    public synchronized void ciStatus(String sha, String context, String state) {
        checks.addStatus(sha, context, state, "CI", "https://ci.example/1");
    }

    /** CI posts a status through the API: recorded, then GitHub's {@code status} webhook, as for any status. */
    public void ciReports(String sha, String context, String state) {
        Map<String, Object> s;
        synchronized (this) {
            s = checks.addStatus(sha, context, state, "CI", "https://ci.example/1");
        }
        sendStatusWebhook(sha, s);
    }

    /** A check run completes on a SHA: recorded, then GitHub's {@code check_run} webhook. */
    public void checkRun(String sha, String name, String conclusion) {
        Map<String, Object> run;
        synchronized (this) {
            run = checks.newRun(sha, name, "completed", conclusion);
        }
        send(
                "check_run",
                Map.of("action", "completed", "check_run", run, "repository", repository(), "sender", sender()));
    }

    /**
     * CI creates a check run on a SHA, recorded without a webhook (the caller delivers {@code check_run created}
     * itself). As on GitHub, a new run is {@code queued} with a null conclusion
     * (docs.github.com/en/rest/checks/runs#create-a-check-run). Returns the run as the webhook carries it.
     */
    public synchronized Map<String, Object> checkRunCreated(String sha, String name) {
        return new LinkedHashMap<>(checks.newRun(sha, name, "queued", null));
    }

    /**
     * CI completes a run made by {@link #checkRunCreated}, without a webhook. GitHub updates the run in place (same
     * id; the SHA's list does not grow: docs.github.com/en/rest/checks/runs#update-a-check-run). Returns it.
     */
    public synchronized Map<String, Object> checkRunCompleted(String sha, long id, String conclusion) {
        return checks.checkRunCompleted(sha, id, conclusion);
    }

    /** The bodies of the {@code tiergate/workflow} statuses posted on a SHA, oldest first. */
    public List<JsonNode> posted(String sha) {
        return posted(sha, "tiergate/workflow");
    }

    /** The bodies of the statuses posted on a SHA in one context, oldest first. */
    public synchronized List<JsonNode> posted(String sha, String context) {
        return checks.posted(sha, context);
    }

    /** Every SHA that holds at least one status, tiergate's or CI's. */
    public synchronized Set<String> shasWithStatuses() {
        return checks.shasWithStatuses();
    }

    public JsonNode lastPosted(String sha) {
        List<JsonNode> all = posted(sha);
        if (all.isEmpty()) {
            throw new AssertionError("no tiergate/workflow status was posted on " + sha);
        }
        return all.get(all.size() - 1);
    }

    @Override
    protected String routeOf(String method, String path) {
        return method + " "
                + fold(path.replace(base, "/repos/{repo}"))
                        .replaceAll("/branches/.+", "/branches/{branch}")
                        .replaceAll("/contents/.+", "/contents/{path}")
                        .replaceAll("/git/blobs/.+", "/git/blobs/{sha}")
                        .replaceAll("/git/trees/.+", "/git/trees/{sha}")
                        .replaceAll("/compare/.+", "/compare/{base}...{head}");
    }

    @Override
    protected Answer answer(Call c) {
        User caller = caller(c);
        if (app.installed() && caller == null) { // a user's own token is not the app's: it passes as on GitHub
            Answer refused = app.signIn(c);
            if (refused != null) {
                return refused;
            }
        }
        if (c.path().equals("/user") && c.method().equals("GET")) {
            // the token's user (docs.github.com/en/rest/users/users#get-the-authenticated-user)
            Answer a = caller == null ? unauthenticated(c) : Answer.json(200, caller.json());
            return rate.conditional(a, c);
        }
        Matcher teamMembers =
                Pattern.compile("/orgs/([^/]+)/teams/([^/]+)/members").matcher(c.path());
        if (teamMembers.matches() && c.method().equals("GET")) {
            Answer exceeded = rate.rateLimitExceeded();
            if (exceeded != null) {
                return exceeded;
            }
            // GET /orgs/{org}/teams/{team_slug}/members: the members' simple user objects, paged; an unknown team is
            // 404 (docs.github.com/en/rest/teams/members#list-team-members)
            List<String> members = pulls.teamMembers(teamMembers.group(1) + "/" + teamMembers.group(2));
            if (members == null) {
                return Answer.json(404, Map.of("message", "Not Found"));
            }
            List<Object> users = new ArrayList<>();
            members.forEach(
                    login -> users.add(Map.of("login", login, "id", Math.abs(login.hashCode()), "type", "User")));
            return paging.page(users, c);
        }
        if (!c.path().startsWith(base)) {
            return Answer.json(404, Map.of("message", "Not Found"));
        }
        Answer exceeded = rate.rateLimitExceeded();
        if (exceeded != null) {
            return exceeded; // refused before any work: a write past the limit changes nothing
        }
        String p = c.path().substring(base.length());
        Matcher merge = MERGE.matcher(p);
        boolean create = c.method().equals("POST") && p.equals("/pulls");
        if (create || c.method().equals("PUT") && merge.matches()) {
            Answer written = caller == null
                    ? unauthenticated(c)
                    : create ? pulls.createPull(c, caller) : pulls.mergePull(Long.parseLong(merge.group(1)), c, caller);
            Map<String, String> h = new LinkedHashMap<>(written.headers());
            rate.rateHeaders(h, true);
            return new Answer(written.status(), h, written.body());
        }
        if (c.method().equals("POST") || c.method().equals("PATCH")) {
            Matcher m = STATUSES.matcher(p);
            Matcher asked = REQUESTED_REVIEWERS.matcher(p);
            Answer written = m.matches() && c.method().equals("POST")
                    ? createStatus(m.group(1), c)
                    : asked.matches() && c.method().equals("POST")
                            ? pulls.requestReviewers(Long.parseLong(asked.group(1)), c)
                            : pulls.comment(p, c);
            Map<String, String> h = new LinkedHashMap<>(written.headers());
            rate.rateHeaders(h, true); // a write costs a request of the hour as a read does
            return new Answer(written.status(), h, written.body());
        }
        if (!c.method().equals("GET")) {
            return Answer.json(404, Map.of("message", "Not Found"));
        }
        Answer a = read(p, c);
        return rate.conditional(a, c);
    }

    /** POST /statuses/{sha} ({@link GitHubChecks#createStatus}), then GitHub's {@code status} webhook once answered. */
    private Answer createStatus(String sha, Call c) {
        return checks.createStatus(sha, c, s -> afterAnswer(() -> sendStatusWebhook(sha, s)));
    }

    /** The registered user whose token the call carries ({@code Bearer <t>} or {@code token <t>}); null when none. */
    private User caller(Call c) {
        String auth = c.header("Authorization");
        if (auth == null) {
            return null;
        }
        int space = auth.indexOf(' ');
        String scheme = space < 0 ? "" : auth.substring(0, space);
        if (!scheme.equalsIgnoreCase("bearer") && !scheme.equalsIgnoreCase("token")) {
            return null;
        }
        return users.get(auth.substring(space + 1).trim());
    }

    /**
     * A call that needs a user and has none: 401 "Requires authentication" without credentials, "Bad credentials"
     * with a token GitHub does not know (docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api).
     */
    private static Answer unauthenticated(Call c) {
        boolean none = c.header("Authorization") == null;
        return Answer.json(
                401,
                Map.of(
                        "message",
                        none ? "Requires authentication" : "Bad credentials",
                        "documentation_url",
                        "https://docs.github.com/rest"));
    }

    private Answer read(String p, Call c) {
        if (p.isEmpty()) {
            return Answer.json(200, Map.of("full_name", repo, "default_branch", "main", "private", true));
        }
        if (p.startsWith("/contents/") || p.equals("/contents")) {
            return contents.contents(p, c);
        }
        if (p.equals("/branches")) {
            List<Object> list = new ArrayList<>();
            repository
                    .branches()
                    .forEach((n, s) -> list.add(
                            Map.of("name", n, "commit", Map.of("sha", s), "protected", checks.isProtected(n))));
            return paging.page(list, c);
        }
        if (p.startsWith("/branches/")) {
            String name = p.substring("/branches/".length());
            String sha = repository.branches().get(name);
            return sha == null
                    ? Answer.json(404, Map.of("message", "Branch not found"))
                    : Answer.json(
                            200,
                            Map.of("name", name, "commit", Map.of("sha", sha), "protected", checks.isProtected(name)));
        }
        if (p.equals("/pulls")) {
            return pulls.list(c);
        }
        Matcher pull = Pattern.compile("/pulls/(\\d+)(/reviews|/merge)?").matcher(p);
        if (pull.matches()) {
            return pulls.read(Long.parseLong(pull.group(1)), pull.group(2), c);
        }
        Matcher compare = Pattern.compile("/compare/([0-9a-f]{40})\\.\\.\\.([0-9a-f]{40})")
                .matcher(p);
        if (compare.matches()) {
            return contents.compare(compare.group(1), compare.group(2));
        }
        Matcher tree = Pattern.compile("/git/trees/([0-9a-f]{40})").matcher(p);
        if (tree.matches()) {
            return contents.tree(tree.group(1), c);
        }
        Matcher blob = Pattern.compile("/git/blobs/([0-9a-f]{40})").matcher(p);
        if (blob.matches()) {
            return contents.blob(blob.group(1));
        }
        Matcher issueComments = Pattern.compile("/issues/(\\d+)/comments").matcher(p);
        if (issueComments.matches()) {
            return pulls.issueComments(Long.parseLong(issueComments.group(1)), c);
        }
        Matcher commit =
                Pattern.compile("/commits/([0-9a-f]{40})/(status|check-runs)").matcher(p);
        if (commit.matches()) {
            String sha = commit.group(1);
            if (commit.group(2).equals("status")) {
                return checks.combinedStatus(sha, c);
            }
            return checks.checkRuns(sha, c);
        }
        return Answer.json(404, Map.of("message", "Not Found"));
    }

    /** GitHub's {@code status} webhook of status {@code s} on {@code sha}; call it outside this stand-in's lock. */
    private void sendStatusWebhook(String sha, Map<String, Object> s) {
        List<Object> on = new ArrayList<>();
        synchronized (this) {
            repository.branches().forEach((n, head) -> {
                if (head.equals(sha)) {
                    on.add(Map.of("name", n, "commit", Map.of("sha", head), "protected", false));
                }
            });
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("id", s.get("id"));
        payload.put("sha", sha);
        payload.put("name", repo);
        payload.put("target_url", s.get("target_url"));
        payload.put("context", s.get("context"));
        payload.put("description", s.get("description"));
        payload.put("state", s.get("state"));
        payload.put("commit", Map.of("sha", sha));
        payload.put("branches", on);
        payload.put("repository", repository());
        payload.put("sender", sender());
        send("status", payload);
    }

    /** A {@code pull_request review_requested} webhook; call it outside this stand-in's lock. */
    void sendReviewRequested(Map<String, Object> pr, Map<String, Object> whom) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("action", "review_requested");
        payload.put("number", pr.get("number"));
        payload.put("pull_request", pr);
        payload.putAll(whom);
        payload.put("repository", repository());
        payload.put("sender", sender());
        send("pull_request", payload);
    }

    /** Delivers one webhook, when {@link #deliverTo} named where; call it outside this stand-in's lock. */
    void send(String event, Object payload) {
        WebhookSender to = webhooks;
        if (to == null) {
            return;
        }
        try {
            to.send(event, payload);
        } catch (Exception e) {
            throw new IllegalStateException("GitHub stub could not deliver " + event + ": " + e.getMessage(), e);
        }
    }

    private Map<String, Object> repository() {
        return Map.of("full_name", repo, "name", repo.substring(repo.indexOf('/') + 1), "default_branch", "main");
    }

    static Map<String, Object> sender() {
        return Map.of("login", "tiergate-bot", "type", "Bot");
    }

    /**
     * The requests an hour this repository's token may make: 5,000 for a GitHub App installation at the least, up to
     * 12,500 as the installation grows, 15,000 on GitHub Enterprise Cloud (same page, "primary rate limit for GitHub
     * App installations"). The load benchmarks set the last; the window starts again.
     */
    public synchronized void rateLimit(int perHour) {
        rate.rateLimit(perHour);
    }
}
