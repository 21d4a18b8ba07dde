package dev.tiergate.server.gate;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.core.gate.BranchClassifier;
import dev.tiergate.core.gate.BranchKind;
import dev.tiergate.core.gate.GateStatus;
import dev.tiergate.core.gate.PullRequestFacts;
import dev.tiergate.core.gate.StatusState;
import dev.tiergate.core.naming.DbBranchName;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.PolicyException;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.workflow.WorkflowState;
import dev.tiergate.server.audit.AuditKind;
import dev.tiergate.server.audit.AuditTrail;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.forge.Forge;
import dev.tiergate.server.forge.ForgeEvent;
import dev.tiergate.server.inbox.Delivery;
import dev.tiergate.server.inbox.DeliveryProcessor;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.runs.Run;
import dev.tiergate.server.runs.RunExecutor;
import dev.tiergate.server.runs.RunKind;
import dev.tiergate.server.runs.RunQueue;
import dev.tiergate.server.store.BranchRecord;
import dev.tiergate.server.store.BranchStore;
import dev.tiergate.server.store.MigrationStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatch, the same for every forge: an event only says where to look (Kubernetes controllers, Prow's Tide).
 * The branch is confirmed through the forge API, the PR re-read by number, the checks by SHA; then
 * {@link BranchLifecycle} and {@link PullRequestReconciler} apply the difference. Duplicates, out-of-order and
 * replayed deliveries therefore converge on what the forge shows, and the periodic {@link #reconcile} pass
 * repairs what a lost delivery left behind.
 */
public final class GateProcessor implements DeliveryProcessor, RunExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(GateProcessor.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern QUEUE_PR = Pattern.compile("pr-(\\d+)-");
    private static final int REMEMBERED_PIPELINES = 4096;

    private final Forge forge;
    private final EventParser parser;
    private final BranchStore store;
    private final AuditedChanges audit;
    private final PolicySource policies;
    private final BranchLifecycle branches;
    private final PullRequestReconciler pullRequests;
    private final DatabaseMigrations migrations;
    private final AccessKeeper access;
    private final RunRequests runs;
    private final BranchBackend backend;
    /** The last invalid-policy message reported per repository, so a broken policy is audited once, not per event. */
    private final Map<RepoRef, String> reportedPolicyProblems = new ConcurrentHashMap<>();
    /** repo|sha → the other jobs' statuses last acted on: a pipeline delivery that changed only tiergate's job is skipped. */
    private final Map<String, String> pipelineJobsSeen = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > REMEMBERED_PIPELINES;
        }
    };

    public GateProcessor(
            Forge forge,
            EventParser parser,
            BranchBackend backend,
            BranchStore store,
            AuditTrail trail,
            String publicUrl,
            MigrationStore migrationStore,
            RunQueue runQueue,
            Runnable wakeRunWorkers) {
        this.forge = forge;
        this.parser = parser;
        this.store = store;
        this.backend = backend;
        // everything below audits through the counter: a reconcile visit that appended a record repaired something
        this.audit = new AuditedChanges(trail);
        this.policies = new PolicySource(forge);
        StatusPublisher statuses = new StatusPublisher(forge, audit);
        GatePages pages = new GatePages(publicUrl);
        PullRequestChanges changes = new PullRequestChanges(forge);
        this.runs = new RunRequests(runQueue, wakeRunWorkers);
        this.access = new AccessKeeper(backend, migrationStore, audit);
        this.migrations =
                new DatabaseMigrations(forge, backend, migrationStore, audit, statuses, pages, changes, access);
        this.branches = new BranchLifecycle(backend, store, audit, migrations, runs);
        this.pullRequests = new PullRequestReconciler(
                forge, policies, branches, store, audit, statuses, pages, migrations, changes, runs, access);
    }

    @Override
    public void process(Delivery delivery) throws Exception {
        for (ForgeEvent event :
                parser.parse(delivery.eventType(), delivery.headers(), JSON.readTree(delivery.body()))) {
            if (event instanceof ForgeEvent.Ignored || event.repo() == null) {
                continue;
            }
            OptionalLong onePr = onePullRequest(event);
            if (onePr.isPresent()
                    && store.withPullRequestLock(event.repo(), onePr.getAsLong(), () -> {
                        PullRequestFacts pr = forge.pullRequest(event.repo(), onePr.getAsLong());
                        if (!pullRequests.judgedAlone(event.repo(), pr)) {
                            return false;
                        }
                        pullRequests.reconcile(event.repo(), pr);
                        return true;
                    })) {
                continue; // judged beside other PRs' judgements; the rest needs the whole repository
            }
            store.withRepoLock(event.repo(), () -> {
                handle(event);
                judgeWaitingAgain(delivery, event);
                return null;
            });
        }
    }

    /**
     * A run the deliveries asked for ({@link RunRequests}), carried out on a run worker: the facts it needs are read
     * again (the forge may have moved on since it was asked for), and a run no longer wanted does nothing. The runs of
     * one repository go one at a time ({@link RunQueue}), and take no repository lock: deliveries never wait for them.
     */
    @Override
    public void execute(Run run) {
        RepoRef repo = run.repo();
        switch (run.kind()) {
            case TIER_SETUP ->
                policyOnDefaultBranch(repo)
                        .ifPresent(p -> p.tier(run.subject()).ifPresent(t -> {
                            branches.setUpTier(repo, p, t);
                            judgeAgainIfHeld(repo, t);
                        }));
            case FOLLOW -> {
                String head = run.get("head");
                if (forge.branchHead(repo, run.subject()).filter(head::equals).isEmpty()) {
                    return; // pushed again (its own run follows the newer head) or gone
                }
                String followed = run.get("followed");
                policyOnDefaultBranch(repo)
                        .ifPresent(p -> branches.follow(
                                repo,
                                p,
                                run.subject(),
                                head,
                                followed == null || followed.isEmpty() ? null : followed,
                                run.get("name_collision")));
            }
            case REHEARSAL -> {
                PullRequestFacts pr = forge.pullRequest(repo, prNumber(run));
                if (!pr.open()
                        || pr.merged()
                        || !pr.headSha().equals(run.get("head"))
                        || store.find(repo, BranchClassifier.ciGitBranch(pr.number()))
                                .isEmpty()) {
                    return; // closed, merged or pushed again since: nothing to rehearse at this head
                }
                withTierAtBase(repo, pr, (p, tier) -> {
                    // a PR whose versions collide with this one's is told too: rehearsed again, it names this PR
                    for (long other :
                            migrations.rehearseIfNeeded(repo, pr, p, tier, forge.checks(repo, pr.headSha()))) {
                        migrations.forget(repo, other);
                        PullRequestFacts o = forge.pullRequest(repo, other);
                        if (o.open()) {
                            runs.rehearsal(repo, other, o.headSha(), o.baseSha());
                        }
                    }
                });
            }
            case MERGE_GROUP -> {
                PullRequestFacts pr = forge.pullRequest(repo, prNumber(run));
                withTierAtBase(
                        repo,
                        pr,
                        (p, tier) -> migrations.rehearseMergeGroup(
                                repo,
                                pr.number(),
                                p,
                                tier,
                                run.get("group"),
                                forge.branchHead(repo, pr.baseBranch()).orElse(null)));
            }
            case MERGE -> {
                PullRequestFacts pr = forge.pullRequest(repo, prNumber(run));
                if (pr.merged()) {
                    withTierAtBase(repo, pr, (p, tier) -> {
                        migrations.applyMerge(repo, pr, p, tier);
                        judgeAgainIfHeld(repo, tier);
                    });
                }
            }
        }
    }

    /**
     * A run that held its tier (a set-up or a merge that failed) changes the verdict of every open PR into it: they
     * are judged again now, under the repository's lock, rather than at their next event.
     */
    private void judgeAgainIfHeld(RepoRef repo, Tier tier) {
        String tierDb = DbBranchName.of(tier.name());
        if (migrations.held(repo, tierDb).isEmpty() && access.held(repo, tier).isEmpty()) {
            return;
        }
        store.withRepoLock(repo, () -> {
            judgeOpenPullRequestsInto(repo, tier);
            return null;
        });
    }

    /** Every open PR into {@code tier}, judged again (a hold on the tier came or went). */
    private void judgeOpenPullRequestsInto(RepoRef repo, Tier tier) {
        String tierDb = DbBranchName.of(tier.name());
        for (BranchRecord r : store.list(repo)) {
            if (r.kind() == BranchKind.CI && r.prNumber() != null && tierDb.equals(r.parent())) {
                pullRequests.reconcile(repo, forge.pullRequest(repo, r.prNumber()));
            }
        }
    }

    /**
     * {@code GET /api/v1/repos/…/grants}: for each tier (or the one database branch asked for), how its privileges
     * differ from the policy's database access, each with the statement that would mend it.
     */
    public List<Map<String, Object>> grantsDiff(RepoRef repo, String onlyDbBranch) {
        Policy p = policyToShow(repo)
                .orElseThrow(() ->
                        new IllegalArgumentException("no readable policy on " + repo.path() + "'s default branch"));
        List<String> dbs = onlyDbBranch != null
                ? List.of(onlyDbBranch)
                : p.tiers().stream().map(t -> DbBranchName.of(t.name())).toList();
        List<Map<String, Object>> out = new ArrayList<>();
        for (String db : dbs) {
            if (!backend.exists(repo, db)) {
                continue;
            }
            var d = access.diff(repo, p, db);
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("db_branch", db);
            one.put(
                    "extra",
                    d.extra().stream()
                            .map(x -> Map.of("privilege", x.toString(), "fix", backend.statement(repo, x, false)))
                            .toList());
            one.put(
                    "missing",
                    d.missing().stream()
                            .map(x -> Map.of("privilege", x.toString(), "fix", backend.statement(repo, x, true)))
                            .toList());
            out.add(one);
        }
        return out;
    }

    /** {@code POST /api/v1/repos/…/grants/apply?tier=T}: the tier repaired as the policy says, its hold released, audited. */
    public Map<String, Object> grantsApply(RepoRef repo, String tierName, String by) {
        return store.withRepoLock(repo, () -> {
            Policy p = policyToShow(repo)
                    .orElseThrow(() ->
                            new IllegalArgumentException("no readable policy on " + repo.path() + "'s default branch"));
            Tier t = p.tier(tierName)
                    .orElseThrow(() -> new IllegalArgumentException("the policy has no tier '" + tierName + "'; tiers: "
                            + p.tiers().stream().map(Tier::name).toList()));
            var d = access.apply(repo, p, t, by);
            judgeOpenPullRequestsInto(repo, t);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("tier", t.name());
            out.put("revoked", d.extra().stream().map(Object::toString).toList());
            out.put("granted", d.missing().stream().map(Object::toString).toList());
            return out;
        });
    }

    /**
     * A rehearsal (or a merge group's) that waits for a retry says so in {@code tiergate/migrations} on its head,
     * pending, unless the forge is what failed: the workflow verdict does not wait for the database, its rehearsal does.
     */
    @Override
    public void notDone(Run run, Throwable cause, Instant retryAt) {
        if (WaitingVerdict.forgeFailed(cause)
                || (run.kind() != RunKind.REHEARSAL && run.kind() != RunKind.MERGE_GROUP)) {
            return;
        }
        String sha = run.kind() == RunKind.REHEARSAL ? run.get("head") : run.get("group");
        String forgeName = run.repo().forge().equals("gitlab") ? "GitLab" : "GitHub";
        migrations.waiting(
                run.repo(), prNumber(run), sha, WaitingVerdict.of(forgeName, cause, run.attempts(), retryAt));
    }

    private static long prNumber(Run run) {
        return Long.parseLong(run.subject().substring("pull/".length()));
    }

    /** The policy at the PR's base and the tier it merges into, when both are there (else the workflow status says why). */
    private void withTierAtBase(RepoRef repo, PullRequestFacts pr, BiConsumer<Policy, Tier> work) {
        try {
            policies.at(repo, pr.baseSha())
                    .ifPresent(p -> p.tierForBranch(pr.baseBranch()).ifPresent(t -> work.accept(p, t)));
        } catch (PolicyException e) {
            // the policy at the base does not validate: tiergate/workflow refuses the PR with policy.invalid
        }
    }

    /** A retry that got through: a PR whose verdict still says it waits on this delivery is judged again. */
    private void judgeWaitingAgain(Delivery delivery, ForgeEvent event) {
        if (delivery.attempts() <= 1) {
            return;
        }
        for (long n : pullRequestsNamedBy(event)) {
            if (store.find(event.repo(), BranchClassifier.ciGitBranch(n))
                    .map(BranchRecord::lastRule)
                    .filter(Rule.GATE_WAITING.id()::equals)
                    .isPresent()) {
                pullRequests.reconcile(event.repo(), forge.pullRequest(event.repo(), n));
            }
        }
    }

    /**
     * The delivery waits for a retry (or was parked, {@code retryAt} null): each PR it is about gets a pending verdict
     * that says on what and until when, on its record (the API, the dashboard) and, unless the forge is what failed,
     * as its status.
     */
    @Override
    public void notDone(Delivery delivery, Exception cause, Instant retryAt) throws Exception {
        boolean post = !WaitingVerdict.forgeFailed(cause);
        for (ForgeEvent event :
                parser.parse(delivery.eventType(), delivery.headers(), JSON.readTree(delivery.body()))) {
            if (event instanceof ForgeEvent.Ignored || event.repo() == null) {
                continue;
            }
            String forgeName = event.repo().forge().equals("gitlab") ? "GitLab" : "GitHub";
            GateStatus waiting = WaitingVerdict.of(forgeName, cause, delivery.attempts(), retryAt);
            store.withRepoLock(event.repo(), () -> {
                for (long n : pullRequestsNamedBy(event)) {
                    pullRequests.waiting(event.repo(), n, waiting, post);
                }
                return null;
            });
        }
    }

    /**
     * The one PR a review, a PR change or a CI result is about, when the store knows it: such an event may be judged
     * under that PR's lock ({@link PullRequestReconciler#judgedAlone}). GitLab's pipeline events are not (their "only
     * tiergate's job changed" test remembers what it saw, so it runs once, in {@link #handle}); nor are pushes,
     * merge groups and external status checks.
     */
    private OptionalLong onePullRequest(ForgeEvent event) {
        if (event instanceof ForgeEvent.PullRequestChanged pr) {
            // a PR tiergate has not judged yet, or one whose event names a new head, needs the repository's lock: no
            // forge call is spent on finding that out under the PR's lock first
            Optional<BranchRecord> ci = store.find(event.repo(), BranchClassifier.ciGitBranch(pr.number()));
            boolean sameHead = ci.isPresent()
                    && (pr.headSha() == null || pr.headSha().equals(ci.get().headSha()));
            boolean staysOpen = pr.action() == ForgeEvent.PullRequestChanged.Action.APPROVAL_CHANGED
                    || pr.action() == ForgeEvent.PullRequestChanged.Action.EDITED;
            return sameHead && staysOpen ? OptionalLong.of(pr.number()) : OptionalLong.empty();
        }
        if (event instanceof ForgeEvent.ChecksChanged c && c.otherJobs() == null) {
            List<Long> prs = store.withHeadSha(event.repo(), c.sha()).stream()
                    .filter(r -> r.kind() == BranchKind.CI && r.prNumber() != null)
                    .map(BranchRecord::prNumber)
                    .toList();
            return prs.size() == 1 ? OptionalLong.of(prs.get(0)) : OptionalLong.empty();
        }
        return OptionalLong.empty();
    }

    /** The PRs an event is about, as far as the store knows without asking the forge. */
    private List<Long> pullRequestsNamedBy(ForgeEvent event) {
        RepoRef repo = event.repo();
        if (event instanceof ForgeEvent.PullRequestChanged pr) {
            return List.of(pr.number());
        }
        if (event instanceof ForgeEvent.ExternalStatusCheckRequested x) {
            return List.of(x.number());
        }
        if (event instanceof ForgeEvent.MergeGroupRequested g) {
            Matcher m = QUEUE_PR.matcher(g.headRef());
            return m.find() ? List.of(Long.parseLong(m.group(1))) : List.of();
        }
        if (event instanceof ForgeEvent.ChecksChanged c) {
            return store.withHeadSha(repo, c.sha()).stream()
                    .filter(r -> r.kind() == BranchKind.CI && r.prNumber() != null)
                    .map(BranchRecord::prNumber)
                    .toList();
        }
        if (event instanceof ForgeEvent.BranchPushed p) {
            return store.find(repo, p.branch())
                    .map(BranchRecord::prNumber)
                    .filter(n ->
                            store.find(repo, BranchClassifier.ciGitBranch(n)).isPresent())
                    .map(List::of)
                    .orElse(List.of());
        }
        return List.of();
    }

    /** Applies the event under the repository's lock. */
    private void handle(ForgeEvent event) {
        RepoRef repo = event.repo();
        if (event instanceof ForgeEvent.BranchPushed p) {
            onBranchEvent(repo, p.branch());
        } else if (event instanceof ForgeEvent.PullRequestChanged pr) {
            pullRequests.reconcile(repo, forge.pullRequest(repo, pr.number()));
        } else if (event instanceof ForgeEvent.ChecksChanged c) {
            if (onlyOurJobChanged(repo, c)) {
                return;
            }
            for (long n : openPullRequestsWithHead(repo, c.sha())) {
                pullRequests.reconcile(repo, forge.pullRequest(repo, n));
            }
        } else if (event instanceof ForgeEvent.MergeGroupRequested g) {
            Matcher m = QUEUE_PR.matcher(g.headRef());
            if (m.find()) {
                pullRequests.onMergeGroup(repo, Long.parseLong(m.group(1)), g.headSha());
            }
        } else if (event instanceof ForgeEvent.ExternalStatusCheckRequested x) {
            pullRequests.reconcile(repo, forge.pullRequest(repo, x.number()));
            Optional<BranchRecord> ci = store.find(repo, BranchClassifier.ciGitBranch(x.number()));
            boolean passed = ci.isPresent()
                    && ci.get().lastStatus() == StatusState.SUCCESS
                    && x.sha() != null
                    && x.sha().equals(ci.get().lastStatusSha());
            forge.answerStatusCheck(repo, x.number(), x.sha(), x.statusCheckId(), passed);
            audit.append(
                    AuditKind.STATUS,
                    repo,
                    "external_status_check",
                    Map.of("sha", String.valueOf(x.sha()), "passed", passed, "check_id", x.statusCheckId()));
        }
    }

    /**
     * A push, create or delete is a hint: the branch's head is confirmed through the forge API before a database
     * branch is created or deleted, so a replayed or forged-looking delivery changes nothing the forge does not show.
     */
    private void onBranchEvent(RepoRef repo, String branch) {
        Optional<Policy> policy = policyOnDefaultBranch(repo);
        if (policy.isEmpty()) {
            return;
        }
        branches.ensureTiers(repo, policy.get());
        Optional<String> head = forge.branchHead(repo, branch);
        // the working branch's database follows the push in a run of its own; the PR from it is judged now
        branches.observe(repo, policy.get(), branch, head)
                .ifPresent(n -> pullRequests.reconcile(repo, forge.pullRequest(repo, n)));
    }

    /**
     * What one reconcile pass did: how many branches and PRs it visited, how many of those visits repaired something
     * (appended to the audit trail: a status posted, a state moved, a database branch created or deleted; setting up a
     * missing tier counts as one too), and which visits failed.
     */
    public record ReconcileReport(int branches, int pullRequests, int repaired, List<String> failures) {}

    /**
     * Repairs what lost deliveries left behind: every branch and every open PR of the repository, re-read, each
     * visited once, and the closed PRs of working branches still in flight without an open PR (a PR opened and
     * merged while every delivery about it was lost). One item's failure is logged and counted and does not stop the pass; the next pass retries it.
     */
    public ReconcileReport reconcile(RepoRef repo) {
        return store.withRepoLock(repo, () -> {
            List<String> failures = new ArrayList<>();
            Optional<Policy> policy = policyOnDefaultBranch(repo);
            if (policy.isEmpty()) {
                return new ReconcileReport(0, 0, 0, failures);
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
                        judgeOpenPullRequestsInto(repo, t);
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
            return new ReconcileReport(branchVisits, numbers.size(), repaired[0], List.copyOf(failures));
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

    private boolean onlyOurJobChanged(RepoRef repo, ForgeEvent.ChecksChanged c) {
        if (c.otherJobs() == null) {
            return false;
        }
        String key = repo.keyFor(c.sha());
        synchronized (pipelineJobsSeen) {
            String before = pipelineJobsSeen.put(key, c.otherJobs());
            return c.otherJobs().equals(before);
        }
    }

    private List<Long> openPullRequestsWithHead(RepoRef repo, String sha) {
        List<Long> known = store.withHeadSha(repo, sha).stream()
                .filter(r -> r.kind() == BranchKind.CI && r.prNumber() != null)
                .map(BranchRecord::prNumber)
                .toList();
        if (!known.isEmpty()) {
            return known;
        }
        return forge.openPullRequests(repo).stream()
                .filter(pr -> pr.headSha().equals(sha))
                .map(PullRequestFacts::number)
                .toList();
    }

    /**
     * The policy on the repository's default branch for a reader that only shows it (the dashboard): empty when it
     * is missing, invalid or the forge does not answer; nothing is audited.
     */
    public Optional<Policy> policyToShow(RepoRef repo) {
        try {
            return policies.onDefaultBranch(repo);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The policy on the repository's default branch for deciding who gets a login on its database branches (the
     * branch API): empty when the file is missing; {@link PolicyException} when invalid, the forge's exception when it
     * does not answer, so the caller can tell the two apart and refuse. Nothing is audited here.
     */
    public Optional<Policy> policyForAccess(RepoRef repo) {
        return policies.onDefaultBranch(repo);
    }

    private Optional<Policy> policyOnDefaultBranch(RepoRef repo) {
        try {
            Optional<Policy> p = policies.onDefaultBranch(repo);
            reportedPolicyProblems.remove(repo);
            return p;
        } catch (PolicyException e) {
            if (!e.getMessage().equals(reportedPolicyProblems.put(repo, e.getMessage()))) {
                audit.append(
                        AuditKind.REFUSAL,
                        repo,
                        null,
                        Map.of("rule", Rule.POLICY_INVALID.id(), "message", e.getMessage()));
            }
            return Optional.empty();
        }
    }
}
