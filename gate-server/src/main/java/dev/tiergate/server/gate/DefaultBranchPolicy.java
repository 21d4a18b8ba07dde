package dev.tiergate.server.gate;

import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.PolicyException;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.server.audit.AuditKind;
import dev.tiergate.server.audit.AuditTrail;
import dev.tiergate.server.repo.RepoRef;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The policy on a repository's default branch, which judges branch events and runs, read three ways: to judge by
 * (an invalid file is audited once per new message, not per event), to show (the dashboard: any failure is "none"),
 * and to decide who gets a login (the branch API: an invalid file or a forge that does not answer is an exception the
 * caller refuses on).
 */
final class DefaultBranchPolicy {
    private final PolicySource policies;
    private final AuditTrail audit;
    /** The last invalid-policy message reported per repository, so a broken policy is audited once, not per event. */
    private final Map<RepoRef, String> reportedPolicyProblems = new ConcurrentHashMap<>();

    DefaultBranchPolicy(PolicySource policies, AuditTrail audit) {
        this.policies = policies;
        this.audit = audit;
    }

    /** To judge by: empty when the file is missing or invalid (audited once per message). */
    Optional<Policy> judging(RepoRef repo) {
        try {
            Optional<Policy> p = policies.onDefaultBranch(repo);
            reportedPolicyProblems.remove(repo);
            return p;
        } catch (PolicyException e) {
            if (!e.getMessage().equals(reportedPolicyProblems.put(repo, e.getMessage()))) {
                audit.append(
                        AuditKind.REFUSAL,
                        repo,
                        null,
                        Map.of("rule", Rule.POLICY_INVALID.id(), "message", e.getMessage()));
            }
            return Optional.empty();
        }
    }

    /** To show: empty when it is missing, invalid or the forge does not answer; nothing is audited. */
    Optional<Policy> toShow(RepoRef repo) {
        try {
            return policies.onDefaultBranch(repo);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * To decide who gets a login: empty when the file is missing; {@link PolicyException} when invalid, the forge's
     * exception when it does not answer, so the caller can tell the two apart and refuse. Nothing is audited.
     */
    Optional<Policy> forAccess(RepoRef repo) {
        return policies.onDefaultBranch(repo);
    }
}
