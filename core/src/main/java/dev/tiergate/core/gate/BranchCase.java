package dev.tiergate.core.gate;

import dev.tiergate.core.policy.Policy;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Everything {@link BranchJudge} may consider about one git branch under a policy, read before it decides.
 *
 * @param gitBranch the branch's name
 * @param policy the policy that judges branch events (the one on the default branch)
 * @param headOnForge the branch's head as the forge shows it now; empty when the branch is gone
 * @param recorded the branch's record, when tiergate tracks it
 * @param dbNamesInUse database branch names in use mapped to their git branch (asked for a branch first seen)
 * @param pullRequestTracked whether the PR the record names is still tracked (asked on a new push)
 */
public record BranchCase(
        String gitBranch,
        Policy policy,
        Optional<String> headOnForge,
        Optional<RecordedBranch> recorded,
        Supplier<Map<String, String>> dbNamesInUse,
        Supplier<Boolean> pullRequestTracked) {}
