package dev.tiergate.server.gate;

import dev.tiergate.core.gate.BranchClassifier;
import dev.tiergate.core.gate.BranchKind;
import dev.tiergate.core.gate.GateStatus;
import dev.tiergate.core.gate.PullRequestCase;
import dev.tiergate.core.gate.PullRequestFacts;
import dev.tiergate.core.gate.PullRequestPlan;
import dev.tiergate.core.gate.PullRequestPlan.Action;
import dev.tiergate.core.gate.PullRequestPlan.EndPullRequest;
import dev.tiergate.core.gate.PullRequestPlan.ForgetRehearsal;
import dev.tiergate.core.gate.PullRequestPlan.MigrateBase;
import dev.tiergate.core.gate.PullRequestPlan.Post;
import dev.tiergate.core.gate.PullRequestPlan.RecordVerdict;
import dev.tiergate.core.gate.PullRequestPlan.RecordViolation;
import dev.tiergate.core.gate.PullRequestPlan.Rehearse;
import dev.tiergate.core.gate.PullRequestPlan.RemoveHeadDatabase;
import dev.tiergate.core.gate.PullRequestPlan.RequestReviews;
import dev.tiergate.core.gate.PullRequestPlan.SetUpTiers;
import dev.tiergate.core.gate.PullRequestPlan.Step;
import dev.tiergate.core.gate.PullRequestPlan.Track;
import dev.tiergate.core.gate.PullRequestPlan.TrackHead;
import dev.tiergate.core.gate.StatusState;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.workflow.WorkflowState;
import dev.tiergate.server.audit.AuditKind;
import dev.tiergate.server.audit.AuditTrail;
import dev.tiergate.server.forge.CommitChecks;
import dev.tiergate.server.forge.CommitStatus;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.BranchRecord;
import dev.tiergate.server.store.BranchStore;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Carries out a {@link PullRequestPlan} the judge made for one PR, each action as a difference: a state step is
 * saved with its history, a status posted only when the forge shows another, the verdict saved only when it
 * changed, a database branch deleted only while it exists, and runs queued (the run queue folds a run asked twice).
 * It decides nothing the plan does not say.
 */
final class PullRequestApplier {
    private final BranchLifecycle branches;
    private final BranchStore store;
    private final AuditTrail audit;
    private final StatusPublisher statuses;
    private final GatePages pages;
    private final DatabaseMigrations migrations;
    private final RunRequests runs;
    private final ReviewRouting reviews;

    PullRequestApplier(
            BranchLifecycle branches,
            BranchStore store,
            AuditTrail audit,
            StatusPublisher statuses,
            GatePages pages,
            DatabaseMigrations migrations,
            RunRequests runs,
            ReviewRouting reviews) {
        this.reviews = reviews;
        this.branches = branches;
        this.store = store;
        this.audit = audit;
        this.statuses = statuses;
        this.pages = pages;
        this.migrations = migrations;
        this.runs = runs;
    }

    /**
     * Applies {@code plan}, judged from {@code facts}; {@code ci} is the {@code ci-pr-<N>} record the facts were read
     * from and {@code checks} what the forge showed on the head.
     */
    void apply(
            RepoRef repo, PullRequestCase facts, PullRequestPlan plan, Optional<BranchRecord> ci, CommitChecks checks) {
        PullRequestFacts pr = facts.pr();
        long number = pr.number();
        String ciGit = BranchClassifier.ciGitBranch(number);
        BranchRecord stored = ci.orElse(null);
        BranchRecord record = ci.map(r -> r.withHead(pr.headSha())
                        .withPullRequest(number, pr.author().login()))
                .orElse(null);
        for (Action action : plan.actions()) {
            if (action instanceof SetUpTiers) {
                branches.ensureTiers(repo, policy(facts));
            } else if (action instanceof TrackHead) {
                if (store.find(repo, pr.headBranch()).isEmpty()) {
                    branches.observe(repo, policy(facts), pr.headBranch(), Optional.of(pr.headSha()));
                }
            } else if (action instanceof Track t) {
                record = BranchRecord.tracked(
                                repo,
                                ciGit,
                                BranchClassifier.ciDbBranch(number),
                                t.parentDb(),
                                BranchKind.CI,
                                WorkflowState.FEATURE_CLAIMED,
                                pr.headSha())
                        .withPullRequest(number, pr.author().login());
            } else if (action instanceof Step s) {
                record = Objects.requireNonNull(record, "a step needs a tracked ci-pr record")
                        .withState(s.to());
                store.save(record, s.reason());
                stored = record;
                branches.transition(repo, ciGit, s.from(), s.to(), s.reason(), pr.headSha());
                mirrorOnHead(repo, pr, s.to(), s.reason());
            } else if (action instanceof MigrateBase) {
                runs.merge(repo, number, pr.headSha()); // the tier migrates in a run of its own
            } else if (action instanceof ForgetRehearsal) {
                migrations.forget(repo, number);
            } else if (action instanceof RecordViolation v) {
                audit.append(
                        AuditKind.VIOLATION,
                        repo,
                        ciGit,
                        Map.of("rule", v.rule(), "message", v.message(), "sha", pr.headSha()));
            } else if (action instanceof EndPullRequest e) {
                if (e.merged()) {
                    migrations.mergeSeen(
                            repo, pr, record == null ? null : record.parent(), plan.has(MigrateBase.class));
                }
                endPullRequest(repo, pr, record, e.merged());
                reviews.forget(repo, number);
            } else if (action instanceof RemoveHeadDatabase) {
                store.find(repo, pr.headBranch())
                        .ifPresent(
                                h -> branches.deleteDatabaseBranch(repo, pr.headBranch(), h.dbBranch(), "PR merged"));
            } else if (action instanceof Post p) {
                if (publish(repo, pr, p.status(), ciGit, checks) && p.status().state() == StatusState.FAILURE) {
                    audit.append(
                            AuditKind.REFUSAL,
                            repo,
                            ciGit,
                            Map.of("rule", p.status().rule(), "message", p.refusal(), "sha", pr.headSha()));
                }
            } else if (action instanceof RecordVerdict v) {
                GateStatus status = v.status();
                BranchRecord next = Objects.requireNonNull(record, "a verdict needs a tracked ci-pr record")
                        .withVerdict(status.state(), pr.headSha(), status.rule(), status.description());
                if (!sameRecord(next, stored)) {
                    store.save(next, "status " + status.rule());
                    stored = next;
                }
            } else if (action instanceof RequestReviews r) {
                reviews.request(repo, pr, r.request());
            } else if (action instanceof Rehearse) {
                runs.rehearsal(repo, number, pr.headSha(), pr.baseSha());
            }
        }
    }

    private static Policy policy(PullRequestCase facts) {
        return Objects.requireNonNull(facts.policy().get().policy(), "the plan sets up tiers only under a policy");
    }

    private boolean publish(RepoRef repo, PullRequestFacts pr, GateStatus status, String ciGit, CommitChecks checks) {
        CommitStatus wanted = new CommitStatus(status.state(), status.description(), pages.branch(repo, ciGit));
        return statuses.publish(
                repo, pr.headSha(), wanted, checks.shown(CommitStatus.CONTEXT), ciGit, Map.of("rule", status.rule()));
    }

    /** The PR's ci-pr record and database branch go; on a merge, the head working branch's database too. */
    private void endPullRequest(RepoRef repo, PullRequestFacts pr, BranchRecord ci, boolean merged) {
        if (branches.databaseBranchLeftOver(
                repo, ci.dbBranch())) { // none when the PR was first heard of after its merge
            branches.deleteDatabaseBranch(repo, ci.gitBranch(), ci.dbBranch(), merged ? "PR merged" : "PR closed");
        }
        store.delete(repo, ci.gitBranch(), merged ? "PR merged" : "PR closed without merge");
        Optional<BranchRecord> head = store.find(repo, pr.headBranch());
        if (merged
                && head.isPresent()
                && head.get().kind() == BranchKind.WORKING
                && branches.databaseBranchLeftOver(repo, head.get().dbBranch())) {
            branches.deleteDatabaseBranch(repo, pr.headBranch(), head.get().dbBranch(), "PR merged");
        }
    }

    /** The head working branch shows the PR's state too (the dashboard's tree and the hooks read it there). */
    private void mirrorOnHead(RepoRef repo, PullRequestFacts pr, WorkflowState step, String reason) {
        store.find(repo, pr.headBranch())
                .filter(h -> h.kind() == BranchKind.WORKING)
                .ifPresent(h -> {
                    if (h.state() != step) {
                        store.save(
                                h.withState(step)
                                        .withHead(pr.headSha())
                                        .withPullRequest(
                                                pr.number(), pr.author().login()),
                                reason);
                    }
                });
    }

    /** Equal but for the time it was last written. */
    private static boolean sameRecord(BranchRecord a, BranchRecord b) {
        return b != null
                && a.gitBranch().equals(b.gitBranch())
                && Objects.equals(a.dbBranch(), b.dbBranch())
                && Objects.equals(a.parent(), b.parent())
                && a.kind() == b.kind()
                && a.state() == b.state()
                && Objects.equals(a.headSha(), b.headSha())
                && Objects.equals(a.prNumber(), b.prNumber())
                && Objects.equals(a.actorLogin(), b.actorLogin())
                && a.lastStatus() == b.lastStatus()
                && Objects.equals(a.lastStatusSha(), b.lastStatusSha())
                && Objects.equals(a.lastRule(), b.lastRule())
                && Objects.equals(a.lastDescription(), b.lastDescription());
    }
}
