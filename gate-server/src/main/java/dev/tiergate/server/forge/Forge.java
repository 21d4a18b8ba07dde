package dev.tiergate.server.forge;

import dev.tiergate.core.gate.Approval;
import dev.tiergate.core.gate.CheckResult;
import dev.tiergate.core.gate.PullRequestFacts;
import java.util.List;
import java.util.Optional;

/**
 * The seam to one forge's REST API (one implementation per forge, in its own package). Workers re-read facts
 * through it by SHA because webhooks arrive late, twice or out of order. Failures throw {@link ForgeException}.
 */
public interface Forge {
    String id();

    PullRequestFacts pullRequest(RepoRef repo, long number);

    List<PullRequestFacts> openPullRequests(RepoRef repo);

    /** Branch name → head SHA, for the reconciler. */
    java.util.Map<String, String> branches(RepoRef repo);

    List<Approval> approvals(RepoRef repo, long number);

    List<CheckResult> checks(RepoRef repo, String sha);

    Optional<byte[]> fileAt(RepoRef repo, String sha, String path);

    void postStatus(RepoRef repo, String sha, CommitStatus status);
}
