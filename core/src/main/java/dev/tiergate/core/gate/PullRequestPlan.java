package dev.tiergate.core.gate;

import dev.tiergate.core.workflow.WorkflowState;
import java.util.List;
import java.util.Optional;

/**
 * What {@link PullRequestJudge} decided for one pull request, as the ordered actions the server's applier carries
 * out. Each action names an outcome, not a write: the applier compares with what the store, the forge and the
 * backend hold and writes only the difference, so a plan applied twice changes nothing the second time.
 */
public record PullRequestPlan(List<Action> actions) {

    public PullRequestPlan {
        actions = List.copyOf(actions);
    }

    /** Whether the plan holds an action of this type. */
    public boolean has(Class<? extends Action> type) {
        return actions.stream().anyMatch(type::isInstance);
    }

    /** The verdict posted on the head, if the plan posts one. */
    public Optional<GateStatus> posted() {
        return actions.stream()
                .filter(Post.class::isInstance)
                .map(a -> ((Post) a).status())
                .findFirst();
    }

    /** One outcome the applier brings about. */
    public sealed interface Action
            permits SetUpTiers,
                    TrackHead,
                    Track,
                    Step,
                    MigrateBase,
                    ForgetRehearsal,
                    RecordViolation,
                    EndPullRequest,
                    RemoveHeadDatabase,
                    Post,
                    RecordVerdict,
                    RequestReviews,
                    Rehearse {}

    /** Every tier of the policy has its record and database branch. */
    public record SetUpTiers() implements Action {}

    /** The PR's head branch, not yet tracked, is tracked from its head SHA. */
    public record TrackHead() implements Action {}

    /** {@code ci-pr-<N>} is tracked from now on, as a child of {@code parentDb} (null: the base is not a tier). */
    public record Track(String parentDb) implements Action {}

    /** One state step of {@code ci-pr-<N>}, mirrored on the head working branch. */
    public record Step(WorkflowState from, WorkflowState to, String reason) implements Action {}

    /** The base tier migrates, in a run of its own. */
    public record MigrateBase() implements Action {}

    /** The PR's last rehearsal is no longer kept. */
    public record ForgetRehearsal() implements Action {}

    /** An audit record of a broken rule that the gate could not prevent (a merge past it). */
    public record RecordViolation(String rule, String message) implements Action {}

    /** The PR ended: its {@code ci-pr-<N>} record and database branch go, and on a merge its head's database too. */
    public record EndPullRequest(boolean merged) implements Action {}

    /** A merge whose clean-up stopped halfway: the merged head's database branch still exists and goes. */
    public record RemoveHeadDatabase() implements Action {}

    /**
     * {@code tiergate/workflow} on the head shows {@code status}; when that changes what the forge shows and it is a
     * failure, {@code refusal} is what the audit record says.
     */
    public record Post(GateStatus status, String refusal) implements Action {}

    /**
     * Ask the forge for the reviews an approval rule needs (GitHub requested reviewers, GitLab reviewers): once per
     * head, the applier keeps which it asked.
     */
    public record RequestReviews(ApprovalRouting.ReviewRequest request) implements Action {}

    /** The verdict is kept on the {@code ci-pr-<N>} record, for the dashboard and for a merge's violation check. */
    public record RecordVerdict(GateStatus status) implements Action {}

    /** {@code ci-pr-<N>} is made afresh from the base tier and the PR's migrations rehearsed on it, in a run. */
    public record Rehearse() implements Action {}
}
