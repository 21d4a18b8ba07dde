package dev.tiergate.server.http;

import dev.tiergate.server.gate.GateProcessor;
import dev.tiergate.server.repo.RepoRef;
import io.javalin.http.Context;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The grants of a repository's database branches against its policy's {@code database_access}, for the operator
 * ({@code tiergate grants diff} and {@code tiergate grants apply} call these): what differs, each with the statement
 * that mends it; and the repair of one tier, which releases a {@code drift: hold}. And each tier's drift from its
 * migrations ({@code tiergate drift}, {@code tiergate drift accept}). Administrative: the routes are
 * closed like the doctor's, and take the admin token only.
 */
final class GrantsApi {
    private final Function<String, GateProcessor> processors;

    GrantsApi(Function<String, GateProcessor> processors) {
        this.processors = processors;
    }

    void diff(Context ctx) {
        with(
                ctx,
                (p, repo) -> ctx.json(
                        Map.of("repo", repo.path(), "branches", p.grantsDiff(repo, ctx.queryParam("branch")))));
    }

    void apply(Context ctx) {
        String tier = ctx.queryParam("tier");
        if (tier == null || tier.isBlank()) {
            ctx.status(400).json(Map.of("error", "grants apply needs ?tier=<the tier's name in the policy>"));
            return;
        }
        with(ctx, (p, repo) -> ctx.json(p.grantsApply(repo, tier, "admin token")));
    }

    /** {@code GET …/drift[?tier=T]}: each tier's drift from its migrations, checked now. */
    void drift(Context ctx) {
        String tier = ctx.queryParam("tier");
        with(
                ctx,
                (p, repo) -> ctx.json(Map.of(
                        "repo",
                        repo.path(),
                        "tiers",
                        p.driftCheck(repo, tier == null || tier.isBlank() ? null : tier))));
    }

    /** {@code POST …/drift/accept?tier=T&reason=R}: the tier's drift accepted as its baseline (audited with R). */
    void acceptDrift(Context ctx) {
        String tier = ctx.queryParam("tier");
        String reason = ctx.queryParam("reason");
        if (tier == null || tier.isBlank() || reason == null || reason.isBlank()) {
            ctx.status(400)
                    .json(Map.of(
                            "error",
                            "drift accept needs ?tier=<the tier's name in the policy>&reason=<why the drift stays>"));
            return;
        }
        with(ctx, (p, repo) -> ctx.json(p.driftAccept(repo, tier, reason.strip(), "admin token")));
    }

    private interface Work {
        void run(GateProcessor p, RepoRef repo);
    }

    private void with(Context ctx, Work work) {
        String forge = ctx.queryParamAsClass("forge", String.class).getOrDefault("github");
        String path = ctx.pathParam("owner") + "/" + ctx.pathParam("repo");
        Optional<String> problem = ApiAccess.repoProblem(path, false);
        GateProcessor p = processors.apply(forge);
        if (problem.isPresent() || p == null) {
            ctx.status(400).json(Map.of("error", problem.orElse("this server does not serve forge '" + forge + "'")));
            return;
        }
        try {
            work.run(p, new RepoRef(forge, null, path));
        } catch (IllegalArgumentException e) {
            ctx.status(404).json(Map.of("error", e.getMessage()));
        }
    }
}
