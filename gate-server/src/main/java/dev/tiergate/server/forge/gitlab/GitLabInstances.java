package dev.tiergate.server.forge.gitlab;

import dev.tiergate.core.gate.Approval;
import dev.tiergate.core.gate.PullRequestFacts;
import dev.tiergate.core.gate.StatusState;
import dev.tiergate.server.forge.ApiCallCounter;
import dev.tiergate.server.forge.CommitChecks;
import dev.tiergate.server.forge.CommitStatus;
import dev.tiergate.server.forge.Forge;
import dev.tiergate.server.forge.ForgeException;
import dev.tiergate.server.forge.RepoFile;
import dev.tiergate.server.repo.RepoRef;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Several GitLab instances behind one server: each delivery names its instance ({@code X-Gitlab-Instance}), and
 * every API call goes to that instance's URL with its token. A repository seen without an instance (the
 * reconciler's) goes to the first configured one.
 */
public final class GitLabInstances implements Forge {
    private final Map<String, GitLabForge> byHost = new LinkedHashMap<>();
    private final ApiCallCounter calls = new ApiCallCounter();

    /** {@code urls} and {@code tokens} pair up by position; a single token serves every URL. */
    public GitLabInstances(List<String> urls, List<String> tokens) {
        for (int i = 0; i < urls.size(); i++) {
            String token = tokens.isEmpty() ? null : tokens.get(Math.min(i, tokens.size() - 1));
            byHost.put(host(urls.get(i)), new GitLabForge(urls.get(i), token, calls));
        }
    }

    /** Whether a delivery from {@code instance} (an X-Gitlab-Instance value) is served here. */
    public boolean serves(String instance) {
        return instance == null || byHost.containsKey(host(instance));
    }

    Forge route(RepoRef repo) {
        if (repo.instance() == null) {
            return byHost.values().iterator().next();
        }
        return Optional.ofNullable(byHost.get(host(repo.instance())))
                .orElseThrow(
                        () -> new ForgeException("no GitLab instance " + repo.instance() + " is configured", false));
    }

    /** host[:port] of an instance URL: what X-Gitlab-Instance and the configured URL have in common. */
    static String host(String url) {
        String h = URI.create(url.strip()).getAuthority();
        return (h == null ? url.strip() : h).toLowerCase(Locale.ROOT);
    }

    @Override
    public String id() {
        return GitLabForge.ID;
    }

    @Override
    public String defaultBranch(RepoRef repo) {
        return route(repo).defaultBranch(repo);
    }

    @Override
    public PullRequestFacts pullRequest(RepoRef repo, long number) {
        return route(repo).pullRequest(repo, number);
    }

    @Override
    public List<PullRequestFacts> openPullRequests(RepoRef repo) {
        return route(repo).openPullRequests(repo);
    }

    @Override
    public List<PullRequestFacts> closedPullRequestsFrom(RepoRef repo, String branch) {
        return route(repo).closedPullRequestsFrom(repo, branch);
    }

    @Override
    public Map<String, String> branches(RepoRef repo) {
        return route(repo).branches(repo);
    }

    @Override
    public List<Approval> approvals(RepoRef repo, long number) {
        return route(repo).approvals(repo, number);
    }

    @Override
    public Set<String> teamMembers(RepoRef repo, String team) {
        return route(repo).teamMembers(repo, team);
    }

    @Override
    public void requestReviews(RepoRef repo, long number, List<String> logins, List<String> teams) {
        route(repo).requestReviews(repo, number, logins, teams);
    }

    @Override
    public CommitChecks checks(RepoRef repo, String sha) {
        return route(repo).checks(repo, sha);
    }

    @Override
    public Optional<String> branchHead(RepoRef repo, String branch) {
        return route(repo).branchHead(repo, branch);
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
        return calls;
    }

    @Override
    public List<RepoFile> listDirectory(RepoRef repo, String sha, String dir) {
        return route(repo).listDirectory(repo, sha, dir);
    }

    @Override
    public Changes changes(RepoRef repo, String baseSha, String headSha) {
        return route(repo).changes(repo, baseSha, headSha);
    }

    @Override
    public byte[] blob(RepoRef repo, String blobSha) {
        return route(repo).blob(repo, blobSha);
    }

    @Override
    public boolean upsertComment(RepoRef repo, long number, String marker, String body, boolean createIfMissing) {
        return route(repo).upsertComment(repo, number, marker, body, createIfMissing);
    }

    @Override
    public Optional<byte[]> fileAt(RepoRef repo, String ref, String path) {
        return route(repo).fileAt(repo, ref, path);
    }

    @Override
    public void postStatus(RepoRef repo, String sha, CommitStatus status) {
        route(repo).postStatus(repo, sha, status);
    }

    @Override
    public void answerStatusCheck(RepoRef repo, long number, String sha, long checkId, boolean passed) {
        route(repo).answerStatusCheck(repo, number, sha, checkId, passed);
    }
}
