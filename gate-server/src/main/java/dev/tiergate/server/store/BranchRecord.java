package dev.tiergate.server.store;

import dev.tiergate.core.gate.BranchKind;
import dev.tiergate.core.gate.StatusState;
import dev.tiergate.core.workflow.WorkflowState;
import dev.tiergate.server.forge.RepoRef;
import java.time.Instant;

/** A tracked branch: git branch ↔ database branch, its workflow state, and the last status tiergate posted. */
public record BranchRecord(RepoRef repo, String gitBranch, String dbBranch, String parent, BranchKind kind,
                           WorkflowState state, String headSha, Long prNumber, String actorLogin,
                           StatusState lastStatus, String lastStatusSha, Instant updatedAt) {

    public BranchRecord withState(WorkflowState s) {
        return new BranchRecord(repo, gitBranch, dbBranch, parent, kind, s, headSha, prNumber, actorLogin, lastStatus, lastStatusSha, updatedAt);
    }

    public BranchRecord withHead(String sha) {
        return new BranchRecord(repo, gitBranch, dbBranch, parent, kind, state, sha, prNumber, actorLogin, lastStatus, lastStatusSha, updatedAt);
    }

    public BranchRecord withStatus(StatusState s, String sha) {
        return new BranchRecord(repo, gitBranch, dbBranch, parent, kind, state, headSha, prNumber, actorLogin, s, sha, updatedAt);
    }
}
