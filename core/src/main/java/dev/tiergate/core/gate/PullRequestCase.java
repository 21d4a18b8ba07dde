package dev.tiergate.core.gate;

import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.state.Claim;
import dev.tiergate.core.verdict.Refusal;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Everything {@link PullRequestJudge} may consider about one pull request, read before it decides. The cheap facts
 * are values; the reads that cost a forge or backend call and matter only on some paths (the approvals, the files at
 * the head, the PR's removed files, a hold on the base tier) are suppliers the judge calls only when its verdict
 * depends on them, so the server's API budget stays what it was when deciding and reading were interleaved.
 *
 * @param pr the PR as re-read from the forge
 * @param policy the policy at the PR's base commit: valid, absent or invalid (not read for a PR that ended before
 *     tiergate tracked it)
 * @param ci the record of {@code ci-pr-<N>}, when tiergate tracks the PR already
 * @param head the record of the PR's head branch, of any kind
 * @param checksOnHead the CI checks on the head (none once the PR is closed)
 * @param headDatabaseLeftOver whether the head branch's database branch still exists (asked on a closed PR only)
 * @param tierHold the hold on the base tier, if a merge or its set-up failed there
 * @param privilegesDrifted whether the base tier's privileges drifted from the policy and the policy holds on that
 * @param rehearsed whether this head on this base was rehearsed already
 * @param stateFileRefusal the first refusal of a workflow state file at the head
 * @param removedFiles the paths the PR removes since its merge base (asked for agents' PRs only)
 * @param claimAtHead the claim of the head branch in tiergate's state file at the head (asked for agents' PRs only)
 * @param approvals the reviews approving the PR (asked once CI is green on this head)
 * @param evidence what the last rehearsal of this PR measured (asked only under approval rules)
 * @param touchedFiles the paths the PR changes since its merge base (asked only under a rule on files)
 * @param teamMembers a team's logins, lower case (asked only under a rule naming a team)
 * @param tierDrift the base tier's drift from its migrations as the last drift pass recorded it, in words (asked only
 *     when the tier holds on drift)
 */
public record PullRequestCase(
        PullRequestFacts pr,
        Supplier<PolicyAtBase> policy,
        Optional<RecordedBranch> ci,
        Optional<RecordedBranch> head,
        List<CheckResult> checksOnHead,
        Supplier<Boolean> headDatabaseLeftOver,
        Supplier<Optional<TierHold>> tierHold,
        Supplier<Boolean> privilegesDrifted,
        Supplier<Boolean> rehearsed,
        Supplier<Optional<Refusal>> stateFileRefusal,
        Supplier<List<String>> removedFiles,
        Supplier<Optional<Claim>> claimAtHead,
        Supplier<List<Approval>> approvals,
        Supplier<Optional<RehearsalEvidence>> evidence,
        Supplier<List<String>> touchedFiles,
        Function<String, Set<String>> teamMembers,
        Supplier<Optional<String>> tierDrift) {

    /** The policy file on the base commit as the reader found it: exactly one of valid, absent, invalid. */
    public record PolicyAtBase(Policy policy, String error) {
        public static PolicyAtBase valid(Policy policy) {
            return new PolicyAtBase(policy, null);
        }

        public static PolicyAtBase absent() {
            return new PolicyAtBase(null, null);
        }

        public static PolicyAtBase invalid(String error) {
            return new PolicyAtBase(null, error);
        }
    }

    /** A tier held after a failure: by PR {@code pullRequest}'s migration, or (null) by its own set-up. */
    public record TierHold(Long pullRequest) {}
}
