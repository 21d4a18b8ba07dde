package dev.tiergate.server.gate;

import dev.tiergate.core.naming.DbBranchName;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.BranchStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The grants API's work: how each tier's privileges differ from the policy's database access (each difference with
 * the statement that mends it), and a tier's repair, after which the PRs into it are judged again.
 */
final class TierGrants {
    private final BranchStore store;
    private final DefaultBranchPolicy defaultPolicy;
    private final BranchBackend backend;
    private final AccessKeeper access;
    private final PullRequestReconciler pullRequests;

    TierGrants(
            BranchStore store,
            DefaultBranchPolicy defaultPolicy,
            BranchBackend backend,
            AccessKeeper access,
            PullRequestReconciler pullRequests) {
        this.store = store;
        this.defaultPolicy = defaultPolicy;
        this.backend = backend;
        this.access = access;
        this.pullRequests = pullRequests;
    }

    /**
     * {@code GET /api/v1/repos/…/grants}: for each tier (or the one database branch asked for), how its privileges
     * differ from the policy's database access, each with the statement that would mend it.
     */
    List<Map<String, Object>> diff(RepoRef repo, String onlyDbBranch) {
        Policy p = defaultPolicy
                .toShow(repo)
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
    Map<String, Object> apply(RepoRef repo, String tierName, String by) {
        return store.withRepoLock(repo, () -> {
            Policy p = defaultPolicy
                    .toShow(repo)
                    .orElseThrow(() ->
                            new IllegalArgumentException("no readable policy on " + repo.path() + "'s default branch"));
            Tier t = p.tier(tierName)
                    .orElseThrow(() -> new IllegalArgumentException("the policy has no tier '" + tierName + "'; tiers: "
                            + p.tiers().stream().map(Tier::name).toList()));
            var d = access.apply(repo, p, t, by);
            pullRequests.judgeOpenPullRequestsInto(repo, t);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("tier", t.name());
            out.put("revoked", d.extra().stream().map(Object::toString).toList());
            out.put("granted", d.missing().stream().map(Object::toString).toList());
            return out;
        });
    }
}
