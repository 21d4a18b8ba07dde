package dev.tiergate.server.ui;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.support.ServerHarness;
import dev.tiergate.testkit.GitHubPayloads;
import dev.tiergate.testkit.Pull;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A working branch's page shows its pull request's verdict, which lives on the PR's record (pull/N), not "None yet". */
class BranchPageTest {
    static final String POLICY = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: staging, actors: [human, agent]}
            required_checks: [build]
            """;
    static final String MAIN = "1111111111111111111111111111111111111111";
    static final String STAGING = "2222222222222222222222222222222222222222";
    static final String F1 = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";

    @Test
    void aWorkingBranchsPageShowsItsPullRequestsVerdict() throws Exception {
        try (ServerHarness h = new ServerHarness()) {
            for (String ref : List.of("main", MAIN, STAGING, F1)) {
                h.github.policy(ref, POLICY);
            }
            h.github.branch("main", MAIN);
            h.github.branch("staging", STAGING);
            h.github.branch("feature/F1", F1);
            h.deliver("push", GitHubPayloads.push(h.repoPath, "feature/F1", GitHubPayloads.ZERO, F1, "alice"));
            h.github.pull(1, "feature/F1", F1, "staging", STAGING, "alice", false, "open", false);
            h.deliver(
                    "pull_request",
                    GitHubPayloads.pullRequest(
                            h.repoPath,
                            "opened",
                            new Pull(1, "feature/F1", F1, "staging", STAGING, "alice", false, "open", false)));
            String page = h.get("/ui/" + h.repoPath + "/branches/feature%2FF1").body();
            assertTrue(!page.contains("None yet"), page);
            assertTrue(
                    page.contains("id=verdict") && page.contains("gate.ci-not-green") && page.contains("#1</a>)"),
                    page);
        }
    }
}
