package dev.tiergate.server.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.core.state.JsonSchemas;
import dev.tiergate.server.backend.BranchConnection;
import dev.tiergate.server.support.AgentClone;
import dev.tiergate.server.support.ServerHarness;
import dev.tiergate.testkit.GitHubPayloads;
import dev.tiergate.testkit.Pull;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent drives the five states from the command line against a real server, real PostgreSQL and the GitHub
 * stand-in hosting the repository over git's HTTP protocol: claim, commit a migration, {@code tiergate pr}, {@code
 * wait}, {@code next}, a human's approval, {@code merge --wait-migrate}, and the tier has the column. Every exit code
 * is asserted and every JSON document validated against its schema; the negative cases each meet their refusal.
 */
class AgentSessionOnGitHubTest {
    static final String ADMIN = "admin-token-agent-session";
    static final String POLICY = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: staging, actors: [human, agent]}
            actors:
              - {id: pat, class: human, roles: [platform-engineer]}
              - {id: claude-agent, class: agent}
            edges:
              - {from: feature, to: staging, approvals: 1}
            """;
    static final String ORDERS = """
            -- refactoring: Introduce New Table
            -- phase: expand
            create table orders (id bigint primary key, code text);
            """;
    static final String NOTE = """
            -- refactoring: Introduce New Column
            -- phase: expand
            alter table orders add column note text;
            """;

    @TempDir
    Path tmp;

    ServerHarness h;
    AgentClone agent;

    @BeforeEach
    void start() throws Exception {
        h = new ServerHarness(Map.of("TIERGATE_API_TOKEN", ADMIN));
        h.github.gitHosted(tmp.resolve("origin.git"));
        h.github.user("ghp_admin", "admin", false);
        h.github.user("ghp_agent", "claude-agent", false);
        h.github.protect("staging", "tiergate/workflow");
        AgentClone admin = new AgentClone(tmp, "admin", h.github.cloneUrl(), "admin", "ghp_admin");
        admin.tiergate("install");
        admin.write(".tiergate/policy.yaml", POLICY);
        admin.write("db/migration/V20260101000000__orders.sql", ORDERS);
        admin.gitOk("add", "-A");
        // the repository's history before tiergate guarded it: the first migration was committed on main directly
        admin.gitOk("commit", "-q", "--no-verify", "-m", "policy and the first migration");
        admin.gitOk("push", "-q", "--no-verify", "origin", "HEAD:main", "HEAD:staging");
        h.awaitIdle();
        agent = new AgentClone(tmp, "agent", h.github.cloneUrl(), "claude-agent", "ghp_agent");
        agent.tiergate("install");
        agent.env("TIERGATE_SERVER", h.baseUrl());
        agent.env(
                "TIERGATE_TOKEN",
                h.server
                        .tokens()
                        .create("claude-agent", h.repoPath, Duration.ofDays(1), "test")
                        .secret());
        agent.env("TIERGATE_FORGE", "github");
        agent.env("GITHUB_API_URL", h.github.url());
        agent.env("TIERGATE_ACTOR", "claude-agent");
    }

    @AfterEach
    void stop() {
        h.close();
    }

    /** The agent claims F1, commits a migration adding orders.note, and opens the PR; its number. */
    long claimCommitAndOpen() throws Exception {
        AgentClone.Run claim = agent.tiergate("claim", "F1-note");
        assertEquals(0, claim.exit(), claim.toString());
        agent.write("db/migration/V20260102000000__note.sql", NOTE);
        agent.gitOk("add", "-A");
        AgentClone.Run commit = agent.git("commit", "-q", "-m", "F1: orders get a note");
        assertEquals(0, commit.exit(), commit.toString());
        AgentClone.Run pr = agent.tiergate("pr", "--json");
        assertEquals(0, pr.exit(), pr.toString());
        JsonNode opened = pr.json(JsonSchemas.CLI_PR);
        assertEquals("staging", opened.path("base").asText(), "the claim's tier, not the default branch");
        assertTrue(opened.path("created").asBoolean());
        assertEquals(agent.head(), opened.path("head_sha").asText());
        h.awaitIdle();
        return opened.path("number").asLong();
    }

    void ciGreen(String sha) throws Exception {
        h.github.ciReports(sha, "build", "success");
        h.awaitIdle();
    }

    void approve(long n, String login, boolean bot, String sha) throws Exception {
        h.github.review(n, login, bot, "APPROVED", sha);
        Pull p = new Pull(n, "feature/F1-note", sha, "staging", sha, "claude-agent", false, "open", false);
        h.deliver("pull_request_review", GitHubPayloads.review(h.repoPath, p, login));
    }

    @Test
    void aScriptedAgentSessionFromClaimToAMigratedTier() throws Exception {
        long n = claimCommitAndOpen();
        String sha = agent.head();
        assertTrue(
                agent.read(".tiergate/workflow-state.json").contains("\"state\" : \"pr-ready\"")
                        || agent.read(".tiergate/workflow-state.json").contains("\"state\":\"pr-ready\""),
                "the state file records pr-ready with the PR's link");
        ciGreen(sha);

        AgentClone.Run green = agent.tiergate("wait", "--until", "ci-green", "--json", "--timeout", "60s");
        assertEquals(0, green.exit(), green.toString());
        JsonNode reached = green.json(JsonSchemas.CLI_WAIT);
        assertEquals("reached", reached.path("event").asText(), green.toString());
        assertEquals(sha, reached.path("head_sha").asText());

        AgentClone.Run next = agent.tiergate("next", "--json");
        assertEquals(0, next.exit(), next.toString());
        JsonNode moves = next.json(JsonSchemas.CLI_NEXT);
        assertTrue(
                moves.path("moves").findValuesAsText("name").stream().noneMatch("merge"::equals),
                "no merge while the agent's change waits for a human: " + moves);
        assertTrue(
                moves.path("blockers").toString().contains("ask a human to approve " + sha.substring(0, 7) + ": pat"),
                moves.toString());

        // the MCP server's tool is the same command: the same answer, through JSON-RPC over stdio
        JsonNode viaMcp = agent.mcpCall("next", Map.of());
        assertEquals(0, viaMcp.path("structuredContent").path("exit").asInt(), viaMcp.toString());
        JsonNode mcpMoves = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(viaMcp.path("structuredContent").path("stdout").asText());
        assertEquals(moves, mcpMoves);

        AgentClone.Run status = agent.tiergate("status", "--json");
        assertEquals(0, status.exit(), status.toString());
        JsonNode view = status.json(JsonSchemas.CLI_STATUS);
        assertEquals(
                "gate.approvals.missing", view.path("workflow").path("rule").asText(), view.toString());

        approve(n, "pat", false, sha);
        AgentClone.Run mergeable = agent.tiergate("wait", "--until", "mergeable", "--json", "--timeout", "60s");
        assertEquals(0, mergeable.exit(), mergeable.toString());
        assertEquals(
                "reached", mergeable.json(JsonSchemas.CLI_WAIT).path("event").asText());

        AgentClone.Run merge = agent.tiergate("merge", "--wait-migrate", "--json");
        assertEquals(0, merge.exit(), merge.toString());
        JsonNode merged = merge.json(JsonSchemas.CLI_MERGE);
        assertEquals("applied", merged.path("migration").asText(), merged.toString());
        assertEquals("staging", merged.path("checked_out").asText());
        assertEquals("staging", agent.gitOk("rev-parse", "--abbrev-ref", "HEAD"));
        assertEquals(0, agent.git("merge-base", "--is-ancestor", sha, "HEAD").exit(), "staging has the change");
        assertTrue(hasColumn("staging", "orders", "note"), "the tier has the column");
        assertTrue(agent.read(".tiergate/workflow-state.json").contains("merged"));
        List<String> asked = h.server.audit().all().stream()
                .filter(r -> r.kind().equals("agent.ask"))
                .map(r -> r.details())
                .toList();
        assertEquals(2, asked.size(), asked.toString());
        assertTrue(
                asked.get(0).contains("\"verb\":\"pr\"") && asked.get(0).contains("\"actor\":\"claude-agent\""),
                asked.toString());
        assertTrue(
                asked.get(1).contains("\"verb\":\"merge\"") && asked.get(1).contains("\"answer\":\"yes\""),
                asked.toString());
    }

    @Test
    void mergeWhilePendingIsRefusedAndABotsApprovalLeavesTheWaitToTimeOutWithTheReason() throws Exception {
        long n = claimCommitAndOpen();
        String sha = agent.head();
        AgentClone.Run early = agent.tiergate("merge", "--json");
        assertEquals(2, early.exit(), early.toString());
        JsonNode refused = early.json(JsonSchemas.CLI_ERROR);
        assertTrue(
                refused.path("error").path("message").asText().contains("does not let PR #" + n + " merge now"),
                refused.toString());
        assertEquals("gate.ci-not-green", refused.path("error").path("rule").asText(), refused.toString());
        String stagingBefore = bareHead("staging");
        assertEquals(
                1, agent.git("merge-base", "--is-ancestor", sha, stagingBefore).exit(), "nothing was merged");

        ciGreen(sha);
        approve(n, "dependabot[bot]", true, sha);
        AgentClone.Run wait = agent.tiergate("wait", "--until", "mergeable", "--json", "--timeout", "5s");
        assertEquals(4, wait.exit(), wait.toString());
        JsonNode last = wait.json(JsonSchemas.CLI_WAIT);
        assertEquals("timeout", last.path("event").asText());
        assertTrue(last.path("reason").asText().contains("human"), last.toString());
    }

    @Test
    void aPushDuringTheWaitRestartsItOnTheNewHead() throws Exception {
        long n = claimCommitAndOpen();
        String first = agent.head();
        AgentClone.Background wait = agent.start("wait", "--until", "mergeable", "--json", "--timeout", "90s");
        // the wait has asked the server once (its first line) before the new commit is made
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (wait.outSoFar().isBlank() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertFalse(wait.outSoFar().isBlank(), "tiergate wait said nothing within 60 s");
        agent.write("db/migration/V20260102000001__code_index.sql", """
                -- refactoring: Introduce Index
                -- phase: expand
                -- tiergate:ignore sql.index-not-concurrent a small table
                create index orders_code on orders (code);
                """);
        agent.gitOk("add", "-A");
        assertEquals(0, agent.git("commit", "-q", "-m", "F1: index").exit());
        assertEquals(0, agent.git("push", "-q", "origin", "HEAD").exit());
        String second = agent.head();
        h.awaitIdle();
        ciGreen(first); // a verdict on the old head never counts
        ciGreen(second);
        approve(n, "pat", false, second);
        AgentClone.Run r = wait.finish();
        assertEquals(0, r.exit(), r.toString());
        List<JsonNode> lines = r.lines();
        r.json(JsonSchemas.CLI_WAIT);
        assertTrue(
                lines.stream()
                        .anyMatch(l -> l.path("event").asText().equals("restarted")
                                && l.path("head_sha").asText().equals(second)),
                r.toString());
        assertEquals(second, lines.get(lines.size() - 1).path("head_sha").asText());
    }

    @Test
    void aForgeAnswering502IsExit3AndADirtyTreeOrAnUnclaimedBranchNeverReachesTheForge() throws Exception {
        AgentClone.Run unclaimed = agent.tiergate("pr", "--json");
        assertEquals(1, unclaimed.exit(), unclaimed.toString());
        assertTrue(unclaimed
                .json(JsonSchemas.CLI_ERROR)
                .path("error")
                .path("message")
                .asText()
                .contains("is not claimed"));

        assertEquals(0, agent.tiergate("claim", "F1-note").exit());
        agent.write("db/migration/V20260102000000__note.sql", NOTE);
        AgentClone.Run dirty = agent.tiergate("pr");
        assertEquals(2, dirty.exit(), dirty.toString());
        assertTrue(dirty.err().contains("uncommitted changes: db/migration/"), dirty.err());

        agent.gitOk("add", "-A");
        assertEquals(0, agent.git("commit", "-q", "-m", "F1: note").exit());
        long before = h.github.requests();
        h.github.failPath(".*/pulls.*", 502, Map.of(), "{\"message\":\"Server Error\"}");
        AgentClone.Run down = agent.tiergate("pr", "--json");
        assertEquals(3, down.exit(), down.toString());
        assertTrue(
                down.json(JsonSchemas.CLI_ERROR)
                        .path("error")
                        .path("message")
                        .asText()
                        .contains("502"),
                down.toString());
        assertTrue(h.github.requests() > before);
        h.github.heal();
        AgentClone.Run again = agent.tiergate("pr", "--json");
        assertEquals(0, again.exit(), "the push went through before; the PR opens now: " + again);
    }

    @Test
    void aPrAimedAtProductionFromAFeatureBranchFailsTheWaitWithTheRuleAndTheFix() throws Exception {
        assertEquals(0, agent.tiergate("claim", "F1-note").exit());
        agent.write("db/migration/V20260102000000__note.sql", NOTE);
        agent.gitOk("add", "-A");
        assertEquals(0, agent.git("commit", "-q", "-m", "F1: note").exit());
        assertEquals(0, agent.git("push", "-q", "origin", "HEAD").exit());
        // opened past tiergate pr (with the forge's own tools) into main
        long n = openPastTiergate("feature/F1-note", "main");
        h.awaitIdle();
        AgentClone.Run wait = agent.tiergate("wait", "--pr", Long.toString(n), "--json", "--timeout", "60s");
        assertEquals(2, wait.exit(), wait.toString());
        JsonNode failed = wait.json(JsonSchemas.CLI_WAIT);
        assertEquals("failed", failed.path("event").asText());
        assertEquals("gate.edge.skips-tier", failed.path("rule").asText(), failed.toString());
        assertFalse(failed.path("fix").asText().isBlank(), failed.toString());
    }

    /** A PR opened with the forge's own API (as gh pr create would), past tiergate pr; its number. */
    long openPastTiergate(String head, String base) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(
                                        java.net.URI.create(h.github.url() + "/repos/" + h.repoPath + "/pulls"))
                                .header("Authorization", "Bearer ghp_agent")
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"title\":\"straight in\","
                                        + "\"head\":\"" + head + "\",\"base\":\"" + base + "\"}"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        return new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(r.body())
                .path("number")
                .asLong();
    }

    String bareHead(String branch) throws Exception {
        Process p = new ProcessBuilder(
                        "git", "--git-dir", h.github.bareRepository().toString(), "rev-parse", "refs/heads/" + branch)
                .start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertEquals(0, p.waitFor());
        return out;
    }

    boolean hasColumn(String dbBranch, String table, String column) throws Exception {
        BranchConnection c = h.server.backend().connection(h.repo, dbBranch);
        try (Connection conn = DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
                ResultSet rs = conn.createStatement()
                        .executeQuery("select count(*) from information_schema.columns where table_name = '" + table
                                + "' and column_name = '" + column + "'")) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }
}
