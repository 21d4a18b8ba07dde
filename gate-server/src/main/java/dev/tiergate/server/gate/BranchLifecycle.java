package dev.tiergate.server.gate;

import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.gate.BranchClassifier;
import dev.tiergate.core.gate.BranchClassifier.TrackedBranch;
import dev.tiergate.core.gate.BranchKind;
import dev.tiergate.core.gate.TierOrder;
import dev.tiergate.core.naming.DbBranchName;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.workflow.WorkflowState;
import dev.tiergate.server.audit.AuditTrail;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.forge.RepoRef;
import dev.tiergate.server.store.BranchRecord;
import dev.tiergate.server.store.BranchStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps each tracked git branch's record and database branch in line with what the forge shows: tiers set up
 * from the policy, a working branch's database created when the forge shows the branch and deleted when it no
 * longer does. Every action is audited; observing what is already so changes nothing and records nothing.
 */
final class BranchLifecycle {
    private final BranchBackend backend;
    private final BranchStore store;
    private final AuditTrail audit;
    private final DatabaseMigrations migrations;

    BranchLifecycle(BranchBackend backend, BranchStore store, AuditTrail audit, DatabaseMigrations migrations) {
        this.backend = backend;
        this.store = store;
        this.audit = audit;
        this.migrations = migrations;
    }

    /** Creates the database branch of every tier the policy names and the store does not yet know, parents first. */
    void ensureTiers(RepoRef repo, Policy policy) {
        for (Tier t : TierOrder.parentsFirst(policy)) {
            if (store.find(repo, t.branch()).isPresent()) {
                continue;
            }
            String db = DbBranchName.of(t.name());
            String parentDb = t.parent() == null ? null : DbBranchName.of(t.parent());
            // a tier with a seed starts from its seed, not from a copy of its parent
            backend.createTier(repo, db, t.seed() != null ? null : parentDb);
            store.save(new BranchRecord(repo, t.branch(), db, parentDb, BranchKind.TIER, WorkflowState.SCAFFOLD_COMPLETE,
                    null, null, null, null, null, null, null, null), "tier set up from the policy");
            audit.append("branch.create", repo, t.branch(), Map.of("db_branch", db, "parent", parentDb == null ? "" : parentDb, "tier", t.name()));
            transition(repo, t.branch(), null, WorkflowState.SCAFFOLD_COMPLETE, "tier set up from the policy", null);
            migrations.setUpTier(repo, policy, t);
        }
    }

    /**
     * Brings one git branch in line with the forge: {@code headOnForge} is its head as the forge shows it now
     * (empty: the branch is gone). Returns the number of an open PR from this branch whose head moved, which
     * the caller should look at again.
     */
    Optional<Long> observe(RepoRef repo, Policy policy, String gitBranch, Optional<String> headOnForge) {
        return observe(repo, policy, gitBranch, headOnForge, false).movedPr();
    }

    /**
     * What observing a branch left to its caller: {@code movedPr}, an open PR from it whose head moved (look at it
     * again); {@code followLater}, the working branch's database still has to follow the new head ({@link #follow}).
     */
    record Seen(Optional<Long> movedPr, boolean followLater) {
    }

    /**
     * As {@link #observe(RepoRef, Policy, String, Optional)}; with {@code followPrFirst}, a push to a working branch
     * with an open PR leaves its database's migrations to {@link #follow}, so the caller can judge the PR (and post
     * its status) first: the PR's verdict does not depend on that database.
     */
    Seen observe(RepoRef repo, Policy policy, String gitBranch, Optional<String> headOnForge, boolean followPrFirst) {
        Optional<BranchRecord> existing = store.find(repo, gitBranch);
        if (headOnForge.isEmpty()) {
            existing.ifPresent(r -> gone(repo, policy, r));
            return new Seen(Optional.empty(), false);
        }
        String head = headOnForge.get();
        if (existing.isEmpty()) {
            BranchClassifier.classify(policy, gitBranch, store.dbNamesInUse(repo)).ifPresent(t -> {
                created(repo, t, head);
                if (t.kind() == BranchKind.WORKING) {
                    migrations.followWorkingBranch(repo, policy, t.gitBranch(), t.dbBranch(), t.parentDbBranch(), head, null);
                }
            });
            return new Seen(Optional.empty(), false);
        }
        BranchRecord r = existing.get();
        if (head.equals(r.headSha())) {
            return new Seen(Optional.empty(), false);
        }
        // an open PR from this branch goes back to pr-ready: what was tested is what merges
        Optional<Long> pr = r.prNumber() != null && store.find(repo, BranchClassifier.ciGitBranch(r.prNumber())).isPresent()
                ? Optional.of(r.prNumber()) : Optional.empty();
        boolean follows = r.kind() == BranchKind.WORKING && r.state() != WorkflowState.MERGED;
        if (follows && followPrFirst && pr.isPresent()) {
            return new Seen(pr, true);
        }
        if (follows) {
            migrations.followWorkingBranch(repo, policy, r.gitBranch(), r.dbBranch(), r.parent(), head, r.headSha());
        }
        // the new head is recorded once its database followed it: a retry after a failed follow follows again
        store.save(r.withHead(head), "new push");
        return new Seen(pr, false);
    }

    /** The working branch's database follows {@code head} (what {@link Seen#followLater} left), and the head is recorded. */
    void follow(RepoRef repo, Policy policy, String gitBranch, String head) {
        Optional<BranchRecord> r = store.find(repo, gitBranch);
        if (r.isEmpty() || r.get().kind() != BranchKind.WORKING || r.get().state() == WorkflowState.MERGED) {
            return;
        }
        migrations.followWorkingBranch(repo, policy, gitBranch, r.get().dbBranch(), r.get().parent(), head, r.get().headSha());
        if (!head.equals(r.get().headSha())) {
            store.save(r.get().withHead(head), "new push");
        }
    }

    /** Deletes a branch's database branch (when it exists) with its audit record. */
    void deleteDatabaseBranch(RepoRef repo, String gitBranch, String dbBranch, String reason) {
        backend.delete(repo, dbBranch);
        audit.append("branch.delete", repo, gitBranch, Map.of("db_branch", dbBranch, "reason", reason));
    }

    boolean databaseBranchExists(RepoRef repo, String dbBranch) {
        return backend.exists(repo, dbBranch);
    }

    /** Whether deletes take steps a crash can cut apart, so the reconcile pass looks for their leftovers. */
    boolean deletesInSteps() {
        return backend.deletesInSteps();
    }

    /** Any part of the database branch still there (a delete cut short leaves some): whether a delete has work to do. */
    boolean databaseBranchLeftOver(RepoRef repo, String dbBranch) {
        return backend.leftOver(repo, dbBranch);
    }

    void createDatabaseBranch(RepoRef repo, String gitBranch, String dbBranch, String parentDb, Map<String, String> more) {
        backend.create(repo, dbBranch, parentDb);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("db_branch", dbBranch);
        details.put("parent", parentDb);
        details.putAll(more);
        audit.append("branch.create", repo, gitBranch, details);
    }

    void transition(RepoRef repo, String branch, WorkflowState from, WorkflowState to, String reason, String sha) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("from", from == null ? "" : from.wireName());
        d.put("to", to.wireName());
        d.put("reason", reason);
        d.put("sha", sha == null ? "" : sha);
        audit.append("transition", repo, branch, d);
    }

    private void created(RepoRef repo, TrackedBranch t, String head) {
        if (t.kind() == BranchKind.TIER) {
            backend.createTier(repo, t.dbBranch(), t.parentDbBranch());
        } else {
            backend.create(repo, t.dbBranch(), t.parentDbBranch());
        }
        BranchRecord r = new BranchRecord(repo, t.gitBranch(), t.dbBranch(), t.parentDbBranch(), t.kind(),
                t.kind() == BranchKind.TIER ? WorkflowState.SCAFFOLD_COMPLETE : WorkflowState.FEATURE_CLAIMED,
                head, null, null, null, null, null, null, null);
        store.save(r, "git branch created");
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("db_branch", t.dbBranch());
        details.put("parent", t.parentDbBranch() == null ? "" : t.parentDbBranch());
        if (t.collisionNote() != null) {
            details.put("name_collision", t.collisionNote());
        }
        audit.append("branch.create", repo, t.gitBranch(), details);
        transition(repo, t.gitBranch(), null, r.state(), "git branch created", head);
    }

    private void gone(RepoRef repo, Policy policy, BranchRecord r) {
        if (r.kind() == BranchKind.TIER) {
            // a tier's database is never deleted by tiergate (every backend refuses it too): the deletion is audited
            audit.append("refusal", repo, r.gitBranch(), Map.of("rule", Rule.BRANCH_PROTECTED_TIER.id(),
                    "message", "git branch of tier deleted; its database branch " + r.dbBranch() + " is kept"));
            return;
        }
        if (r.kind() == BranchKind.CI) {
            return; // a PR's branch lives and dies with the PR, not with a git branch
        }
        backend.delete(repo, r.dbBranch());
        store.delete(repo, r.gitBranch(), "git branch deleted");
        audit.append("branch.delete", repo, r.gitBranch(), Map.of("db_branch", r.dbBranch(), "reason", "git branch deleted"));
    }
}
