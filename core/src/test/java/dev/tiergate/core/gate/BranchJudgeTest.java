package dev.tiergate.core.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.gate.BranchClassifier.TrackedBranch;
import dev.tiergate.core.gate.BranchPlan.Follow;
import dev.tiergate.core.gate.BranchPlan.Forget;
import dev.tiergate.core.gate.BranchPlan.KeepTierDatabase;
import dev.tiergate.core.gate.BranchPlan.MoveHead;
import dev.tiergate.core.gate.BranchPlan.SetUpTier;
import dev.tiergate.core.gate.BranchPlan.Track;
import dev.tiergate.core.workflow.WorkflowState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The judge of one git branch, table by table, without a database; lazy reads are asked only where they matter. */
class BranchJudgeTest {
    static final String SHA = MergeGateTest.SHA;
    static final String OLD = "0".repeat(40);
    final List<String> asked = new ArrayList<>();

    BranchPlan judge(String branch, Optional<String> head, Optional<RecordedBranch> recorded) {
        return judge(branch, head, recorded, Map.of(), true);
    }

    BranchPlan judge(
            String branch,
            Optional<String> head,
            Optional<RecordedBranch> recorded,
            Map<String, String> taken,
            boolean prTracked) {
        return BranchJudge.judge(new BranchCase(
                branch,
                MergeGateTest.POLICY,
                head,
                recorded,
                () -> {
                    asked.add("dbNames");
                    return taken;
                },
                () -> {
                    asked.add("prTracked");
                    return prTracked;
                }));
    }

    static Optional<RecordedBranch> working(WorkflowState state, String sha, Long pr) {
        return Optional.of(new RecordedBranch(BranchKind.WORKING, state, sha, "feature-f1", pr, null, null));
    }

    @Test
    void aNewFeatureBranchIsClaimedAndItsDatabaseFollowsItsHead() {
        BranchPlan plan = judge("feature/f1", Optional.of(SHA), Optional.empty());
        assertEquals(
                List.of(
                        new Track(
                                new TrackedBranch("feature/f1", "feature-f1", "staging", BranchKind.WORKING, null),
                                WorkflowState.FEATURE_CLAIMED,
                                SHA),
                        new Follow(SHA, null, null)),
                plan.actions());
        assertEquals(Optional.empty(), plan.judgeAgain());
    }

    @Test
    void aNewTierBranchIsScaffoldedAndSetUp() {
        BranchPlan plan = judge("staging", Optional.of(SHA), Optional.empty());
        assertEquals(
                List.of(
                        new Track(
                                new TrackedBranch("staging", "staging", "production", BranchKind.TIER, null),
                                WorkflowState.SCAFFOLD_COMPLETE,
                                SHA),
                        new SetUpTier("staging")),
                plan.actions());
    }

    @Test
    void aNameTakenByAnotherBranchIsKeptApartAndSaysWhy() {
        BranchPlan plan =
                judge("feature/f1", Optional.of(SHA), Optional.empty(), Map.of("feature-f1", "feature_f1"), true);
        Track t = (Track) plan.actions().get(0);
        assertTrue(!t.branch().dbBranch().equals("feature-f1"), t.toString());
        Follow f = (Follow) plan.actions().get(1);
        assertTrue(f.collisionNote() != null && f.collisionNote().contains("feature_f1"), f.toString());
    }

    @Test
    void aBranchThatIsNeitherTierNorWorkingIsNotTracked() {
        assertEquals(List.of(), judge("wip", Optional.of(SHA), Optional.empty()).actions());
    }

    @Test
    void aPushMovesTheHeadFollowsAndSendsTheOpenPrBack() {
        BranchPlan plan = judge("feature/f1", Optional.of(SHA), working(WorkflowState.CI_GREEN, OLD, 7L));
        assertEquals(List.of(new MoveHead(SHA), new Follow(SHA, OLD, null)), plan.actions());
        assertEquals(Optional.of(7L), plan.judgeAgain());
    }

    @Test
    void aPushWhosePrIsNoLongerTrackedSendsNothingBack() {
        BranchPlan plan =
                judge("feature/f1", Optional.of(SHA), working(WorkflowState.PR_READY, OLD, 7L), Map.of(), false);
        assertEquals(Optional.empty(), plan.judgeAgain());
    }

    @Test
    void aPushWithoutPrDoesNotAskForOne() {
        judge("feature/f1", Optional.of(SHA), working(WorkflowState.FEATURE_CLAIMED, OLD, null));
        assertEquals(List.of(), asked);
    }

    @Test
    void theSameHeadAgainIsADuplicate() {
        assertEquals(
                List.of(),
                judge("feature/f1", Optional.of(SHA), working(WorkflowState.PR_READY, SHA, 7L))
                        .actions());
        assertEquals(List.of(), asked);
    }

    @Test
    void aMergedBranchPushedAgainMovesItsHeadButRunsNothing() {
        BranchPlan plan = judge("feature/f1", Optional.of(SHA), working(WorkflowState.MERGED, OLD, null));
        assertEquals(List.of(new MoveHead(SHA)), plan.actions());
    }

    @Test
    void aPushToATierMovesItsHeadOnly() {
        BranchPlan plan = judge(
                "staging",
                Optional.of(SHA),
                Optional.of(new RecordedBranch(
                        BranchKind.TIER, WorkflowState.SCAFFOLD_COMPLETE, OLD, "staging", null, null, null)));
        assertEquals(List.of(new MoveHead(SHA)), plan.actions());
    }

    @Test
    void aDeletedWorkingBranchLosesItsDatabase() {
        assertEquals(
                List.of(new Forget("feature-f1")),
                judge("feature/f1", Optional.empty(), working(WorkflowState.PR_READY, SHA, 7L))
                        .actions());
    }

    @Test
    void aDeletedTierBranchKeepsItsDatabase() {
        BranchPlan plan = judge(
                "staging",
                Optional.empty(),
                Optional.of(new RecordedBranch(
                        BranchKind.TIER, WorkflowState.SCAFFOLD_COMPLETE, SHA, "staging", null, null, null)));
        assertEquals(List.of(new KeepTierDatabase("staging")), plan.actions());
    }

    @Test
    void aPrsBranchRecordLivesWithThePrNotWithAGitBranch() {
        BranchPlan plan = judge(
                "pull/7",
                Optional.empty(),
                Optional.of(new RecordedBranch(BranchKind.CI, WorkflowState.PR_READY, SHA, "ci-pr-7", 7L, null, null)));
        assertEquals(List.of(), plan.actions());
    }

    @Test
    void aDeletedBranchTiergateNeverTrackedChangesNothing() {
        assertEquals(
                List.of(),
                judge("feature/x", Optional.empty(), Optional.empty()).actions());
        assertEquals(List.of(), asked);
    }
}
