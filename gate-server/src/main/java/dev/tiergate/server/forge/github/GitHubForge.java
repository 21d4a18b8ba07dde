package dev.tiergate.server.forge.github;

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
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GitHub's REST API (github.com, GitHub Enterprise Server, or a stub) through plain HTTP: the handful of calls
 * the gate needs, each explicit, so a stub of exactly these answers is a faithful test.
 */
public final class GitHubForge implements Forge {
    public static final String ID = "github";
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>;\\s*rel=\"next\"");
    private static final Pattern REPO_IN_URL = Pattern.compile("/repos/([^/?#]+/[^/?#]+)");
    private final JsonHttp http;
    private final GitHubCredentials credentials;

    /** With a token (or none: null). */
    public GitHubForge(String apiUrl, String token) {
        this(apiUrl, api -> GitHubCredentials.token(token));
    }

    /**
     * With the credentials {@code signIn} makes from the unauthenticated client (a GitHub App signs its JWT calls
     * through it); every call about a repository then carries that repository's {@code Authorization}, and a 401 is
     * answered by asking the credentials again, once.
     */
    public GitHubForge(String apiUrl, Function<JsonHttp, GitHubCredentials> signIn) {
        Map<String, String> h = new HashMap<>();
        h.put("Accept", "application/vnd.github+json");
        h.put("X-GitHub-Api-Version", "2022-11-28");
        h.put("User-Agent", "tiergate");
        JsonHttp plain = new JsonHttp(apiUrl, h);
        this.credentials = signIn.apply(plain);
        this.http = plain.authorizedBy(new JsonHttp.Authorizer() {
            @Override
            public String authorization(String url) {
                return credentials.authorization(repoOf(url));
            }

            @Override
            public boolean rejected(String url, String rejected) {
                return credentials.rejected(repoOf(url), rejected);
            }
        });
    }

    /** A GitHub App's credentials: {@code TIERGATE_GITHUB_APP_ID} and the PEM of its private key. */
    public static GitHubForge signedInAsApp(String apiUrl, String appId, String privateKeyPem, Clock clock) {
        GitHubAppKey.parse(privateKeyPem); // a bad key is refused at start-up, not at the first delivery
        return new GitHubForge(apiUrl, api -> GitHubCredentials.app(appId, privateKeyPem, api, clock));
    }

    public GitHubCredentials credentials() {
        return credentials;
    }

    /**
     * For doctor: can these credentials read {@code repo} and write its commit statuses? A token's scopes come in
     * {@code X-OAuth-Scopes} (classic tokens; fine-grained ones report none), an app's permissions with its installation.
     * Each entry: {ok, text, fix}.
     */
    @Override
    public List<String[]> accessChecks(String repoPath) {
        // owner/name: a GitLab path may have groups in it, and is not this forge's
        return repoPath.indexOf('/') == repoPath.lastIndexOf('/') ? access(new RepoRef(ID, null, repoPath)) : List.of();
    }

    public List<String[]> access(RepoRef repo) {
        List<String[]> out = new ArrayList<>();
        try {
            if (credentials instanceof GitHubAppCredentials app) {
                JsonNode p = app.installation(repo).permissions();
                boolean read = p.path("contents").isTextual()
                        && p.path("pull_requests").isTextual();
                boolean statuses = "write".equals(p.path("statuses").asText());
                out.add(new String[] {
                    Boolean.toString(read && statuses),
                    credentials.describe() + " on " + repo.path() + ": " + p,
                    "grant the app Contents: read, Pull requests: read, Commit statuses: read and write, Checks: read, Metadata: read"
                            + " (the app's settings, Permissions), then accept the new permissions on the installation"
                });
                return out;
            }
            JsonHttp.Response r = http.getResponse("/repos/" + repo.path());
            boolean pull = r.body().path("permissions").path("pull").asBoolean(true);
            Optional<String> scopes = r.header("x-oauth-scopes");
            boolean statuses = scopes.map(sc -> Arrays.stream(sc.split(","))
                            .map(String::strip)
                            .anyMatch(x -> x.equals("repo") || x.equals("repo:status")))
                    .orElse(true);
            out.add(new String[] {
                Boolean.toString(pull && statuses),
                credentials.describe() + " reads " + repo.path()
                        + scopes.map(sc -> "; token scopes: " + (sc.isBlank() ? "none" : sc))
                                .orElse("; a fine-grained token (GitHub reports no scopes)"),
                "give the token read access to contents and pull requests and write access to commit statuses (classic: scope repo)"
            });
        } catch (RuntimeException e) {
            out.add(new String[] {
                "false",
                credentials.describe() + " cannot read " + repo.path() + ": " + e.getMessage(),
                "check TIERGATE_GITHUB_TOKEN or the GitHub App's installation on " + repo.path()
            });
        }
        return out;
    }

    static RepoRef repoOf(String url) {
        Matcher m = REPO_IN_URL.matcher(URI.create(url).getRawPath());
        return m.find() ? new RepoRef(ID, null, URLDecoder.decode(m.group(1), StandardCharsets.UTF_8)) : null;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String defaultBranch(RepoRef repo) {
        return http.get("/repos/" + repo.path()).path("default_branch").asText("main");
    }

    @Override
    public PullRequestFacts pullRequest(RepoRef repo, long number) {
        return facts(http.get("/repos/" + repo.path() + "/pulls/" + number));
    }

    @Override
    public List<PullRequestFacts> openPullRequests(RepoRef repo) {
        List<PullRequestFacts> out = new ArrayList<>();
        for (JsonNode pr : paged("/repos/" + repo.path() + "/pulls?state=open&per_page=100")) {
            out.add(facts(pr));
        }
        return out;
    }

    /** GitHub's list filter {@code head=owner:branch} (docs.github.com/rest/pulls/pulls#list-pull-requests). */
    @Override
    public List<PullRequestFacts> closedPullRequestsFrom(RepoRef repo, String branch) {
        String owner = repo.path().substring(0, repo.path().indexOf('/'));
        List<PullRequestFacts> out = new ArrayList<>();
        for (JsonNode pr : paged("/repos/" + repo.path() + "/pulls?state=closed&head="
                + URLEncoder.encode(owner + ":" + branch, StandardCharsets.UTF_8) + "&per_page=100")) {
            out.add(facts(pr));
        }
        return out;
    }

    @Override
    public Map<String, String> branches(RepoRef repo) {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode b : paged("/repos/" + repo.path() + "/branches?per_page=100")) {
            out.put(b.path("name").asText(), b.path("commit").path("sha").asText());
        }
        return out;
    }

    @Override
    public List<Approval> approvals(RepoRef repo, long number) {
        // the latest review of each reviewer decides: a later "changes requested" or dismissal cancels an approval
        Map<String, JsonNode> latest = new LinkedHashMap<>();
        for (JsonNode r : paged("/repos/" + repo.path() + "/pulls/" + number + "/reviews?per_page=100")) {
            String state = r.path("state").asText();
            if (state.equals("COMMENTED") || state.equals("PENDING")) {
                continue;
            }
            latest.put(r.path("user").path("login").asText(), r);
        }
        List<Approval> out = new ArrayList<>();
        latest.forEach((login, r) -> {
            if (r.path("state").asText().equals("APPROVED")) {
                out.add(new Approval(
                        new ForgeIdentity(login, isBot(r.path("user"))),
                        r.path("commit_id").asText(null)));
            }
        });
        return out;
    }

    /**
     * The combined status (the latest status per context, tiergate's own included) and the check runs on a SHA,
     * two conditional requests: an unchanged commit costs two 304s, which GitHub does not charge to the rate limit.
     */
    @Override
    public CommitChecks checks(RepoRef repo, String sha) {
        List<CheckResult> ci = new ArrayList<>();
        Map<String, CommitStatus> ours = new LinkedHashMap<>();
        for (JsonNode s : paged("/repos/" + repo.path() + "/commits/" + sha + "/status?per_page=100", "statuses")) {
            String context = s.path("context").asText();
            String state = s.path("state").asText();
            if (CommitChecks.isOurs(context)) {
                ours.putIfAbsent(
                        context,
                        new CommitStatus(
                                context,
                                switch (state) {
                                    case "success" -> StatusState.SUCCESS;
                                    case "pending" -> StatusState.PENDING;
                                    default -> StatusState.FAILURE;
                                },
                                s.path("description").asText(null),
                                s.path("target_url").asText(null)));
                continue;
            }
            ci.add(new CheckResult(
                    context,
                    switch (state) {
                        case "success" -> CheckResult.Outcome.SUCCESS;
                        case "pending" -> CheckResult.Outcome.PENDING;
                        default -> CheckResult.Outcome.FAILURE;
                    }));
        }
        for (JsonNode r :
                paged("/repos/" + repo.path() + "/commits/" + sha + "/check-runs?per_page=100", "check_runs")) {
            if (CommitChecks.isOurs(r.path("name").asText())) {
                continue;
            }
            CheckResult.Outcome o;
            if (!r.path("status").asText().equals("completed")) {
                o = CheckResult.Outcome.PENDING;
            } else {
                o = switch (r.path("conclusion").asText()) {
                    case "success", "neutral", "skipped" -> CheckResult.Outcome.SUCCESS;
                    default -> CheckResult.Outcome.FAILURE;
                };
            }
            ci.add(new CheckResult(r.path("name").asText(), o));
        }
        return new CommitChecks(ci, ours);
    }

    @Override
    public Optional<String> branchHead(RepoRef repo, String branch) {
        return http.getIfExists("/repos/" + repo.path() + "/branches/" + encodePath(branch))
                .map(r -> r.body().path("commit").path("sha").asText(null));
    }

    @Override
    public ApiCallCounter calls() {
        return http.calls();
    }

    /**
     * GET /repos/{o}/{r}/contents/{dir}?ref=sha: the folder's files. GitHub lists at most 1,000 entries of a folder
     * there, and a project's migrations can be more: a full listing is read through the Git Trees API instead, by
     * the folder's tree sha from its parent's listing (docs.github.com/en/rest/repos/contents, /rest/git/trees).
     */
    @Override
    public List<RepoFile> listDirectory(RepoRef repo, String sha, String dir) {
        Optional<JsonNode> listing = contents(repo, sha, dir);
        List<RepoFile> out = new ArrayList<>();
        if (listing.isEmpty()) {
            return out;
        }
        if (listing.get().size() >= CONTENTS_LIMIT) {
            return listedByTree(repo, sha, dir);
        }
        for (JsonNode e : listing.get()) {
            if (e.path("type").asText().equals("file")) {
                out.add(new RepoFile(e.path("path").asText(), e.path("sha").asText()));
            }
        }
        return out;
    }

    /** GitHub's contents API lists at most this many entries of a folder. */
    static final int CONTENTS_LIMIT = 1000;

    /** A folder's listing at {@code sha} ("" is the top); empty when it is not a folder there. */
    private Optional<JsonNode> contents(RepoRef repo, String sha, String dir) {
        return http.getIfExists("/repos/" + repo.path() + "/contents" + (dir.isEmpty() ? "" : "/" + encodePath(dir))
                        + "?ref=" + URLEncoder.encode(sha, StandardCharsets.UTF_8))
                .map(JsonHttp.Response::body)
                .filter(JsonNode::isArray);
    }

    private List<RepoFile> listedByTree(RepoRef repo, String sha, String dir) {
        int slash = dir.lastIndexOf('/');
        String parent = slash < 0 ? "" : dir.substring(0, slash);
        String treeSha = null;
        for (JsonNode e : contents(repo, sha, parent)
                .orElseThrow(() -> new ForgeException(
                        "GitHub listed " + dir + " at " + sha + " but not its parent folder", false))) {
            if (e.path("type").asText().equals("dir") && e.path("path").asText().equals(dir)) {
                treeSha = e.path("sha").asText();
            }
        }
        if (treeSha == null) { // the parent has more than 1,000 entries too: GitHub's limit, not tiergate's guess
            throw new ForgeException(
                    "cannot list " + dir + " at " + sha + ": it has more than " + CONTENTS_LIMIT
                            + " entries and its parent folder too many to find it in",
                    false);
        }
        JsonNode tree = http.get("/repos/" + repo.path() + "/git/trees/" + treeSha);
        if (tree.path("truncated").asBoolean(false)) {
            throw new ForgeException(
                    "GitHub truncated the tree of " + dir + " at " + sha + " (more than 100,000 entries)", false);
        }
        List<RepoFile> out = new ArrayList<>();
        for (JsonNode e : tree.path("tree")) {
            if (e.path("type").asText().equals("blob")) {
                out.add(new RepoFile(
                        dir + "/" + e.path("path").asText(), e.path("sha").asText()));
            }
        }
        return out;
    }

    /**
     * GET /repos/{o}/{r}/compare/{base}...{head}: its merge_base_commit and the files whose status is "removed"
     * (docs.github.com/en/rest/commits/commits#compare-two-commits). GitHub lists at most 300 changed files there,
     * for the whole comparison; a comparison that reaches that has its removals read from the two commits' trees
     * instead, so an agent's PR cannot hide a deleted test behind 300 other changes.
     */
    @Override
    public Changes changes(RepoRef repo, String baseSha, String headSha) {
        Optional<JsonHttp.Response> r =
                http.getIfExists("/repos/" + repo.path() + "/compare/" + baseSha + "..." + headSha);
        if (r.isEmpty()) {
            return new Changes(null, List.of(), List.of());
        }
        String mergeBase = r.get().body().path("merge_base_commit").path("sha").asText(null);
        JsonNode files = r.get().body().path("files");
        if (files.size() >= COMPARE_FILES_LIMIT && mergeBase != null) {
            return changedBetween(repo, mergeBase, headSha);
        }
        List<String> removed = new ArrayList<>();
        Set<String> touched = new LinkedHashSet<>();
        for (JsonNode f : files) {
            if (f.path("status").asText().equals("removed")) {
                removed.add(f.path("filename").asText());
            }
            touched.add(f.path("filename").asText());
            if (f.hasNonNull("previous_filename")) { // a rename touches both paths
                touched.add(f.path("previous_filename").asText());
            }
        }
        return new Changes(mergeBase, removed, List.copyOf(touched));
    }

    /** GitHub's compare API lists at most this many changed files. */
    static final int COMPARE_FILES_LIMIT = 300;

    /** What changed from {@code from} to {@code to}, from the two commits' whole trees (path and blob SHA). */
    private Changes changedBetween(RepoRef repo, String from, String to) {
        Map<String, String> after = filesAt(repo, to);
        Map<String, String> before = filesAt(repo, from);
        List<String> removed = new ArrayList<>();
        Set<String> touched = new LinkedHashSet<>();
        before.forEach((path, blob) -> {
            if (!after.containsKey(path)) {
                removed.add(path);
                touched.add(path);
            } else if (!after.get(path).equals(blob)) {
                touched.add(path);
            }
        });
        after.keySet().stream().filter(p -> !before.containsKey(p)).forEach(touched::add);
        return new Changes(from, removed, List.copyOf(touched));
    }

    /** Every file path of a commit: GET /repos/{o}/{r}/git/trees/{sha}?recursive=1 (docs.github.com/en/rest/git/trees). */
    private Map<String, String> filesAt(RepoRef repo, String sha) {
        JsonNode tree = http.get("/repos/" + repo.path() + "/git/trees/" + sha + "?recursive=1");
        if (tree.path("truncated").asBoolean(false)) {
            throw new ForgeException(
                    "cannot list what the PR removed: it changes more than " + COMPARE_FILES_LIMIT
                            + " files and GitHub truncated the tree of " + sha + " (more than 100,000 entries)",
                    false);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode e : tree.path("tree")) {
            if (e.path("type").asText().equals("blob")) {
                out.put(e.path("path").asText(), e.path("sha").asText());
            }
        }
        return out;
    }

    @Override
    public byte[] blob(RepoRef repo, String blobSha) {
        JsonNode b = http.get("/repos/" + repo.path() + "/git/blobs/" + blobSha);
        return Base64.getMimeDecoder().decode(b.path("content").asText(""));
    }

    /**
     * The issue comment whose body holds {@code marker}, created once and edited in place; written only when its
     * body differs. Comments are listed 100 a page (GitHub: GET /repos/{o}/{r}/issues/{n}/comments).
     */
    @Override
    public boolean upsertComment(RepoRef repo, long number, String marker, String body, boolean createIfMissing) {
        for (JsonNode c : paged("/repos/" + repo.path() + "/issues/" + number + "/comments?per_page=100")) {
            if (c.path("body").asText("").contains(marker)) {
                if (c.path("body").asText("").equals(body)) {
                    return false;
                }
                http.send(
                        "PATCH",
                        "/repos/" + repo.path() + "/issues/comments/"
                                + c.path("id").asLong(),
                        Map.of("body", body));
                return true;
            }
        }
        if (!createIfMissing) {
            return false;
        }
        http.post("/repos/" + repo.path() + "/issues/" + number + "/comments", Map.of("body", body));
        return true;
    }

    /**
     * A team's members: GET /orgs/{org}/teams/{team_slug}/members (docs.github.com/en/rest/teams/members), paged;
     * {@code team} is {@code org/slug}, or a slug of the repository's owner. An unknown team (404) has no members, so
     * its approvals do not count: the rule stays unmet rather than met by mistake.
     */
    @Override
    public Set<String> teamMembers(RepoRef repo, String team) {
        if (!TEAM.matcher(team).matches()) {
            return Set.of(); // a policy read past the hooks: no path of the API is built from it
        }
        int slash = team.indexOf('/');
        String org = slash < 0 ? repo.path().substring(0, repo.path().indexOf('/')) : team.substring(0, slash);
        String slug = slash < 0 ? team : team.substring(slash + 1);
        String first = "/orgs/" + encodePath(org) + "/teams/" + encodePath(slug) + "/members?per_page=100";
        Optional<JsonHttp.Response> page = http.getIfExists(first);
        Set<String> out = new TreeSet<>();
        if (page.isEmpty()) {
            return out;
        }
        page.get().body().forEach(m -> out.add(m.path("login").asText().toLowerCase(Locale.ROOT)));
        nextPage(page.get())
                .ifPresent(next -> paged(next)
                        .forEach(m -> out.add(m.path("login").asText().toLowerCase(Locale.ROOT))));
        return out;
    }

    /**
     * POST /repos/{o}/{r}/pulls/{n}/requested_reviewers with {@code reviewers} (logins) and {@code team_reviewers}
     * (slugs of the repository's organisation), docs.github.com/en/rest/pulls/review-requests.
     */
    @Override
    public void requestReviews(RepoRef repo, long number, List<String> logins, List<String> teams) {
        List<String> slugs = teams.stream()
                .filter(t -> TEAM.matcher(t).matches())
                .map(t -> t.substring(t.indexOf('/') + 1))
                .toList();
        http.post(
                "/repos/" + repo.path() + "/pulls/" + number + "/requested_reviewers",
                Map.of("reviewers", logins, "team_reviewers", slugs));
    }

    /** A team as GitHub names it: a slug, or org/slug (letters, digits, '.', '_', '-'; never '..'). */
    private static final Pattern TEAM = Pattern.compile("([A-Za-z0-9][A-Za-z0-9_-]*/)?[A-Za-z0-9][A-Za-z0-9._-]*");

    private static Optional<String> nextPage(JsonHttp.Response r) {
        return r.header("link").map(l -> {
            Matcher m = NEXT.matcher(l);
            return m.find() ? m.group(1) : null;
        });
    }

    /** Each segment of a branch name percent-encoded, the slashes kept, as GitHub's branch endpoints expect. */
    static String encodePath(String branch) {
        StringBuilder out = new StringBuilder();
        for (String part : branch.split("/", -1)) {
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return out.toString();
    }

    @Override
    public Optional<byte[]> fileAt(RepoRef repo, String ref, String path) {
        return http.getIfExists("/repos/" + repo.path() + "/contents/" + path + "?ref="
                        + URLEncoder.encode(ref, StandardCharsets.UTF_8))
                .map(r ->
                        Base64.getMimeDecoder().decode(r.body().path("content").asText("")));
    }

    @Override
    public void postStatus(RepoRef repo, String sha, CommitStatus status) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("state", status.state().name().toLowerCase(Locale.ROOT));
        body.put("context", status.context());
        body.put("description", status.description());
        if (status.targetUrl() != null) {
            body.put("target_url", status.targetUrl());
        }
        http.post("/repos/" + repo.path() + "/statuses/" + sha, body);
    }

    private List<JsonNode> paged(String first) {
        return paged(first, null);
    }

    /**
     * Every item of a listing, page after page as the {@code Link: rel="next"} header leads (at most 50 pages);
     * {@code field}: where an object answer keeps its items (the combined status' {@code statuses}, the check runs'
     * {@code check_runs}), null for an array answer. A commit with more than 100 check runs or statuses has its
     * required check on a later page as often as not.
     */
    private List<JsonNode> paged(String first, String field) {
        List<JsonNode> out = new ArrayList<>();
        String url = first;
        for (int page = 0; url != null && page < 50; page++) {
            JsonHttp.Response r = http.getResponse(url);
            (field == null ? r.body() : r.body().path(field)).forEach(out::add);
            url = nextPage(r).orElse(null);
        }
        return out;
    }

    private static PullRequestFacts facts(JsonNode pr) {
        return new PullRequestFacts(
                pr.path("number").asLong(),
                pr.path("head").path("ref").asText(),
                pr.path("head").path("sha").asText(),
                pr.path("base").path("ref").asText(),
                pr.path("base").path("sha").asText(),
                new ForgeIdentity(pr.path("user").path("login").asText(), isBot(pr.path("user"))),
                pr.path("state").asText().equals("open"),
                pr.path("merged").asBoolean(false) || !pr.path("merged_at").isNull() && pr.has("merged_at"),
                pr.path("html_url").asText(null));
    }

    private static boolean isBot(JsonNode user) {
        return "Bot".equals(user.path("type").asText());
    }
}
