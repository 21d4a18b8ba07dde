package dev.tiergate.server.http;

import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.backend.BranchConnection;
import dev.tiergate.server.store.BranchRecord;
import dev.tiergate.server.store.BranchStore;
import dev.tiergate.server.store.HistoryEntry;
import io.javalin.http.Context;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The read-only REST API (the pages are {@link dev.tiergate.server.ui.Dashboard}'s). Every caller sees the same branch
 * records; a branch's {@code connection} depends on who asks ({@link ApiAuth}): the admin token gets the branch's
 * shared login with its password, an actor's token its own login as the policy allows it ({@link ActorLogins}), and
 * nobody (on a server without an admin token) the shared login's name without a password. No list shows a password.
 */
final class BranchApi {
    private final BranchStore store;
    private final BranchBackend backend;
    private final ApiAuth auth;
    private final ActorLogins logins;

    BranchApi(BranchStore store, BranchBackend backend, ApiAuth auth, ActorLogins logins) {
        this.store = store;
        this.backend = backend;
        this.auth = auth;
        this.logins = logins;
    }

    void list(Context ctx) {
        auth.requireReader(ctx);
        String repo = ctx.pathParam("owner") + "/" + ctx.pathParam("repo");
        ctx.json(store.listByPath(repo).stream().map(BranchApi::json).toList());
    }

    void one(Context ctx) {
        ApiCaller caller = auth.requireReader(ctx);
        Optional<BranchRecord> r = find(ctx);
        if (r.isEmpty()) {
            ctx.status(404)
                    .json(Map.of(
                            "error",
                            "branch '" + ctx.pathParam("branch") + "' is not tracked in " + ctx.pathParam("owner") + "/"
                                    + ctx.pathParam("repo")));
            return;
        }
        Map<String, Object> connection = caller instanceof ApiCaller.Actor actor
                ? logins.issue(r.get(), actor.token())
                : sharedLogin(r.get(), caller instanceof ApiCaller.Admin);
        Map<String, Object> out = json(r.get());
        out.put("connection", connection);
        List<Map<String, Object>> history = new ArrayList<>();
        for (HistoryEntry h : store.history(r.get().repo(), r.get().gitBranch())) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("at", h.at().toString());
            e.put("from", h.from() == null ? null : h.from().wireName());
            e.put("to", h.to().wireName());
            e.put("reason", h.reason());
            e.put("sha", h.sha());
            history.add(e);
        }
        out.put("history", history);
        if (connection != null && connection.containsKey("url")) {
            ctx.header("Cache-Control", "no-store"); // a password: no proxy or browser keeps it
        }
        ctx.json(out);
    }

    /**
     * The branch's shared login, where tiergate's own work connects: host, port, database and user; with {@code url}
     * (password included) for the admin only. Null when the backend cannot say (the branch is gone).
     */
    private Map<String, Object> sharedLogin(BranchRecord r, boolean withPassword) {
        try {
            BranchConnection c = backend.connection(r.repo(), r.dbBranch());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("host", c.host());
            m.put("port", c.port());
            m.put("database", c.database());
            m.put("user", c.user());
            if (withPassword) {
                m.put("url", c.url());
            }
            return m;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private Optional<BranchRecord> find(Context ctx) {
        String repo = ctx.pathParam("owner") + "/" + ctx.pathParam("repo");
        String branch = URLDecoder.decode(ctx.pathParam("branch"), StandardCharsets.UTF_8);
        return store.listByPath(repo).stream()
                .filter(b -> b.gitBranch().equals(branch))
                .findFirst();
    }

    static Map<String, Object> json(BranchRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("git_branch", r.gitBranch());
        m.put("db_branch", r.dbBranch());
        m.put("parent", r.parent());
        m.put("kind", r.kind().wireName());
        m.put("state", r.state().wireName());
        m.put("head_sha", r.headSha());
        if (r.prNumber() != null) {
            m.put("pr_number", r.prNumber());
        }
        if (r.lastStatus() != null) {
            Map<String, Object> verdict = new LinkedHashMap<>();
            verdict.put("state", r.lastStatus().name().toLowerCase(Locale.ROOT));
            verdict.put("sha", r.lastStatusSha());
            verdict.put("rule", r.lastRule());
            verdict.put("description", r.lastDescription());
            m.put("verdict", verdict);
        }
        return m;
    }
}
