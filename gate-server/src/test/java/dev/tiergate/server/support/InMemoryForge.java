package dev.tiergate.server.support;

import dev.tiergate.core.gate.Approval;
import dev.tiergate.core.gate.CheckResult;
import dev.tiergate.core.gate.PullRequestFacts;
import dev.tiergate.server.forge.ApiCallCounter;
import dev.tiergate.server.forge.CommitChecks;
import dev.tiergate.server.forge.CommitStatus;
import dev.tiergate.server.forge.Forge;
import dev.tiergate.server.forge.ForgeException;
import dev.tiergate.server.forge.RepoFile;
import dev.tiergate.server.repo.RepoRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A forge held in memory for unit tests of the gate's pieces (as Tide's tests use a fake GitHub client): what is
 * posted becomes what {@link #checks} shows, as on GitHub.
 */
public class InMemoryForge implements Forge {
    private final Map<String, List<CommitStatus>> posted = new LinkedHashMap<>();
    private final Map<String, List<CheckResult>> ci = new LinkedHashMap<>();
    private final Map<String, String> branches = new LinkedHashMap<>();
    private final Map<Long, PullRequestFacts> pulls = new LinkedHashMap<>();
    private final ApiCallCounter calls = new ApiCallCounter();

    @Override
    public String id() {
        return "memory";
    }

    @Override
    public String defaultBranch(RepoRef repo) {
        return "main";
    }

    @Override
    public PullRequestFacts pullRequest(RepoRef repo, long number) {
        return pulls.get(number);
    }

    @Override
    public List<PullRequestFacts> openPullRequests(RepoRef repo) {
        return pulls.values().stream().filter(PullRequestFacts::open).toList();
    }

    @Override
    public List<PullRequestFacts> closedPullRequestsFrom(RepoRef repo, String branch) {
        return pulls.values().stream()
                .filter(pr -> !pr.open() && pr.headBranch().equals(branch))
                .toList();
    }

    @Override
    public Map<String, String> branches(RepoRef repo) {
        return Map.copyOf(branches);
    }

    @Override
    public List<Approval> approvals(RepoRef repo, long number) {
        return List.of();
    }

    @Override
    public CommitChecks checks(RepoRef repo, String sha) {
        Map<String, CommitStatus> ours = new LinkedHashMap<>();
        for (CommitStatus s : posted.getOrDefault(sha, List.of())) {
            ours.put(s.context(), s);
        }
        return new CommitChecks(ci.getOrDefault(sha, List.of()), ours);
    }

    @Override
    public Optional<String> branchHead(RepoRef repo, String branch) {
        return Optional.ofNullable(branches.get(branch));
    }

    @Override
    public Optional<byte[]> fileAt(RepoRef repo, String ref, String path) {
        return Optional.empty();
    }

    @Override
    public void postStatus(RepoRef repo, String sha, CommitStatus status) {
        posted.computeIfAbsent(sha, k -> new ArrayList<>()).add(status);
    }

    @Override
    public ApiCallCounter calls() {
        return calls;
    }

    @Override
    public List<RepoFile> listDirectory(RepoRef repo, String sha, String dir) {
        return List.of();
    }

    @Override
    public Changes changes(RepoRef repo, String baseSha, String headSha) {
        return new Changes(null, List.of());
    }

    @Override
    public Set<String> teamMembers(RepoRef repo, String team) {
        return Set.of();
    }

    @Override
    public void requestReviews(RepoRef repo, long number, List<String> logins, List<String> teams) {}

    @Override
    public byte[] blob(RepoRef repo, String blobSha) {
        throw new ForgeException("no blob " + blobSha, false);
    }

    @Override
    public boolean upsertComment(RepoRef repo, long number, String marker, String body, boolean createIfMissing) {
        return false;
    }

    public List<CommitStatus> posted(String sha) {
        return posted.getOrDefault(sha, List.of());
    }
}
