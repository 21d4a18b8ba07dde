package dev.tiergate.server.forge;

import dev.tiergate.server.repo.RepoRef;

/**
 * What a webhook delivery means, forge-neutral. An event is a hint to look again, not a fact to apply:
 * workers re-read the current state through {@link Forge} before deciding.
 */
public sealed interface ForgeEvent {
    RepoRef repo();

    /** A branch was created, moved or deleted ({@code after} all zeros / null when deleted). */
    record BranchPushed(RepoRef repo, String branch, String before, String after, boolean created, boolean deleted)
            implements ForgeEvent {}

    /** Something happened to a PR/MR; workers re-read it by number. */
    record PullRequestChanged(RepoRef repo, long number, Action action, String headSha) implements ForgeEvent {
        public enum Action {
            OPENED,
            REOPENED,
            SYNCHRONIZED,
            BASE_CHANGED,
            EDITED,
            CLOSED,
            MERGED,
            APPROVAL_CHANGED
        }
    }

    /**
     * CI reported on a SHA (status, check run/suite, pipeline). {@code otherJobs}, where the payload lists the
     * pipeline's jobs (GitLab), names every job but tiergate's own with its status, so a delivery whose only
     * change is tiergate's own job can be told apart; null when the payload does not say.
     */
    record ChecksChanged(RepoRef repo, String sha, String otherJobs) implements ForgeEvent {
        public ChecksChanged(RepoRef repo, String sha) {
            this(repo, sha, null);
        }
    }

    /** GitHub merge queue: the status must be posted on the group's head SHA too. */
    record MergeGroupRequested(RepoRef repo, String headSha, String headRef, String baseBranch) implements ForgeEvent {}

    /** GitLab external status check request: answer passed/failed for exactly this SHA. */
    record ExternalStatusCheckRequested(RepoRef repo, long number, String sha, long statusCheckId)
            implements ForgeEvent {}

    /** Recorded and otherwise ignored (ping, tags, events tiergate does not use). */
    record Ignored(RepoRef repo, String reason) implements ForgeEvent {}
}
