package dev.tiergate.server.gate;

import dev.tiergate.core.access.GrantDrift;
import dev.tiergate.core.access.Privilege;
import dev.tiergate.core.naming.DbBranchName;
import dev.tiergate.core.policy.DatabaseAccess;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.server.audit.AuditKind;
import dev.tiergate.server.audit.AuditTrail;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.MigrationStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy's database access kept in place: after every run the branch's group roles get their privileges on what
 * the run created, and a tier's privileges are compared with the policy after each migration of it and on every
 * reconcile pass. A drift (a hand-run {@code GRANT … TO PUBLIC}, a group privilege revoked) is audited and repaired,
 * or, where the policy says {@code drift: hold} for the tier, recorded: PRs into the tier are then refused with
 * {@code permissions.drifted} until {@link #apply} repairs it (what {@code tiergate grants apply} asks for).
 */
final class AccessKeeper {
    private static final Logger LOG = LoggerFactory.getLogger(AccessKeeper.class);
    /** What a drift shows in words at most (a status, an audit record): the first few privileges and the count. */
    private static final int SHOWN = 5;

    private final BranchBackend backend;
    private final MigrationStore store;
    private final AuditTrail audit;

    AccessKeeper(BranchBackend backend, MigrationStore store, AuditTrail audit) {
        this.backend = backend;
        this.store = store;
        this.audit = audit;
    }

    /** The groups the policy defines (or the default's read and write), for what is in the branch now. */
    void afterRun(RepoRef repo, Policy policy, String dbBranch) {
        backend.applyAccess(repo, dbBranch, groups(policy));
    }

    /**
     * After a tier moved (set up, migrated by a merge): its groups' privileges on what the run made, and its comparison
     * with the policy. A failure here never undoes the move or stops what follows it: it is logged and audited
     * ({@code grants.failed}), and the next reconcile pass compares the tier again.
     */
    void afterTierMoved(RepoRef repo, Policy policy, Tier tier) {
        try {
            afterRun(repo, policy, DbBranchName.of(tier.name()));
            checkTier(repo, policy, tier);
        } catch (RuntimeException e) {
            LOG.warn("the grants of tier {} of {} after it moved: {}", tier.name(), repo.path(), e.toString());
            audit.append(
                    AuditKind.GRANTS_FAILED,
                    repo,
                    tier.branch(),
                    Map.of(
                            "tier",
                            tier.name(),
                            "error",
                            "the policy's grants could not be applied after the tier moved; the server's log says why, and the next reconcile pass tries again"));
        }
    }

    static List<DatabaseAccess.Group> groups(Policy policy) {
        return policy.access().groupsOrDefault();
    }

    /** The difference between a branch's privileges and the policy's groups. */
    GrantDrift.Diff diff(RepoRef repo, Policy policy, String dbBranch) {
        return GrantDrift.between(groups(policy), backend.accessSnapshot(repo, dbBranch));
    }

    /**
     * Compares a tier with the policy: nothing to do when equal (a hold recorded before is cleared); else repaired and
     * audited, or held where the policy says so. Returns whether the tier is held for drift now.
     */
    boolean checkTier(RepoRef repo, Policy policy, Tier tier) {
        String db = DbBranchName.of(tier.name());
        if (!backend.exists(repo, db)) {
            return false;
        }
        GrantDrift.Diff d = diff(repo, policy, db);
        if (d.none()) {
            if (store.driftCleared(repo, db)) {
                audit.append(AuditKind.GRANTS_CLEARED, repo, tier.branch(), Map.of("tier", tier.name()));
            }
            return false;
        }
        boolean hold = policy.access()
                .tier(tier.name())
                .map(DatabaseAccess.TierAccess::holdsOnDrift)
                .orElse(false);
        Map<String, Object> details = details(tier, d);
        if (hold) {
            if (store.drift(repo, db, words(d))) {
                audit.append(AuditKind.GRANTS_DRIFTED, repo, tier.branch(), details);
            }
            return true;
        }
        repair(repo, policy, db, d);
        audit.append(AuditKind.GRANTS_REPAIRED, repo, tier.branch(), details);
        return false;
    }

    /** {@code tiergate grants apply}: the tier made as the policy says, its hold released, audited with who asked. */
    GrantDrift.Diff apply(RepoRef repo, Policy policy, Tier tier, String by) {
        String db = DbBranchName.of(tier.name());
        GrantDrift.Diff d = diff(repo, policy, db);
        repair(repo, policy, db, d);
        // released only when the tier now is as the policy says: a REVOKE that took nothing away (a grant someone
        // else made) leaves it held, with what is left in words
        GrantDrift.Diff left = diff(repo, policy, db);
        if (left.none()) {
            store.driftCleared(repo, db);
        } else {
            store.drift(repo, db, words(left));
        }
        Map<String, Object> details = details(tier, d);
        details.put("by", by);
        details.put("left", left.none() ? "nothing" : words(left));
        audit.append(AuditKind.GRANTS_APPLIED, repo, tier.branch(), details);
        return d;
    }

    /** Why PRs into the tier are refused while it is held for drift, or empty. */
    Optional<String> held(RepoRef repo, Tier tier) {
        return store.drifted(repo, DbBranchName.of(tier.name()));
    }

    private void repair(RepoRef repo, Policy policy, String db, GrantDrift.Diff d) {
        if (!d.extra().isEmpty()) {
            backend.revoke(repo, db, d.extra());
        }
        backend.applyAccess(repo, db, groups(policy));
    }

    private static Map<String, Object> details(Tier tier, GrantDrift.Diff d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tier", tier.name());
        m.put("rule", Rule.PERMISSIONS_DRIFTED.id());
        m.put("extra", d.extra().stream().map(Privilege::toString).limit(50).toList());
        m.put("missing", d.missing().stream().map(Privilege::toString).limit(50).toList());
        return m;
    }

    /** A drift in a few words: "extra: PUBLIC SELECT on table public.orders; missing: … (+3 more)". */
    static String words(GrantDrift.Diff d) {
        List<String> parts = new ArrayList<>();
        if (!d.extra().isEmpty()) {
            parts.add("extra: " + shown(d.extra()));
        }
        if (!d.missing().isEmpty()) {
            parts.add("missing: " + shown(d.missing()));
        }
        return String.join("; ", parts);
    }

    private static String shown(List<Privilege> ps) {
        String s = String.join(
                ", ", ps.stream().limit(SHOWN).map(Privilege::toString).toList());
        return ps.size() > SHOWN ? s + " (+" + (ps.size() - SHOWN) + " more)" : s;
    }
}
