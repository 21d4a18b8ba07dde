package dev.tiergate.core.gate;

/**
 * A pull request (GitHub) or merge request (GitLab) as re-read from the forge API by SHA, never as the
 * webhook payload claimed it. {@code number} is the PR number / MR iid.
 */
public record PullRequestFacts(
        long number,
        String headBranch,
        String headSha,
        String baseBranch,
        String baseSha,
        ForgeIdentity author,
        boolean open,
        boolean merged,
        String url) {}
