package dev.tiergate.hooks.agent;

import static dev.tiergate.hooks.TerminalText.plain;

import dev.tiergate.core.agent.PrView;
import dev.tiergate.hooks.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tiergate status}: the server's view of the checked-out branch's PR (or {@code --branch}, {@code --pr}): its
 * state and head, both verdicts on that head with the rule, what it means and the fix, the reviews the policy asks
 * for and from whom, the rehearsal, and once merged what became of its migrations.
 */
@Command(
        name = "status",
        description = "The server's view of this branch's PR: state, head, both verdicts with rule and fix, reviews.")
public final class StatusCmd extends AgentCommand {
    @Option(names = "--branch", description = "the PR's head branch (default: the checked-out branch)")
    String branch;

    @Option(names = "--pr", description = "the PR's number")
    Long pr;

    @Override
    String who() {
        return "tiergate status";
    }

    @Override
    int run() throws Stop, IOException {
        long number = pullNumber(this, branch, pr);
        PrView v = view(number, null)
                .orElseThrow(() -> Stop.noState(
                        "the tiergate server tracks no PR #" + number + " of " + safeRepo(),
                        "tiergate pr opens it; a PR closed without a merge is no longer tracked"));
        if (json) {
            printJson(v);
        } else {
            describe(text(), v);
        }
        return Main.OK;
    }

    private String safeRepo() {
        try {
            return origin().path();
        } catch (IOException | Stop e) {
            return "this repository";
        }
    }

    /** {@code --pr}, else the server's PR of {@code --branch} or the checked-out branch (exit 1 when none). */
    static long pullNumber(AgentCommand c, String branch, Long pr) throws Stop, IOException {
        if (pr != null) {
            if (pr <= 0) {
                throw Stop.refused("--pr must be a PR's number, not " + pr, null, null);
            }
            return pr;
        }
        if (branch == null) {
            Optional<Long> linked = linkedPr(c);
            if (linked.isPresent()) {
                return linked.get();
            }
        }
        String head = branch != null ? branch : c.branch();
        Optional<Long> n = c.prOf(head);
        return n.orElseThrow(() -> Stop.noState(
                "the tiergate server knows no PR from " + head,
                "tiergate pr (it pushes " + head + " and opens the PR into the claim's tier)"));
    }

    /**
     * The PR {@code tiergate pr} recorded for the checked-out branch's claim (its number is the link's last part:
     * GitHub {@code …/pull/N}, GitLab {@code …/merge_requests/N}), so a PR whose webhook the server has yet to see is
     * found too.
     */
    static Optional<Long> linkedPr(AgentCommand c) throws IOException {
        try {
            String url = c.claim().links().get(dev.tiergate.core.state.Claim.LINK_PULL_REQUEST);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                            "/(?:pull|merge_requests)/([1-9][0-9]{0,17})/?$")
                    .matcher(url == null ? "" : url);
            return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
        } catch (Stop e) {
            return Optional.empty();
        }
    }

    static void describe(PrintWriter out, PrView v) {
        out.println("PR #" + v.number() + "  " + plain(v.headBranch()) + " -> " + plain(v.baseTier()) + "  state "
                + v.state() + "  head " + shortSha(v.headSha()));
        if (v.merged()) {
            PrView.Merge m = v.merge();
            out.println("  merged; migrations on " + plain(m.tier()) + ": " + m.migration()
                    + (m.detail() == null ? "" : " — " + plain(m.detail())));
            if (m.rollback() != null) {
                out.println("  roll back: " + plain(m.rollback()));
            }
        } else {
            check(out, "tiergate/workflow  ", v.workflow(), v.headSha());
            check(out, "tiergate/migrations", v.migrations(), v.headSha());
            for (PrView.Review r : v.reviews()) {
                List<String> who = new ArrayList<>(r.reviewers());
                who.addAll(r.teams());
                out.println("  review: " + r.approvals() + " approval(s) from " + plain(r.from())
                        + (who.isEmpty() ? "" : " (" + plain(String.join(", ", who)) + ")") + " for "
                        + plain(r.rule()) + ": " + plain(r.why()));
            }
        }
        if (v.link() != null) {
            out.println("  " + plain(v.link()));
        }
    }

    private static void check(PrintWriter out, String name, PrView.Check c, String head) {
        if (c == null || c.state().equals(PrView.Check.NONE)) {
            out.println("  " + name + "  none yet");
            return;
        }
        boolean onHead = head != null && head.equals(c.sha());
        out.println("  " + name + "  " + c.state() + (onHead ? "" : " (on " + shortSha(c.sha()) + ", not the head)")
                + (c.description() == null ? "" : "  " + plain(c.description())));
        if (!c.state().equals(PrView.Check.SUCCESS) && c.rule() != null) {
            if (c.meaning() != null) {
                out.println("      " + plain(c.rule()) + ": " + plain(c.meaning()));
            }
            if (c.fix() != null) {
                out.println("      fix: " + plain(c.fix()));
            }
        }
    }

    static String shortSha(String sha) {
        return sha == null ? "(none)" : sha.substring(0, Math.min(7, sha.length()));
    }
}
