package dev.tiergate.core.gate;

import dev.tiergate.core.workflow.WorkflowState;

/**
 * What the judges need of a branch record the server keeps: its kind, state, head, database branch, the PR it is in
 * and the last status tiergate posted for it.
 */
public record RecordedBranch(
        BranchKind kind,
        WorkflowState state,
        String headSha,
        String dbBranch,
        Long prNumber,
        StatusState lastStatus,
        String lastStatusSha) {}
