package dev.tiergate.server.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.backend.BranchConnection;
import dev.tiergate.testkit.GitHubPayloads;
import dev.tiergate.testkit.Pull;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.function.Supplier;

/**
 * One story for {@code tiergate server} on any branch backend: a PR with a migration into staging. The tiers and the
 * PR's branch must exist on the backend, the tier be migrated, and the PR's migration rehearsed on its branch through
 * the connection details the backend hands out.
 */
public final class ServerOnBackendScenario {
    static final String POLICY = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: staging, actors: [human, agent]}
            """;
    static final String MAIN = "1111111111111111111111111111111111111111";
    static final String STAGING = "2222222222222222222222222222222222222222";
    static final String F1 = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";

    private ServerOnBackendScenario() {}

    /** Runs the story on {@code h}; {@code branchesOnBackend} lists what the backend's own API shows, by its names. */
    public static void run(ServerHarness h, Supplier<List<String>> branchesOnBackend, List<String> expectedOnBackend)
            throws Exception {
        for (String ref : List.of("main", MAIN, STAGING, F1)) {
            h.github.policy(ref, POLICY);
        }
        String base =
                "-- refactoring: Introduce Table\n-- phase: expand\ncreate table inventory (id int primary key, code text);\n";
        h.github.file(MAIN, "db/migration/V20260101000000__inventory.sql", base);
        h.github.file(STAGING, "db/migration/V20260101000000__inventory.sql", base);
        h.github.copyFiles(STAGING, F1);
        h.github.file(
                F1,
                "db/migration/V20260102000000__qty.sql",
                "-- refactoring: Introduce New Column\n-- phase: expand\nalter table inventory add column qty int not null default 0;\n");
        h.github.branch("main", MAIN);
        h.github.branch("staging", STAGING);
        h.github.branch("feature/F1", F1);
        h.github.pull(1, "feature/F1", F1, "staging", STAGING, "alice", false, "open", false);
        h.deliver(
                "pull_request",
                GitHubPayloads.pullRequest(
                        h.repoPath,
                        "opened",
                        new Pull(1, "feature/F1", F1, "staging", STAGING, "alice", false, "open", false)));
        assertTrue(
                branchesOnBackend.get().containsAll(expectedOnBackend),
                branchesOnBackend.get().toString());
        assertEquals(
                "success",
                h.github.posted(F1, "tiergate/migrations").get(0).path("state").asText(),
                h.github.posted(F1, "tiergate/migrations").toString());
        BranchConnection pr = h.server.backend().connection(h.repo, "ci-pr-1");
        try (Connection c = DriverManager.getConnection(pr.jdbcUrl(), pr.user(), pr.password());
                ResultSet rs = c.createStatement()
                        .executeQuery("select count(*) from information_schema.columns where column_name = 'qty'")) {
            rs.next();
            assertEquals(
                    1,
                    rs.getInt(1),
                    "the PR's migration ran on its branch on "
                            + h.server.backend().id());
        }
        assertTrue(
                h.github.comments(1).get(0).contains("V20260102000000__qty.sql"),
                h.github.comments(1).get(0));
    }
}
