package dev.tiergate.testkit;

import static dev.tiergate.testkit.HostedRepository.gitBlobSha;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
    private static final int STATUS_CAP = 1000;
    private static final Pattern STATUSES = Pattern.compile("/statuses/([0-9a-f]{40})");
    private final String repo;
    private final String base;
    /** Files, blobs, branches and merge bases, and the bare repository once {@link #gitHosted}; under this lock. */
    private final HostedRepository repository = new HostedRepository();

    private final Map<Long, Map<String, Object>> pulls = new LinkedHashMap<>();
    private final Map<Long, List<Map<String, Object>>> reviews = new LinkedHashMap<>();
    private final Map<String, List<String>> teams = new LinkedHashMap<>();
    private static final Pattern REQUESTED_REVIEWERS = Pattern.compile("/pulls/(\\d+)/requested_reviewers");
    private final Map<Long, List<Map<String, Object>>> reviewRequests = new LinkedHashMap<>();
    /** Every status posted on a SHA, oldest first (tiergate's and CI's). */
    private final Map<String, List<Map<String, Object>>> statuses = new LinkedHashMap<>();

    private final Map<String, List<Map<String, Object>>> checkRuns = new LinkedHashMap<>();
    private final AtomicLong ids = new AtomicLong(1000);
    /** "base...head" → the files the head removed since the merge base. */
    private final Map<String, List<String>> removedFiles = new LinkedHashMap<>();
    /** Issue comments per PR number, oldest first. */
    private final Map<Long, List<Map<String, Object>>> comments = new LinkedHashMap<>();

    private int rateLimit = 5000;
    private long rateRemaining = 5000;
    /** When the current rate-limit window ends (epoch seconds); 0 before the first request. */
    private long rateWindowEnd;

    private volatile WebhookSender webhooks;
    /** Told of every status as it is recorded (sha, its body): a benchmark takes the moment GitHub would have it. */
    private volatile BiConsumer<String, Map<String, Object>> statusListener;
    /** A GitHub App installed on the repository (null: no sign-in is checked, as before). */
    private App app;
    /** Users' tokens (a CLI's personal access tokens): token → who. */
    private final Map<String, User> users = new LinkedHashMap<>();
    /** Protected branches → the status check contexts they require before a merge. */
    private final Map<String, List<String>> protections = new LinkedHashMap<>();

    private static final Pattern MERGE = Pattern.compile("/pulls/(\\d+)/merge");
    private static final String PULLS_DOCS = "https://docs.github.com/rest/pulls/pulls";

    /** A user a token belongs to: GitHub's {@code user.type} is "Bot" for a bot. */
    private record User(String login, boolean bot) {
        Map<String, Object> json() {
            return Map.of("login", login, "id", Math.abs(login.hashCode()), "type", bot ? "Bot" : "User");
        }
    }

    private static final class App {
        final String id;
        final PublicKey key;
        final Clock clock;
        final Duration tokenLifetime;
        final long installationId = 4242;
        final Map<String, Instant> tokens = new LinkedHashMap<>();
        int issued;

        App(String id, PublicKey key, Clock clock, Duration tokenLifetime) {
            this.id = id;
            this.key = key;
            this.clock = clock;
            this.tokenLifetime = tokenLifetime;
        }
    }

    public GitHubApiStub(String repo) {
        this.repo = repo;
        this.base = "/repos/" + repo;
    }

    /**
     * Installs a GitHub App on the repository: from now on every call must sign in as it. {@code clock} is GitHub's
     * (share it with the client to move time on); tokens last {@code tokenLifetime} (GitHub: one hour).
     */
    public synchronized void installApp(String appId, PublicKey publicKey, Clock clock, Duration tokenLifetime) {
        this.app = new App(appId, publicKey, clock, tokenLifetime);
    }

    /** How many installation tokens the app was given. */
    public synchronized int tokensIssued() {
        return app == null ? 0 : app.issued;
    }

    /** Revokes every installation token given so far (GitHub does this when a token leaks or the app's access changes). */
    public synchronized void revokeTokens() {
        app.tokens.clear();
    }

    /** Where GitHub delivers its webhooks: from now on, writes fire them as GitHub would. */
    public void deliverTo(WebhookSender sender) {
        this.webhooks = sender;
    }

    /** {@code listener} hears of every status recorded on a SHA, at the moment it is recorded (before any webhook). */
    public void onStatus(BiConsumer<String, Map<String, Object>> listener) {
        this.statusListener = listener;
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
        removedFiles.put(base + "..." + head, List.of(paths));
    }

    /** tiergate's comments on a PR, oldest first. */
    public synchronized List<String> comments(long number) {
        return comments.getOrDefault(number, List.of()).stream()
                .map(c -> String.valueOf(c.get("body")))
                .toList();
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
        Map<String, Object> pr = newPull(number, head, headSha, base, baseSha, state, "PR " + number, null, false);
        pr.put("user", Map.of("login", login, "id", 1, "type", bot ? "Bot" : "User"));
        pr.put("head", Map.of("ref", head, "sha", headSha, "label", "acme:" + head));
        pr.put("base", Map.of("ref", base, "sha", baseSha, "label", "acme:" + base));
        pr.put("merged", merged);
        pr.put("merged_at", merged ? "2026-11-25T10:00:00Z" : null);
        pulls.put(number, pr);
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
        pr.put("url", url() + "/repos/" + repo + "/pulls/" + number);
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

    /** The PR as {@code p} has it (state, head, base, author), as after a webhook carrying {@code p}. */
    public synchronized void pull(Pull p) {
        pull(p.number(), p.head(), p.headSha(), p.base(), p.baseSha(), p.login(), p.bot(), p.state(), p.merged());
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
        protections.put(branch, List.of(requiredContexts));
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
     * The compare API's view of {@code baseSha...headSha}: their merge base (its files imported) and the files the
     * head removed since; nothing when either commit is not in the bare repository.
     */
    private void recordMergeBase(String baseSha, String headSha) {
        String mb = repository.recordMergeBase(baseSha, headSha);
        if (mb != null) {
            removedFiles.put(baseSha + "..." + headSha, repository.git().deleted(mb, headSha));
        }
    }

    /**
     * What GitHub does after branches moved (a push, or a merge through the API): the model takes the branches and
     * their files; then, as webhooks to send once the lock is let go, {@code push} for each branch, and for each open
     * PR whose head moved {@code synchronize} (head and base SHAs refreshed), whose head branch was deleted
     * {@code closed}, whose base now contains its head {@code closed} with {@code merged: true} (GitHub marks such a
     * PR merged: docs.github.com/en/pull-requests/collaborating-with-pull-requests/incorporating-changes-from-a-pull-
     * request/merging-a-pull-request). Held under the lock.
     */
    private List<Runnable> applyChanges(List<GitHost.RefChange> changes, User pusher) {
        List<Runnable> hooks = new ArrayList<>();
        for (GitHost.RefChange ch : changes) {
            String name = ch.branch();
            repository.moved(ch);
            Map<String, Object> push = pushPayload(ch, pusher);
            hooks.add(() -> send("push", push));
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
                    hooks.add(() -> send("pull_request", event));
                } else if (head.equals(name) && !ch.after().equals(headSha)) {
                    String baseSha = repository.branches().getOrDefault(base, side(pr, "base", "sha"));
                    pr.put("head", headRef(head, ch.after()));
                    pr.put("base", baseRef(base, baseSha));
                    pr.put("updated_at", Instant.now().toString());
                    recordMergeBase(baseSha, ch.after());
                    Map<String, Object> event = pullEvent("synchronize", pr, pusher);
                    event.put("before", headSha);
                    event.put("after", ch.after());
                    hooks.add(() -> send("pull_request", event));
                } else if (base.equals(name)
                        && ch.after() != null
                        && repository.git().hasCommit(headSha)) {
                    if (repository.brings(ch, headSha)) {
                        markMerged(pr, ch.after(), pusher);
                        Map<String, Object> event = pullEvent("closed", pr, pusher);
                        hooks.add(() -> send("pull_request", event));
                    } else {
                        recordMergeBase(ch.after(), headSha);
                        recordMergeBase(side(pr, "base", "sha"), headSha);
                    }
                }
            }
        }
        return hooks;
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

    public synchronized void review(long number, String login, boolean bot, String state, String commitId) {
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

    /** CI's status on a SHA, recorded without a webhook (the caller delivers the event itself). */
    /** A team of the repository's organisation, {@code org/slug}, and its members' logins. */
    public synchronized void team(String orgSlashSlug, String... logins) {
        teams.put(orgSlashSlug.toLowerCase(Locale.ROOT), List.of(logins));
    }

    /** The review requests PR {@code number} received, each {@code {reviewers: [...], team_reviewers: [...]}}. */
    public synchronized List<Map<String, Object>> reviewRequests(long number) {
        return List.copyOf(reviewRequests.getOrDefault(number, List.of()));
    }

    public synchronized void ciStatus(String sha, String context, String state) {
        addStatus(sha, context, state, "CI", "https://ci.example/1");
    }

    /** CI posts a status through the API: recorded, then GitHub's {@code status} webhook, as for any status. */
    public void ciReports(String sha, String context, String state) {
        Map<String, Object> s;
        synchronized (this) {
            s = addStatus(sha, context, state, "CI", "https://ci.example/1");
        }
        sendStatusWebhook(sha, s);
    }

    /** A check run completes on a SHA: recorded, then GitHub's {@code check_run} webhook. */
    public void checkRun(String sha, String name, String conclusion) {
        Map<String, Object> run;
        synchronized (this) {
            run = newRun(sha, name, "completed", conclusion);
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
        return new LinkedHashMap<>(newRun(sha, name, "queued", null));
    }

    /** A new run of CI's app on the SHA, recorded (the caller holds the lock). */
    private Map<String, Object> newRun(String sha, String name, String status, String conclusion) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("id", ids.incrementAndGet());
        run.put("name", name);
        run.put("head_sha", sha);
        run.put("status", status);
        run.put("conclusion", conclusion);
        run.put("app", Map.of("slug", "ci"));
        checkRuns.computeIfAbsent(sha, k -> new ArrayList<>()).add(run);
        return run;
    }

    /**
     * CI completes a run made by {@link #checkRunCreated}, without a webhook. GitHub updates the run in place (same
     * id; the SHA's list does not grow: docs.github.com/en/rest/checks/runs#update-a-check-run). Returns it.
     */
    public synchronized Map<String, Object> checkRunCompleted(String sha, long id, String conclusion) {
        for (Map<String, Object> run : checkRuns.getOrDefault(sha, List.of())) {
            if (((Number) run.get("id")).longValue() == id) {
                run.put("status", "completed");
                run.put("conclusion", conclusion);
                return new LinkedHashMap<>(run);
            }
        }
        throw new IllegalArgumentException("no check run " + id + " on " + sha);
    }

    /** The bodies of the {@code tiergate/workflow} statuses posted on a SHA, oldest first. */
    public List<JsonNode> posted(String sha) {
        return posted(sha, "tiergate/workflow");
    }

    /** The bodies of the statuses posted on a SHA in one context, oldest first. */
    public synchronized List<JsonNode> posted(String sha, String context) {
        List<JsonNode> out = new ArrayList<>();
        for (Map<String, Object> s : statuses.getOrDefault(sha, List.of())) {
            if (String.valueOf(s.get("context")).equals(context)) {
                out.add(JSON.valueToTree(Map.of(
                        "state",
                        s.get("state"),
                        "context",
                        s.get("context"),
                        "description",
                        String.valueOf(s.get("description")),
                        "target_url",
                        String.valueOf(s.get("target_url")))));
            }
        }
        return out;
    }

    /** Every SHA that holds at least one status, tiergate's or CI's. */
    public synchronized Set<String> shasWithStatuses() {
        return new TreeSet<>(statuses.keySet());
    }

    public JsonNode lastPosted(String sha) {
        List<JsonNode> all = posted(sha);
        if (all.isEmpty()) {
            throw new AssertionError("no tiergate/workflow status was posted on " + sha);
        }
        return all.get(all.size() - 1);
    }

    /** GitHub's contents API lists at most this many entries of a folder. */
    static final int CONTENTS_LIMIT = 1000;
    /** The sha of every folder listed so far → its ref and path, for GET /git/trees/{sha}. */
    private final Map<String, String[]> trees = new LinkedHashMap<>();

    /** A folder's entries at a ref (files and sub-folders, by name), as the contents API shows them; "" is the top. */
    private List<Map<String, Object>> folder(String ref, String dir) {
        String prefix = dir.isEmpty() ? "" : dir + "/";
        TreeMap<String, Map<String, Object>> byName = new TreeMap<>();
        repository.files(ref).forEach((path, body) -> {
            if (!path.startsWith(prefix)) {
                return;
            }
            String rest = path.substring(prefix.length());
            int slash = rest.indexOf('/');
            if (slash < 0) {
                byName.put(
                        rest,
                        Map.of(
                                "type",
                                "file",
                                "name",
                                rest,
                                "path",
                                path,
                                "sha",
                                gitBlobSha(body),
                                "size",
                                body.length()));
            } else {
                String name = rest.substring(0, slash);
                String sub = prefix + name;
                String sha = gitBlobSha("tree " + ref + " " + sub); // a stand-in tree id, stable per ref and folder
                trees.put(sha, new String[] {ref, sub});
                byName.putIfAbsent(name, Map.of("type", "dir", "name", name, "path", sub, "sha", sha, "size", 0));
            }
        });
        return new ArrayList<>(byName.values());
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
        if (app != null && caller == null) { // a user's own token is not the app's: it passes as on GitHub
            Answer refused = signIn(c);
            if (refused != null) {
                return refused;
            }
        }
        if (c.path().equals("/user") && c.method().equals("GET")) {
            // the token's user (docs.github.com/en/rest/users/users#get-the-authenticated-user)
            Answer a = caller == null ? unauthenticated(c) : Answer.json(200, caller.json());
            return conditional(a, c);
        }
        Matcher teamMembers =
                Pattern.compile("/orgs/([^/]+)/teams/([^/]+)/members").matcher(c.path());
        if (teamMembers.matches() && c.method().equals("GET")) {
            Answer exceeded = rateLimitExceeded();
            if (exceeded != null) {
                return exceeded;
            }
            // GET /orgs/{org}/teams/{team_slug}/members: the members' simple user objects, paged; an unknown team is
            // 404 (docs.github.com/en/rest/teams/members#list-team-members)
            List<String> members =
                    teams.get((teamMembers.group(1) + "/" + teamMembers.group(2)).toLowerCase(Locale.ROOT));
            if (members == null) {
                return Answer.json(404, Map.of("message", "Not Found"));
            }
            List<Object> users = new ArrayList<>();
            members.forEach(
                    login -> users.add(Map.of("login", login, "id", Math.abs(login.hashCode()), "type", "User")));
            return page(users, c);
        }
        if (!c.path().startsWith(base)) {
            return Answer.json(404, Map.of("message", "Not Found"));
        }
        Answer exceeded = rateLimitExceeded();
        if (exceeded != null) {
            return exceeded; // refused before any work: a write past the limit changes nothing
        }
        String p = c.path().substring(base.length());
        Matcher merge = MERGE.matcher(p);
        boolean create = c.method().equals("POST") && p.equals("/pulls");
        if (create || c.method().equals("PUT") && merge.matches()) {
            Answer written = caller == null
                    ? unauthenticated(c)
                    : create ? createPull(c, caller) : mergePull(Long.parseLong(merge.group(1)), c, caller);
            Map<String, String> h = new LinkedHashMap<>(written.headers());
            rateHeaders(h, true);
            return new Answer(written.status(), h, written.body());
        }
        if (c.method().equals("POST") || c.method().equals("PATCH")) {
            Matcher m = STATUSES.matcher(p);
            Matcher asked = REQUESTED_REVIEWERS.matcher(p);
            Answer written = m.matches() && c.method().equals("POST")
                    ? createStatus(m.group(1), c)
                    : asked.matches() && c.method().equals("POST")
                            ? requestReviewers(Long.parseLong(asked.group(1)), c)
                            : comment(p, c);
            Map<String, String> h = new LinkedHashMap<>(written.headers());
            rateHeaders(h, true); // a write costs a request of the hour as a read does
            return new Answer(written.status(), h, written.body());
        }
        if (!c.method().equals("GET")) {
            return Answer.json(404, Map.of("message", "Not Found"));
        }
        Answer a = read(p, c);
        return conditional(a, c);
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
    private Answer createPull(Call c, User caller) {
        JsonNode body;
        try {
            body = JSON.readTree(c.body());
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
            recordMergeBase(baseSha, headSha);
        }
        Map<String, Object> event = pullEvent("opened", pr, caller);
        afterAnswer(() -> deliver(List.of(() -> send("pull_request", event))));
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
     * on a protected base (the first unmet context, in {@link #protect}'s order); 409 "Head branch was modified.
     * Review and try the merge again." when {@code sha} is not the head; 409 "Base branch was modified. ..." when the
     * base moved during the merge.
     */
    private Answer mergePull(long number, Call c, User caller) {
        Map<String, Object> pr = pulls.get(number);
        String docs = PULLS_DOCS + "#merge-a-pull-request";
        if (pr == null) {
            return Answer.json(404, Map.of("message", "Not Found", "documentation_url", docs));
        }
        JsonNode body;
        try {
            body = c.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(c.body());
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
        String unmet = unmetRequiredCheck(base, headSha);
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
        hooks.add(() -> send("pull_request", closed));
        hooks.addAll(applyChanges(List.of(new GitHost.RefChange(base, baseTip, merged)), caller));
        afterAnswer(() -> deliver(hooks));
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
     * The refusal of a merge into a protected branch whose required checks the head has not all passed; null when it
     * has (or the branch is not protected). A context passes with its latest commit status {@code success}, or its
     * latest check run completed {@code success}, {@code neutral} or {@code skipped}.
     */
    private String unmetRequiredCheck(String base, String headSha) {
        for (String context : protections.getOrDefault(base, List.of())) {
            String state = null;
            for (Map<String, Object> s : statuses.getOrDefault(headSha, List.of())) {
                if (context.equals(s.get("context"))) {
                    state = String.valueOf(s.get("state"));
                }
            }
            for (Map<String, Object> run : checkRuns.getOrDefault(headSha, List.of())) {
                if (context.equals(run.get("name"))) {
                    Object conclusion = run.get("conclusion");
                    state = !"completed".equals(run.get("status"))
                            ? "pending"
                            : List.of("success", "neutral", "skipped").contains(String.valueOf(conclusion))
                                    ? "success"
                                    : "failure";
                }
            }
            if (state == null || state.equals("pending")) {
                return "Required status check \"" + context + "\" is expected.";
            }
            if (!state.equals("success")) {
                return "Required status check \"" + context + "\" is failing.";
            }
        }
        return null;
    }

    /** The app's endpoints, and the installation token every other call needs; null when the call may go on. */
    private Answer signIn(Call c) {
        Matcher exchange =
                Pattern.compile("/app/installations/(\\d+)/access_tokens").matcher(c.path());
        boolean lookup = c.method().equals("GET") && c.path().matches("/repos/[^/]+/[^/]+/installation");
        if (lookup || c.method().equals("POST") && exchange.matches()) {
            String problem = jwtProblem(c.header("Authorization"));
            if (problem != null) {
                return Answer.json(
                        401, Map.of("message", problem, "documentation_url", "https://docs.github.com/rest"));
            }
            Map<String, Object> permissions = Map.of(
                    "contents",
                    "read",
                    "pull_requests",
                    "read",
                    "statuses",
                    "write",
                    "checks",
                    "read",
                    "metadata",
                    "read");
            if (lookup && !c.path().equals(base + "/installation")) {
                return Answer.json(
                        404,
                        Map.of(
                                "message",
                                "Not Found",
                                "documentation_url",
                                "https://docs.github.com/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app"));
            }
            if (lookup) {
                return Answer.json(
                        200,
                        Map.of(
                                "id",
                                app.installationId,
                                "app_id",
                                Long.parseLong(app.id),
                                "target_type",
                                "Organization",
                                "permissions",
                                permissions,
                                "events",
                                List.of("pull_request", "push", "status")));
            }
            if (Long.parseLong(exchange.group(1)) != app.installationId) {
                return Answer.json(404, Map.of("message", "Not Found"));
            }
            String token = "ghs_" + Long.toHexString(ids.incrementAndGet()) + "x" + app.issued;
            Instant expires = app.clock.instant().plus(app.tokenLifetime).truncatedTo(ChronoUnit.SECONDS);
            app.tokens.put(token, expires);
            app.issued++;
            return Answer.json(
                    201,
                    Map.of(
                            "token",
                            token,
                            "expires_at",
                            expires.toString(),
                            "permissions",
                            permissions,
                            "repository_selection",
                            "selected"));
        }
        String auth = c.header("Authorization");
        String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : null;
        Instant expires = token == null ? null : app.tokens.get(token);
        if (expires == null || !app.clock.instant().isBefore(expires)) {
            return Answer.json(
                    401, Map.of("message", "Bad credentials", "documentation_url", "https://docs.github.com/rest"));
        }
        return null;
    }

    /** GitHub's checks of an app JWT, with its messages; null when it is good. */
    private String jwtProblem(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return "A JSON web token could not be decoded";
        }
        String[] parts = authorization.substring(7).split("\\.");
        if (parts.length != 3) {
            return "A JSON web token could not be decoded";
        }
        try {
            Base64.Decoder d = Base64.getUrlDecoder();
            JsonNode header = JSON.readTree(d.decode(parts[0]));
            JsonNode claims = JSON.readTree(d.decode(parts[1]));
            Signature sig = Signature.getInstance("SHA256withRSA");
            sig.initVerify(app.key);
            sig.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!"RS256".equals(header.path("alg").asText()) || !sig.verify(d.decode(parts[2]))) {
                return "A JSON web token could not be decoded";
            }
            long now = app.clock.instant().getEpochSecond();
            if (!claims.path("iss").asText().equals(app.id)) {
                return "Integration not found"; // what GitHub says to an iss of another (or no) app
            }
            if (!claims.path("iat").canConvertToLong() || claims.path("iat").asLong() > now) {
                return "'Issued at' claim ('iat') must be an Integer representing a time in the past";
            }
            if (!claims.path("exp").canConvertToLong() || claims.path("exp").asLong() > now + 600) {
                return "'Expiration time' claim ('exp') is too far in the future";
            }
            if (claims.path("exp").asLong() <= now) {
                return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
            }
            return null;
        } catch (Exception e) {
            return "A JSON web token could not be decoded";
        }
    }

    private Answer read(String p, Call c) {
        if (p.isEmpty()) {
            return Answer.json(200, Map.of("full_name", repo, "default_branch", "main", "private", true));
        }
        if (p.startsWith("/contents/") || p.equals("/contents")) {
            String file = p.equals("/contents") ? "" : p.substring("/contents/".length());
            String ref = c.query().getOrDefault("ref", "main");
            List<Map<String, Object>> entries = folder(ref, file);
            if (!entries.isEmpty()) {
                // a folder: its entries, files and folders, at most 1,000: "If you need more, use the Git Trees API"
                // (docs.github.com/en/rest/repos/contents#get-repository-content)
                return Answer.json(200, entries.subList(0, Math.min(CONTENTS_LIMIT, entries.size())));
            }
            String content = repository.file(ref, file);
            if (content == null) {
                return Answer.json(
                        404,
                        Map.of(
                                "message",
                                "Not Found",
                                "documentation_url",
                                "https://docs.github.com/rest/repos/contents#get-repository-content"));
            }
            return Answer.json(
                    200,
                    Map.of(
                            "type",
                            "file",
                            "encoding",
                            "base64",
                            "path",
                            file,
                            "name",
                            file.substring(file.lastIndexOf('/') + 1),
                            "content",
                            Base64.getMimeEncoder().encodeToString(content.getBytes(StandardCharsets.UTF_8))));
        }
        if (p.equals("/branches")) {
            List<Object> list = new ArrayList<>();
            repository
                    .branches()
                    .forEach((n, s) -> list.add(
                            Map.of("name", n, "commit", Map.of("sha", s), "protected", protections.containsKey(n))));
            return page(list, c);
        }
        if (p.startsWith("/branches/")) {
            String name = p.substring("/branches/".length());
            String sha = repository.branches().get(name);
            return sha == null
                    ? Answer.json(404, Map.of("message", "Branch not found"))
                    : Answer.json(
                            200,
                            Map.of(
                                    "name",
                                    name,
                                    "commit",
                                    Map.of("sha", sha),
                                    "protected",
                                    protections.containsKey(name)));
        }
        if (p.equals("/pulls")) {
            // GitHub's filters: state (open, closed, all), head ("owner:branch") and base (a branch name)
            // (docs.github.com/en/rest/pulls/pulls#list-pull-requests)
            String state = c.query().getOrDefault("state", "open");
            String head = c.query().get("head");
            String baseBranch = c.query().get("base");
            return page(
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
        Matcher pull = Pattern.compile("/pulls/(\\d+)(/reviews|/merge)?").matcher(p);
        if (pull.matches()) {
            long n = Long.parseLong(pull.group(1));
            if (!pulls.containsKey(n)) {
                return Answer.json(404, Map.of("message", "Not Found"));
            }
            if ("/merge".equals(pull.group(2))) {
                // 204 when merged, 404 when not
                // (docs.github.com/en/rest/pulls/pulls#check-if-a-pull-request-has-been-merged)
                return Boolean.TRUE.equals(pulls.get(n).get("merged"))
                        ? new Answer(204, new LinkedHashMap<>(), null)
                        : Answer.json(404, Map.of("message", "Not Found"));
            }
            return pull.group(2) == null
                    ? Answer.json(200, withMergeability(pulls.get(n)))
                    : page(new ArrayList<>(reviews.getOrDefault(n, List.of())), c);
        }
        Matcher compare = Pattern.compile("/compare/([0-9a-f]{40})\\.\\.\\.([0-9a-f]{40})")
                .matcher(p);
        if (compare.matches()) {
            String recorded = repository.mergeBase(compare.group(1), compare.group(2));
            String mb = recorded == null ? compare.group(1) : recorded;
            // at most 300 changed files for the whole comparison
            // (docs.github.com/en/rest/commits/commits#compare-two-commits)
            return Answer.json(
                    200,
                    Map.of(
                            "status",
                            mb.equals(compare.group(1)) ? "ahead" : "diverged",
                            "merge_base_commit",
                            Map.of("sha", mb),
                            "base_commit",
                            Map.of("sha", compare.group(1)),
                            "files",
                            changedFiles(mb, compare.group(1), compare.group(2)).stream()
                                    .limit(300)
                                    .toList()));
        }
        Matcher tree = Pattern.compile("/git/trees/([0-9a-f]{40})").matcher(p);
        if (tree.matches()) {
            // a folder's tree, by the sha its parent's listing gave (docs.github.com/en/rest/git/trees#get-a-tree)
            String[] where = trees.get(tree.group(1));
            if (where == null && "1".equals(c.query().get("recursive"))) {
                // a commit's whole tree, every file by its full path (a commit the stand-in holds no file of is empty)
                List<Object> all = new ArrayList<>();
                repository
                        .files(tree.group(1))
                        .forEach((path, body) -> all.add(
                                Map.of("path", path, "mode", "100644", "type", "blob", "sha", gitBlobSha(body))));
                return Answer.json(200, Map.of("sha", tree.group(1), "tree", all, "truncated", false));
            }
            if (where == null) {
                return Answer.json(404, Map.of("message", "Not Found"));
            }
            List<Object> entries = new ArrayList<>();
            for (Map<String, Object> e : folder(where[0], where[1])) {
                boolean isDir = e.get("type").equals("dir");
                entries.add(Map.of(
                        "path",
                        e.get("name"),
                        "mode",
                        isDir ? "040000" : "100644",
                        "type",
                        isDir ? "tree" : "blob",
                        "sha",
                        e.get("sha")));
            }
            return Answer.json(200, Map.of("sha", tree.group(1), "tree", entries, "truncated", false));
        }
        Matcher blob = Pattern.compile("/git/blobs/([0-9a-f]{40})").matcher(p);
        if (blob.matches()) {
            String content = repository.blob(blob.group(1));
            return content == null
                    ? Answer.json(404, Map.of("message", "Not Found"))
                    : Answer.json(
                            200,
                            Map.of(
                                    "sha",
                                    blob.group(1),
                                    "size",
                                    content.length(),
                                    "encoding",
                                    "base64",
                                    "content",
                                    Base64.getMimeEncoder().encodeToString(content.getBytes(StandardCharsets.UTF_8))));
        }
        Matcher issueComments = Pattern.compile("/issues/(\\d+)/comments").matcher(p);
        if (issueComments.matches()) {
            return page(new ArrayList<>(comments.getOrDefault(Long.parseLong(issueComments.group(1)), List.of())), c);
        }
        Matcher commit =
                Pattern.compile("/commits/([0-9a-f]{40})/(status|check-runs)").matcher(p);
        if (commit.matches()) {
            String sha = commit.group(1);
            if (commit.group(2).equals("status")) {
                return combinedStatus(sha, c);
            }
            // filter=latest (GitHub's default) lists only the most recent run of each name: a job run again on the same
            // SHA hides its earlier runs (docs.github.com/en/rest/checks/runs#list-check-runs-for-a-git-reference)
            List<Map<String, Object>> runs = checkRuns.getOrDefault(sha, List.of());
            if (!"all".equals(c.query().get("filter"))) {
                Map<String, Map<String, Object>> latest = new LinkedHashMap<>();
                for (Map<String, Object> run : runs) {
                    latest.put(
                            String.valueOf(run.get("name")),
                            run); // ids grow: the last one of a name is the most recent
                }
                runs = new ArrayList<>(latest.values());
            }
            // paged like every listing (docs.github.com/en/rest/checks/runs#list-check-runs-for-a-git-reference)
            Page listed = pageOf(runs, c);
            return listed.linked(Answer.json(200, Map.of("total_count", runs.size(), "check_runs", listed.items())));
        }
        return Answer.json(404, Map.of("message", "Not Found"));
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
                                : unmetRequiredCheck(side(pr, "base", "ref"), headSha) != null ? "blocked" : "clean");
        return out;
    }

    /**
     * The files a comparison lists: those added or changed at the head since the merge base (or the base, when the
     * stand-in holds no file of the merge base), and those a test said it removed. A head the stand-in holds no file
     * of changed nothing it knows of.
     */
    private List<Map<String, Object>> changedFiles(String mergeBase, String baseSha, String headSha) {
        List<Map<String, Object>> out = new ArrayList<>();
        Map<String, String> head = repository.holds(headSha) ? repository.files(headSha) : null;
        Map<String, String> before = repository.files(repository.holds(mergeBase) ? mergeBase : baseSha);
        if (head != null) {
            new TreeMap<>(head).forEach((path, body) -> {
                String was = before.get(path);
                if (was == null || !was.equals(body)) {
                    out.add(Map.of("filename", path, "status", was == null ? "added" : "modified"));
                }
            });
        }
        removedFiles
                .getOrDefault(baseSha + "..." + headSha, List.of())
                .forEach(f -> out.add(Map.of("filename", f, "status", "removed")));
        return out;
    }

    /** The latest status per context, newest first, and the combined state over them. */
    private Answer combinedStatus(String sha, Call c) {
        Map<String, Map<String, Object>> latest = new LinkedHashMap<>();
        List<Map<String, Object>> all = new ArrayList<>(statuses.getOrDefault(sha, List.of()));
        Collections.reverse(all);
        for (Map<String, Object> s : all) {
            latest.putIfAbsent(String.valueOf(s.get("context")), s);
        }
        String state = latest.isEmpty()
                ? "pending"
                : latest.values().stream()
                                .anyMatch(s -> s.get("state").equals("failure")
                                        || s.get("state").equals("error"))
                        ? "failure"
                        : latest.values().stream().anyMatch(s -> s.get("state").equals("pending"))
                                ? "pending"
                                : "success";
        // paged: per_page (at most 100) and a Link to the next page
        // (docs.github.com/en/rest/commits/statuses#get-the-combined-status-for-a-specific-reference)
        Page p = pageOf(new ArrayList<>(latest.values()), c);
        return p.linked(Answer.json(
                200, Map.of("state", state, "sha", sha, "statuses", p.items(), "total_count", latest.size())));
    }

    private Answer createStatus(String sha, Call c) {
        JsonNode body;
        try {
            body = JSON.readTree(c.body());
        } catch (Exception e) {
            return Answer.json(400, Map.of("message", "Problems parsing JSON"));
        }
        String state = body.path("state").asText();
        if (!List.of("error", "failure", "pending", "success").contains(state)) {
            return Answer.json(422, Map.of("message", "Validation Failed"));
        }
        String context = body.path("context").asText("default");
        long already = statuses.getOrDefault(sha, List.of()).stream()
                .filter(s -> context.equals(s.get("context")))
                .count();
        if (already >= STATUS_CAP) {
            return Answer.json(
                    422,
                    Map.of(
                            "message",
                            "Validation Failed",
                            "errors",
                            List.of(Map.of(
                                    "resource",
                                    "Status",
                                    "code",
                                    "custom",
                                    "message",
                                    "This SHA and context has reached the maximum number of statuses."))));
        }
        Map<String, Object> s = addStatus(
                sha,
                context,
                state,
                body.path("description").asText(null),
                body.path("target_url").asText(null));
        afterAnswer(() -> sendStatusWebhook(sha, s));
        return Answer.json(201, s);
    }

    /**
     * POST /pulls/{n}/requested_reviewers (docs.github.com/en/rest/pulls/review-requests): 201 with the PR, which
     * lists them in {@code requested_reviewers} and {@code requested_teams} from then on; 422 for the PR's author
     * ("Review cannot be requested from pull request author.") and for a team of the organisation the stand-in does
     * not know ("Reviews may only be requested from collaborators. ...").
     */
    private Answer requestReviewers(long number, Call c) {
        Map<String, Object> pr = pulls.get(number);
        if (pr == null) {
            return Answer.json(404, Map.of("message", "Not Found"));
        }
        JsonNode body;
        try {
            body = JSON.readTree(c.body());
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
        afterAnswer(() -> {
            for (String login : logins) {
                sendReviewRequested(snapshot, Map.of("requested_reviewer", Map.of("login", login, "type", "User")));
            }
            for (String slug : slugs) {
                sendReviewRequested(snapshot, Map.of("requested_team", Map.of("slug", slug)));
            }
        });
        return Answer.json(201, pr);
    }

    /** POST /issues/{n}/comments creates; PATCH /issues/comments/{id} edits (docs.github.com/en/rest/issues/comments). */
    private Answer comment(String p, Call c) {
        JsonNode body;
        try {
            body = JSON.readTree(c.body());
        } catch (Exception e) {
            return Answer.json(400, Map.of("message", "Problems parsing JSON"));
        }
        Matcher create = Pattern.compile("/issues/(\\d+)/comments").matcher(p);
        if (create.matches() && c.method().equals("POST")) {
            Map<String, Object> comment = new LinkedHashMap<>();
            comment.put("id", ids.incrementAndGet());
            comment.put("body", body.path("body").asText());
            comment.put("user", sender());
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

    private Map<String, Object> addStatus(
            String sha, String context, String state, String description, String targetUrl) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("id", ids.incrementAndGet());
        s.put("state", state);
        s.put("description", description);
        s.put("target_url", targetUrl);
        s.put("context", context);
        s.put("created_at", Instant.now().toString());
        statuses.computeIfAbsent(sha, k -> new ArrayList<>()).add(s);
        var listener = statusListener;
        if (listener != null) {
            listener.accept(sha, s);
        }
        return s;
    }

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

    private void sendReviewRequested(Map<String, Object> pr, Map<String, Object> whom) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("action", "review_requested");
        payload.put("number", pr.get("number"));
        payload.put("pull_request", pr);
        payload.putAll(whom);
        payload.put("repository", repository());
        payload.put("sender", sender());
        send("pull_request", payload);
    }

    private void send(String event, Object payload) {
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

    private static Map<String, Object> sender() {
        return Map.of("login", "tiergate-bot", "type", "Bot");
    }

    /** One page of a list, with GitHub's Link header when more follow. */
    private Answer page(List<Object> all, Call c) {
        Page p = pageOf(all, c);
        return p.linked(Answer.json(200, p.items()));
    }

    /** One page of a listing, and the URL of the next page (null on the last). */
    private record Page(List<?> items, String next) {
        Answer linked(Answer a) {
            if (next != null) {
                a.headers().put("Link", "<" + next + ">; rel=\"next\"");
            }
            return a;
        }
    }

    /** GitHub's paging: {@code per_page} (default 30, at most 100) and {@code page}, from 1. */
    private Page pageOf(List<?> all, Call c) {
        int perPage = Math.max(1, Math.min(100, c.intParam("per_page", 30)));
        int page = Math.max(1, c.intParam("page", 1));
        int from = Math.min(all.size(), (page - 1) * perPage);
        int to = Math.min(all.size(), from + perPage);
        if (to >= all.size()) {
            return new Page(all.subList(from, to), null);
        }
        Map<String, String> q = new LinkedHashMap<>(c.query());
        q.put("per_page", Integer.toString(perPage));
        q.put("page", Integer.toString(page + 1));
        StringBuilder next = new StringBuilder(url()).append(c.path()).append('?');
        q.forEach((k, v) -> next.append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8))
                .append('&'));
        next.setLength(next.length() - 1);
        return new Page(all.subList(from, to), next.toString());
    }

    /** ETag on every 200; a matching If-None-Match is a free 304. Rate-limit headers on everything. */
    private Answer conditional(Answer a, Call c) {
        Map<String, String> h = new LinkedHashMap<>(a.headers());
        if (a.status() == 200) {
            String etag = "W/\"" + digest(a.body()) + "\"";
            h.put("ETag", etag);
            if (etag.equals(c.header("If-None-Match"))) {
                rateHeaders(h, false);
                return new Answer(304, h, null);
            }
        }
        rateHeaders(h, true);
        return new Answer(a.status(), h, a.body());
    }

    /**
     * Past the hour's limit GitHub refuses every call until the window ends: 403 with {@code X-RateLimit-Remaining: 0}
     * and the window's end in {@code X-RateLimit-Reset} (docs.github.com/en/rest/using-the-rest-api/
     * rate-limits-for-the-rest-api#exceeding-the-primary-rate-limit). Null while requests are left.
     */
    private Answer rateLimitExceeded() {
        openWindow();
        if (rateRemaining > 0) {
            return null;
        }
        Map<String, String> h = new LinkedHashMap<>(Map.of("Content-Type", "application/json; charset=utf-8"));
        rateHeaders(h, false);
        return new Answer(
                403,
                h,
                write(Map.of(
                        "message",
                        "API rate limit exceeded for installation ID 4242.",
                        "documentation_url",
                        "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api")));
    }

    /**
     * The requests an hour this repository's token may make: 5,000 for a GitHub App installation at the least, up to
     * 12,500 as the installation grows, 15,000 on GitHub Enterprise Cloud (same page, "primary rate limit for GitHub
     * App installations"). The load benchmarks set the last; the window starts again.
     */
    public synchronized void rateLimit(int perHour) {
        rateLimit = perHour;
        rateWindowEnd = 0;
    }

    private void openWindow() {
        long now = Instant.now().getEpochSecond();
        if (rateWindowEnd == 0 || now >= rateWindowEnd) {
            rateWindowEnd = now + 3600;
            rateRemaining = rateLimit;
        }
    }

    /**
     * GitHub's primary rate limit: 5,000 charged requests per window of an hour, the window's end fixed when it opens
     * and given in {@code X-RateLimit-Reset}, a fresh window after it (docs.github.com/en/rest/using-the-rest-api/
     * rate-limits-for-the-rest-api#checking-the-status-of-your-rate-limit). A demo left running for hours sees the
     * window reset as against GitHub.
     */
    private void rateHeaders(Map<String, String> h, boolean charged) {
        openWindow();
        if (charged && rateRemaining > 0) {
            rateRemaining--;
        }
        h.put("X-RateLimit-Limit", Integer.toString(rateLimit));
        h.put("X-RateLimit-Remaining", Long.toString(rateRemaining));
        h.put("X-RateLimit-Used", Long.toString(rateLimit - rateRemaining));
        h.put("X-RateLimit-Reset", Long.toString(rateWindowEnd));
        h.put("X-RateLimit-Resource", "core");
    }

    private static String digest(String body) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8)))
                    .substring(0, 32);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
