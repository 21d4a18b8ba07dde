package dev.tiergate.server.gate;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.core.gate.BranchClassifier;
import dev.tiergate.core.gate.BranchClassifier.TrackedBranch;
import dev.tiergate.core.gate.BranchKind;
import dev.tiergate.core.gate.CheckResult;
import dev.tiergate.core.gate.GateStatus;
import dev.tiergate.core.gate.MergeGate;
import dev.tiergate.core.gate.PullRequestFacts;
import dev.tiergate.core.gate.PullRequestWorkflow;
import dev.tiergate.core.gate.StatusState;
import dev.tiergate.core.naming.DbBranchName;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.PolicyException;
import dev.tiergate.core.policy.PolicyReader;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.workflow.WorkflowState;
import dev.tiergate.server.audit.AuditLog;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.forge.CommitStatus;
import dev.tiergate.server.forge.Forge;
import dev.tiergate.server.forge.ForgeEvent;
import dev.tiergate.server.forge.RepoRef;
import dev.tiergate.server.inbox.Delivery;
import dev.tiergate.server.inbox.DeliveryProcessor;
import dev.tiergate.server.store.BranchRecord;
import dev.tiergate.server.store.BranchStore;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Level-triggered processing, the same for every forge: an event only says where to look; the processor re-reads
 * the facts by SHA through the {@link Forge}, lets the pure core decide, and carries out the difference
 * (database branches, records, audit, the {@code tiergate/workflow} status). Duplicates and out-of-order
 * deliveries therefore converge on the same state.
 */
public final class GateProcessor implements DeliveryProcessor {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern QUEUE_PR = Pattern.compile("pr-(\\d+)-");

    private final Forge forge;
    private final EventParser parser;
    private final BranchBackend backend;
    private final BranchStore store;
    private final AuditLog audit;
    private final String publicUrl;

    public GateProcessor(Forge forge, EventParser parser, BranchBackend backend, BranchStore store, AuditLog audit, String publicUrl) {
        this.forge = forge;
        this.parser = parser;
        this.backend = backend;
        this.store = store;
        this.audit = audit;
        this.publicUrl = publicUrl;
    }

    @Override
    public void process(Delivery delivery) throws Exception {
        for (ForgeEvent event : parser.parse(delivery.eventType(), delivery.headers(), JSON.readTree(delivery.body()))) {
            if (event instanceof ForgeEvent.Ignored || event.repo() == null) {
                continue;
            }
            store.withRepoLock(event.repo(), () -> {
                handle(event);
                return null;
            });
        }
    }

    void handle(ForgeEvent event) {
        RepoRef repo = event.repo();
        if (event instanceof ForgeEvent.BranchPushed p) {
            onBranch(repo, p);
        } else if (event instanceof ForgeEvent.PullRequestChanged pr) {
            reconcilePullRequest(repo, pr.number());
        } else if (event instanceof ForgeEvent.ChecksChanged c) {
            for (long n : openPullRequestsWithHead(repo, c.sha())) {
                reconcilePullRequest(repo, n);
            }
        } else if (event instanceof ForgeEvent.MergeGroupRequested g) {
            onMergeGroup(repo, g);
        } else if (event instanceof ForgeEvent.ExternalStatusCheckRequested x) {
            reconcilePullRequest(repo, x.number());
            Optional<BranchRecord> ci = store.find(repo, BranchClassifier.ciGitBranch(x.number()));
            boolean passed = ci.isPresent() && ci.get().lastStatus() == StatusState.SUCCESS && x.sha() != null
                    && x.sha().equals(ci.get().lastStatusSha());
            forge.answerStatusCheck(repo, x.number(), x.sha(), x.statusCheckId(), passed);
            audit.append("status", repo, "external_status_check", Map.of("sha", String.valueOf(x.sha()), "passed", passed,
                    "check_id", x.statusCheckId()));
        }
    }

    /** Repairs what lost deliveries left behind: every branch and every open PR of the repository, re-read. */
    public void reconcile(RepoRef repo) {
        store.withRepoLock(repo, () -> {
            Map<String, String> branches = forge.branches(repo);
            branches.forEach((name, sha) -> onBranch(repo, new ForgeEvent.BranchPushed(repo, name, null, sha, false, false)));
            for (BranchRecord r : store.list(repo)) {
                if (r.kind() == BranchKind.WORKING && !branches.containsKey(r.gitBranch()) && r.state() != WorkflowState.MERGED) {
                    onBranch(repo, new ForgeEvent.BranchPushed(repo, r.gitBranch(), null, null, false, true));
                }
            }
            for (PullRequestFacts pr : forge.openPullRequests(repo)) {
                reconcilePullRequest(repo, pr.number());
            }
            for (BranchRecord r : store.list(repo)) {
                if (r.kind() == BranchKind.CI && r.prNumber() != null) {
                    reconcilePullRequest(repo, r.prNumber()); // closed or merged while we were not told
                }
            }
            return null;
        });
    }

    private void onBranch(RepoRef repo, ForgeEvent.BranchPushed push) {
        Optional<Policy> policy = policyOnDefaultBranch(repo);
        if (policy.isEmpty()) {
            return;
        }
        ensureTiers(repo, policy.get());
        Optional<BranchRecord> existing = store.find(repo, push.branch());
        if (push.deleted()) {
            if (existing.isEmpty()) {
                return;
            }
            BranchRecord r = existing.get();
            boolean protectedTier = r.kind() == BranchKind.TIER
                    && policy.get().tierForBranch(r.gitBranch()).map(Tier::protectedTier).orElse(true);
            if (protectedTier) {
                audit.append("refusal", repo, r.gitBranch(), Map.of("rule", "branch.protected-tier",
                        "message", "git branch of protected tier deleted; its database branch " + r.dbBranch() + " is kept"));
                return;
            }
            backend.delete(repo, r.dbBranch());
            store.delete(repo, r.gitBranch(), "git branch deleted");
            audit.append("branch.delete", repo, r.gitBranch(), Map.of("db_branch", r.dbBranch(), "reason", "git branch deleted"));
            return;
        }
        Optional<TrackedBranch> tracked = BranchClassifier.classify(policy.get(), push.branch(), store.dbNamesInUse(repo));
        if (tracked.isEmpty()) {
            return;
        }
        if (existing.isEmpty()) {
            TrackedBranch t = tracked.get();
            backend.create(repo, t.dbBranch(), t.parentDbBranch());
            BranchRecord r = new BranchRecord(repo, t.gitBranch(), t.dbBranch(), t.parentDbBranch(), t.kind(),
                    t.kind() == BranchKind.TIER ? WorkflowState.SCAFFOLD_COMPLETE : WorkflowState.FEATURE_CLAIMED,
                    push.after(), null, null, null, null, null);
            store.save(r, "git branch created");
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("db_branch", t.dbBranch());
            details.put("parent", t.parentDbBranch() == null ? "" : t.parentDbBranch());
            if (t.collisionNote() != null) {
                details.put("name_collision", t.collisionNote());
            }
            audit.append("branch.create", repo, t.gitBranch(), details);
            transitionAudit(repo, t.gitBranch(), null, r.state(), "git branch created", push.after());
            return;
        }
        BranchRecord r = existing.get();
        if (push.after() != null && !push.after().equals(r.headSha())) {
            store.save(r.withHead(push.after()), "new push");
            // an open PR from this branch goes back to pr-ready: what was tested is what merges
            if (r.prNumber() != null && store.find(repo, BranchClassifier.ciGitBranch(r.prNumber())).isPresent()) {
                reconcilePullRequest(repo, r.prNumber());
            }
        }
    }

    private void reconcilePullRequest(RepoRef repo, long number) {
        PullRequestFacts pr = forge.pullRequest(repo, number);
        String ciGit = BranchClassifier.ciGitBranch(number);
        Optional<BranchRecord> ci = store.find(repo, ciGit);
        Optional<Policy> policy;
        try {
            policy = policyAt(repo, pr.baseSha());
        } catch (PolicyException e) {
            GateStatus failed = GateStatus.failure("policy.invalid", "The policy on the base commit does not validate; fix .tiergate/policy.yaml on " + pr.baseBranch());
            post(repo, pr, failed, ciGit);
            audit.append("refusal", repo, ciGit, Map.of("rule", failed.rule(), "message", e.getMessage(), "sha", pr.headSha()));
            return;
        }
        if (policy.isEmpty()) {
            if (pr.open()) {
                post(repo, pr, new GateStatus(StatusState.SUCCESS, "gate.no-policy",
                        "No .tiergate/policy.yaml on the base commit: tiergate does not gate this repository"), ciGit);
            }
            return;
        }
        Policy p = policy.get();
        ensureTiers(repo, p);
        if (store.find(repo, pr.headBranch()).isEmpty() && pr.open()) {
            onBranch(repo, new ForgeEvent.BranchPushed(repo, pr.headBranch(), null, pr.headSha(), true, false));
        }
        List<CheckResult> checks = pr.open() ? forge.checks(repo, pr.headSha()) : List.of();
        WorkflowState target = PullRequestWorkflow.stateFor(p, pr, checks);
        WorkflowState recorded = ci.map(BranchRecord::state).orElse(null);
        boolean headMoved = ci.isPresent() && !pr.headSha().equals(ci.get().headSha());
        if (!pr.open() && ci.isEmpty()) {
            return; // closed or merged, and already cleaned up: a duplicate
        }
        Optional<Tier> baseTier = p.tierForBranch(pr.baseBranch());
        String ciDb = BranchClassifier.ciDbBranch(number);
        BranchRecord record = ci.orElseGet(() -> new BranchRecord(repo, ciGit, ciDb,
                baseTier.map(t -> DbBranchName.of(t.name())).orElse(null), BranchKind.CI, WorkflowState.FEATURE_CLAIMED,
                pr.headSha(), number, pr.author().login(), null, null, null));
        if (pr.open() && ci.isEmpty() && baseTier.isPresent()) {
            backend.create(repo, ciDb, DbBranchName.of(baseTier.get().name()));
            audit.append("branch.create", repo, ciGit, Map.of("db_branch", ciDb, "parent", DbBranchName.of(baseTier.get().name()),
                    "head", pr.headBranch()));
        }
        record = new BranchRecord(repo, ciGit, record.dbBranch(), record.parent(), BranchKind.CI, record.state(), pr.headSha(),
                number, pr.author().login(), record.lastStatus(), record.lastStatusSha(), null);
        WorkflowState from = recorded;
        for (WorkflowState step : PullRequestWorkflow.steps(recorded, headMoved, target)) {
            String reason = reasonFor(from, step, headMoved);
            record = record.withState(step);
            store.save(record, reason);
            transitionAudit(repo, ciGit, from, step, reason, pr.headSha());
            mirrorOnHead(repo, pr, step, reason);
            from = step;
        }
        if (pr.merged()) {
            if (PullRequestWorkflow.mergeWasViolation(record.lastStatus(), record.lastStatusSha(), pr.headSha())) {
                audit.append("violation", repo, ciGit, Map.of("rule", "gate.merged-without-success",
                        "message", "PR #" + number + " merged while tiergate/workflow was "
                                + (record.lastStatus() == null ? "never posted" : record.lastStatus().name().toLowerCase(java.util.Locale.ROOT))
                                + " on " + pr.headSha(), "sha", pr.headSha()));
            }
            cleanUpAfterPr(repo, pr, record, true);
            return;
        }
        if (!pr.open()) {
            cleanUpAfterPr(repo, pr, record, false);
            return;
        }
        GateStatus status = MergeGate.evaluate(p, pr, record.state(), record.headSha(), forge.approvals(repo, number));
        post(repo, pr, status, ciGit);
        if (status.state() == StatusState.FAILURE && !(status.state() == record.lastStatus() && pr.headSha().equals(record.lastStatusSha()))) {
            audit.append("refusal", repo, ciGit, Map.of("rule", status.rule(), "message", status.description(), "sha", pr.headSha()));
        }
        store.save(record.withStatus(status.state(), pr.headSha()), "status " + status.rule());
    }

    private void cleanUpAfterPr(RepoRef repo, PullRequestFacts pr, BranchRecord ci, boolean merged) {
        backend.delete(repo, ci.dbBranch());
        store.delete(repo, ci.gitBranch(), merged ? "PR merged" : "PR closed without merge");
        audit.append("branch.delete", repo, ci.gitBranch(), Map.of("db_branch", ci.dbBranch(), "reason", merged ? "PR merged" : "PR closed"));
        Optional<BranchRecord> head = store.find(repo, pr.headBranch());
        if (merged && head.isPresent() && head.get().kind() == BranchKind.WORKING && backend.exists(repo, head.get().dbBranch())) {
            backend.delete(repo, head.get().dbBranch());
            audit.append("branch.delete", repo, pr.headBranch(), Map.of("db_branch", head.get().dbBranch(), "reason", "PR merged"));
        }
    }

    private void mirrorOnHead(RepoRef repo, PullRequestFacts pr, WorkflowState step, String reason) {
        store.find(repo, pr.headBranch()).filter(h -> h.kind() == BranchKind.WORKING).ifPresent(h -> {
            if (h.state() != step) {
                store.save(new BranchRecord(repo, h.gitBranch(), h.dbBranch(), h.parent(), h.kind(), step, pr.headSha(), pr.number(),
                        pr.author().login(), h.lastStatus(), h.lastStatusSha(), null), reason);
            }
        });
    }

    private void onMergeGroup(RepoRef repo, ForgeEvent.MergeGroupRequested g) {
        Matcher m = QUEUE_PR.matcher(g.headRef());
        if (!m.find()) {
            return;
        }
        long number = Long.parseLong(m.group(1));
        reconcilePullRequest(repo, number);
        Optional<BranchRecord> ci = store.find(repo, BranchClassifier.ciGitBranch(number));
        StatusState s = ci.map(BranchRecord::lastStatus).orElse(StatusState.PENDING);
        String description = s == StatusState.SUCCESS ? "PR #" + number + " passed tiergate; merge group allowed"
                : "PR #" + number + " has not passed tiergate (" + s.name().toLowerCase(java.util.Locale.ROOT) + ")";
        forge.postStatus(repo, g.headSha(), new CommitStatus(toForge(s), description, pageUrl(repo, BranchClassifier.ciGitBranch(number))));
        audit.append("status", repo, "merge_group", Map.of("sha", g.headSha(), "state", s.name(), "pr", number));
    }

    private void post(RepoRef repo, PullRequestFacts pr, GateStatus status, String branchForPage) {
        forge.postStatus(repo, pr.headSha(), new CommitStatus(toForge(status.state()), status.description(), pageUrl(repo, branchForPage)));
        audit.append("status", repo, branchForPage, Map.of("sha", pr.headSha(), "state", status.state().name(), "rule", status.rule()));
    }

    private void ensureTiers(RepoRef repo, Policy policy) {
        List<Tier> ordered = new ArrayList<>();
        List<Tier> remaining = new ArrayList<>(policy.tiers());
        while (!remaining.isEmpty()) {
            int before = remaining.size();
            remaining.removeIf(t -> {
                boolean ready = t.parent() == null || ordered.stream().anyMatch(o -> o.name().equals(t.parent()));
                if (ready) {
                    ordered.add(t);
                }
                return ready;
            });
            if (remaining.size() == before) {
                break; // a cycle: the policy validator refuses such a policy; do not loop
            }
        }
        for (Tier t : ordered) {
            if (store.find(repo, t.branch()).isPresent()) {
                continue;
            }
            String db = DbBranchName.of(t.name());
            String parentDb = t.parent() == null ? null : DbBranchName.of(t.parent());
            backend.createTier(repo, db, parentDb);
            store.save(new BranchRecord(repo, t.branch(), db, parentDb, BranchKind.TIER, WorkflowState.SCAFFOLD_COMPLETE,
                    null, null, null, null, null, null), "tier set up from the policy");
            audit.append("branch.create", repo, t.branch(), Map.of("db_branch", db, "parent", parentDb == null ? "" : parentDb, "tier", t.name()));
            transitionAudit(repo, t.branch(), null, WorkflowState.SCAFFOLD_COMPLETE, "tier set up from the policy", null);
        }
    }

    private List<Long> openPullRequestsWithHead(RepoRef repo, String sha) {
        List<Long> known = store.withHeadSha(repo, sha).stream()
                .filter(r -> r.kind() == BranchKind.CI && r.prNumber() != null).map(BranchRecord::prNumber).toList();
        if (!known.isEmpty()) {
            return known;
        }
        return forge.openPullRequests(repo).stream().filter(pr -> pr.headSha().equals(sha)).map(PullRequestFacts::number).toList();
    }

    private Optional<Policy> policyOnDefaultBranch(RepoRef repo) {
        try {
            return policyAt(repo, forge.defaultBranch(repo));
        } catch (PolicyException e) {
            audit.append("refusal", repo, null, Map.of("rule", "policy.invalid", "message", e.getMessage()));
            return Optional.empty();
        }
    }

    private Optional<Policy> policyAt(RepoRef repo, String ref) {
        return forge.fileAt(repo, ref, Policy.PATH).map(bytes -> PolicyReader.read(bytes, Policy.PATH + "@" + ref));
    }

    private void transitionAudit(RepoRef repo, String branch, WorkflowState from, WorkflowState to, String reason, String sha) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("from", from == null ? "" : from.wireName());
        d.put("to", to.wireName());
        d.put("reason", reason);
        d.put("sha", sha == null ? "" : sha);
        audit.append("transition", repo, branch, d);
    }

    private static String reasonFor(WorkflowState from, WorkflowState to, boolean headMoved) {
        return switch (to) {
            case FEATURE_CLAIMED -> from == null ? "PR seen" : "PR closed without merge";
            case PR_READY -> from == WorkflowState.CI_GREEN ? (headMoved ? "new push: CI must pass again" : "CI no longer green") : "PR opened";
            case CI_GREEN -> "required CI checks green";
            case MERGED -> "PR merged";
            case SCAFFOLD_COMPLETE -> "abandoned";
        };
    }

    private String pageUrl(RepoRef repo, String branch) {
        return publicUrl + "/ui/" + repo.path() + "/branches/" + URLEncoder.encode(branch, StandardCharsets.UTF_8);
    }

    private static CommitStatus.State toForge(StatusState s) {
        return switch (s) {
            case SUCCESS -> CommitStatus.State.SUCCESS;
            case FAILURE -> CommitStatus.State.FAILURE;
            case PENDING -> CommitStatus.State.PENDING;
        };
    }
}
