package dev.tiergate.server.gate;

import dev.tiergate.core.gate.BranchClassifier;
import dev.tiergate.core.gate.BranchClassifier.TrackedBranch;
import dev.tiergate.core.gate.BranchKind;
import dev.tiergate.core.gate.TierOrder;
import dev.tiergate.core.naming.DbBranchName;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.workflow.WorkflowState;
import dev.tiergate.server.audit.AuditKind;
import dev.tiergate.server.audit.AuditTrail;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.BranchRecord;
import dev.tiergate.server.store.BranchStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps each tracked git branch's record and database branch in line with what the forge shows: tiers set up
 * from the policy, a working branch's database created when the forge shows the branch and deleted when it no
 * longer does. Every action is audited; observing what is already so changes nothing and records nothing.
 *
 * <p>A delivery decides and records ({@link #ensureTiers}, {@link #observe}); what runs repository SQL (a tier's
 * set-up, a working branch following its pushes, which first makes its database) it asks of the run workers
 * ({@link RunRequests}), and they carry it out here ({@link #setUpTier}, {@link #follow}). Deleting a branch's
 * database runs no repository SQL and stays with the delivery.
 */
final class BranchLifecycle {
    private final BranchBackend backend;
    private final BranchStore store;
    private final AuditTrail audit;
    private final DatabaseMigrations migrations;
    private final RunRequests runs;

    BranchLifecycle(
            BranchBackend backend,
            BranchStore store,
            AuditTrail audit,
            DatabaseMigrations migrations,
            RunRequests runs) {
        this.backend = backend;
        this.store = store;
        this.audit = audit;
        this.migrations = migrations;
        this.runs = runs;
    }

    /**
     * Every tier the policy names and the store does not yet know gets its record and a set-up run, parents first (the
     * runs of a repository go one at a time, in order, so a tier is copied from its parent once the parent is set up).
     * With {@code repairMissing} (the reconcile pass) a known tier whose database is missing, a set-up that failed for
     * good or was lost, is asked for again.
     */
    void ensureTiers(RepoRef repo, Policy policy, boolean repairMissing) {
        for (Tier t : TierOrder.parentsFirst(policy)) {
            String db = DbBranchName.of(t.name());
            if (store.find(repo, t.branch()).isPresent()) {
                // not while a run may be changing it (a merge's restore drops the tier, then copies its snapshot)
                if (repairMissing && !backend.exists(repo, db) && !runs.pending(repo)) {
                    runs.tierSetUp(repo, t.name());
                }
                continue;
            }
            String parentDb = t.parent() == null ? null : DbBranchName.of(t.parent());
            runs.tierSetUp(repo, t.name());
            store.save(
                    BranchRecord.tracked(
                            repo, t.branch(), db, parentDb, BranchKind.TIER, WorkflowState.SCAFFOLD_COMPLETE, null),
                    "tier set up from the policy");
            transition(repo, t.branch(), null, WorkflowState.SCAFFOLD_COMPLETE, "tier set up from the policy", null);
        }
    }

    void ensureTiers(RepoRef repo, Policy policy) {
        ensureTiers(repo, policy, false);
    }

    /**
     * The set-up run of a tier: its database made (a copy of its parent as the parent is now, or empty for a root or a
     * seeded tier) unless it exists, then its seed and migrations ({@link DatabaseMigrations#setUpTier}).
     */
    void setUpTier(RepoRef repo, Policy policy, Tier t) {
        String db = DbBranchName.of(t.name());
        if (migrations.heldByAMerge(repo, db)) {
            // a merge's migration failed on it: what happens to it now is someone's decision (tiergate rollback, a
            // fix merged), never a set-up that copies the parent and applies the migration that failed
            return;
        }
        boolean made = false;
        if (!backend.exists(repo, db)) {
            String parentDb = t.parent() == null ? null : DbBranchName.of(t.parent());
            // a tier with a seed starts from its seed, not from a copy of its parent
            backend.createTier(repo, db, t.seed() != null ? null : parentDb);
            audit.append(
                    AuditKind.BRANCH_CREATE,
                    repo,
                    t.branch(),
                    Map.of("db_branch", db, "parent", parentDb == null ? "" : parentDb, "tier", t.name()));
            made = true;
        }
        migrations.setUpTier(repo, policy, t, made);
    }

    /**
     * Brings one git branch in line with the forge: {@code headOnForge} is its head as the forge shows it now
     * (empty: the branch is gone). A new working branch, or a push to one, asks for a run that makes its database
     * follow the head. Returns the number of an open PR from this branch whose head moved, which the caller should
     * look at again.
     */
    Optional<Long> observe(RepoRef repo, Policy policy, String gitBranch, Optional<String> headOnForge) {
        Optional<BranchRecord> existing = store.find(repo, gitBranch);
        if (headOnForge.isEmpty()) {
            existing.ifPresent(r -> gone(repo, policy, r));
            return Optional.empty();
        }
        String head = headOnForge.get();
        if (existing.isEmpty()) {
            BranchClassifier.classify(policy, gitBranch, store.dbNamesInUse(repo))
                    .ifPresent(t -> created(repo, policy, t, head));
            return Optional.empty();
        }
        BranchRecord r = existing.get();
        if (head.equals(r.headSha())) {
            return Optional.empty();
        }
        // an open PR from this branch goes back to pr-ready: what was tested is what merges
        Optional<Long> pr = r.prNumber() != null
                        && store.find(repo, BranchClassifier.ciGitBranch(r.prNumber()))
                                .isPresent()
                ? Optional.of(r.prNumber())
                : Optional.empty();
        store.save(r.withHead(head), "new push");
        if (r.kind() == BranchKind.WORKING && r.state() != WorkflowState.MERGED) {
            // asked once the record holds the head: the run reads it (a crash in between: the next push asks again)
            runs.follow(repo, r.gitBranch(), head, r.headSha(), null);
        }
        return pr;
    }

    /**
     * The follow run of a working branch: while the branch is still in flight at {@code head}, its database is made
     * from its tier if missing, then takes the head's migrations ({@link DatabaseMigrations#followWorkingBranch});
     * {@code followed} is the head it last followed (null: none).
     */
    void follow(RepoRef repo, Policy policy, String gitBranch, String head, String followed, String collisionNote) {
        Optional<BranchRecord> r = store.find(repo, gitBranch);
        if (r.isEmpty()
                || r.get().kind() != BranchKind.WORKING
                || r.get().state() == WorkflowState.MERGED
                || r.get().parent() == null) {
            return;
        }
        String db = r.get().dbBranch();
        if (!backend.exists(repo, db)) {
            backend.create(repo, db, r.get().parent());
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("db_branch", db);
            details.put("parent", r.get().parent());
            if (collisionNote != null) {
                details.put("name_collision", collisionNote);
            }
            audit.append(AuditKind.BRANCH_CREATE, repo, gitBranch, details);
            followed = null; // a new database has followed nothing
        }
        migrations.followWorkingBranch(repo, policy, gitBranch, db, r.get().parent(), head, followed);
    }

    /** Deletes a branch's database branch (when it exists) with its audit record. */
    void deleteDatabaseBranch(RepoRef repo, String gitBranch, String dbBranch, String reason) {
        backend.delete(repo, dbBranch);
        audit.append(AuditKind.BRANCH_DELETE, repo, gitBranch, Map.of("db_branch", dbBranch, "reason", reason));
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

    void transition(RepoRef repo, String branch, WorkflowState from, WorkflowState to, String reason, String sha) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("from", from == null ? "" : from.wireName());
        d.put("to", to.wireName());
        d.put("reason", reason);
        d.put("sha", sha == null ? "" : sha);
        audit.append(AuditKind.TRANSITION, repo, branch, d);
    }

    /** A branch first seen: its record, and the run that makes its database (a tier's set-up, a working branch's follow). */
    private void created(RepoRef repo, Policy policy, TrackedBranch t, String head) {
        BranchRecord r = BranchRecord.tracked(
                repo,
                t.gitBranch(),
                t.dbBranch(),
                t.parentDbBranch(),
                t.kind(),
                t.kind() == BranchKind.TIER ? WorkflowState.SCAFFOLD_COMPLETE : WorkflowState.FEATURE_CLAIMED,
                head);
        store.save(r, "git branch created");
        transition(repo, t.gitBranch(), null, r.state(), "git branch created", head);
        // asked once the record is there, since the run reads it; a crash in between leaves a record without a
        // database, which the reconcile pass asks for (followMissing)
        if (t.kind() == BranchKind.TIER) {
            policy.tierForBranch(t.gitBranch()).ifPresent(tier -> runs.tierSetUp(repo, tier.name()));
        } else {
            runs.follow(repo, t.gitBranch(), head, null, t.collisionNote());
        }
    }

    /**
     * The reconcile pass's repair of a working branch in flight: its database missing, it gets a follow run again;
     * its follow run of the recorded head failed for good (the forge or the backend failed three times), that run is
     * asked for again (the record holds the head as soon as the push is seen, so nothing else would).
     */
    void followIfMissing(RepoRef repo, BranchRecord r) {
        if (r.kind() != BranchKind.WORKING || r.state() == WorkflowState.MERGED || r.headSha() == null) {
            return;
        }
        if (!backend.exists(repo, r.dbBranch())) {
            runs.follow(repo, r.gitBranch(), r.headSha(), null, null);
        } else if (runs.followAgainIfFailed(repo, r.gitBranch(), r.headSha())) {
            audit.append(
                    AuditKind.BRANCH_FOLLOW_AGAIN,
                    repo,
                    r.gitBranch(),
                    Map.of("db_branch", r.dbBranch(), "sha", r.headSha()));
        }
    }

    private void gone(RepoRef repo, Policy policy, BranchRecord r) {
        if (r.kind() == BranchKind.TIER) {
            // a tier's database is never deleted by tiergate (every backend refuses it too): the deletion is audited
            audit.append(
                    AuditKind.REFUSAL,
                    repo,
                    r.gitBranch(),
                    Map.of(
                            "rule",
                            Rule.BRANCH_PROTECTED_TIER.id(),
                            "message",
                            "git branch of tier deleted; its database branch " + r.dbBranch() + " is kept"));
            return;
        }
        if (r.kind() == BranchKind.CI) {
            return; // a PR's branch lives and dies with the PR, not with a git branch
        }
        backend.delete(repo, r.dbBranch());
        store.delete(repo, r.gitBranch(), "git branch deleted");
        audit.append(
                AuditKind.BRANCH_DELETE,
                repo,
                r.gitBranch(),
                Map.of("db_branch", r.dbBranch(), "reason", "git branch deleted"));
    }
}
