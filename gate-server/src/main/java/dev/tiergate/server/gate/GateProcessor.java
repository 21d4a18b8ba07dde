package dev.tiergate.server.gate;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.core.drift.DriftFinding;
import dev.tiergate.core.gate.BranchClassifier;
import dev.tiergate.core.gate.BranchKind;
import dev.tiergate.core.gate.GateStatus;
import dev.tiergate.core.gate.PullRequestFacts;
import dev.tiergate.core.gate.StatusState;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.rules.Rule;
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
import dev.tiergate.server.runs.RunQueue;
import dev.tiergate.server.store.BranchRecord;
import dev.tiergate.server.store.BranchStore;
import dev.tiergate.server.store.DriftStore;
import dev.tiergate.server.store.MigrationStore;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gate of one forge, and its one public door: deliveries ({@link DeliveryProcessor}), runs ({@link RunExecutor}),
 * the reconcile pass, the grants API and the policy the dashboard shows. It builds the gate's package-private parts
 * and routes to them. A delivery only says where to look (Kubernetes controllers, Prow's Tide): the branch is
 * confirmed through the forge API, the PR re-read by number, the checks by SHA; then {@link BranchLifecycle} and
 * {@link PullRequestReconciler} read the facts, core's judges decide, and the appliers write the difference.
 * Duplicates, out-of-order and replayed deliveries therefore converge on what the forge shows; the periodic
 * {@link ReconcilePass} repairs what a lost delivery left behind; {@link RunExecution} carries out the runs;
 * {@link TierGrants} answers the grants API.
 */
public final class GateProcessor implements DeliveryProcessor, RunExecutor {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern QUEUE_PR = Pattern.compile("pr-(\\d+)-");
    private static final int REMEMBERED_PIPELINES = 4096;

    private final Forge forge;
    private final EventParser parser;
    private final BranchStore store;
    private final AuditedChanges audit;
    private final BranchLifecycle branches;
    private final PullRequestReconciler pullRequests;
    private final DefaultBranchPolicy defaultPolicy;
    private final RunExecution runExecution;
    private final TierGrants grants;
    private final ReconcilePass reconcilePass;
    /** repo|sha → the other jobs' statuses last acted on: a pipeline delivery that changed only tiergate's job is skipped. */
    private final DriftCheck drift;

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
            DriftStore driftStore,
            RunQueue runQueue,
            Runnable wakeRunWorkers) {
        this.forge = forge;
        this.parser = parser;
        this.store = store;
        // everything below audits through the counter: a reconcile visit that appended a record repaired something
        this.audit = new AuditedChanges(trail);
        PolicySource policies = new PolicySource(forge);
        StatusPublisher statuses = new StatusPublisher(forge, audit);
        GatePages pages = new GatePages(publicUrl);
        PullRequestChanges changes = new PullRequestChanges(forge);
        RunRequests runs = new RunRequests(runQueue, wakeRunWorkers);
        AccessKeeper access = new AccessKeeper(backend, migrationStore, audit);
        this.drift = new DriftCheck(forge, backend, driftStore, migrationStore, audit);
        MaskedCopies masked = new MaskedCopies(
                backend, migrationStore, audit, r -> store.dbNamesInUse(r).keySet());
        DatabaseMigrations migrations = new DatabaseMigrations(
                forge, backend, migrationStore, audit, statuses, pages, changes, access, drift, masked);
        this.branches = new BranchLifecycle(backend, store, audit, migrations, runs, masked);
        this.pullRequests = new PullRequestReconciler(
                forge,
                policies,
                branches,
                store,
                audit,
                statuses,
                pages,
                migrations,
                changes,
                runs,
                access,
                new ReviewRouting(forge, migrationStore, audit),
                drift);
        this.defaultPolicy = new DefaultBranchPolicy(policies, audit);
        this.runExecution = new RunExecution(
                forge, store, policies, defaultPolicy, branches, pullRequests, migrations, access, runs);
        this.grants = new TierGrants(store, defaultPolicy, backend, access, pullRequests);
        this.reconcilePass =
                new ReconcilePass(forge, store, audit, defaultPolicy, branches, pullRequests, access, runs, backend);
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
        Optional<Policy> policy = defaultPolicy.judging(repo);
        if (policy.isEmpty()) {
            return;
        }
        branches.ensureTiers(repo, policy.get());
        Optional<String> head = forge.branchHead(repo, branch);
        // the working branch's database follows the push in a run of its own; the PR from it is judged now
        branches.observe(repo, policy.get(), branch, head)
                .ifPresent(n -> pullRequests.reconcile(repo, forge.pullRequest(repo, n)));
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

    /** A run the deliveries asked for, carried out on a run worker ({@link RunExecution}). */
    @Override
    public void execute(Run run) {
        runExecution.execute(run);
    }

    /** A run that waits for a retry: a rehearsal's says so on its head ({@link RunExecution#notDone}). */
    @Override
    public void notDone(Run run, Throwable cause, Instant retryAt) {
        runExecution.notDone(run, cause, retryAt);
    }

    /**
     * What one reconcile pass did: how many branches and PRs it visited, how many of those visits repaired something
     * (appended to the audit trail: a status posted, a state moved, a database branch created or deleted; setting up a
     * missing tier counts as one too), and which visits failed.
     */
    public record ReconcileReport(int branches, int pullRequests, int repaired, List<String> failures) {}

    /** One reconcile pass over the repository ({@link ReconcilePass}). */
    public ReconcileReport reconcile(RepoRef repo) {
        return reconcilePass.run(repo);
    }

    /**
     * {@code GET /api/v1/repos/…/drift}: each tier's drift, checked now under the repository's lock (so a merge is not
     * half-way through it); {@code tierName} null for every tier. Each entry: tier, drifted, hold, findings.
     */
    public List<Map<String, Object>> driftCheck(RepoRef repo, String tierName) {
        Policy policy = defaultPolicy
                .judging(repo)
                .orElseThrow(
                        () -> new IllegalArgumentException("no valid policy on the default branch of " + repo.path()));
        List<Tier> tiers = tierName == null
                ? policy.tiers()
                : List.of(policy.tier(tierName)
                        .orElseThrow(() -> new IllegalArgumentException("no tier '" + tierName + "' in the policy")));
        List<Map<String, Object>> out = new java.util.ArrayList<>();
        for (Tier t : tiers) {
            List<DriftFinding> before = drift.recorded(repo, t);
            List<DriftFinding> found = store.withRepoLock(repo, () -> drift.check(repo, policy, t));
            if (t.holdsOnDrift() && !before.equals(found)) {
                pullRequests.judgeOpenPullRequestsInto(repo, t); // the refusal came, went or changed its words
            }
            out.add(DriftCheck.json(t, found));
        }
        return out;
    }

    /** {@code POST /api/v1/repos/…/drift/accept}: the tier's drift accepted as its baseline, audited with the reason. */
    public Map<String, Object> driftAccept(RepoRef repo, String tierName, String reason, String by) {
        Policy policy = defaultPolicy
                .judging(repo)
                .orElseThrow(
                        () -> new IllegalArgumentException("no valid policy on the default branch of " + repo.path()));
        Tier t = policy.tier(tierName)
                .orElseThrow(() -> new IllegalArgumentException("no tier '" + tierName + "' in the policy"));
        List<DriftFinding> accepted = store.withRepoLock(repo, () -> drift.accept(repo, policy, t, reason, by));
        pullRequests.judgeOpenPullRequestsInto(repo, t);
        return DriftCheck.json(t, accepted);
    }

    /** The periodic drift pass over every tier of the repository (TIERGATE_DRIFT_MINUTES). */
    public void driftPass(RepoRef repo) {
        driftCheck(repo, null);
    }

    /** {@code GET /api/v1/repos/…/grants}: each tier's privileges against the policy ({@link TierGrants#diff}). */
    public List<Map<String, Object>> grantsDiff(RepoRef repo, String onlyDbBranch) {
        return grants.diff(repo, onlyDbBranch);
    }

    /** {@code POST /api/v1/repos/…/grants/apply?tier=T}: the tier repaired as the policy says ({@link TierGrants#apply}). */
    public Map<String, Object> grantsApply(RepoRef repo, String tierName, String by) {
        return grants.apply(repo, tierName, by);
    }

    /** The policy on the default branch for the dashboard ({@link DefaultBranchPolicy#toShow}). */
    public Optional<Policy> policyToShow(RepoRef repo) {
        return defaultPolicy.toShow(repo);
    }

    /** The policy on the default branch for the branch API ({@link DefaultBranchPolicy#forAccess}). */
    public Optional<Policy> policyForAccess(RepoRef repo) {
        return defaultPolicy.forAccess(repo);
    }
}
