package dev.tiergate.server.ui;

import static dev.tiergate.server.ui.Html.esc;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.core.audit.AuditChain;
import dev.tiergate.core.audit.AuditRecord;
import dev.tiergate.core.drift.DriftFinding;
import dev.tiergate.core.gate.ApprovalRouting;
import dev.tiergate.core.gate.BranchKind;
import dev.tiergate.core.gate.RehearsalEvidence;
import dev.tiergate.core.gate.StatusState;
import dev.tiergate.core.naming.DbBranchName;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.workflow.WorkflowState;
import dev.tiergate.server.audit.AuditKind;
import dev.tiergate.server.audit.AuditLog;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.backend.BranchConnection;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.BranchRecord;
import dev.tiergate.server.store.BranchStore;
import dev.tiergate.server.store.DriftStore;
import dev.tiergate.server.store.HistoryEntry;
import dev.tiergate.server.store.MigrationStore;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The read-only dashboard: {@code /} (repositories), {@code /ui/{owner}/{repo}} (the tier tree),
 * {@code /ui/{owner}/{repo}/branches/{branch}} (what a status's Details link opens) and
 * {@code /ui/{owner}/{repo}/audit} (the trail and whether its chain holds). Server-rendered; live.js refreshes a
 * page's {@code <main>} when its {@code changes} mark moves. No password, token or secret is ever written.
 */
public final class Dashboard {
    private static final int AUDIT_ROWS = 500;
    /** The records a branch's page lists as the gate's verdicts on it. */
    private static final Set<String> VERDICT_KINDS = Stream.of(
                    AuditKind.STATUS,
                    AuditKind.REFUSAL,
                    AuditKind.VIOLATION,
                    AuditKind.REHEARSAL,
                    AuditKind.TIER_MIGRATE)
            .map(AuditKind::wireName)
            .collect(Collectors.toUnmodifiableSet());

    private final BranchStore store;
    private final AuditLog audit;
    private final MigrationStore migrations;
    private final DriftStore drifts;
    private final BranchBackend backend;
    private final Function<RepoRef, Optional<Policy>> policies;
    private final Function<List<AuditRecord>, Optional<String>> anchorProblem;
    private final Clock clock;
    private final ViewerAccess access;

    /**
     * {@code viewerToken} null: the pages are open when {@code bindHost} (the address the server listens on) is a
     * loopback address, and closed to everyone otherwise ({@link #closedReason}).
     */
    public Dashboard(
            BranchStore store,
            AuditLog audit,
            MigrationStore migrations,
            DriftStore drifts,
            BranchBackend backend,
            Function<RepoRef, Optional<Policy>> policies,
            Function<List<AuditRecord>, Optional<String>> anchorProblem,
            Clock clock,
            String viewerToken,
            boolean secureCookie,
            String bindHost) {
        this.store = store;
        this.audit = audit;
        this.migrations = migrations;
        this.drifts = drifts;
        this.backend = backend;
        this.policies = policies;
        this.anchorProblem = anchorProblem;
        this.clock = clock;
        this.access = new ViewerAccess(viewerToken, secureCookie, bindHost);
    }

    /**
     * Why a server listening on {@code bindHost} with this viewer token (null: none) would close its pages to
     * everyone, for its start-up line; empty when they are open or need the token.
     */
    public static Optional<String> closedReason(String bindHost, String viewerToken) {
        return ViewerAccess.closedReason(bindHost, viewerToken);
    }

    public void routes(Javalin app) {
        app.get("/ui/static/tiergate.css", ctx -> asset(ctx, "tiergate.css", "text/css; charset=utf-8"));
        app.get("/ui/static/live.js", ctx -> asset(ctx, "live.js", "text/javascript; charset=utf-8"));
        app.get("/ui/login", this::loginPage);
        app.post("/ui/login", this::login);
        app.before("/", this::guard);
        app.before("/ui/*", this::guard);
        app.get("/", this::home);
        app.get("/ui/{owner}/{repo}", this::tree);
        app.get("/ui/{owner}/{repo}/changes", this::changes);
        app.get("/ui/{owner}/{repo}/audit", this::auditPage);
        app.get("/ui/{owner}/{repo}/branches/<branch>", this::branch);
    }

    // ---- access

    private void guard(Context ctx) {
        String path = ctx.path();
        headers(ctx);
        if (path.startsWith("/ui/static/") || path.equals("/ui/login") || access.admits(ctx)) {
            return;
        }
        ctx.status(401);
        if (access.closed()) {
            closedPage(ctx, path);
        } else if (path.endsWith("/changes")) {
            ctx.contentType("text/plain; charset=utf-8").result(ViewerAccess.NEEDS_TOKEN);
        } else {
            String next = path + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
            ctx.html(loginForm(ViewerAccess.NEEDS_TOKEN, next));
        }
        ctx.skipRemainingHandlers();
    }

    /** The pages are closed to everyone: no form, since no token opens them; what to set instead. */
    private static void closedPage(Context ctx, String path) {
        ctx.status(401);
        if (path.endsWith("/changes")) {
            ctx.contentType("text/plain; charset=utf-8").result(ViewerAccess.CLOSED);
        } else {
            ctx.html(Html.page(
                    "tiergate: closed",
                    "",
                    null,
                    "<h1>Closed</h1><p class=\"card refused\" id=message>" + esc(ViewerAccess.CLOSED) + "</p>"));
        }
    }

    private void loginPage(Context ctx) {
        headers(ctx);
        if (access.closed()) {
            closedPage(ctx, ctx.path());
            return;
        }
        ctx.html(loginForm(
                access.required() ? ViewerAccess.NEEDS_TOKEN : "These pages need no token on this server.",
                safeNext(ctx.queryParam("next"))));
    }

    private void login(Context ctx) {
        headers(ctx);
        if (access.closed()) {
            closedPage(ctx, ctx.path());
            return;
        }
        String next = safeNext(ctx.formParam("next"));
        if (!access.required()) {
            ctx.redirect(next, HttpStatus.SEE_OTHER);
            return;
        }
        if (!access.isToken(ctx.formParam("token"))) {
            ctx.status(401).html(loginForm(ViewerAccess.WRONG_TOKEN, next));
            return;
        }
        access.signIn(ctx);
        ctx.redirect(next, HttpStatus.SEE_OTHER);
    }

    /**
     * Where the sign-in form sends a viewer afterwards: only a plain path on this server, else {@code /}. It starts
     * with one {@code /} and its second character is neither {@code /} nor {@code \} (both make a browser leave for
     * another host), it holds no backslash, no control character and no white space (a browser drops some of them,
     * so {@code /%0B/evil.example} or a tab would become {@code //evil.example}), and the same holds once more after
     * percent-decoding it (for whatever decodes it again on the way). A path cannot carry a scheme.
     */
    static String safeNext(String next) {
        if (!plainLocalPath(next)) {
            return "/";
        }
        try {
            return plainLocalPath(URLDecoder.decode(next.replace("+", "%2B"), StandardCharsets.UTF_8)) ? next : "/";
        } catch (IllegalArgumentException e) {
            return "/"; // a malformed percent sequence
        }
    }

    private static boolean plainLocalPath(String p) {
        if (p == null || p.isEmpty() || p.length() > 2000 || p.charAt(0) != '/') {
            return false;
        }
        if (p.length() > 1 && (p.charAt(1) == '/' || p.charAt(1) == '\\')) {
            return false;
        }
        return p.codePoints()
                .noneMatch(cp -> cp == '\\'
                        || Character.isISOControl(cp)
                        || Character.isWhitespace(cp)
                        || Character.isSpaceChar(cp)
                        || Character.getType(cp) == Character.FORMAT);
    }

    private static String loginForm(String message, String next) {
        return Html.page(
                "tiergate: sign in",
                "",
                null,
                "<h1>Sign in</h1><p class=\"card refused\" id=message>" + esc(message) + "</p>"
                        + "<form method=post action=\"/ui/login\"><input type=hidden name=next value=\"" + esc(next)
                        + "\">"
                        + "<p><label>Viewer token <input type=password name=token id=token autocomplete=current-password required></label></p>"
                        + "<p><button type=submit id=sign-in>Sign in</button></p></form>");
    }

    private static void headers(Context ctx) {
        ctx.header("Content-Security-Policy", Html.CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cache-Control", "no-store");
    }

    private static void asset(Context ctx, String name, String type) throws IOException {
        try (InputStream in = Dashboard.class.getResourceAsStream(name)) {
            if (in == null) {
                ctx.status(404);
                return;
            }
            ctx.header("X-Content-Type-Options", "nosniff");
            ctx.contentType(type).result(in.readAllBytes());
        }
    }

    // ---- pages

    private void home(Context ctx) {
        Instant now = clock.instant();
        StringBuilder b = new StringBuilder("<h1>Repositories</h1>");
        List<RepoRef> repos = store.repos();
        if (repos.isEmpty()) {
            b.append("<p>No repository yet: tiergate lists one after its first webhook delivery.</p>");
        }
        b.append(
                "<div class=scroll><table id=repos><tr><th>repository</th><th>branches by state</th><th>last activity</th><th></th></tr>");
        for (RepoRef r : repos) {
            List<BranchRecord> branches = store.list(r);
            Map<WorkflowState, Integer> counts = new EnumMap<>(WorkflowState.class);
            Instant last = null;
            for (BranchRecord br : branches) {
                counts.merge(br.state(), 1, Integer::sum);
                last = last == null || br.updatedAt().isAfter(last) ? br.updatedAt() : last;
            }
            b.append("<tr><td><a href=\"/ui/")
                    .append(esc(r.path()))
                    .append("\">")
                    .append(esc(r.path()))
                    .append("</a> <span class=muted>")
                    .append(esc(r.forge()))
                    .append("</span></td><td>");
            counts.forEach((s, n) -> b.append("<span class=\"badge s-")
                    .append(s.wireName())
                    .append("\">")
                    .append(n)
                    .append(' ')
                    .append(s.wireName())
                    .append("</span> "));
            b.append("</td><td>")
                    .append(Html.age(last, now))
                    .append("</td><td><a href=\"/ui/")
                    .append(esc(r.path()))
                    .append("/audit\">audit trail</a></td></tr>");
        }
        ctx.html(Html.page("tiergate", "", null, b.append("</table></div>").toString()));
    }

    private void tree(Context ctx) {
        String repo = repoPath(ctx);
        List<BranchRecord> records = store.listByPath(repo);
        if (records.isEmpty()) {
            notTracked(ctx, repo, null);
            return;
        }
        RepoRef ref = records.get(0).repo();
        Optional<Policy> policy = policies.apply(ref);
        Map<String, Long> sizes = sizes(ref);
        Map<Long, MigrationStore.Rehearsal> rehearsals = new HashMap<>();
        for (BranchRecord r : records) {
            if (r.kind() == BranchKind.CI && r.prNumber() != null) {
                migrations.rehearsal(ref, r.prNumber()).ifPresent(x -> rehearsals.put(x.pr(), x));
            }
        }
        Instant now = clock.instant();
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
        String who = r.actorLogin() == null
                ? "author unknown"
                : r.actorLogin() + " ("
                        + policy.map(p -> p.actorFor(r.actorLogin(), false)
                                        .actorClass()
                                        .wireName())
                                .orElse("class unknown")
                        + ")";
        out.add(new TierTree.Line(
                "head " + Html.shortSha(r.headSha()) + " · " + who + " · updated " + Html.age(r.updatedAt(), now),
                null));
        out.add(new TierTree.Line("database " + r.dbBranch() + " · " + Html.size(sizes.get(r.dbBranch())), null));
        if (r.kind() == BranchKind.TIER) {
            maskingLine(r, policy, now).ifPresent(out::add);
            List<DriftFinding> drift = drifts.drift(r.repo(), r.dbBranch());
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
        Optional<MigrationStore.MaskedCopy> m = migrations.maskedCopies(tier.repo()).stream()
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

    private Map<String, Long> sizes(RepoRef ref) {
        try {
            return backend.sizes(ref);
        } catch (RuntimeException e) {
            return Map.of();
        }
    }

    /** A short text that changes whenever a page of the repository would: the audit trail's head and the branches' last update. */
    private void changes(Context ctx) {
        String repo = repoPath(ctx);
        List<BranchRecord> records = store.listByPath(repo);
        Instant last = records.stream()
                .map(BranchRecord::updatedAt)
                .max(Instant::compareTo)
                .orElse(Instant.EPOCH);
        String head = audit.head().map(h -> h[0]).orElse("0");
        ctx.contentType("text/plain; charset=utf-8").result(records.size() + ":" + last.toEpochMilli() + ":" + head);
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
        Optional<RehearsalEvidence> evidence = migrations.evidence(pr.repo(), pr.prNumber());
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

    private void branch(Context ctx) {
        String repo = repoPath(ctx);
        String name = URLDecoder.decode(ctx.pathParam("branch"), StandardCharsets.UTF_8);
        List<BranchRecord> all = store.listByPath(repo);
        Optional<BranchRecord> found =
                all.stream().filter(b -> b.gitBranch().equals(name)).findFirst();
        if (found.isEmpty()) {
            notTracked(ctx, repo, name);
            return;
        }
        BranchRecord r = found.get();
        RepoRef ref = r.repo();
        Optional<Policy> policy = policies.apply(ref);
        Instant now = clock.instant();
        StringBuilder b = new StringBuilder("<h1>")
                .append(esc(r.gitBranch()))
                .append(" <span class=\"badge s-")
                .append(r.state().wireName())
                .append("\" id=state>")
                .append(r.state().wireName())
                .append("</span></h1><dl>");
        dl(b, "kind", r.kind().wireName() + (r.prNumber() == null ? "" : " · pull request #" + r.prNumber()));
        dl(b, "head", r.headSha() == null ? "no commit" : r.headSha());
        dl(
                b,
                "author",
                r.actorLogin() == null
                        ? "unknown"
                        : r.actorLogin() + " ("
                                + policy.map(p -> p.actorFor(r.actorLogin(), false)
                                                .actorClass()
                                                .wireName())
                                        .orElse("class unknown")
                                + ")");
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
            Optional<MigrationStore.Rehearsal> x = migrations.rehearsal(ref, r.prNumber());
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
            Optional<MigrationStore.Held> held = tierName.flatMap(t -> migrations.held(ref, t));
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
            Optional<String> drift = tierName.flatMap(t -> migrations.drifted(ref, DbBranchName.of(t)));
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
            List<DriftFinding> drift = drifts.drift(ref, r.dbBranch());
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
        dl(b, "size", Html.size(sizes(ref).get(r.dbBranch())));
        try {
            BranchConnection c = backend.connection(ref, r.dbBranch());
            dl(b, "host", c.host());
            dl(b, "port", Integer.toString(c.port()));
            dl(b, "database", c.database());
            dl(b, "user", c.user());
            dl(b, "password", "not shown here: ask whoever runs tiergate, or use the API with its token");
        } catch (RuntimeException e) {
            dl(b, "connection", "unknown: the " + backend.id() + " backend did not say");
        }
        b.append("</dl>");

        b.append(
                "<h2>History</h2><div class=scroll><table id=history><tr><th>at</th><th>from</th><th>to</th><th>why</th><th>commit</th></tr>");
        for (HistoryEntry h : newestFirst(store.history(ref, r.gitBranch()))) {
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

    private void auditPage(Context ctx) {
        String repo = repoPath(ctx);
        String branch = blank(ctx.queryParam("branch"));
        String kind = blank(ctx.queryParam("kind"));
        List<String> problems = new ArrayList<>();
        Instant since = day(ctx.queryParam("since"), "since", false, problems);
        Instant until = day(ctx.queryParam("until"), "until", true, problems);
        StringBuilder b =
                new StringBuilder("<h1>Audit trail of ").append(esc(repo)).append("</h1>");
        List<AuditRecord> table = audit.all();
        Optional<String> broken = AuditChain.firstBreak(table);
        Optional<String> cut = Optional.empty();
        if (broken.isEmpty()) {
            try {
                cut = anchorProblem.apply(table);
            } catch (RuntimeException e) {
                cut = Optional.of("the anchor of the chain's head cannot be read: " + e.getMessage());
            }
        }
        if (broken.isPresent()) {
            b.append("<p class=\"chain chain-broken\" id=chain>Hash chain BROKEN: ")
                    .append(esc(broken.get()))
                    .append("</p>");
        } else if (cut.isPresent()) {
            b.append("<p class=\"chain chain-broken\" id=chain>Hash chain BROKEN at its end: ")
                    .append(esc(cut.get()))
                    .append("</p>");
        } else {
            b.append(
                    "<p class=\"chain chain-ok\" id=chain>Hash chain intact: every record's hash matches its content and its predecessor.</p>");
        }
        List<AuditRecord> mine = table.stream()
                .filter(a -> a.repo() != null && a.repo().endsWith(":" + repo))
                .toList();
        Set<String> kinds = new TreeSet<>();
        Set<String> subjects = new TreeSet<>();
        mine.forEach(a -> {
            kinds.add(a.kind());
            if (a.subject() != null) {
                subjects.add(a.subject());
            }
        });
        b.append(
                "<form class=filters method=get><label>branch or subject<select name=branch id=f-branch><option value=\"\">any</option>");
        subjects.forEach(s -> b.append("<option")
                .append(s.equals(branch) ? " selected" : "")
                .append(" value=\"")
                .append(esc(s))
                .append("\">")
                .append(esc(s))
                .append("</option>"));
        b.append("</select></label><label>kind<select name=kind id=f-kind><option value=\"\">any</option>");
        kinds.forEach(k -> b.append("<option")
                .append(k.equals(kind) ? " selected" : "")
                .append(" value=\"")
                .append(esc(k))
                .append("\">")
                .append(esc(k))
                .append("</option>"));
        b.append("</select></label><label>since (UTC day)<input type=date name=since id=f-since value=\"")
                .append(esc(ctx.queryParam("since")))
                .append("\"></label><label>until (UTC day)<input type=date name=until id=f-until value=\"")
                .append(esc(ctx.queryParam("until")))
                .append("\"></label><button type=submit id=f-apply>Filter</button></form>");
        for (String p : problems) {
            b.append("<p class=\"card refused\">").append(esc(p)).append("</p>");
        }
        List<AuditRecord> shown = mine.stream()
                .filter(a -> branch == null || branch.equals(a.subject()))
                .filter(a -> kind == null || kind.equals(a.kind()))
                .filter(a -> since == null || !a.at().isBefore(since))
                .filter(a -> until == null || a.at().isBefore(until))
                .toList();
        shown = newestFirst(shown);
        b.append("<p class=muted>")
                .append(shown.size())
                .append(" record(s)")
                .append(shown.size() > AUDIT_ROWS ? ", the newest " + AUDIT_ROWS + " shown" : "")
                .append(
                        ", newest first.</p><div class=scroll><table id=audit><tr><th>seq</th><th>at</th><th>kind</th><th>subject</th><th>details</th></tr>");
        String brokenSeq = broken.map(Dashboard::firstNumber).orElse(null);
        for (AuditRecord a : shown.stream().limit(AUDIT_ROWS).toList()) {
            boolean bad = Long.toString(a.seq()).equals(brokenSeq);
            b.append("<tr")
                    .append(bad ? " class=refused" : "")
                    .append(" data-seq=\"")
                    .append(a.seq())
                    .append("\"><td>")
                    .append(a.seq())
                    .append("</td><td>")
                    .append(esc(a.at().toString()))
                    .append("</td><td>")
                    .append(esc(a.kind()))
                    .append("</td><td>")
                    .append(
                            a.subject() == null
                                    ? ""
                                    : "<a href=\"" + esc(Html.branchHref(repo, a.subject())) + "\">" + esc(a.subject())
                                            + "</a>")
                    .append("</td><td class=mono>")
                    .append(esc(a.details()))
                    .append("</td></tr>");
        }
        b.append("</table></div>");
        ctx.status(problems.isEmpty() ? 200 : 400)
                .html(Html.page("tiergate: audit of " + repo, crumbs(repo, "audit"), null, b.toString()));
    }

    // ---- helpers

    private List<AuditRecord> ofRepo(RepoRef ref) {
        String name = ref.forge() + ":" + ref.path();
        return audit.all().stream().filter(a -> name.equals(a.repo())).toList();
    }

    private static String firstNumber(String s) {
        Matcher m = Pattern.compile("\\d+").matcher(s);
        return m.find() ? m.group() : null;
    }

    private static Instant day(String value, String name, boolean endOfDay, List<String> problems) {
        String v = blank(value);
        if (v == null) {
            return null;
        }
        try {
            LocalDate d = LocalDate.parse(v);
            return (endOfDay ? d.plusDays(1) : d).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            problems.add(name + " is not a day: write it as YYYY-MM-DD (UTC); this filter was left out");
            return null;
        }
    }

    /** A rule id with its meaning and fix from the catalog, and the verdict's own words. */
    private static String verdict(String ruleId, String description) {
        StringBuilder b = new StringBuilder();
        if (ruleId != null && !ruleId.isBlank()) {
            Optional<Rule> rule = Rule.byId(ruleId);
            b.append("<span class=rule><code>").append(esc(ruleId)).append("</code>");
            rule.ifPresent(x -> b.append(": ")
                    .append(esc(x.meaning()))
                    .append(". <b>Fix:</b> ")
                    .append(esc(x.fix())));
            b.append("</span>");
        }
        if (description != null && !description.isBlank()) {
            b.append(b.isEmpty() ? "" : "<br>")
                    .append("<span class=muted>")
                    .append(esc(description))
                    .append("</span>");
        }
        return b.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> details(AuditRecord a) {
        try {
            return new ObjectMapper().readValue(a.details(), Map.class);
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
    }

    private static <T> List<T> newestFirst(List<T> oldestFirst) {
        List<T> out = new ArrayList<>(oldestFirst);
        Collections.reverse(out);
        return out;
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static void dl(StringBuilder b, String term, String value) {
        b.append("<dt>")
                .append(esc(term))
                .append("</dt><dd>")
                .append(esc(value))
                .append("</dd>");
    }

    private static String crumbs(String repo, String here) {
        return "<a href=\"/ui/" + esc(repo) + "\">" + esc(repo) + "</a>" + "<a href=\"/ui/" + esc(repo)
                + "/audit\">audit trail</a>"
                + (here == null || here.equals("audit") ? "" : "<span class=muted>" + esc(here) + "</span>");
    }

    private void notTracked(Context ctx, String repo, String branch) {
        ctx.status(404)
                .html(Html.page(
                        "tiergate: not tracked",
                        crumbs(repo, null),
                        null,
                        "<h1>Not tracked</h1><p>"
                                + (branch == null
                                        ? "tiergate tracks no branch of " + esc(repo) + " yet."
                                        : "The branch " + esc(branch) + " is not tracked in " + esc(repo)
                                                + " (deleted, or never pushed).")
                                + "</p>"));
    }

    private static String repoPath(Context ctx) {
        return ctx.pathParam("owner") + "/" + ctx.pathParam("repo");
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
