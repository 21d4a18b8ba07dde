package dev.tiergate.core.gate;

import dev.tiergate.core.gate.BranchClassifier.TrackedBranch;
import dev.tiergate.core.workflow.WorkflowState;
import java.util.List;
import java.util.Optional;

/**
 * What {@link BranchJudge} decided for one git branch: the ordered actions the server's applier carries out, and the
 * PR from this branch that has to be judged again because its head moved.
 */
public record BranchPlan(List<Action> actions, Optional<Long> judgeAgain) {

    public BranchPlan {
        actions = List.copyOf(actions);
    }

    static BranchPlan nothing() {
        return new BranchPlan(List.of(), Optional.empty());
    }

    /** One outcome the applier brings about. */
    public sealed interface Action permits Track, SetUpTier, Follow, MoveHead, KeepTierDatabase, Forget {}

    /** The branch is tracked from {@code head} in {@code state}: its record and its first transition. */
    public record Track(TrackedBranch branch, WorkflowState state, String head) implements Action {}

    /** The tier's set-up run: its database made from its parent or seed, then its migrations. */
    public record SetUpTier(String tier) implements Action {}

    /**
     * The working branch's follow run: its database made from its tier if missing, then the head's migrations;
     * {@code followed} is the head it followed last (null: none), {@code collisionNote} why its name was changed.
     */
    public record Follow(String head, String followed, String collisionNote) implements Action {}

    /** The record holds the branch's new head. */
    public record MoveHead(String head) implements Action {}

    /** A tier's git branch was deleted: its database is kept and the deletion audited as a refusal. */
    public record KeepTierDatabase(String dbBranch) implements Action {}

    /** A working branch was deleted: its database branch and its record go. */
    public record Forget(String dbBranch) implements Action {}
}
