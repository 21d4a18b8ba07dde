package dev.tiergate.server.ui;

import static dev.tiergate.server.ui.Html.esc;

import dev.tiergate.core.audit.AuditRecord;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.workflow.WorkflowState;
import dev.tiergate.server.audit.AuditLog;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.BranchRecord;
import dev.tiergate.server.store.BranchStore;
import dev.tiergate.server.store.DriftStore;
import dev.tiergate.server.store.MigrationStore;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The read-only dashboard: {@code /} (repositories), {@code /ui/{owner}/{repo}} (the tier tree),
 * {@code /ui/{owner}/{repo}/branches/{branch}} (what a status's Details link opens) and
 * {@code /ui/{owner}/{repo}/audit} (the trail and whether its chain holds). Server-rendered; live.js refreshes a
 * page's {@code <main>} when its {@code changes} mark moves. No password, token or secret is ever written.
 *
 * <p>This class holds the routes, the home page and the {@code changes} mark. {@link ViewerAccess} guards the pages
 * and signs a viewer in; {@link TreePage}, {@link BranchPage} and {@link AuditPage} are a repository's pages;
 * {@link Html} holds what they share.
 */
public final class Dashboard {
    private final BranchStore store;
    private final AuditLog audit;
    private final Clock clock;
    private final ViewerAccess access;
    private final TreePage treePage;
    private final BranchPage branchPage;
    private final AuditPage auditPage;

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
        this.clock = clock;
        this.access = new ViewerAccess(viewerToken, secureCookie, bindHost);
        Sources sources = new Sources(store, migrations, drifts, backend, policies, clock);
        this.treePage = new TreePage(sources);
        this.branchPage = new BranchPage(sources, audit, access);
        this.auditPage = new AuditPage(audit, anchorProblem);
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
        app.get("/ui/login", access::loginPage);
        app.post("/ui/login", access::login);
        app.before("/", access::guard);
        app.before("/ui/*", access::guard);
        app.get("/", this::home);
        app.get("/ui/{owner}/{repo}", ctx -> treePage.show(ctx, repoPath(ctx)));
        app.get("/ui/{owner}/{repo}/changes", this::changes);
        app.get("/ui/{owner}/{repo}/audit", ctx -> auditPage.show(ctx, repoPath(ctx)));
        app.get("/ui/{owner}/{repo}/branches/<branch>", ctx -> branchPage.show(ctx, repoPath(ctx)));
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

    private static String repoPath(Context ctx) {
        return ctx.pathParam("owner") + "/" + ctx.pathParam("repo");
    }
}
