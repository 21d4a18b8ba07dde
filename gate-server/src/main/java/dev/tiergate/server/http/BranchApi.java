package dev.tiergate.server.http;

import dev.tiergate.server.store.BranchRecord;
import dev.tiergate.server.store.BranchStore;
import dev.tiergate.server.store.HistoryEntry;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The read-only REST API (the pages are {@link dev.tiergate.server.ui.Dashboard}'s). */
final class BranchApi {
    private final BranchStore store;
    private final dev.tiergate.server.backend.BranchBackend backend;
    private final boolean callersAuthenticated;

    /**
     * {@code callersAuthenticated}: TIERGATE_API_TOKEN is set, so every /api caller has shown it and may have a
     * branch's password; without a token the API is open and never hands out a password.
     */
    BranchApi(BranchStore store, dev.tiergate.server.backend.BranchBackend backend, boolean callersAuthenticated) {
        this.store = store;
        this.backend = backend;
        this.callersAuthenticated = callersAuthenticated;
    }

    void list(Context ctx) {
        String repo = ctx.pathParam("owner") + "/" + ctx.pathParam("repo");
        ctx.json(store.listByPath(repo).stream().map(BranchApi::json).toList());
    }

    void one(Context ctx) {
        Optional<BranchRecord> r = find(ctx);
        if (r.isEmpty()) {
            ctx.status(404).json(Map.of("error", "branch '" + ctx.pathParam("branch") + "' is not tracked in "
                    + ctx.pathParam("owner") + "/" + ctx.pathParam("repo")));
            return;
        }
        Map<String, Object> out = json(r.get());
        out.put("connection", connection(r.get()));
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
        ctx.json(out);
    }

    /**
     * Where CI connects: host, port, database and the branch's own login; with {@code url} (password included) only
     * to a caller that sent the API token. Null when the backend cannot say (the branch is gone).
     */
    private Map<String, Object> connection(BranchRecord r) {
        try {
            dev.tiergate.server.backend.BranchConnection c = backend.connection(r.repo(), r.dbBranch());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("host", c.host());
            m.put("port", c.port());
            m.put("database", c.database());
            m.put("user", c.user());
            if (callersAuthenticated) {
                m.put("url", c.url());
            }
            return m;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private Optional<BranchRecord> find(Context ctx) {
        String repo = ctx.pathParam("owner") + "/" + ctx.pathParam("repo");
        String branch = java.net.URLDecoder.decode(ctx.pathParam("branch"), java.nio.charset.StandardCharsets.UTF_8);
        return store.listByPath(repo).stream().filter(b -> b.gitBranch().equals(branch)).findFirst();
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
            verdict.put("state", r.lastStatus().name().toLowerCase(java.util.Locale.ROOT));
            verdict.put("sha", r.lastStatusSha());
            verdict.put("rule", r.lastRule());
            verdict.put("description", r.lastDescription());
            m.put("verdict", verdict);
        }
        return m;
    }
}
