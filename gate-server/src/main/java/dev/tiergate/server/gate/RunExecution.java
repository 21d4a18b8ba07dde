package dev.tiergate.server.gate;

import dev.tiergate.core.gate.BranchClassifier;
import dev.tiergate.core.gate.PullRequestFacts;
import dev.tiergate.core.naming.DbBranchName;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.PolicyException;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.server.forge.Forge;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.runs.Run;
import dev.tiergate.server.runs.RunKind;
import dev.tiergate.server.runs.RunQueue;
import dev.tiergate.server.store.BranchStore;
import java.time.Instant;
import java.util.function.BiConsumer;

/**
 * The runs the deliveries asked for ({@link RunRequests}), carried out on a run worker: a tier's set-up, a working
 * branch following its head, a PR's rehearsal, a merge group's, a merge. Each reads its facts again, since the forge
 * may have moved on since it was asked for, and a run no longer wanted does nothing.
 */
final class RunExecution {
    private final Forge forge;
    private final BranchStore store;
    private final PolicySource policies;
    private final DefaultBranchPolicy defaultPolicy;
    private final BranchLifecycle branches;
    private final PullRequestReconciler pullRequests;
    private final DatabaseMigrations migrations;
    private final AccessKeeper access;
    private final RunRequests runs;

    RunExecution(
            Forge forge,
            BranchStore store,
            PolicySource policies,
            DefaultBranchPolicy defaultPolicy,
            BranchLifecycle branches,
            PullRequestReconciler pullRequests,
            DatabaseMigrations migrations,
            AccessKeeper access,
            RunRequests runs) {
        this.forge = forge;
        this.store = store;
        this.policies = policies;
        this.defaultPolicy = defaultPolicy;
        this.branches = branches;
        this.pullRequests = pullRequests;
        this.migrations = migrations;
        this.access = access;
        this.runs = runs;
    }

    /**
     * A run the deliveries asked for ({@link RunRequests}), carried out on a run worker: the facts it needs are read
     * again (the forge may have moved on since it was asked for), and a run no longer wanted does nothing. The runs of
     * one repository go one at a time ({@link RunQueue}), and take no repository lock: deliveries never wait for them.
     */
    void execute(Run run) {
        RepoRef repo = run.repo();
        switch (run.kind()) {
            case TIER_SETUP ->
                defaultPolicy
                        .judging(repo)
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
                defaultPolicy
                        .judging(repo)
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
                    if (!p.approvalRules().isEmpty()) {
                        pullRequests.reconcile(repo, pr); // the rules route review by what the rehearsal measured
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
            pullRequests.judgeOpenPullRequestsInto(repo, tier);
            return null;
        });
    }

    /**
     * A rehearsal (or a merge group's) that waits for a retry says so in {@code tiergate/migrations} on its head,
     * pending, unless the forge is what failed: the workflow verdict does not wait for the database, its rehearsal does.
     */
    void notDone(Run run, Throwable cause, Instant retryAt) {
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
}
