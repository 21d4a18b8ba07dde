package dev.tiergate.hooks.agent;

import dev.tiergate.core.agent.PrView;
import dev.tiergate.core.state.Claim;
import dev.tiergate.hooks.Main;
import dev.tiergate.hooks.git.GitCommand;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tiergate merge}: asks the server first, and merges through the forge (with the caller's token, at the head the
 * server judged, so the forge refuses a head that moved since) only when {@code tiergate/workflow} is success on it.
 * With {@code --wait-migrate} it returns once the tier applied the migrations, or reports the hold and the rollback.
 * Then it checks out the tier branch, fast-forwards it, and records {@code merged} in the state file.
 */
@Command(
        name = "merge",
        description = "Merge this branch's PR through the forge when the server says it may; --wait-migrate follows the"
                + " tier's migrations; then check out the tier and record merged.")
public final class MergeCmd extends AgentCommand {
    @Option(names = "--wait-migrate", description = "return once the tier applied the migrations (or say why not)")
    boolean waitMigrate;

    @Option(names = "--method", defaultValue = "merge", description = "merge (default), squash or rebase")
    String method;

    @Option(names = "--timeout", defaultValue = "30m", description = "how long --wait-migrate waits (default 30m)")
    String timeout;

    @Override
    String who() {
        return "tiergate merge";
    }

    @Override
    int run() throws Stop, IOException {
        if (!method.equals("merge") && !method.equals("squash") && !method.equals("rebase")) {
            throw Stop.refused("--method " + method + " is not a merge method", null, "use merge, squash or rebase");
        }
        Duration limit;
        try {
            limit = Follow.parse(timeout);
        } catch (IllegalArgumentException e) {
            throw Stop.refused(e.getMessage(), null, null);
        }
        Claim claim = claim();
        Path top = ws().top();
        long number = StatusCmd.pullNumber(this, null, null);
        PrView v = view(number, null)
                .orElseThrow(() -> Stop.noState("the tiergate server tracks no PR #" + number, "tiergate pr"));
        String local = GitCommand.run(top, "rev-parse", "HEAD").strip();
        if (!v.merged() && !local.equals(v.headSha())) {
            throw Stop.refused(
                    "the PR's head on the server is " + Follow.shortSha(v.headSha()) + ", this branch is at "
                            + Follow.shortSha(local),
                    null,
                    "push (tiergate pr) or pull, then tiergate wait --until mergeable");
        }
        ServerClient.Answer a = ask(
                serverClient(),
                "POST",
                reposPath() + "/pulls/" + number + "/asks?verb=merge&forge=" + forgeName() + "&sha=" + v.headSha());
        if (!a.body().path("allowed").asBoolean(false)) {
            PrView.Check wf = v.workflow();
            throw Stop.refused(
                    "the tiergate server does not let PR #" + number + " merge now: "
                            + a.body().path("reason").asText(),
                    wf == null ? null : wf.rule(),
                    wf == null || wf.state().equals(PrView.Check.SUCCESS)
                            ? "tiergate next"
                            : "tiergate wait --until mergeable");
        }
        String merged;
        try {
            merged = forge().merge(number, v.headSha(), method);
        } catch (ForgeApi.ForgeFailure f) {
            throw new Stop(f.refused() ? Main.REFUSED : Main.FAILED, f.getMessage(), null, null);
        }
        text().println("merged PR #" + number + " into " + claim.parentBranch() + " (" + method + ")");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("number", number);
        out.put("merged", true);
        out.put("sha", merged);
        out.put("method", method);
        out.put("base", claim.parentBranch());
        int exit = Main.OK;
        if (waitMigrate) {
            Follow f = new Follow(this, Follow.MIGRATED, limit, Duration.ofMinutes(2), false, false);
            exit = f.run(number, v.headSha());
            PrView last = f.last();
            if (last != null && last.merge() != null) {
                out.put("tier", last.merge().tier());
                out.put("migration", last.merge().migration());
                if (last.merge().detail() != null) {
                    out.put("detail", last.merge().detail());
                }
                if (last.merge().rollback() != null) {
                    out.put("rollback", last.merge().rollback());
                }
            }
        }
        String tierBranch = claim.parentBranch();
        fastForward(top, tierBranch);
        ws().writeState(ws().state().orElseThrow().with(claim.merged(Instant.now(), v.link())));
        out.put("checked_out", tierBranch);
        out.put("exit", exit);
        if (json) {
            printJson(out);
        } else {
            text().println("checked out " + tierBranch + " at "
                    + Follow.shortSha(GitCommand.run(top, "rev-parse", "HEAD").strip()) + "; recorded merged");
        }
        return exit;
    }

    /** Checks out the tier branch and brings it to origin's (a fast-forward only: local commits there are kept). */
    private static void fastForward(Path top, String tierBranch) throws IOException {
        GitCommand.run(top, "fetch", "-q", "origin", tierBranch);
        boolean local = !GitCommand.run(top, "branch", "--list", tierBranch).isBlank();
        if (local) {
            GitCommand.run(top, "checkout", "-q", tierBranch);
            GitCommand.run(top, "merge", "-q", "--ff-only", "origin/" + tierBranch);
        } else {
            GitCommand.run(top, "checkout", "-q", "-b", tierBranch, "origin/" + tierBranch);
        }
    }
}
