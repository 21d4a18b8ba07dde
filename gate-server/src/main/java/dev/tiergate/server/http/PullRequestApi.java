package dev.tiergate.server.http;

import dev.tiergate.core.agent.PrView;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.server.audit.AuditKind;
import dev.tiergate.server.audit.AuditTrail;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.PrViewChanges;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.regex.Pattern;

/**
 * What {@code tiergate pr|status|wait|next|merge} (and the MCP server's tools) ask of the server: the PRs of a head
 * branch, one PR's view with its verdicts, long-polled so that {@code wait} costs one request per change (or per
 * {@link #MAX_WAIT}; a held poll reads the store again only when the store says the repository's PR views changed:
 * {@link PrViewChanges}), and the transitions an agent asks for, each an {@code agent.ask} audit record with the token's
 * actor. Who may read is the branches' read API's rule ({@link ApiAuth#requireReader}); nothing here writes to the
 * forge or a database. A merge is made by the caller through the forge with its own credentials, after the server
 * said yes for that head here: the forge's required {@code tiergate/workflow} status is the gate that holds, and the
 * answer here gives the reason when it would not.
 */
final class PullRequestApi {
    /**
     * A long-poll holds a request at most this long: under Jetty's idle timeout ({@link GateServer#IDLE_TIMEOUT}), so
     * no connection is cut while it waits; the client asks again at once.
     */
    static final Duration MAX_WAIT = Duration.ofSeconds(8);
    /** Long-polls held at once; past this a request is answered at once (no waiting), so waits cannot take every thread. */
    static final int MAX_WAITING = 32;

    private static final Pattern NUMBER = Pattern.compile("[1-9][0-9]{0,17}");
    /** The transitions that reach the forge: opening a PR and merging it (claim and abandon stay on the machine). */
    private static final Set<String> VERBS = Set.of("pr", "merge");

    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private final PullRequestViews views;
    private final ApiAuth auth;
    private final AuditTrail audit;
    private final Set<String> forges;
    private final Semaphore waiting = new Semaphore(MAX_WAITING);
    private final PrViewChanges changes;

    PullRequestApi(PullRequestViews views, PrViewChanges changes, ApiAuth auth, AuditTrail audit, Set<String> forges) {
        this.views = views;
        this.changes = changes;
        this.auth = auth;
        this.audit = audit;
        this.forges = forges;
    }

    /** Long-polls held now (the metric {@code tiergate_api_waits_held}). */
    int held() {
        return MAX_WAITING - waiting.availablePermits();
    }

    /** {@code GET …/pulls?head=B}: the PRs the server knows from head branch B, open first. */
    void byHead(Context ctx) {
        auth.requireReader(ctx);
        Optional<RepoRef> repo = repo(ctx);
        if (repo.isEmpty()) {
            return;
        }
        String head = ctx.queryParam("head");
        if (head == null || head.isBlank() || head.length() > 255) {
            ctx.status(400).json(Map.of("error", "pulls needs ?head=<the PR's head branch>"));
            return;
        }
        Optional<Policy> policy = views.policy(repo.get());
        List<Map<String, Object>> pulls = views.byHead(repo.get(), head).stream()
                .map(n -> views.view(repo.get(), n, policy))
                .flatMap(Optional::stream)
                .map(v -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("number", v.number());
                    m.put("state", v.state());
                    m.put("head_sha", v.headSha());
                    m.put("base_tier", v.baseTier());
                    return m;
                })
                .toList();
        ctx.json(Map.of("repo", repo.get().path(), "head", head, "pulls", pulls));
    }

    /**
     * {@code GET …/pulls/{n}[?since=V&wait=S]}: the PR's view; with {@code since}, held until the view's version is
     * no longer V or S seconds (at most {@link #MAX_WAIT}) have passed ({@code since=absent}: until the
     * PR is known).
     */
    void one(Context ctx) throws InterruptedException {
        auth.requireReader(ctx);
        Optional<RepoRef> repo = repo(ctx);
        Optional<Long> number = repo.isEmpty() ? Optional.empty() : number(ctx);
        if (number.isEmpty()) {
            return;
        }
        String since = ctx.queryParam("since");
        Duration wait = waitOf(ctx.queryParam("wait"));
        long deadline = System.nanoTime() + wait.toNanos();
        Optional<Policy> policy = views.policy(repo.get());
        boolean held = since != null && !wait.isZero();
        // the mark is taken before each read: a write between the read and the wait still wakes the wait
        PrViewChanges.Mark mark = held ? changes.mark(repo.get()) : null;
        Optional<PrView> v = views.view(repo.get(), number.get(), policy);
        if (held && versionOf(v).equals(since) && waiting.tryAcquire()) {
            try {
                while (versionOf(v).equals(since) && changes.await(mark, deadline)) {
                    mark = changes.mark(repo.get());
                    v = views.view(repo.get(), number.get(), policy);
                }
            } finally {
                waiting.release();
            }
        }
        if (v.isEmpty()) {
            notFound(ctx, repo.get(), number.get());
            return;
        }
        ctx.json(v.get());
    }

    /**
     * {@code POST …/pulls/{n}/asks?verb=V&sha=S}: an agent (or a person) asks through the CLI for a transition; the
     * server answers with the PR's view and, for {@code merge}, whether this head may merge and why not, and records
     * the ask with the token's actor.
     */
    void ask(Context ctx) {
        ApiCaller caller = auth.requireReader(ctx);
        Optional<RepoRef> repo = repo(ctx);
        Optional<Long> number = repo.isEmpty() ? Optional.empty() : number(ctx);
        if (number.isEmpty()) {
            return;
        }
        String verb = ctx.queryParam("verb");
        String sha = ctx.queryParam("sha");
        if (verb == null || !VERBS.contains(verb)) {
            ctx.status(400)
                    .json(Map.of(
                            "error",
                            "asks needs ?verb= one of "
                                    + VERBS.stream().sorted().toList()));
            return;
        }
        if (sha != null && !SHA.matcher(sha).matches()) {
            ctx.status(400).json(Map.of("error", "sha must be a commit's full hexadecimal id"));
            return;
        }
        Optional<PrView> v = views.view(repo.get(), number.get());
        if (v.isEmpty() && !verb.equals("pr")) { // a PR just opened may be ahead of its webhook: recorded all the same
            notFound(ctx, repo.get(), number.get());
            return;
        }
        String reason = verb.equals("merge") ? mergeRefusal(v.get(), sha) : null;
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("verb", verb);
        details.put("pr", number.get());
        details.put("actor", actorOf(caller));
        details.put("sha", sha == null ? "" : sha);
        details.put("answer", reason == null ? "yes" : reason);
        audit.append(AuditKind.AGENT_ASK, repo.get(), "pull/" + number.get(), details);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("allowed", reason == null);
        if (reason != null) {
            out.put("reason", reason);
        }
        v.ifPresent(x -> out.put("view", x));
        ctx.json(out);
    }

    /**
     * A view's version, and {@link #ABSENT} for a PR the server does not know yet: a client that just opened one asks
     * with {@code since=absent} and is answered once the forge's webhook has made it known.
     */
    static String versionOf(Optional<PrView> v) {
        return v.map(PrView::version).orElse(ABSENT);
    }

    static final String ABSENT = "absent";

    /** Why {@code sha} may not merge now, or null when tiergate/workflow says success on it. */
    static String mergeRefusal(PrView v, String sha) {
        if (v.merged()) {
            return "PR #" + v.number() + " is merged already";
        }
        if (sha == null || !sha.equals(v.headSha())) {
            return "the PR's head is " + v.headSha() + " on the server, not " + sha
                    + "; push, then wait for its verdict";
        }
        PrView.Check wf = v.workflow();
        if (wf == null || !wf.is(PrView.Check.SUCCESS, sha)) {
            String state = wf == null ? "none" : wf.state();
            return "tiergate/workflow is " + state + " on " + sha.substring(0, 7)
                    + (wf != null && wf.rule() != null && !wf.state().equals(PrView.Check.SUCCESS)
                            ? " [" + wf.rule() + "]: " + wf.description()
                            : "");
        }
        if (v.migrations() != null && v.migrations().is(PrView.Check.FAILURE, sha)) {
            return "tiergate/migrations failed on " + sha.substring(0, 7) + " ["
                    + v.migrations().rule() + "]";
        }
        return null;
    }

    private static String actorOf(ApiCaller caller) {
        if (caller instanceof ApiCaller.Actor a) {
            return a.token().actor();
        }
        return caller instanceof ApiCaller.Admin ? "admin token" : "anonymous";
    }

    private static void notFound(Context ctx, RepoRef repo, long number) {
        ctx.status(404)
                .json(Map.of(
                        "error",
                        "PR #" + number + " of " + repo.path() + " is not one this server tracks (not opened, closed"
                                + " without a merge, or opened before the server watched the repository)"));
    }

    private Optional<RepoRef> repo(Context ctx) {
        String forge = ctx.queryParamAsClass("forge", String.class).getOrDefault("github");
        String path = ctx.pathParam("owner") + "/" + ctx.pathParam("repo");
        Optional<String> problem = ApiAccess.repoProblem(path, false);
        if (problem.isPresent() || !forges.contains(forge)) {
            ctx.status(400).json(Map.of("error", problem.orElse("this server does not serve forge '" + forge + "'")));
            return Optional.empty();
        }
        return Optional.of(new RepoRef(forge, null, path));
    }

    private static Optional<Long> number(Context ctx) {
        String n = ctx.pathParam("number");
        if (!NUMBER.matcher(n).matches()) {
            ctx.status(400)
                    .json(Map.of("error", "a pull request's number is a positive whole number, not '" + n + "'"));
            return Optional.empty();
        }
        return Optional.of(Long.parseLong(n));
    }

    static Duration waitOf(String s) {
        if (s == null || !s.matches("[0-9]{1,4}")) {
            return Duration.ZERO;
        }
        Duration d = Duration.ofSeconds(Long.parseLong(s));
        return d.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : d;
    }
}
