package dev.tiergate.server.ui;

import static dev.tiergate.server.ui.Html.crumbs;
import static dev.tiergate.server.ui.Html.esc;
import static dev.tiergate.server.ui.Html.verdict;

import dev.tiergate.core.drift.DriftFinding;
import dev.tiergate.core.gate.BranchKind;
import dev.tiergate.core.gate.StatusState;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.workflow.WorkflowState;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.BranchRecord;
import dev.tiergate.server.store.MigrationStore;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A repository's page, {@code /ui/{owner}/{repo}}: its tier tree ({@link TierTree}), each box with what a branch is
 * (head, author and class, database branch and size; a tier's masking and drift; a pull request's verdicts), and why
 * the held pull requests are held.
 */
final class TreePage {
    private final Sources sources;

    TreePage(Sources sources) {
        this.sources = sources;
    }

    void show(Context ctx, String repo) {
        List<BranchRecord> records = sources.store().listByPath(repo);
        if (records.isEmpty()) {
            ctx.status(404).html(Html.notTracked(repo, null));
            return;
        }
        RepoRef ref = records.get(0).repo();
        Optional<Policy> policy = sources.policies().apply(ref);
        Map<String, Long> sizes = sources.sizes(ref);
        Map<Long, MigrationStore.Rehearsal> rehearsals = new HashMap<>();
        for (BranchRecord r : records) {
            if (r.kind() == BranchKind.CI && r.prNumber() != null) {
                sources.migrations().rehearsal(ref, r.prNumber()).ifPresent(x -> rehearsals.put(x.pr(), x));
            }
        }
        Instant now = sources.clock().instant();
        StringBuilder b = new StringBuilder("<h1>").append(esc(repo)).append("</h1>");
        b.append(
                        "<p class=muted>Each box is a git branch and its database branch; the colour and the word are its workflow state.")
                .append(
                        policy.isPresent()
                                ? ""
                                : " The policy could not be read from the forge just now: actor classes show as unknown.")
                .append("</p><div class=legend>");
        for (WorkflowState s : WorkflowState.values()) {
            b.append("<span class=\"badge s-")
                    .append(s.wireName())
                    .append("\">")
                    .append(s.wireName())
                    .append("</span>");
        }
        b.append("</div><div class=tree id=tree>")
                .append(TierTree.svg(repo, records, r -> lines(r, policy, sizes, rehearsals, now)))
                .append("</div>");
        List<BranchRecord> held = records.stream()
                .filter(r ->
                        r.kind() == BranchKind.CI && r.lastStatus() != null && r.lastStatus() != StatusState.SUCCESS)
                .toList();
        if (!held.isEmpty()) {
            b.append("<h2>Why pull requests are held</h2>");
            for (BranchRecord r : held) {
                b.append("<div class=\"card\"><a href=\"")
                        .append(esc(Html.branchHref(repo, r.gitBranch())))
                        .append("\">PR #")
                        .append(r.prNumber())
                        .append("</a> ")
                        .append(verdict(r.lastRule(), r.lastDescription()))
                        .append("</div>");
            }
        }
        ctx.html(Html.page("tiergate: " + repo, crumbs(repo, null), "/ui/" + repo + "/changes", b.toString()));
    }

    private List<TierTree.Line> lines(
            BranchRecord r,
            Optional<Policy> policy,
            Map<String, Long> sizes,
            Map<Long, MigrationStore.Rehearsal> rehearsals,
            Instant now) {
        List<TierTree.Line> out = new ArrayList<>();
        String who = Html.author(r, policy, "author unknown");
        out.add(new TierTree.Line(
                "head " + Html.shortSha(r.headSha()) + " · " + who + " · updated " + Html.age(r.updatedAt(), now),
                null));
        out.add(new TierTree.Line("database " + r.dbBranch() + " · " + Html.size(sizes.get(r.dbBranch())), null));
        if (r.kind() == BranchKind.TIER) {
            maskingLine(r, policy, now).ifPresent(out::add);
            List<DriftFinding> drift = sources.drifts().drift(r.repo(), r.dbBranch());
            if (!drift.isEmpty()) {
                out.add(new TierTree.Line(
                        "drifted from its migrations: " + drift.size() + " finding(s) — "
                                + drift.get(0).render(),
                        "verdict v-failure"));
            }
        }
        if (r.kind() == BranchKind.CI && r.prNumber() != null) {
            String wf = r.lastStatus() == null
                    ? "none yet"
                    : r.lastStatus().name().toLowerCase(Locale.ROOT)
                            + (r.lastStatus() == StatusState.SUCCESS || r.lastRule() == null
                                    ? ""
                                    : " — " + r.lastRule());
            out.add(new TierTree.Line(
                    "tiergate/workflow: " + wf, r.lastStatus() == StatusState.FAILURE ? "verdict v-failure" : null));
            MigrationStore.Rehearsal x = rehearsals.get(r.prNumber());
            String mig = x == null
                    ? "not rehearsed"
                    : x.ok() ? "success — " + x.versions().size() + " migration(s) rehearsed" : "failure — " + x.rule();
            out.add(new TierTree.Line(
                    "tiergate/migrations: " + mig, x != null && !x.ok() ? "verdict v-failure" : null));
        }
        return out;
    }

    /**
     * A masked source tier says so, and from which masked copy (made when) the copies others get are made; a masking
     * that failed says what failed and whether the last good copy is still in use or nothing is handed out.
     */
    private Optional<TierTree.Line> maskingLine(BranchRecord tier, Optional<Policy> policy, Instant now) {
        Optional<String> name = policy.flatMap(p -> p.tierForBranch(tier.gitBranch()))
                .map(Tier::name)
                .filter(n -> policy.get().masksCopiesOf(n));
        if (name.isEmpty()) {
            return Optional.empty();
        }
        Optional<MigrationStore.MaskedCopy> m = sources.migrations().maskedCopies(tier.repo()).stream()
                .filter(x -> x.sourceTier().equals(tier.dbBranch()))
                .findFirst();
        String made = m.filter(x -> x.copyDb() != null)
                .map(x -> "copies for others come from its masked copy " + x.copyDb() + ", made "
                        + Html.age(x.madeAt(), now))
                .orElse("no masked copy yet: no copy of it is handed out");
        boolean failed = m.map(x -> x.failedAt() != null
                        && (x.madeAt() == null || x.failedAt().isAfter(x.madeAt())))
                .orElse(false);
        return Optional.of(new TierTree.Line(
                "masked source (real data): " + made
                        + (failed
                                ? " · masking failed " + Html.age(m.get().failedAt(), now) + ": "
                                        + m.get().failure()
                                : ""),
                failed ? "verdict v-failure" : null));
    }
}
