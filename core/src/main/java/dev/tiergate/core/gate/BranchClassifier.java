package dev.tiergate.core.gate;

import dev.tiergate.core.naming.DbBranchName;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.policy.WorkingBranchType;
import java.util.Map;
import java.util.Optional;

/** Decides what a git branch is under a policy and which database branch it maps to. */
public final class BranchClassifier {
    private BranchClassifier() {}

    /** A branch tiergate tracks: its database branch, the tier database it forks from, and its kind. */
    public record TrackedBranch(
            String gitBranch, String dbBranch, String parentDbBranch, BranchKind kind, String collisionNote) {}

    /**
     * Tiers and working branches are tracked; any other branch is not (empty). {@code taken} maps database
     * branch names in use to their git branch, so colliding names are kept apart.
     */
    public static Optional<TrackedBranch> classify(Policy policy, String gitBranch, Map<String, String> taken) {
        Optional<Tier> tier = policy.tierForBranch(gitBranch);
        if (tier.isPresent()) {
            String parentDb = tier.get().parent() == null
                    ? null
                    : DbBranchName.of(tier.get().parent());
            return Optional.of(
                    new TrackedBranch(gitBranch, DbBranchName.of(tier.get().name()), parentDb, BranchKind.TIER, null));
        }
        Optional<WorkingBranchType> type = policy.typeForBranch(gitBranch);
        if (type.isEmpty()) {
            return Optional.empty();
        }
        DbBranchName.Assignment name = DbBranchName.assign(DbBranchName.of(gitBranch), gitBranch, taken);
        return Optional.of(new TrackedBranch(
                gitBranch,
                name.name(),
                DbBranchName.of(type.get().target()),
                BranchKind.WORKING,
                name.collided() ? name.explanation(gitBranch) : null));
    }

    /** The database branch a pull request's CI runs against. */
    public static String ciDbBranch(long number) {
        return "ci-pr-" + number;
    }

    /** The git-side name tiergate uses for a PR's CI branch record. */
    public static String ciGitBranch(long number) {
        return "pull/" + number;
    }
}
