package dev.tiergate.server.forge;

import dev.tiergate.core.gate.Approval;
import dev.tiergate.core.gate.PullRequestFacts;
import dev.tiergate.server.repo.RepoRef;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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

    /**
     * The merged or closed PRs whose head is {@code branch}: how the reconciler learns of a PR that was opened and
     * merged while every delivery about it was lost (GitHub does not deliver a failed webhook again by itself).
     */
    List<PullRequestFacts> closedPullRequestsFrom(RepoRef repo, String branch);

    /** Branch name → head SHA, for the reconciler. */
    Map<String, String> branches(RepoRef repo);

    List<Approval> approvals(RepoRef repo, long number);

    /** CI results on a SHA (tiergate's own never among them) and tiergate's own statuses as the forge shows them. */
    CommitChecks checks(RepoRef repo, String sha);

    /** A branch's head SHA as the forge shows it now; empty when the branch does not exist. */
    Optional<String> branchHead(RepoRef repo, String branch);

    /** A file's bytes at a commit SHA or branch name; empty when it does not exist there. */
    Optional<byte[]> fileAt(RepoRef repo, String ref, String path);

    /** Posts a status. Callers compare with {@link #checks} first: the forge keeps every post (GitHub: 1,000 per SHA and context). */
    void postStatus(RepoRef repo, String sha, CommitStatus status);

    /** The files directly in {@code dir} at commit {@code sha} (not its subfolders); empty when there is no such folder. */
    List<RepoFile> listDirectory(RepoRef repo, String sha, String dir);

    /**
     * What a PR changed: where its head forked from its base (the merge base) and the files it removed since, so a PR
     * is judged by its own changes (a file on the base that the head lacks because it is behind is not one it removed).
     */
    Changes changes(RepoRef repo, String baseSha, String headSha);

    /**
     * A PR's own changes: its merge base ({@code null} when the forge cannot say), the paths it removed, and every path
     * it touched (added, changed, renamed from or to, removed).
     */
    record Changes(String mergeBase, List<String> removed, List<String> touched) {
        public Changes {
            removed = List.copyOf(removed);
            touched = List.copyOf(touched);
        }

        public Changes(String mergeBase, List<String> removed) {
            this(mergeBase, removed, removed);
        }
    }

    /**
     * The logins (lower case) of a team: GitHub {@code org/team-slug}, GitLab a group's path (its members, inherited
     * ones included). A team the forge does not know has no members.
     */
    Set<String> teamMembers(RepoRef repo, String team);

    /**
     * Asks for reviews on a PR: GitHub's requested reviewers (logins and team slugs), GitLab's reviewers (users; a
     * group's members). Throws {@link ForgeException} when the forge refuses.
     */
    void requestReviews(RepoRef repo, long number, List<String> logins, List<String> teams);

    /** A file's content by its blob SHA (content-addressed: never changes, so callers may keep it). */
    byte[] blob(RepoRef repo, String blobSha);

    /**
     * Updates tiergate's one comment on a PR, found by {@code marker} (an HTML comment in its body), or creates it when
     * {@code createIfMissing}. Returns true when it wrote.
     */
    boolean upsertComment(RepoRef repo, long number, String marker, String body, boolean createIfMissing);

    /**
     * Whether the forge already shows what {@code wanted} says, so posting would change nothing. By default the
     * same state, description and link.
     */
    default boolean alreadyShows(CommitStatus wanted, CommitStatus shown) {
        return wanted.sameAs(shown);
    }

    /** This forge client's API calls so far. */
    ApiCallCounter calls();

    /** Answers an external status check for exactly {@code sha} (GitLab); forges without them ignore it. */
    default void answerStatusCheck(RepoRef repo, long number, String sha, long checkId, boolean passed) {}

    /**
     * For the doctor: whether these credentials can read {@code repoPath} ("owner/name") and post its statuses, each
     * entry {ok, text, fix}; empty where the forge has no such check (or the path is not one of its repositories).
     */
    default List<String[]> accessChecks(String repoPath) {
        return List.of();
    }
}
