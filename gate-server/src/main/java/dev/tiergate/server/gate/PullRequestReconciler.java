package dev.tiergate.server.gate;

import dev.tiergate.core.gate.BranchClassifier;
import dev.tiergate.core.gate.BranchKind;
import dev.tiergate.core.gate.GateStatus;
import dev.tiergate.core.gate.PullRequestCase;
import dev.tiergate.core.gate.PullRequestCase.PolicyAtBase;
import dev.tiergate.core.gate.PullRequestCase.TierHold;
import dev.tiergate.core.gate.PullRequestFacts;
import dev.tiergate.core.gate.PullRequestJudge;
import dev.tiergate.core.gate.StatusState;
import dev.tiergate.core.naming.DbBranchName;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.PolicyException;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.state.Claim;
import dev.tiergate.core.state.StateFileValidator;
import dev.tiergate.core.state.TiergateState;
import dev.tiergate.server.audit.AuditTrail;
import dev.tiergate.server.forge.CommitChecks;
import dev.tiergate.server.forge.CommitStatus;
import dev.tiergate.server.forge.Forge;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.BranchRecord;
import dev.tiergate.server.store.BranchStore;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One pull request, level-triggered, in three steps: read its facts (the PR re-read from the forge, the records, the
 * checks on its head, and lazily the policy at its base, the files and the approvals), let core's
 * {@link PullRequestJudge} decide, and let {@link PullRequestApplier} carry out the plan as differences. It also
 * answers whether a judgement may run under the PR's own lock, posts a waiting verdict, and a merge group's status.
 */
final class PullRequestReconciler {
    private final Forge forge;
    private final PolicySource policies;
    private final BranchLifecycle branches;
    private final BranchStore store;
    private final StatusPublisher statuses;
    private final GatePages pages;
    private final StateFileCheck stateFiles;
    private final DatabaseMigrations migrations;
    private final PullRequestChanges changes;
    private final RunRequests runs;
    private final AccessKeeper access;
    private final ReviewRouting reviews;
    private final DriftCheck drift;
    private final PullRequestApplier applier;

    PullRequestReconciler(
            Forge forge,
            PolicySource policies,
            BranchLifecycle branches,
            BranchStore store,
            AuditTrail audit,
            StatusPublisher statuses,
            GatePages pages,
            DatabaseMigrations migrations,
            PullRequestChanges changes,
            RunRequests runs,
            AccessKeeper access,
            ReviewRouting reviews,
            DriftCheck drift) {
        this.drift = drift;
        this.runs = runs;
        this.reviews = reviews;
        this.access = access;
        this.migrations = migrations;
        this.changes = changes;
        this.forge = forge;
        this.policies = policies;
        this.branches = branches;
        this.store = store;
        this.statuses = statuses;
        this.pages = pages;
        this.stateFiles = new StateFileCheck(forge);
        this.applier = new PullRequestApplier(branches, store, audit, statuses, pages, migrations, runs, reviews);
    }

    /**
     * Whether judging this PR now touches only what is its own (its {@code ci-pr-<N>} record, its head branch's
     * record, its status, audit records), so that it may run beside other PRs' judgements under its PR lock: it is
     * open, its head is the one recorded and already rehearsed against this base, its head branch and every tier of
     * the policy are set up. Anything else (a first sight, a new head, a merge or close, a policy problem) may create
     * or drop database branches, move a tier or re-judge colliding PRs, and runs under the repository's lock.
     */
    boolean judgedAlone(RepoRef repo, PullRequestFacts pr) {
        if (!pr.open() || pr.merged()) {
            return false;
        }
        Optional<BranchRecord> ci = store.find(repo, BranchClassifier.ciGitBranch(pr.number()));
        if (ci.isEmpty()
                || !pr.headSha().equals(ci.get().headSha())
                || store.find(repo, pr.headBranch()).isEmpty()) {
            return false;
        }
        Optional<Policy> policy;
        try {
            policy = policies.at(repo, pr.baseSha());
        } catch (PolicyException e) {
            return false;
        }
        if (policy.isEmpty()
                || policy.get().tiers().stream()
                        .anyMatch(t -> store.find(repo, t.branch()).isEmpty())) {
            return false;
        }
        return policy.get().tierForBranch(pr.baseBranch()).isEmpty() || migrations.rehearsed(repo, pr);
    }

    /** Judges PR {@code pr} from facts read now and brings store, forge and backend in line: read, decide, apply. */
    void reconcile(RepoRef repo, PullRequestFacts pr) {
        Optional<BranchRecord> ci = store.find(repo, BranchClassifier.ciGitBranch(pr.number()));
        Optional<BranchRecord> head = store.find(repo, pr.headBranch());
        CommitChecks checks = pr.open() ? forge.checks(repo, pr.headSha()) : CommitChecks.NONE;
        PullRequestCase facts = facts(repo, pr, ci, head, checks);
        applier.apply(repo, facts, PullRequestJudge.judge(facts), ci, checks);
    }

    /**
     * The facts of one PR for the judge. The reads the judge may not need are suppliers, read at most once and only
     * when it asks: the policy at the base commit, the approvals, the files at the head, a hold on the base tier.
     */
    private PullRequestCase facts(
            RepoRef repo,
            PullRequestFacts pr,
            Optional<BranchRecord> ci,
            Optional<BranchRecord> head,
            CommitChecks checks) {
        Supplier<PolicyAtBase> policy = once(() -> {
            try {
                return policies.at(repo, pr.baseSha()).map(PolicyAtBase::valid).orElseGet(PolicyAtBase::absent);
            } catch (PolicyException e) {
                return PolicyAtBase.invalid(e.getMessage());
            }
        });
        Supplier<Optional<Tier>> baseTier =
                () -> Optional.ofNullable(policy.get().policy()).flatMap(p -> p.tierForBranch(pr.baseBranch()));
        return new PullRequestCase(
                pr,
                policy,
                ci.map(BranchRecord::recorded),
                head.map(BranchRecord::recorded),
                checks.ci(),
                () -> head.map(h -> branches.databaseBranchLeftOver(repo, h.dbBranch()))
                        .orElse(false),
                () -> baseTier.get()
                        .flatMap(t -> migrations.held(repo, DbBranchName.of(t.name())))
                        .map(h -> new TierHold(h.pr())),
                () -> baseTier.get().flatMap(t -> access.held(repo, t)).isPresent(),
                () -> migrations.rehearsed(repo, pr),
                () -> stateFiles.refusalAt(repo, pr.headSha()),
                () -> changes.of(repo, pr.baseSha(), pr.headSha()).removed(),
                () -> claimAtHead(repo, pr),
                once(() -> forge.approvals(repo, pr.number())),
                () -> reviews.evidence(repo, pr.number()),
                () -> changes.of(repo, pr.baseSha(), pr.headSha()).touched(),
                reviews.teams(repo),
                () -> baseTier.get().flatMap(t -> DriftCheck.inWords(drift.recorded(repo, t))));
    }

    /** The head branch's claim in tiergate's state file at the head; none when the file is absent or unreadable. */
    private Optional<Claim> claimAtHead(RepoRef repo, PullRequestFacts pr) {
        return forge.fileAt(repo, pr.headSha(), StateFileValidator.TIERGATE_STATE_PATH)
                .flatMap(bytes -> {
                    try {
                        return TiergateState.read(bytes, StateFileValidator.TIERGATE_STATE_PATH)
                                .claimForBranch(pr.headBranch());
                    } catch (RuntimeException e) {
                        return Optional.empty(); // an unreadable state file is the state-file rule's to refuse
                    }
                });
    }

    /** A supplier that reads once, however often the judge asks. */
    private static <T> Supplier<T> once(Supplier<T> read) {
        return new Supplier<>() {
            private T value;
            private boolean done;

            @Override
            public T get() {
                if (!done) {
                    value = read.get();
                    done = true;
                }
                return value;
            }
        };
    }

    /** Every open PR into {@code tier}, judged again (a hold on the tier came or went). */
    void judgeOpenPullRequestsInto(RepoRef repo, Tier tier) {
        String tierDb = DbBranchName.of(tier.name());
        for (BranchRecord r : store.list(repo)) {
            if (r.kind() == BranchKind.CI && r.prNumber() != null && tierDb.equals(r.parent())) {
                reconcile(repo, forge.pullRequest(repo, r.prNumber()));
            }
        }
    }

    /**
     * PR {@code number}'s judgement waits for a retry: its record's verdict says so (and on what, until when), and
     * with {@code post} (the forge answers) so does its status on the head the forge shows now. The next judgement
     * that gets through replaces both.
     */
    void waiting(RepoRef repo, long number, GateStatus status, boolean post) {
        String ciGit = BranchClassifier.ciGitBranch(number);
        Optional<BranchRecord> ci = store.find(repo, ciGit);
        String sha = ci.map(BranchRecord::headSha).orElse(null);
        if (post) {
            PullRequestFacts pr = forge.pullRequest(repo, number);
            if (!pr.open()) {
                return;
            }
            sha = pr.headSha();
            publish(repo, pr, status, ciGit, forge.checks(repo, sha));
        }
        if (ci.isPresent() && sha != null) {
            store.save(
                    ci.get().withVerdict(status.state(), sha, status.rule(), status.description()),
                    "status " + status.rule());
        }
    }

    /** A GitHub merge group: the status of the PR it carries, posted on the group's head SHA too. */
    void onMergeGroup(RepoRef repo, long number, String groupHeadSha) {
        PullRequestFacts facts = forge.pullRequest(repo, number);
        reconcile(repo, facts);
        String ciGit = BranchClassifier.ciGitBranch(number);
        StatusState s = store.find(repo, ciGit).map(BranchRecord::lastStatus).orElse(StatusState.PENDING);
        String description = s == StatusState.SUCCESS
                ? "PR #" + number + " passed tiergate; merge group allowed"
                : "PR #" + number + " has not passed tiergate (" + s.name().toLowerCase(Locale.ROOT) + ")";
        CommitStatus wanted = new CommitStatus(s, description, pages.branch(repo, ciGit));
        statuses.publish(
                repo,
                groupHeadSha,
                wanted,
                forge.checks(repo, groupHeadSha).shown(CommitStatus.CONTEXT),
                "merge_group",
                Map.of("pr", number));
        try {
            Optional<Policy> policy = policies.at(repo, facts.baseSha());
            if (policy.flatMap(p -> p.tierForBranch(facts.baseBranch())).isPresent()) {
                runs.mergeGroup(repo, number, groupHeadSha);
            }
        } catch (PolicyException e) {
            // the workflow status above already says the policy does not validate
        }
    }

    private boolean publish(RepoRef repo, PullRequestFacts pr, GateStatus status, String ciGit, CommitChecks checks) {
        CommitStatus wanted = new CommitStatus(status.state(), status.description(), pages.branch(repo, ciGit));
        return statuses.publish(
                repo, pr.headSha(), wanted, checks.shown(CommitStatus.CONTEXT), ciGit, Map.of("rule", status.rule()));
    }
}
