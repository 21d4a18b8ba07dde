package dev.tiergate.server.ui;

import static dev.tiergate.server.ui.Html.crumbs;
import static dev.tiergate.server.ui.Html.esc;
import static dev.tiergate.server.ui.Html.newestFirst;
import static dev.tiergate.server.ui.Html.verdict;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.core.audit.AuditRecord;
import dev.tiergate.core.drift.DriftFinding;
import dev.tiergate.core.gate.ApprovalRouting;
import dev.tiergate.core.gate.BranchKind;
import dev.tiergate.core.gate.RehearsalEvidence;
import dev.tiergate.core.naming.DbBranchName;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.server.audit.AuditKind;
import dev.tiergate.server.audit.AuditLog;
import dev.tiergate.server.backend.BranchConnection;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.BranchRecord;
import dev.tiergate.server.store.HistoryEntry;
import dev.tiergate.server.store.MigrationStore;
import io.javalin.http.Context;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A branch's page, {@code /ui/{owner}/{repo}/branches/{branch}} (what a status's Details link opens): the branch, the
 * gate's last verdict and the reviews the policy asks for, the verdicts and refusals recorded, its migrations (the
 * rehearsal, a hold, a drift), its database branch and how to reach it (never the password), and its history.
 */
final class BranchPage {
    /** The records a branch's page lists as the gate's verdicts on it. */
    private static final Set<String> VERDICT_KINDS = Stream.of(
                    AuditKind.STATUS,
                    AuditKind.REFUSAL,
                    AuditKind.VIOLATION,
                    AuditKind.REHEARSAL,
                    AuditKind.TIER_MIGRATE)
            .map(AuditKind::wireName)
            .collect(Collectors.toUnmodifiableSet());

    private final Sources sources;
    private final AuditLog audit;
    private final ViewerAccess access;

    BranchPage(Sources sources, AuditLog audit, ViewerAccess access) {
        this.sources = sources;
        this.audit = audit;
        this.access = access;
    }

    void show(Context ctx, String repo) {
        String name = URLDecoder.decode(ctx.pathParam("branch"), StandardCharsets.UTF_8);
        List<BranchRecord> all = sources.store().listByPath(repo);
        Optional<BranchRecord> found =
                all.stream().filter(b -> b.gitBranch().equals(name)).findFirst();
        if (found.isEmpty()) {
            ctx.status(404).html(Html.notTracked(repo, name));
            return;
        }
        BranchRecord r = found.get();
        RepoRef ref = r.repo();
        Optional<Policy> policy = sources.policies().apply(ref);
        Instant now = sources.clock().instant();
        StringBuilder b = new StringBuilder("<h1>")
                .append(esc(r.gitBranch()))
                .append(" <span class=\"badge s-")
                .append(r.state().wireName())
                .append("\" id=state>")
                .append(r.state().wireName())
                .append("</span></h1><dl>");
        dl(b, "kind", r.kind().wireName() + (r.prNumber() == null ? "" : " · pull request #" + r.prNumber()));
        dl(b, "head", r.headSha() == null ? "no commit" : r.headSha());
        dl(b, "author", Html.author(r, policy, "unknown"));
        dl(b, "parent", r.parent() == null ? "none (the root tier)" : r.parent());
        dl(b, "updated", Html.age(r.updatedAt(), now) + " (" + r.updatedAt() + ")");
        b.append("</dl>");

        b.append("<h2>The gate's last verdict</h2>");
        // a working branch's verdict is its pull request's, kept on that PR's record (pull/<N>)
        BranchRecord judged = r.lastStatus() == null && r.prNumber() != null
                ? all.stream()
                        .filter(x -> x.gitBranch().equals("pull/" + r.prNumber()))
                        .findFirst()
                        .orElse(r)
                : r;
        if (judged.lastStatus() == null) {
            b.append("<p>None yet: tiergate posts a verdict when a pull request is open.</p>");
        } else {
            b.append("<div class=card id=verdict><span class=\"badge v-")
                    .append(judged.lastStatus().name().toLowerCase(Locale.ROOT))
                    .append("\">")
                    .append(judged.lastStatus().name().toLowerCase(Locale.ROOT))
                    .append("</span> on ")
                    .append(esc(Html.shortSha(judged.lastStatusSha())))
                    .append(' ')
                    .append(verdict(judged.lastRule(), judged.lastDescription()));
            if (judged != r) {
                b.append(" (pull request <a href=\"")
                        .append(esc(Html.branchHref(repo, judged.gitBranch())))
                        .append("\">#")
                        .append(judged.prNumber())
                        .append("</a>)");
            }
            b.append("</div>");
        }
        reviewsAsked(b, judged, policy);

        b.append("<h2>Verdicts and refusals</h2>");
        Set<String> subjects = new TreeSet<>(List.of(r.gitBranch()));
        if (r.prNumber() != null) {
            subjects.add("pull/" + r.prNumber());
            all.stream().filter(o -> r.prNumber().equals(o.prNumber())).forEach(o -> subjects.add(o.gitBranch()));
        }
        List<AuditRecord> verdicts = ofRepo(ref).stream()
                .filter(a -> subjects.contains(a.subject()))
                .filter(a -> VERDICT_KINDS.contains(a.kind()))
                .toList();
        if (verdicts.isEmpty()) {
            b.append("<p>None recorded.</p>");
        } else {
            b.append(
                    "<div class=scroll><table id=verdicts><tr><th>at</th><th>what</th><th>rule, meaning and fix</th></tr>");
            for (AuditRecord a : newestFirst(verdicts)) {
                Map<String, Object> d = details(a);
                String what = a.kind()
                        + (d.get("context") == null ? "" : " " + d.get("context"))
                        + (d.get("state") == null ? "" : " " + d.get("state"))
                        + (d.get("ok") == null ? "" : Boolean.TRUE.equals(d.get("ok")) ? " passed" : " failed");
                b.append("<tr><td>")
                        .append(esc(a.at().toString()))
                        .append("</td><td>")
                        .append(esc(what.toLowerCase(Locale.ROOT)))
                        .append("</td><td>")
                        .append(verdict(str(d.get("rule")), str(d.get("message"))))
                        .append("</td></tr>");
            }
            b.append("</table></div>");
        }

        b.append("<h2>Migrations</h2>");
        boolean any = false;
        if (r.prNumber() != null) {
            Optional<MigrationStore.Rehearsal> x = sources.migrations().rehearsal(ref, r.prNumber());
            if (x.isPresent()) {
                any = true;
                MigrationStore.Rehearsal h = x.get();
                b.append("<div class=card id=rehearsal>Rehearsed on a fresh copy of <b>")
                        .append(esc(h.baseTier()))
                        .append("</b> at ")
                        .append(esc(Html.shortSha(h.headSha())))
                        .append(": <span class=\"badge v-")
                        .append(h.ok() ? "success" : "failure")
                        .append("\">")
                        .append(h.ok() ? "applied" : "failed")
                        .append("</span> ")
                        .append(verdict(h.rule(), null))
                        .append("<br>migrations: ")
                        .append(h.versions().isEmpty() ? "none" : esc(String.join(", ", h.versions())));
                if (h.detail()
                        != null) { // the whole text: to a signed-in viewer only (it may hold rows a migration raised)
                    b.append(
                            access.required()
                                    ? "<details><summary>What PostgreSQL said</summary><pre>" + esc(h.detail())
                                            + "</pre></details>"
                                    : "<p>PostgreSQL's whole message is shown here to a signed-in viewer only: set TIERGATE_VIEWER_TOKEN.</p>");
                }
                b.append("</div>");
            }
        }
        if (r.kind() == BranchKind.TIER) {
            Optional<String> tierName =
                    policy.flatMap(p -> p.tierForBranch(r.gitBranch())).map(t -> t.name());
            Optional<MigrationStore.Held> held =
                    tierName.flatMap(t -> sources.migrations().held(ref, t));
            if (held.isPresent()) {
                any = true;
                b.append("<div class=\"card refused\" id=held>This tier is held: ")
                        .append(esc(
                                access.required()
                                        ? held.get().reason()
                                        : heldSummary(held.get().reason())))
                        .append(
                                held.get().snapshot() == null
                                        ? ""
                                        : " (snapshot " + esc(held.get().snapshot()) + ")")
                        .append("</div>");
            }
            // a drift the policy holds for (drift: hold): what differs, and what releases it
            Optional<String> drift = tierName.flatMap(t -> sources.migrations().drifted(ref, DbBranchName.of(t)));
            if (drift.isPresent()) {
                any = true;
                b.append(
                                "<div class=\"card refused\" id=drift>This tier's grants differ from the policy's database_access (")
                        .append(verdict(Rule.PERMISSIONS_DRIFTED.id(), null))
                        .append("): ")
                        .append(esc(drift.get()))
                        .append(
                                ". Pull requests into it are refused until an operator runs <code>tiergate grants apply --repo ")
                        .append(esc(ref.path()))
                        .append(" --tier ")
                        .append(esc(tierName.get()))
                        .append("</code>.</div>");
            }
        }
        if (r.kind() == BranchKind.TIER) {
            List<DriftFinding> drift = sources.drifts().drift(ref, r.dbBranch());
            if (!drift.isEmpty()) {
                any = true;
                b.append("<div class=\"card refused\" id=schema-drift>This tier is no longer what its migrations say (")
                        .append(verdict(Rule.MIGRATION_TIER_DRIFTED.id(), null))
                        .append("); the last drift pass found:<div class=scroll><table><tr><th>kind</th><th>what</th>"
                                + "<th>how</th><th>fix</th></tr>");
                for (DriftFinding f : drift) {
                    b.append("<tr><td>")
                            .append(esc(f.kind().wireName()))
                            .append("</td><td>")
                            .append(esc(f.what()))
                            .append("</td><td>")
                            .append(esc(f.detail() == null ? "" : f.detail()))
                            .append("</td><td class=mono>")
                            .append(esc(f.fix()))
                            .append("</td></tr>");
                }
                b.append("</table></div>Fix it by a migration, or keep it: <code>tiergate drift accept --repo ")
                        .append(esc(ref.path()))
                        .append(" --tier ")
                        .append(esc(policy.flatMap(p -> p.tierForBranch(r.gitBranch()))
                                .map(t -> t.name())
                                .orElse(r.dbBranch())))
                        .append(" --reason …</code>.</div>");
            }
        }
        if (!any) {
            b.append("<p>No rehearsal or held tier recorded for this branch.</p>");
        }

        b.append("<h2>Database branch</h2><dl id=connection>");
        dl(b, "name", r.dbBranch());
        dl(b, "size", Html.size(sources.sizes(ref).get(r.dbBranch())));
        try {
            BranchConnection c = sources.backend().connection(ref, r.dbBranch());
            dl(b, "host", c.host());
            dl(b, "port", Integer.toString(c.port()));
            dl(b, "database", c.database());
            dl(b, "user", c.user());
            dl(b, "password", "not shown here: ask whoever runs tiergate, or use the API with its token");
        } catch (RuntimeException e) {
            dl(b, "connection", "unknown: the " + sources.backend().id() + " backend did not say");
        }
        b.append("</dl>");

        b.append(
                "<h2>History</h2><div class=scroll><table id=history><tr><th>at</th><th>from</th><th>to</th><th>why</th><th>commit</th></tr>");
        for (HistoryEntry h : newestFirst(sources.store().history(ref, r.gitBranch()))) {
            b.append("<tr><td>")
                    .append(esc(h.at().toString()))
                    .append("</td><td>")
                    .append(h.from() == null ? "" : h.from().wireName())
                    .append("</td><td>")
                    .append(h.to().wireName())
                    .append("</td><td>")
                    .append(esc(h.reason()))
                    .append("</td><td class=mono>")
                    .append(esc(Html.shortSha(h.sha())))
                    .append("</td></tr>");
        }
        b.append("</table></div>");
        ctx.html(Html.page(
                "tiergate: " + r.gitBranch(), crumbs(repo, r.gitBranch()), "/ui/" + repo + "/changes", b.toString()));
    }

    /**
     * The reviews the policy's approval rules ask for this PR's head, from what its last rehearsal measured (the
     * rules on the files a PR changes are left out here: the page does not ask the forge; the PR's comment has them).
     */
    private void reviewsAsked(StringBuilder b, BranchRecord pr, Optional<Policy> policy) {
        if (pr.prNumber() == null
                || policy.isEmpty()
                || policy.get().approvalRules().isEmpty()) {
            return;
        }
        Optional<RehearsalEvidence> evidence = sources.migrations().evidence(pr.repo(), pr.prNumber());
        Optional<Tier> tier = policy.get().tiers().stream()
                .filter(t -> DbBranchName.of(t.name()).equals(pr.parent()))
                .findFirst();
        if (evidence.isEmpty() || tier.isEmpty()) {
            return;
        }
        List<ApprovalRouting.Demand> demands = ApprovalRouting.demands(
                policy.get(),
                tier.get().name(),
                evidence,
                List.of(),
                policy.get()
                        .actorFor(pr.actorLogin() == null ? "" : pr.actorLogin(), false)
                        .actorClass());
        b.append("<h2>Reviews the policy asks for</h2>");
        if (demands.isEmpty()) {
            b.append("<p id=reviews>None: no approval rule matches what the rehearsal of ")
                    .append(esc(Html.shortSha(evidence.get().headSha())))
                    .append(" measured.</p>");
            return;
        }
        b.append(
                "<div class=scroll><table id=reviews><tr><th>rule</th><th>approvals</th><th>from</th><th>why</th></tr>");
        for (ApprovalRouting.Demand d : demands) {
            b.append("<tr><td>")
                    .append(esc(d.rule().name()))
                    .append("</td><td>")
                    .append(d.rule().require().approvals())
                    .append("</td><td>")
                    .append(esc(d.rule().require().from()))
                    .append("</td><td>")
                    .append(esc(d.reason()))
                    .append("</td></tr>");
        }
        b.append("</table></div>");
    }

    private List<AuditRecord> ofRepo(RepoRef ref) {
        String name = ref.forge() + ":" + ref.path();
        return audit.all().stream().filter(a -> name.equals(a.repo())).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> details(AuditRecord a) {
        try {
            return new ObjectMapper().readValue(a.details(), Map.class);
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    private static void dl(StringBuilder b, String term, String value) {
        b.append("<dt>")
                .append(esc(term))
                .append("</dt><dd>")
                .append(esc(value))
                .append("</dd>");
    }

    /**
     * A hold's reason without PostgreSQL's text (what follows the first ": " after "failed"), for a viewer who has not
     * signed in: the whole reason may hold rows a migration raised.
     */
    static String heldSummary(String reason) {
        int failed = reason.indexOf("failed");
        int colon = failed < 0 ? -1 : reason.indexOf(": ", failed);
        return colon < 0 ? reason : reason.substring(0, colon) + " (PostgreSQL's message: to a signed-in viewer only)";
    }
}
