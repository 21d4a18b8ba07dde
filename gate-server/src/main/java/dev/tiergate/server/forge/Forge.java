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

    /** The repository's default branch, where the policy for branch events is read. */
    String defaultBranch(RepoRef repo);

    PullRequestFacts pullRequest(RepoRef repo, long number);

    List<PullRequestFacts> openPullRequests(RepoRef repo);

    /** Branch name → head SHA, for the reconciler. */
    java.util.Map<String, String> branches(RepoRef repo);

    List<Approval> approvals(RepoRef repo, long number);

    List<CheckResult> checks(RepoRef repo, String sha);

    /** A file's bytes at a commit SHA or branch name; empty when it does not exist there. */
    Optional<byte[]> fileAt(RepoRef repo, String ref, String path);

    void postStatus(RepoRef repo, String sha, CommitStatus status);

    /** Answers an external status check for exactly {@code sha} (GitLab); forges without them ignore it. */
    default void answerStatusCheck(RepoRef repo, long number, String sha, long checkId, boolean passed) {
    }
}
