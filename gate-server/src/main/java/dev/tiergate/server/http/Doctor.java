package dev.tiergate.server.http;

import dev.tiergate.core.TiergateVersion;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.config.ServerConfig;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.Database;
import dev.tiergate.server.wiring.ForgeBinding;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import javax.sql.DataSource;

/**
 * {@code GET /api/v1/doctor}: configuration facts and whether the store, the branch backend and each forge answer,
 * each check with what to do when it fails; no secret is ever shown.
 */
final class Doctor {
    private final ServerConfig cfg;
    private final Database db;
    private final BranchBackend backend;
    private final List<ForgeBinding> forges;

    Doctor(ServerConfig cfg, Database db, BranchBackend backend, List<ForgeBinding> forges) {
        this.cfg = cfg;
        this.db = db;
        this.backend = backend;
        this.forges = forges;
    }

    /** {@code GET /api/v1/doctor}: configuration facts and whether the store, branch backend and forge answer; no secrets. */
    Map<String, Object> answer(String repo) {
        List<Map<String, Object>> checks = new ArrayList<>();
        BiConsumer<String, String[]> add = (check, r) -> {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("check", check);
            c.put("ok", Boolean.parseBoolean(r[0]));
            c.put("text", r[1]);
            c.put("fix", r[2]);
            checks.add(c);
        };
        add.accept("forges", new String[] {
            Boolean.toString(!cfg.forgeSummary().isEmpty()),
            String.join("; ", cfg.forgeSummary()),
            "configure TIERGATE_GITHUB_* or TIERGATE_GITLAB_*"
        });
        if (cfg.githubEnabled()) {
            add.accept("webhook secret", new String[] {
                Boolean.toString(cfg.githubWebhookSecret() != null),
                cfg.githubWebhookSecret() != null
                        ? "GitHub's is set"
                        : "GitHub's is not set: signatures are not checked",
                "set TIERGATE_GITHUB_WEBHOOK_SECRET(_FILE) to the webhook's secret and restart"
            });
        }
        if (cfg.gitlabUrl() != null) {
            add.accept("webhook secret", new String[] {
                Boolean.toString(cfg.gitlabWebhookSecret() != null),
                cfg.gitlabWebhookSecret() != null ? "GitLab's is set" : "GitLab's is not set: tokens are not checked",
                "set TIERGATE_GITLAB_WEBHOOK_SECRET(_FILE) to the hook's secret token and restart"
            });
        }
        add.accept(
                "store",
                ping(db.dataSource(), db.describe(), "select 1", "check TIERGATE_DB_URL and that the PostgreSQL runs"));
        add.accept("branch backend", backendCheck());
        if (repo != null && !repo.isBlank()) {
            for (ForgeBinding f : forges) {
                for (String[] r : f.forge().accessChecks(repo)) {
                    add.accept("forge access", r);
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", TiergateVersion.current());
        out.put("checks", checks);
        return out;
    }

    private static String[] ping(DataSource ds, String what, String sql, String fix) {
        try (var c = ds.getConnection();
                var st = c.createStatement();
                var rs = st.executeQuery(sql)) {
            boolean yes = rs.next() && rs.getBoolean(1);
            return new String[] {
                Boolean.toString(yes), what + (yes ? " answers" : " answers, but " + sql + " is false"), fix
            };
        } catch (SQLException e) {
            return new String[] {"false", what + " does not answer: " + e.getMessage(), fix};
        }
    }

    /** Whether the branch backend answers: it lists a repository's branches (none, for a name no repository has). */
    private String[] backendCheck() {
        try {
            backend.list(new RepoRef("doctor", null, "doctor/check"));
            return new String[] {"true", backend.id() + " backend answers", ""};
        } catch (RuntimeException e) {
            return new String[] {
                "false",
                backend.id() + " backend: " + e.getMessage(),
                "check TIERGATE_BACKEND and its settings (postgres: TIERGATE_BRANCH_DB_URL and a role with CREATEDB)"
            };
        }
    }
}
