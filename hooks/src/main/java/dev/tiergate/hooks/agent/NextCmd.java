package dev.tiergate.hooks.agent;

import static dev.tiergate.hooks.TerminalText.plain;

import dev.tiergate.core.agent.NextMoves;
import dev.tiergate.core.agent.PrView;
import dev.tiergate.core.policy.Actor;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.state.Claim;
import dev.tiergate.core.workflow.WorkflowState;
import dev.tiergate.hooks.Main;
import dev.tiergate.hooks.git.GitCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;

/**
 * {@code tiergate next}: strictly read-only. The moves the policy allows this actor from where the branch stands, each
 * with the exact command and whether it reaches outside the machine, and the blockers with the command or the person
 * that resolves each ({@link NextMoves}). It writes nothing, pushes nothing and asks the forge nothing; it reads the
 * server's view of the PR when there is one.
 */
@Command(
        name = "next",
        description =
                "Read-only: the moves the policy allows you from here (with the command) and what blocks the rest.")
public final class NextCmd extends AgentCommand {
    @Override
    String who() {
        return "tiergate next";
    }

    @Override
    int run() throws Stop, IOException {
        Policy policy = ws().policy();
        Actor actor = ws().actor(policy);
        String branch = branch();
        Optional<Claim> claim = ws().state().flatMap(s -> s.claimForBranch(branch));
        Path top = ws().top();
        int ahead = 0;
        boolean dirty = false;
        Optional<PrView> view = Optional.empty();
        String serverProblem = null;
        if (claim.isPresent()) {
            Optional<String> baseRef = ws().git()
                    .firstExisting(
                            "refs/remotes/origin/" + claim.get().parentBranch(),
                            "refs/heads/" + claim.get().parentBranch());
            ahead = baseRef.isEmpty()
                    ? 0
                    : Integer.parseInt(GitCommand.run(top, "rev-list", "--count", baseRef.get() + "..HEAD")
                            .strip());
            dirty = GitCommand.run(top, "status", "--porcelain=v1")
                    .lines()
                    .filter(l -> l.length() > 3)
                    .map(l -> l.substring(3))
                    .anyMatch(p -> !PrCmd.OWN_FILES.contains(p));
            if (claim.get().state() != WorkflowState.FEATURE_CLAIMED
                    || claim.get().links().containsKey(Claim.LINK_PULL_REQUEST)) {
                try {
                    Optional<Long> n = StatusCmd.linkedPr(this).or(() -> prOfQuietly(branch));
                    if (n.isPresent()) {
                        view = view(n.get(), null);
                    }
                } catch (Stop s) {
                    serverProblem = s.getMessage();
                }
            }
        }
        NextMoves.Next next =
                NextMoves.of(policy, new NextMoves.Here(branch, claim, actor, ahead, dirty, view, serverProblem));
        if (json) {
            printJson(next);
        } else {
            PrintWriter out = text();
            out.println(plain(next.branch()) + ": " + next.state() + (next.pr() == null ? "" : ", PR #" + next.pr())
                    + "; you are " + next.actorClass() + " " + plain(next.actor()));
            for (NextMoves.Move m : next.moves()) {
                out.println("  move    " + m.command() + "    " + plain(m.why())
                        + (m.reachesOutside() ? "  (reaches outside: " + String.join(", ", m.effects()) + ")" : ""));
            }
            for (NextMoves.Blocker b : next.blockers()) {
                out.println("  blocked " + plain(b.what())
                        + (b.rule() == null || b.what().contains("[" + b.rule() + "]") ? "" : " [" + b.rule() + "]"));
                if (b.command() != null) {
                    out.println("          resolve: " + plain(b.command()));
                }
                if (b.person() != null) {
                    out.println("          resolve: " + plain(b.person()));
                }
            }
        }
        return Main.OK;
    }

    private Optional<Long> prOfQuietly(String branch) {
        try {
            return prOf(branch);
        } catch (Stop | IOException e) {
            return Optional.empty();
        }
    }
}
