package dev.tiergate.server.gate;

import dev.tiergate.core.gate.ApprovalRouting;
import dev.tiergate.core.gate.PullRequestFacts;
import dev.tiergate.core.gate.RehearsalEvidence;
import dev.tiergate.server.audit.AuditKind;
import dev.tiergate.server.audit.AuditTrail;
import dev.tiergate.server.forge.Forge;
import dev.tiergate.server.forge.ForgeException;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.MigrationStore;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The server's side of the policy's approval rules: the evidence a PR's rehearsal left, a team's members for one
 * judgement, and the reviews tiergate asks the forge for, once per PR head and set of reviewers (each an audit record).
 */
final class ReviewRouting {
    private final Forge forge;
    private final MigrationStore store;
    private final AuditTrail audit;

    ReviewRouting(Forge forge, MigrationStore store, AuditTrail audit) {
        this.forge = forge;
        this.store = store;
        this.audit = audit;
    }

    /** The PR ended: what was asked for it is history (the audit trail keeps it). */
    void forget(RepoRef repo, long pr) {
        store.forgetReviewRequests(repo, pr);
    }

    Optional<RehearsalEvidence> evidence(RepoRef repo, long pr) {
        return store.evidence(repo, pr);
    }

    /** A team's logins, each team read at most once for one judgement. */
    Function<String, Set<String>> teams(RepoRef repo) {
        Map<String, Set<String>> read = new HashMap<>();
        return team -> read.computeIfAbsent(team, t -> forge.teamMembers(repo, t));
    }

    /**
     * Asks for the reviews unless they were asked for this head already. A forge that refuses (GitHub answers 422 for
     * a login that is not a collaborator) is audited with its answer, and the verdict stands: the status names the
     * role. A forge that cannot answer now is asked again at the next judgement.
     */
    void request(RepoRef repo, PullRequestFacts pr, ApprovalRouting.ReviewRequest ask) {
        String key = String.join(",", ask.logins()) + "|" + String.join(",", ask.teams());
        if (!store.reviewRequested(repo, pr.number(), pr.headSha(), key)) {
            return;
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("sha", pr.headSha());
        details.put("rule", ask.rule());
        details.put("reviewers", ask.logins());
        details.put("teams", ask.teams());
        try {
            forge.requestReviews(repo, pr.number(), ask.logins(), ask.teams());
        } catch (ForgeException e) {
            if (e.retryable()) {
                store.reviewNotRequested(repo, pr.number(), pr.headSha(), key); // asked again at the next judgement
                throw e;
            }
            details.put("refused", String.valueOf(e.getMessage()));
        }
        audit.append(AuditKind.REVIEW_REQUESTED, repo, "pull/" + pr.number(), details);
    }
}
