package dev.tiergate.core.gate;

import dev.tiergate.core.workflow.WorkflowState;

/** Why a pull request's branch moved from one state to the next, in the words the history and audit show. */
public final class TransitionReason {
    private TransitionReason() {}

    public static String of(WorkflowState from, WorkflowState to, boolean headMoved) {
        return switch (to) {
            case FEATURE_CLAIMED ->
                from == null
                        ? "PR seen"
                        : from == WorkflowState.MERGED || from == WorkflowState.SCAFFOLD_COMPLETE
                                ? "PR reopened"
                                : "PR closed without merge";
            case PR_READY ->
                from == WorkflowState.CI_GREEN
                        ? (headMoved ? "new push: CI must pass again" : "CI no longer green")
                        : "PR opened";
            case CI_GREEN -> "required CI checks green";
            case MERGED -> "PR merged";
            case SCAFFOLD_COMPLETE -> "abandoned";
        };
    }
}
