package dev.tiergate.hooks.agent;

import static dev.tiergate.hooks.TerminalText.plain;

import dev.tiergate.core.migration.MigrationChecksums;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.state.Claim;
import dev.tiergate.core.workflow.WorkflowState;
import dev.tiergate.hooks.Main;
import dev.tiergate.hooks.Workspace;
import dev.tiergate.hooks.git.GitCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tiergate pr}: pushes the claimed branch and opens (or reuses) its pull request into the claim's target tier
 * (never simply the default branch), on GitHub or GitLab with the caller's token; records the link in the state file
 * (pr-ready). Refuses a dirty tree (tiergate's own files aside), a branch with no claim, and a branch with no commit
 * its tier lacks.
 */
@Command(
        name = "pr",
        description = "Push the claimed branch and open (or reuse) its PR into the claim's tier; record it (pr-ready).")
public final class PrCmd extends AgentCommand {
    @Option(names = "--title", description = "the PR's title (default: the feature id and the last commit's subject)")
    String title;

    @Option(names = "--body", description = "the PR's description")
    String body;

    @Option(names = "--body-file", description = "a file holding the PR's description")
    Path bodyFile;

    @Option(names = "--draft", description = "open it as a draft")
    boolean draft;

    /** Files tiergate writes itself, which a dirty-tree check leaves aside. */
    static final List<String> OWN_FILES = List.of(Workspace.STATE_PATH, MigrationChecksums.PATH);

    @Override
    String who() {
        return "tiergate pr";
    }

    @Override
    int run() throws Stop, IOException {
        Claim claim = claim();
        if (claim.state() == WorkflowState.MERGED) {
            throw Stop.refused(
                    claim.branch() + " is merged already", null, "tiergate claim <feature-id> for the next change");
        }
        Path top = ws().top();
        List<String> dirty = GitCommand.run(top, "status", "--porcelain=v1", "--untracked-files=normal")
                .lines()
                .filter(l -> l.length() > 3)
                .map(l -> l.substring(3))
                .filter(p -> !OWN_FILES.contains(p))
                .toList();
        if (!dirty.isEmpty()) {
            throw Stop.refused(
                    "the working tree has uncommitted changes: "
                            + String.join(", ", dirty.subList(0, Math.min(5, dirty.size())))
                            + (dirty.size() > 5 ? " (+" + (dirty.size() - 5) + " more)" : ""),
                    null,
                    "commit them (git add -A && git commit) or stash them, then tiergate pr again");
        }
        String base = claim.parentBranch();
        String baseRef = ws().git()
                .firstExisting("refs/remotes/origin/" + base, "refs/heads/" + base)
                .orElseThrow(() -> Stop.refused(
                        "the claim's tier branch " + base + " is neither on origin nor here",
                        null,
                        "git fetch origin " + base));
        int ahead = Integer.parseInt(
                GitCommand.run(top, "rev-list", "--count", baseRef + "..HEAD").strip());
        if (ahead == 0) {
            throw Stop.refused(
                    claim.branch() + " has no commit that " + base + " lacks",
                    null,
                    "commit the change (a migration under the policy's directory) first");
        }
        ForgeApi forge = forge();
        String head = GitCommand.run(top, "rev-parse", "HEAD").strip();
        push(top, claim.branch());
        ForgeApi.Pull pull;
        boolean created;
        try {
            Optional<ForgeApi.Pull> existing = forge.openPull(claim.branch());
            if (existing.isPresent() && !existing.get().base().equals(base)) {
                throw Stop.refused(
                        "PR #" + existing.get().number() + " from " + claim.branch() + " aims at "
                                + existing.get().base() + ", not the claim's tier branch " + base,
                        Rule.GATE_EDGE_SKIPS_TIER.id(),
                        "retarget it to " + base + " on the forge ("
                                + existing.get().url() + ")");
            }
            created = existing.isEmpty();
            pull = existing.isPresent()
                    ? existing.get()
                    : forge.open(claim.branch(), base, titleOf(claim, top), bodyOf(claim), draft);
        } catch (ForgeApi.ForgeFailure f) {
            throw new Stop(f.refused() ? Main.REFUSED : Main.FAILED, f.getMessage(), null, null);
        }
        ws().writeState(ws().state().orElseThrow().with(claim.withPullRequest(pull.url(), Instant.now())));
        recordAsk(pull.number(), head);
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("forge", forge.name());
            out.put("number", pull.number());
            out.put("url", pull.url());
            out.put("head_branch", claim.branch());
            out.put("head_sha", head);
            out.put("base", base);
            out.put("created", created);
            out.put("draft", pull.draft());
            out.put("state", "pr-ready");
            printJson(out);
        } else {
            text().println((created ? "opened" : "reusing") + " PR #" + pull.number() + " " + plain(pull.url())
                    + ": " + claim.branch() + " -> " + base + " at " + head.substring(0, 7)
                    + (pull.draft() ? " (draft)" : ""));
            text().println("next: tiergate wait --until ci-green");
        }
        return Main.OK;
    }

    /** git push, with tiergate's own pre-push hook: its refusal is exit 2, anything else that fails exit 3. */
    private void push(Path top, String branch) throws Stop, IOException {
        ProcessBuilder pb = new ProcessBuilder(
                        "git", "push", "--porcelain", "-u", "origin", "HEAD:refs/heads/" + branch)
                .directory(top.toFile())
                .redirectErrorStream(true);
        pb.environment().put("GIT_TERMINAL_PROMPT", "0");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() == 0) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Stop.failed("interrupted while pushing");
        }
        if (out.contains("tiergate: push refused")) {
            throw Stop.refused("the pre-push hook refused the push:\n" + out.strip(), null, "fix what it names");
        }
        if (out.contains("[rejected]") || out.contains("non-fast-forward")) {
            throw Stop.refused(
                    "origin refused the push of " + branch + ":\n" + out.strip(),
                    null,
                    "git pull --rebase origin " + branch + ", then tiergate pr");
        }
        throw Stop.failed("git push to origin failed:\n" + out.strip());
    }

    private String titleOf(Claim claim, Path top) throws IOException {
        if (title != null && !title.isBlank()) {
            return title;
        }
        return claim.featureId() + ": "
                + GitCommand.run(top, "log", "-1", "--format=%s").strip();
    }

    private String bodyOf(Claim claim) throws IOException {
        if (bodyFile != null) {
            return Files.readString(bodyFile, StandardCharsets.UTF_8);
        }
        if (body != null) {
            return body;
        }
        return "Feature " + claim.featureId() + " claimed by " + claim.actorId() + " (database branch "
                + claim.dbBranch() + ") into " + claim.parentBranch() + ". Opened with tiergate pr.";
    }

    /** The ask is an audit record on the server; a server that cannot answer now leaves the PR opened, said. */
    private void recordAsk(long number, String head) throws IOException, Stop {
        try {
            ServerClient.Answer a = serverClient()
                    .post(reposPath() + "/pulls/" + number + "/asks?verb=pr&forge=" + forgeName() + "&sha=" + head);
            if (a.status() != 200 && a.status() != 404) {
                spec.commandLine()
                        .getErr()
                        .println(who() + ": the tiergate server did not record the PR (" + a.status() + " "
                                + plain(a.error()) + "); it learns of it from the forge's webhook");
            }
        } catch (ServerClient.Unreachable e) {
            spec.commandLine()
                    .getErr()
                    .println(who() + ": " + plain(e.getMessage()) + "; the PR is open, the server learns of it from the"
                            + " forge's webhook");
        }
    }
}
