package dev.tiergate.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.core.agent.PrView;
import dev.tiergate.core.gate.ApprovalRouting;
import dev.tiergate.core.gate.BranchClassifier;
import dev.tiergate.core.gate.BranchKind;
import dev.tiergate.core.gate.ForgeIdentity;
import dev.tiergate.core.gate.RehearsalEvidence;
import dev.tiergate.core.naming.DbBranchName;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.workflow.WorkflowState;
import dev.tiergate.server.gate.GatePages;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.BranchRecord;
import dev.tiergate.server.store.BranchStore;
import dev.tiergate.server.store.MigrationStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The server's view of one pull request for agents ({@link PrView}), read from what the gate keeps: the {@code
 * ci-pr-<N>} record (state, head, the last {@code tiergate/workflow} verdict), the last rehearsal ({@code
 * tiergate/migrations}), the policy's approval rules against the rehearsal's evidence, and, once merged, what became of
 * its migrations. Read-only. It publishes no database text: a failed migration's error stays on the dashboard behind
 * its sign-in; the view says what failed and how to roll back.
 */
final class PullRequestViews {
    static final ObjectMapper JSON = new ObjectMapper();
    private final BranchStore store;
    private final MigrationStore migrations;
    private final Function<RepoRef, Optional<Policy>> policies;
    private final GatePages pages;

    PullRequestViews(
            BranchStore store,
            MigrationStore migrations,
            Function<RepoRef, Optional<Policy>> policies,
            GatePages pages) {
        this.store = store;
        this.migrations = migrations;
        this.policies = policies;
        this.pages = pages;
    }

    /** PR {@code number}'s view, or empty when the server knows no such PR (never opened, or closed unmerged). */
    Optional<PrView> view(RepoRef repo, long number) {
        return view(repo, number, policy(repo));
    }

    /**
     * The policy on the default branch, read once per request: a long-poll re-reads the view after each change to the
     * repository's PR views, and the policy is a forge call.
     */
    Optional<Policy> policy(RepoRef repo) {
        return policies.apply(repo);
    }

    /** As {@link #view(RepoRef, long)}, with the policy already read. */
    Optional<PrView> view(RepoRef repo, long number, Optional<Policy> policy) {
        Optional<BranchRecord> ci = store.find(repo, BranchClassifier.ciGitBranch(number));
        Optional<MigrationStore.MergeOutcome> merged = migrations.mergeOutcome(repo, number);
        if (merged.isPresent()) {
            return Optional.of(versioned(mergedView(repo, number, merged.get(), policy)));
        }
        if (ci.isEmpty()) {
            return Optional.empty();
        }
        BranchRecord r = ci.get();
        String head = headBranch(repo, number, r.headSha()).orElse(null);
        PrView.Check workflow = r.lastStatus() == null
                ? PrView.Check.none()
                : check(
                        r.lastStatus().name().toLowerCase(Locale.ROOT),
                        r.lastStatusSha(),
                        r.lastRule(),
                        r.lastDescription());
        return Optional.of(versioned(new PrView(
                repo.path(),
                number,
                head,
                tierName(policy, r.parent()),
                r.state().wireName(),
                r.headSha(),
                workflow,
                rehearsal(repo, number, policy, r.parent()),
                reviews(repo, number, policy, r),
                null,
                pages.branch(repo, r.gitBranch()),
                null)));
    }

    /** The PRs the server knows from head branch {@code headBranch}: open ones first, then merged, newest first. */
    List<Long> byHead(RepoRef repo, String headBranch) {
        List<Long> out = new ArrayList<>();
        store.find(repo, headBranch)
                .filter(b ->
                        b.kind() == BranchKind.WORKING && b.prNumber() != null && b.state() != WorkflowState.MERGED)
                .filter(b -> store.find(repo, BranchClassifier.ciGitBranch(b.prNumber()))
                        .isPresent())
                .ifPresent(b -> out.add(b.prNumber()));
        migrations.mergeOutcomes(repo, headBranch).forEach(m -> {
            if (!out.contains(m.pr())) {
                out.add(m.pr());
            }
        });
        return out;
    }

    /**
     * The PR's head branch: the working branch recorded with its number, looked for among the branches at the PR's
     * head first (a long-poll asks this after each change in the repository; the whole repository's list only when that finds none).
     */
    private Optional<String> headBranch(RepoRef repo, long number, String headSha) {
        java.util.function.Predicate<BranchRecord> ours =
                b -> b.kind() == BranchKind.WORKING && Long.valueOf(number).equals(b.prNumber());
        List<BranchRecord> atHead = headSha == null ? List.of() : store.withHeadSha(repo, headSha);
        return atHead.stream()
                .filter(ours)
                .findFirst()
                .or(() -> store.list(repo).stream().filter(ours).findFirst())
                .map(BranchRecord::gitBranch);
    }

    private PrView mergedView(RepoRef repo, long number, MigrationStore.MergeOutcome m, Optional<Policy> policy) {
        String tier = tierName(policy, m.baseTier());
        String rollback = "tiergate rollback --repo " + repo.path()
                + (repo.forge().equals("github") ? "" : " --forge " + repo.forge()) + " --tier " + tier + " --to pr"
                + number;
        String detail = switch (m.migration()) {
            case MigrationStore.MergeOutcome.FAILED ->
                "the migration failed on " + tier
                        + "; the tier was restored from its snapshot and is held (the dashboard shows the error)";
            case MigrationStore.MergeOutcome.HELD ->
                "tier " + tier + " drifted from its migrations before the merge could migrate it; it is held"
                        + " (tiergate drift --tier " + tier + ")";
            case MigrationStore.MergeOutcome.PENDING -> "the tier's run has not finished";
            default -> null;
        };
        return new PrView(
                repo.path(),
                number,
                m.headBranch(),
                tier,
                WorkflowState.MERGED.wireName(),
                m.headSha(),
                null,
                null,
                List.of(),
                new PrView.Merge(
                        m.migration(),
                        tier,
                        detail,
                        m.migration().equals(MigrationStore.MergeOutcome.FAILED) ? rollback : null),
                pages.branch(repo, m.headBranch()),
                null);
    }

    private PrView.Check rehearsal(RepoRef repo, long number, Optional<Policy> policy, String parentDb) {
        return migrations
                .rehearsal(repo, number)
                .map(x -> x.ok()
                        ? check(
                                PrView.Check.SUCCESS,
                                x.headSha(),
                                null,
                                x.versions().size() + " migration(s) rehearsed on a copy of "
                                        + tierName(policy, parentDb))
                        : check(PrView.Check.FAILURE, x.headSha(), x.rule(), null))
                .orElse(PrView.Check.none());
    }

    /** The reviews the policy's approval rules ask for, while the verdict waits for them. */
    private List<PrView.Review> reviews(RepoRef repo, long number, Optional<Policy> policy, BranchRecord r) {
        if (policy.isEmpty() || !Rule.GATE_APPROVALS_ROLE_MISSING.id().equals(r.lastRule()) || r.headSha() == null) {
            return List.of();
        }
        Optional<RehearsalEvidence> evidence = migrations.evidence(repo, number);
        Optional<Tier> tier = policy.get().tiers().stream()
                .filter(t -> DbBranchName.of(t.name()).equals(r.parent()))
                .findFirst();
        if (evidence.isEmpty() || tier.isEmpty()) {
            return List.of();
        }
        ForgeIdentity author = new ForgeIdentity(r.actorLogin() == null ? "" : r.actorLogin(), false);
        List<ApprovalRouting.Demand> demands = ApprovalRouting.demands(
                policy.get(),
                tier.get().name(),
                evidence,
                List.of(),
                policy.get().actorFor(author.login(), false).actorClass());
        List<PrView.Review> out = new ArrayList<>();
        for (ApprovalRouting.Shortfall s : ApprovalRouting.shortfalls(
                policy.get(), demands, author, r.headSha(), List.of(), t -> java.util.Set.of())) {
            ApprovalRouting.ReviewRequest ask =
                    ApprovalRouting.reviewersFor(policy.get(), s, author, r.headSha(), List.of());
            out.add(new PrView.Review(s.rule(), s.needed(), s.require().from(), ask.logins(), ask.teams(), s.reason()));
        }
        return out;
    }

    private static String tierName(Optional<Policy> policy, String db) {
        if (db == null) {
            return null;
        }
        return policy.flatMap(p -> p.tiers().stream()
                        .filter(t -> DbBranchName.of(t.name()).equals(db))
                        .map(Tier::name)
                        .findFirst())
                .orElse(db);
    }

    private static PrView.Check check(String state, String sha, String rule, String description) {
        Optional<Rule> known = rule == null ? Optional.empty() : Rule.byId(rule);
        return new PrView.Check(
                state,
                sha,
                rule,
                known.map(Rule::meaning).orElse(null),
                known.map(Rule::fix).orElse(null),
                description);
    }

    /** The view with its version: a digest of everything else in it, so any change is a new version. */
    static PrView versioned(PrView v) {
        try {
            byte[] body = JSON.writeValueAsBytes(v);
            String version = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(body))
                    .substring(0, 16);
            return new PrView(
                    v.repo(),
                    v.number(),
                    v.headBranch(),
                    v.baseTier(),
                    v.state(),
                    v.headSha(),
                    v.workflow(),
                    v.migrations(),
                    v.reviews(),
                    v.merge(),
                    v.link(),
                    version);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
