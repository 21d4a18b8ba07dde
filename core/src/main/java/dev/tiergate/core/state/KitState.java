package dev.tiergate.core.state;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.core.verdict.Verdict;
import dev.tiergate.core.workflow.WorkflowState;
import java.io.IOException;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;

/**
 * The row the Lakebase kit keeps in {@code .lakebase/workflow-state.json}, as far as tiergate's rules need it: its
 * state, the feature branch it names and the tier that branch forks from. The kit commits the file after every
 * transition: the claim ({@code feature-claimed}), {@code pr-ready} and {@code ci-green} on the feature branch, the
 * {@code merged} row after checking out the parent tier, and the abandon reset ({@code scaffold-complete}) there too.
 */
public record KitState(WorkflowState state, String branch, String parentBranch) {
    private static final Set<WorkflowState> ACTIVE =
            Set.of(WorkflowState.FEATURE_CLAIMED, WorkflowState.PR_READY, WorkflowState.CI_GREEN);

    /** The row of a file that passed its schema; empty when the file is not a kit row at all. */
    public static Optional<KitState> read(byte[] content) {
        try {
            JsonNode root = StateFileValidator.JSON.readTree(content);
            if (root == null || !root.path("state").isTextual()) {
                return Optional.empty();
            }
            return Optional.of(new KitState(
                    WorkflowState.fromWireName(root.get("state").asText()),
                    text(root, "branch"),
                    text(root, "parent_branch")));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty(); // validation says why
        }
    }

    private static String text(JsonNode root, String field) {
        return root.path(field).isTextual() ? root.get(field).asText() : null;
    }

    /** A row from {@code feature-claimed} to {@code ci-green} for this branch: the kit's claim of it. */
    public boolean claims(String gitBranch) {
        return ACTIVE.contains(state) && gitBranch.equals(branch);
    }

    /**
     * Whether this row may be committed on the checked-out branch. A row in flight belongs on its own feature
     * branch. A {@code merged} row is written by the kit after it checks out the parent tier, so it belongs there (or
     * on any tier it is promoted through, or on the feature branch itself); an abandon reset names no branch and may
     * be committed anywhere.
     *
     * @param tierBranches the git branches of the policy's tiers
     */
    public Verdict mayBeCommittedOn(String checkedOut, Collection<String> tierBranches, String path) {
        if (branch == null || branch.equals(checkedOut) || state == WorkflowState.SCAFFOLD_COMPLETE) {
            return Verdict.allowed();
        }
        if (state == WorkflowState.MERGED) {
            if (checkedOut.equals(parentBranch) || tierBranches.contains(checkedOut)) {
                return Verdict.allowed();
            }
            return Verdict.refused(
                    StateFileValidator.RULE_BRANCH_MISMATCH,
                    path + " (branch " + checkedOut + ")",
                    "the merged row of " + branch + " belongs on its parent tier " + parentBranch
                            + " (where the kit's merge writes it), but " + checkedOut + " is checked out",
                    "commit it on " + parentBranch + " (git checkout " + parentBranch + "), or restore this branch's"
                            + " copy: git checkout HEAD -- " + path);
        }
        return Verdict.refused(
                StateFileValidator.RULE_BRANCH_MISMATCH,
                path + " (branch " + checkedOut + ")",
                "the state names branch '" + branch + "' (" + state.wireName() + ") but '" + checkedOut
                        + "' is checked out",
                "commit this state on " + branch + " (git checkout " + branch + "), or restore this branch's copy: "
                        + "git checkout HEAD -- " + path);
    }
}
