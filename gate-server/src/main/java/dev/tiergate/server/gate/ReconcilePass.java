package dev.tiergate.server.gate;

import dev.tiergate.core.gate.BranchKind;
import dev.tiergate.core.gate.PullRequestFacts;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.workflow.WorkflowState;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.forge.Forge;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.BranchRecord;
import dev.tiergate.server.store.BranchStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconcile pass over a repository, under its lock: every branch and open PR re-read and judged again, tiers and
 * their privileges checked, what a crash or a lost delivery left behind (a missing database, a copy no record knows,
 * a delete cut short, a PR merged while every delivery about it was lost) repaired. Counts what it repaired.
 */
final class ReconcilePass {
    private static final Logger LOG = LoggerFactory.getLogger(ReconcilePass.class);
    private final Forge forge;
    private final BranchStore store;
    private final AuditedChanges audit;
    private final DefaultBranchPolicy defaultPolicy;
    private final BranchLifecycle branches;
    private final PullRequestReconciler pullRequests;
    private final AccessKeeper access;
    private final RunRequests runs;
    private final BranchBackend backend;

    ReconcilePass(
            Forge forge,
            BranchStore store,
            AuditedChanges audit,
            DefaultBranchPolicy defaultPolicy,
            BranchLifecycle branches,
            PullRequestReconciler pullRequests,
            AccessKeeper access,
            RunRequests runs,
            BranchBackend backend) {
        this.forge = forge;
        this.store = store;
        this.audit = audit;
        this.defaultPolicy = defaultPolicy;
        this.branches = branches;
        this.pullRequests = pullRequests;
        this.access = access;
        this.runs = runs;
        this.backend = backend;
    }

    /**
     * Repairs what lost deliveries left behind: every branch and every open PR of the repository, re-read, each
     * visited once, and the closed PRs of working branches still in flight without an open PR (a PR opened and
     * merged while every delivery about it was lost). One item's failure is logged and counted and does not stop the pass; the next pass retries it.
     */
    GateProcessor.ReconcileReport run(RepoRef repo) {
        return store.withRepoLock(repo, () -> {
            List<String> failures = new ArrayList<>();
            Optional<Policy> policy = defaultPolicy.judging(repo);
            if (policy.isEmpty()) {
                return new GateProcessor.ReconcileReport(0, 0, 0, failures);
            }
            Policy p = policy.get();
            int[] repaired = {0};
            long before = audit.byThisThread();
            branches.ensureTiers(repo, p, true);
            if (audit.byThisThread() > before) {
                repaired[0]++;
            }
            attempt(failures, repaired, "left-over copies", () -> sweepCopies(repo));
            for (Tier t : p.tiers()) {
                attempt(failures, repaired, "privileges of " + t.name(), () -> {
                    boolean heldBefore = access.held(repo, t).isPresent();
                    if (access.checkTier(repo, p, t) != heldBefore) {
                        pullRequests.judgeOpenPullRequestsInto(repo, t);
                    }
                });
            }
            Map<String, String> onForge = forge.branches(repo);
            int branchVisits = 0;
            for (Map.Entry<String, String> b : onForge.entrySet()) {
                branchVisits++;
                attempt(
                        failures,
                        repaired,
                        "branch " + b.getKey(),
                        () -> branches.observe(repo, p, b.getKey(), Optional.of(b.getValue())));
            }
            for (BranchRecord r : store.list(repo)) {
                attempt(failures, repaired, "database of " + r.gitBranch(), () -> branches.followIfMissing(repo, r));
                if (branches.deletesInSteps() && r.kind() == BranchKind.WORKING && r.state() == WorkflowState.MERGED) {
                    // a merged branch's database drop cut short by a crash (its login left behind): finish it
                    attempt(failures, repaired, "leftover of " + r.gitBranch(), () -> {
                        if (branches.databaseBranchLeftOver(repo, r.dbBranch())) {
                            branches.deleteDatabaseBranch(
                                    repo, r.gitBranch(), r.dbBranch(), "PR merged (a delete cut short)");
                        }
                    });
                }
                if (r.kind() == BranchKind.WORKING
                        && !onForge.containsKey(r.gitBranch())
                        && r.state() != WorkflowState.MERGED) {
                    branchVisits++;
                    attempt(
                            failures,
                            repaired,
                            "branch " + r.gitBranch(),
                            () -> branches.observe(repo, p, r.gitBranch(), Optional.empty()));
                }
            }
            Map<Long, PullRequestFacts> read = new LinkedHashMap<>(); // facts read this pass, by PR number
            for (PullRequestFacts pr : forge.openPullRequests(repo)) {
                read.put(pr.number(), pr);
            }
            TreeSet<Long> numbers = new TreeSet<>(read.keySet());
            Set<String> withOpenPr = new HashSet<>();
            read.values().forEach(pr -> withOpenPr.add(pr.headBranch()));
            Map<Long, PullRequestFacts> closed = new LinkedHashMap<>();
            for (BranchRecord r : store.list(repo)) {
                if (r.kind() == BranchKind.CI && r.prNumber() != null) {
                    numbers.add(r.prNumber()); // closed or merged while we were not told
                } else if (r.kind() == BranchKind.WORKING
                        && r.state() != WorkflowState.MERGED
                        && onForge.containsKey(r.gitBranch())
                        && !withOpenPr.contains(r.gitBranch())) {
                    // a working branch in flight with no open PR: its PR may have been opened and merged while every
                    // delivery about it was lost, leaving no pull/<N> record to find it by
                    attempt(failures, repaired, "closed PRs of " + r.gitBranch(), () -> {
                        for (PullRequestFacts pr : forge.closedPullRequestsFrom(repo, r.gitBranch())) {
                            closed.put(pr.number(), pr);
                        }
                    });
                }
            }
            for (Long n : closed.keySet()) {
                if (numbers.add(n)) {
                    read.putIfAbsent(n, closed.get(n)); // facts already read: no second call for them
                }
            }
            for (long n : numbers) {
                attempt(
                        failures,
                        repaired,
                        "PR #" + n,
                        () -> pullRequests.reconcile(
                                repo, read.containsKey(n) ? read.get(n) : forge.pullRequest(repo, n)));
            }
            if (!failures.isEmpty()) {
                LOG.warn(
                        "reconcile {}: {} of {} item(s) failed and will be retried next pass: {}",
                        repo.path(),
                        failures.size(),
                        branchVisits + numbers.size(),
                        failures);
            }
            return new GateProcessor.ReconcileReport(branchVisits, numbers.size(), repaired[0], List.copyOf(failures));
        });
    }

    /**
     * A PR's copy ({@code ci-pr-<N>}) or a merge group's ({@code ci-mq-<N>}) that no record knows: a rehearsal run that
     * made it while its PR was being closed, or a merge group's run cut short. Dropped, and audited.
     */
    private void sweepCopies(RepoRef repo) {
        if (runs.pending(repo)) {
            return; // a run may be using one (a merge group's copy has no record): the next pass, when none is
        }
        Set<String> known = new HashSet<>();
        store.list(repo).forEach(r -> known.add(r.dbBranch()));
        for (String db : backend.list(repo)) {
            if (db.matches("ci-(pr|mq)-\\d+") && !known.contains(db)) {
                branches.deleteDatabaseBranch(repo, db, db, "a PR's copy no record knows (left by a run cut short)");
            }
        }
    }

    /** One item's visit; counted in {@code repaired} when it appended to the audit trail (a failed one may have too). */
    private void attempt(List<String> failures, int[] repaired, String what, Runnable work) {
        long before = audit.byThisThread();
        try {
            work.run();
        } catch (RuntimeException e) {
            failures.add(what + ": " + e.getMessage());
        }
        if (audit.byThisThread() > before) {
            repaired[0]++;
        }
    }
}
