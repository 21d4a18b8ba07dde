package dev.tiergate.server.http;

import dev.tiergate.core.access.BranchLogin;
import dev.tiergate.core.gate.BranchKind;
import dev.tiergate.core.policy.DatabaseAccess;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.PolicyException;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.server.audit.AuditKind;
import dev.tiergate.server.audit.AuditTrail;
import dev.tiergate.server.backend.BackendException;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.backend.BranchConnection;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.ApiTokenStore;
import dev.tiergate.server.store.BranchRecord;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An actor's own database login on a tracked branch, as the policy on the repository's default branch allows it: read
 * the policy, decide ({@link BranchLogin}, pure), make sure the policy's group roles hold their privileges there, then
 * ask the backend for the actor's login, a member of exactly the groups decided, until the policy's credential hours
 * have passed (a bot's on a PR's copy: for the PR's life). Every login given or refused is an audit record
 * ({@code credential.issued}, {@code credential.refused}) naming the actor, the branch, the groups, the expiry and the
 * rule; a password is in the answer to the caller and nowhere else.
 */
final class ActorLogins {
    /** The policy on a repository's default branch: empty when it has none; {@link PolicyException} when invalid. */
    @FunctionalInterface
    interface PolicyLookup {
        Optional<Policy> onDefaultBranch(RepoRef repo);
    }

    private final BranchBackend backend;
    private final PolicyLookup policies;
    private final AuditTrail audit;
    private final Clock clock;

    ActorLogins(BranchBackend backend, PolicyLookup policies, AuditTrail audit, Clock clock) {
        this.backend = backend;
        this.policies = policies;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * The connection for {@code token}'s actor on {@code r}: host, port, database, user, url (with the password),
     * valid_until (null: the PR's life) and groups. Refused with an {@link ApiRefusal} that says why and what to do.
     */
    Map<String, Object> issue(BranchRecord r, ApiTokenStore.ApiToken token) {
        Policy policy = policy(r, token);
        BranchLogin decision = BranchLogin.decide(policy, r.kind(), r.gitBranch(), r.actorLogin(), token.actor());
        if (!decision.granted()) {
            refused(r, token, decision.rule(), "no group");
            throw ApiRefusal.byRule(decision.rule(), decision.refusal(r.repo().path()), decision.fix());
        }
        Instant until = decision.validUntil(clock.instant().truncatedTo(ChronoUnit.SECONDS));
        BranchConnection c;
        try {
            DatabaseAccess access = policy.access();
            boolean heldOnDrift = r.kind() == BranchKind.TIER
                    && policy.tierForBranch(r.gitBranch())
                            .flatMap(t -> access.tier(t.name()))
                            .map(DatabaseAccess.TierAccess::holdsOnDrift)
                            .orElse(false);
            if (!heldOnDrift) { // the runs apply them too; a tier that holds on drift is left as it is for tiergate
                // grants apply
                backend.applyAccess(r.repo(), r.dbBranch(), access.groupsOrDefault());
            }
            c = backend.credential(r.repo(), r.dbBranch(), decision.actor().id(), decision.groups(), until);
        } catch (BackendException e) {
            refused(r, token, null, "backend");
            throw ApiRefusal.unavailable(
                    "the " + backend.id() + " backend could not make " + token.actor() + "'s login on " + r.gitBranch()
                            + ": " + e.getMessage(),
                    "try again; if it persists, the server's log and GET /api/v1/doctor (admin) say what is wrong");
        }
        Map<String, Object> details = details(r, token);
        details.put("groups", decision.groups());
        details.put("until", until == null ? null : until.toString());
        details.put("user", c.user());
        audit.append(AuditKind.CREDENTIAL_ISSUED, r.repo(), r.gitBranch(), details);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", c.host());
        m.put("port", c.port());
        m.put("database", c.database());
        m.put("user", c.user());
        m.put("url", c.url());
        m.put("valid_until", until == null ? null : until.toString());
        m.put("groups", decision.groups());
        return m;
    }

    private Policy policy(BranchRecord r, ApiTokenStore.ApiToken token) {
        Optional<Policy> policy;
        try {
            policy = policies.onDefaultBranch(r.repo());
        } catch (PolicyException e) {
            refused(r, token, Rule.POLICY_INVALID, "policy invalid");
            throw ApiRefusal.byRule(
                    Rule.POLICY_INVALID,
                    "the policy on " + r.repo().path() + "'s default branch is invalid, so nobody gets a login"
                            + " on its branches: " + e.getMessage(),
                    "fix .tiergate/policy.yaml on the default branch (tiergate policy validate)");
        } catch (RuntimeException e) {
            refused(r, token, null, "policy unreadable");
            throw ApiRefusal.unavailable(
                    "tiergate could not read the policy of " + r.repo().path()
                            + " from the forge, which decides who gets a login",
                    "try again in a minute; GET /healthz and the server's log say whether the forge answers");
        }
        if (policy.isEmpty()) {
            refused(r, token, Rule.PERMISSIONS_NO_ACCESS, "no policy");
            throw ApiRefusal.byRule(
                    Rule.PERMISSIONS_NO_ACCESS,
                    r.repo().path() + " has no .tiergate/policy.yaml on its default branch, so it"
                            + " gives nobody a login on its branches",
                    "commit a policy with database_access on the default branch (tiergate init writes one)");
        }
        return policy.get();
    }

    private void refused(BranchRecord r, ApiTokenStore.ApiToken token, Rule rule, String reason) {
        Map<String, Object> details = details(r, token);
        details.put("groups", List.of());
        details.put("rule", rule == null ? null : rule.id());
        details.put("reason", reason);
        audit.append(AuditKind.CREDENTIAL_REFUSED, r.repo(), r.gitBranch(), details);
    }

    private static Map<String, Object> details(BranchRecord r, ApiTokenStore.ApiToken token) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("actor", token.actor());
        m.put("branch", r.gitBranch());
        m.put("db_branch", r.dbBranch());
        m.put("token", token.id());
        return m;
    }
}
