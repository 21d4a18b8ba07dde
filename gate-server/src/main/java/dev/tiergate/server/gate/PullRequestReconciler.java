package dev.tiergate.server.gate;

import dev.tiergate.core.gate.BranchClassifier;
import dev.tiergate.core.gate.BranchKind;
import dev.tiergate.core.gate.GateStatus;
import dev.tiergate.core.gate.MergeGate;
import dev.tiergate.core.gate.PullRequestFacts;
import dev.tiergate.core.gate.PullRequestWorkflow;
import dev.tiergate.core.gate.StatusState;
import dev.tiergate.core.gate.TransitionReason;
import dev.tiergate.core.migration.TestFiles;
import dev.tiergate.core.naming.DbBranchName;
import dev.tiergate.core.policy.ActorClass;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.PolicyException;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.state.Claim;
import dev.tiergate.core.state.StateFileValidator;
import dev.tiergate.core.state.TiergateState;
import dev.tiergate.core.verdict.Refusal;
import dev.tiergate.core.workflow.WorkflowState;
import dev.tiergate.server.audit.AuditKind;
import dev.tiergate.server.audit.AuditTrail;
import dev.tiergate.server.forge.CommitChecks;
import dev.tiergate.server.forge.CommitStatus;
import dev.tiergate.server.forge.Forge;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.BranchRecord;
import dev.tiergate.server.store.BranchStore;
import dev.tiergate.server.store.MigrationStore;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One pull request, level-triggered: from its re-read facts, the policy at its base commit and the checks on its
 * head, it computes where the PR stands and what the gate says, then applies only the difference: the state
 * steps not yet recorded, the database branch {@code ci-pr-<N>} while the PR is open, and the status, posted
 * only when the forge shows something else.
 */
final class PullRequestReconciler {
    private final Forge forge;
    private final PolicySource policies;
    private final BranchLifecycle branches;
    private final BranchStore store;
    private final AuditTrail audit;
    private final StatusPublisher statuses;
    private final GatePages pages;
    private final StateFileCheck stateFiles;
    private final DatabaseMigrations migrations;
    private final PullRequestChanges changes;
    private final RunRequests runs;
    private final AccessKeeper access;

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
            AccessKeeper access) {
        this.runs = runs;
        this.access = access;
        this.migrations = migrations;
        this.changes = changes;
        this.forge = forge;
        this.policies = policies;
        this.branches = branches;
        this.store = store;
        this.audit = audit;
        this.statuses = statuses;
        this.pages = pages;
        this.stateFiles = new StateFileCheck(forge);
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

    void reconcile(RepoRef repo, PullRequestFacts pr) {
        long number = pr.number();
        String ciGit = BranchClassifier.ciGitBranch(number);
        Optional<BranchRecord> ci = store.find(repo, ciGit);
        if (!pr.open() && ci.isEmpty()) {
            Optional<BranchRecord> head = mergedHead(repo, pr);
            if (head.isEmpty()
                    || head.get().state() == WorkflowState.MERGED
                            && !branches.databaseBranchLeftOver(repo, head.get().dbBranch())) {
                return; // closed or merged, and already cleaned up: a duplicate
            }
            if (head.get().state()
                    == WorkflowState.MERGED) { // an attempt stopped between ci-pr-<N> and the head's database
                branches.deleteDatabaseBranch(repo, pr.headBranch(), head.get().dbBranch(), "PR merged");
                return;
            }
            // merged before tiergate heard of it (its deliveries lost, or reached only after the merge): merge it now
        }
        Optional<Policy> policy;
        try {
            policy = policies.at(repo, pr.baseSha());
        } catch (PolicyException e) {
            if (pr.open()) {
                GateStatus failed = GateStatus.failure(
                        Rule.POLICY_INVALID.id(),
                        "The policy on the base commit does not validate; fix .tiergate/policy.yaml on "
                                + pr.baseBranch());
                if (publish(repo, pr, failed, ciGit, forge.checks(repo, pr.headSha()))) {
                    audit.append(
                            AuditKind.REFUSAL,
                            repo,
                            ciGit,
                            Map.of("rule", failed.rule(), "message", e.getMessage(), "sha", pr.headSha()));
                }
            }
            return;
        }
        if (policy.isEmpty()) {
            if (pr.open()) {
                publish(
                        repo,
                        pr,
                        new GateStatus(
                                StatusState.SUCCESS,
                                Rule.GATE_NO_POLICY.id(),
                                "No .tiergate/policy.yaml on the base commit: tiergate does not gate this repository"),
                        ciGit,
                        forge.checks(repo, pr.headSha()));
            }
            return;
        }
        Policy p = policy.get();
        branches.ensureTiers(repo, p);
        if (pr.open() && store.find(repo, pr.headBranch()).isEmpty()) {
            branches.observe(repo, p, pr.headBranch(), Optional.of(pr.headSha()));
        }
        CommitChecks checks = pr.open() ? forge.checks(repo, pr.headSha()) : CommitChecks.NONE;
        WorkflowState target = PullRequestWorkflow.stateFor(p, pr, checks.ci());
        WorkflowState recorded = ci.map(BranchRecord::state).orElse(null);
        boolean headMoved = ci.isPresent() && !pr.headSha().equals(ci.get().headSha());
        Optional<Tier> baseTier = p.tierForBranch(pr.baseBranch());
        String ciDb = BranchClassifier.ciDbBranch(number);
        BranchRecord record = ci.orElseGet(() -> BranchRecord.tracked(
                        repo,
                        ciGit,
                        ciDb,
                        baseTier.map(t -> DbBranchName.of(t.name())).orElse(null),
                        BranchKind.CI,
                        WorkflowState.FEATURE_CLAIMED,
                        pr.headSha()))
                .withHead(pr.headSha())
                .withPullRequest(number, pr.author().login());
        BranchRecord stored = ci.orElse(null);
        WorkflowState from = recorded;
        for (WorkflowState step : PullRequestWorkflow.steps(recorded, headMoved, target)) {
            String reason = TransitionReason.of(from, step, headMoved);
            record = record.withState(step);
            store.save(record, reason);
            stored = record;
            branches.transition(repo, ciGit, from, step, reason, pr.headSha());
            mirrorOnHead(repo, pr, step, reason);
            from = step;
        }
        if (pr.merged()) {
            baseTier.ifPresent(t -> runs.merge(repo, number, pr.headSha())); // the tier migrates in a run of its own
            migrations.forget(repo, number);
            if (PullRequestWorkflow.mergeWasViolation(record.lastStatus(), record.lastStatusSha(), pr.headSha())) {
                audit.append(
                        AuditKind.VIOLATION,
                        repo,
                        ciGit,
                        Map.of(
                                "rule",
                                Rule.GATE_MERGED_WITHOUT_SUCCESS.id(),
                                "message",
                                "PR #" + number + " merged while tiergate/workflow was "
                                        + (record.lastStatus() == null
                                                ? "never posted"
                                                : record.lastStatus().name().toLowerCase(Locale.ROOT))
                                        + " on " + pr.headSha(),
                                "sha",
                                pr.headSha()));
            }
            cleanUpAfterPr(repo, pr, record, true);
            return;
        }
        if (!pr.open()) {
            migrations.forget(repo, number);
            cleanUpAfterPr(repo, pr, record, false);
            return;
        }
        BranchRecord rec = record;
        Optional<GateStatus> held = baseTier.flatMap(t -> migrations.held(repo, DbBranchName.of(t.name())))
                .map(h -> GateStatus.failure(
                        DatabaseMigrations.TIER_HELD,
                        heldDescription(baseTier.get().name(), h)));
        Optional<GateStatus> drifted = baseTier.flatMap(t -> access.held(repo, t)
                .map(words -> GateStatus.failure(
                        Rule.PERMISSIONS_DRIFTED.id(),
                        "Tier " + t.name() + "'s privileges drifted from the policy; tiergate grants apply --tier "
                                + t.name())));
        GateStatus status = held.or(() -> drifted)
                .or(() -> stateFiles.problemAt(repo, pr.headSha()))
                .or(() -> testsDeletedByAgent(repo, p, pr))
                .orElseGet(() ->
                        MergeGate.evaluate(p, pr, rec.state(), rec.headSha(), () -> forge.approvals(repo, number)));
        if (publish(repo, pr, status, ciGit, checks) && status.state() == StatusState.FAILURE) {
            audit.append(
                    AuditKind.REFUSAL,
                    repo,
                    ciGit,
                    Map.of("rule", status.rule(), "message", status.description(), "sha", pr.headSha()));
        }
        BranchRecord next = record.withVerdict(status.state(), pr.headSha(), status.rule(), status.description());
        if (!sameRecord(next, stored)) {
            store.save(next, "status " + status.rule());
        }
        if (baseTier.isPresent() && !migrations.rehearsed(repo, pr)) {
            // ci-pr-<N> is made (or made afresh) and the PR's migrations run on it by the rehearsal run
            runs.rehearsal(repo, number, pr.headSha(), pr.baseSha());
        }
    }

    /**
     * An agent's PR may not delete test files unless its claim (the tiergate state file at the head) lists them as
     * superseded: the hooks' rule, here over the PR's removals since its merge base. Read only for agents' PRs.
     */
    private Optional<GateStatus> testsDeletedByAgent(RepoRef repo, Policy p, PullRequestFacts pr) {
        if (p.actorFor(pr.author().login(), pr.author().bot()).actorClass() != ActorClass.AGENT) {
            return Optional.empty();
        }
        List<String> removed = changes.of(repo, pr.baseSha(), pr.headSha()).removed();
        if (removed.isEmpty()) {
            return Optional.empty();
        }
        Optional<Claim> claim = forge.fileAt(repo, pr.headSha(), StateFileValidator.TIERGATE_STATE_PATH)
                .flatMap(bytes -> {
                    try {
                        return TiergateState.read(bytes, StateFileValidator.TIERGATE_STATE_PATH)
                                .claimForBranch(pr.headBranch());
                    } catch (RuntimeException e) {
                        return Optional.empty(); // an unreadable state file is the state-file rule's to refuse
                    }
                });
        List<Refusal> refusals = TestFiles.deletedByAgent(
                removed, path -> claim.map(c -> c.supersedes(path)).orElse(false), "PR #" + pr.number());
        if (refusals.isEmpty()) {
            return Optional.empty();
        }
        Refusal first = refusals.get(0);
        return Optional.of(GateStatus.failure(
                first.rule(),
                first.where() + ": " + first.message()
                        + (refusals.size() > 1 ? " (+" + (refusals.size() - 1) + " more)" : "")));
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

    /**
     * The working branch a merged PR came from, while it still shows the PR's merged head: the branch record the
     * merge has to end. Empty for a closed, unmerged PR and for a branch pushed again after the merge.
     */
    private Optional<BranchRecord> mergedHead(RepoRef repo, PullRequestFacts pr) {
        if (!pr.merged()) {
            return Optional.empty();
        }
        return store.find(repo, pr.headBranch())
                .filter(h -> h.kind() == BranchKind.WORKING && pr.headSha().equals(h.headSha()));
    }

    private void cleanUpAfterPr(RepoRef repo, PullRequestFacts pr, BranchRecord ci, boolean merged) {
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

    /**
     * Why a PR into a held tier is refused, as its status says it: what failed, not how. The reason recorded with the
     * hold quotes the database's error in full (a row a migration or a seed printed), so it stays on the tier's page
     * of the dashboard, behind its sign-in.
     */
    static String heldDescription(String tier, MigrationStore.Held held) {
        return "Tier " + tier + " is held: "
                + (held.pr() != null && held.pr() > 0
                        ? "PR #" + held.pr() + "'s migration failed on it"
                        : "setting it up failed")
                + "; roll it back with tiergate rollback or fix it, then release it";
    }
}
