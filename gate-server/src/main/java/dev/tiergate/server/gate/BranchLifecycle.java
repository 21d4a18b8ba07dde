package dev.tiergate.server.gate;

import dev.tiergate.core.gate.BranchCase;
import dev.tiergate.core.gate.BranchClassifier;
import dev.tiergate.core.gate.BranchClassifier.TrackedBranch;
import dev.tiergate.core.gate.BranchJudge;
import dev.tiergate.core.gate.BranchKind;
import dev.tiergate.core.gate.BranchPlan;
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
    private final MaskedCopies masked;

    BranchLifecycle(
            BranchBackend backend,
            BranchStore store,
            AuditTrail audit,
            DatabaseMigrations migrations,
            RunRequests runs,
            MaskedCopies masked) {
        this.masked = masked;
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
            String copyFrom;
            try {
                // a child of a masked tier is made from its masked copy; with none, the tier waits (fail closed)
                copyFrom = t.seed() != null ? null : masked.copyFrom(repo, policy, parentDb);
            } catch (MaskedCopies.Unavailable u) {
                audit.append(
                        AuditKind.REFUSAL,
                        repo,
                        t.branch(),
                        Map.of("rule", Rule.MASKING_FAILED.id(), "message", u.getMessage()));
                return;
            }
            // a tier with a seed starts from its seed, not from a copy of its parent
            backend.createTier(repo, db, copyFrom);
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
     * (empty: the branch is gone). Reads the branch's facts, lets core's {@link BranchJudge} decide, and carries out
     * its plan. Returns the number of an open PR from this branch whose head moved, which the caller should look at
     * again.
     */
    Optional<Long> observe(RepoRef repo, Policy policy, String gitBranch, Optional<String> headOnForge) {
        Optional<BranchRecord> existing = store.find(repo, gitBranch);
        BranchPlan plan = BranchJudge.judge(new BranchCase(
                gitBranch,
                policy,
                headOnForge,
                existing.map(BranchRecord::recorded),
                () -> store.dbNamesInUse(repo),
                () -> existing.map(BranchRecord::prNumber)
                        .flatMap(n -> store.find(repo, BranchClassifier.ciGitBranch(n)))
                        .isPresent()));
        for (BranchPlan.Action action : plan.actions()) {
            if (action instanceof BranchPlan.Track t) {
                track(repo, t);
            } else if (action instanceof BranchPlan.SetUpTier s) {
                runs.tierSetUp(repo, s.tier());
            } else if (action instanceof BranchPlan.Follow f) {
                // asked once the record holds the head, since the run reads it; a crash in between leaves a record
                // without a database, which the reconcile pass asks for (followIfMissing)
                runs.follow(repo, gitBranch, f.head(), f.followed(), f.collisionNote());
            } else if (action instanceof BranchPlan.MoveHead m) {
                store.save(existing.orElseThrow().withHead(m.head()), "new push");
            } else if (action instanceof BranchPlan.KeepTierDatabase k) {
                // a tier's database is never deleted by tiergate (every backend refuses it too): the deletion is
                // audited
                audit.append(
                        AuditKind.REFUSAL,
                        repo,
                        gitBranch,
                        Map.of(
                                "rule",
                                Rule.BRANCH_PROTECTED_TIER.id(),
                                "message",
                                "git branch of tier deleted; its database branch " + k.dbBranch() + " is kept"));
            } else if (action instanceof BranchPlan.Forget f) {
                backend.delete(repo, f.dbBranch());
                store.delete(repo, gitBranch, "git branch deleted");
                audit.append(
                        AuditKind.BRANCH_DELETE,
                        repo,
                        gitBranch,
                        Map.of("db_branch", f.dbBranch(), "reason", "git branch deleted"));
            }
        }
        return plan.judgeAgain();
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
            backend.create(repo, db, masked.copyFrom(repo, policy, r.get().parent()));
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

    /** A branch first seen: its record and its first transition. */
    private void track(RepoRef repo, BranchPlan.Track t) {
        TrackedBranch b = t.branch();
        BranchRecord r = BranchRecord.tracked(
                repo, b.gitBranch(), b.dbBranch(), b.parentDbBranch(), b.kind(), t.state(), t.head());
        store.save(r, "git branch created");
        transition(repo, b.gitBranch(), null, r.state(), "git branch created", t.head());
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
}
