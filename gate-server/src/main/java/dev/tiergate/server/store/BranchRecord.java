package dev.tiergate.server.store;

import dev.tiergate.core.gate.BranchKind;
import dev.tiergate.core.gate.RecordedBranch;
import dev.tiergate.core.gate.StatusState;
import dev.tiergate.core.workflow.WorkflowState;
import dev.tiergate.server.repo.RepoRef;
import java.time.Instant;

/**
 * A tracked branch: git branch ↔ database branch, its workflow state, and the gate's last verdict (status, the
 * SHA it was for, the rule that decided it and its words), which the API and the branch page show even where a
 * forge cannot (GitLab keeps a pending job's first description).
 */
public record BranchRecord(
        RepoRef repo,
        String gitBranch,
        String dbBranch,
        String parent,
        BranchKind kind,
        WorkflowState state,
        String headSha,
        Long prNumber,
        String actorLogin,
        StatusState lastStatus,
        String lastStatusSha,
        Instant updatedAt,
        String lastRule,
        String lastDescription) {

    /** A branch as first tracked: no pull request, no actor, no verdict yet ({@code headSha} may be null). */
    public static BranchRecord tracked(
            RepoRef repo,
            String gitBranch,
            String dbBranch,
            String parent,
            BranchKind kind,
            WorkflowState state,
            String headSha) {
        return new BranchRecord(
                repo, gitBranch, dbBranch, parent, kind, state, headSha, null, null, null, null, null, null, null);
    }

    /** The pull request the branch is in, and its author. */
    public BranchRecord withPullRequest(Long number, String author) {
        return new BranchRecord(
                repo,
                gitBranch,
                dbBranch,
                parent,
                kind,
                state,
                headSha,
                number,
                author,
                lastStatus,
                lastStatusSha,
                updatedAt,
                lastRule,
                lastDescription);
    }

    public BranchRecord withState(WorkflowState s) {
        return new BranchRecord(
                repo,
                gitBranch,
                dbBranch,
                parent,
                kind,
                s,
                headSha,
                prNumber,
                actorLogin,
                lastStatus,
                lastStatusSha,
                updatedAt,
                lastRule,
                lastDescription);
    }

    public BranchRecord withHead(String sha) {
        return new BranchRecord(
                repo,
                gitBranch,
                dbBranch,
                parent,
                kind,
                state,
                sha,
                prNumber,
                actorLogin,
                lastStatus,
                lastStatusSha,
                updatedAt,
                lastRule,
                lastDescription);
    }

    public BranchRecord withStatus(StatusState s, String sha) {
        return new BranchRecord(
                repo,
                gitBranch,
                dbBranch,
                parent,
                kind,
                state,
                headSha,
                prNumber,
                actorLogin,
                s,
                sha,
                updatedAt,
                lastRule,
                lastDescription);
    }

    public BranchRecord withVerdict(StatusState s, String sha, String rule, String description) {
        return new BranchRecord(
                repo,
                gitBranch,
                dbBranch,
                parent,
                kind,
                state,
                headSha,
                prNumber,
                actorLogin,
                s,
                sha,
                updatedAt,
                rule,
                description);
    }

    /** What the core's judges need of this record. */
    public RecordedBranch recorded() {
        return new RecordedBranch(kind, state, headSha, dbBranch, prNumber, lastStatus, lastStatusSha);
    }
}
