package dev.tiergate.core.gate;

import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.workflow.WorkflowState;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a pull request's branch stands, computed from re-read facts (level-triggered: duplicates and order of
 * deliveries do not matter), and the steps from the recorded state to it.
 */
public final class PullRequestWorkflow {
    private PullRequestWorkflow() {}

    /** The state the facts put the PR in. */
    public static WorkflowState stateFor(Policy policy, PullRequestFacts pr, List<CheckResult> checksOnHead) {
        if (pr.merged()) {
            return WorkflowState.MERGED;
        }
        if (!pr.open()) {
            return WorkflowState.FEATURE_CLAIMED;
        }
        return CiVerdict.green(policy, checksOnHead) ? WorkflowState.CI_GREEN : WorkflowState.PR_READY;
    }

    /**
     * The transitions from {@code recorded} (null: untracked) to {@code target}, one allowed step at a time, so the
     * history shows every state. A SHA change while ci-green goes back to pr-ready first: what was tested merges.
     * A merge that skipped states is returned as the single step it was (the caller records a violation).
     */
    public static List<WorkflowState> steps(WorkflowState recorded, boolean headMoved, WorkflowState target) {
        List<WorkflowState> out = new ArrayList<>();
        WorkflowState at = recorded == null ? WorkflowState.FEATURE_CLAIMED : recorded;
        if (recorded == null) {
            out.add(at);
        }
        if (at == WorkflowState.CI_GREEN && headMoved && target != WorkflowState.MERGED) {
            at = WorkflowState.PR_READY;
            out.add(at);
        }
        if (target == WorkflowState.MERGED || target == WorkflowState.FEATURE_CLAIMED) {
            if (at != target) {
                out.add(target);
            }
            return out;
        }
        if (at == WorkflowState.MERGED || at == WorkflowState.SCAFFOLD_COMPLETE) {
            at = WorkflowState.FEATURE_CLAIMED; // reopened after merge/abandon: the next claim
            out.add(at);
        }
        while (at != target) {
            at = switch (at) {
                case FEATURE_CLAIMED -> WorkflowState.PR_READY;
                case PR_READY -> target == WorkflowState.CI_GREEN ? WorkflowState.CI_GREEN : WorkflowState.PR_READY;
                case CI_GREEN -> WorkflowState.PR_READY;
                default -> target;
            };
            out.add(at);
            if (out.size() > 8) {
                break;
            }
        }
        return out;
    }

    /** A merge is a violation when the gate's last posted status for the merged head was not success. */
    public static boolean mergeWasViolation(StatusState lastPosted, String lastPostedSha, String mergedHeadSha) {
        return lastPosted != StatusState.SUCCESS || lastPostedSha == null || !lastPostedSha.equals(mergedHeadSha);
    }
}
