package dev.tiergate.hooks.agent;

import dev.tiergate.core.state.Claim;
import dev.tiergate.core.workflow.WorkflowState;
import dev.tiergate.hooks.Main;
import dev.tiergate.hooks.git.GitCommand;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tiergate wait}: follows the server's verdict on the PR's current head until {@code --until} holds (exit 0), a
 * failure verdict (2, with rule and fix), the server cannot answer past the budget (3) or the time runs out (4). One
 * line per change; with {@code --json}, one JSON object per line. Reaching ci-green records it in the state file.
 */
@Command(
        name = "wait",
        description = "Follow the server's verdict on this branch's PR head until ci-green, mergeable, merged or"
                + " migrated (exit 0), a failure (2), no answer (3) or the time-out (4).")
public final class WaitCmd extends AgentCommand {
    @Option(
            names = "--until",
            defaultValue = "mergeable",
            description = "ci-green, mergeable (default), merged or migrated")
    String until;

    @Option(
            names = "--timeout",
            defaultValue = "30m",
            description = "how long to wait: e.g. 90s, 30m, 2h (default 30m)")
    String timeout;

    @Option(
            names = "--server-budget",
            defaultValue = "2m",
            description = "how long the server may not answer before the wait gives up with exit 3 (default 2m)")
    String serverBudget;

    @Option(names = "--pr", description = "the PR's number (default: this branch's)")
    Long pr;

    @Override
    String who() {
        return "tiergate wait";
    }

    @Override
    int run() throws Stop, IOException {
        if (!Follow.known(until)) {
            throw Stop.refused(
                    "--until " + until + " is not a point tiergate waits for",
                    null,
                    "use ci-green, mergeable, merged or migrated");
        }
        Duration limit;
        Duration budget;
        try {
            limit = Follow.parse(timeout);
            budget = Follow.parse(serverBudget);
        } catch (IllegalArgumentException e) {
            throw Stop.refused(e.getMessage(), null, null);
        }
        long number = StatusCmd.pullNumber(this, null, pr);
        Optional<Claim> claim = claimOrEmpty();
        boolean onBranch = pr == null && claim.isPresent();
        String head = onBranch ? GitCommand.run(ws().top(), "rev-parse", "HEAD").strip() : null;
        Follow f = new Follow(this, until, limit, budget, onBranch, true);
        int exit = f.run(number, head);
        if (exit == Main.OK
                && claim.isPresent()
                && f.last() != null
                && !f.last().merged()
                && claim.get().state() == WorkflowState.PR_READY
                && !until.equals(Follow.MERGED)) {
            // what the kit's wait-ci records: ci-green, when and where
            ws().writeState(ws().state()
                    .orElseThrow()
                    .with(claim.get().ciGreen(Instant.now(), f.last().link())));
        }
        return exit;
    }

    private Optional<Claim> claimOrEmpty() throws IOException {
        try {
            return Optional.of(claim());
        } catch (Stop e) {
            return Optional.empty();
        }
    }
}
