package dev.tiergate.server.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.core.state.JsonSchemas;
import dev.tiergate.server.backend.BranchConnection;
import dev.tiergate.server.support.AgentClone;
import dev.tiergate.server.support.GitLabHarness;
import dev.tiergate.server.support.GitLabPayloads;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scripted agent session again, against the GitLab stand-in hosting the project over git's HTTP protocol with
 * "Pipelines must succeed" on: the merge request, GitLab's pipeline (tiergate/workflow is a job of it), a human's
 * approval, the merge at the judged head, and the tier migrated.
 */
class AgentSessionOnGitLabTest {
    static final String ADMIN = "admin-token-agent-session-gl";

    @TempDir
    Path tmp;

    GitLabHarness h;
    AgentClone agent;

    @BeforeEach
    void start() throws Exception {
        h = new GitLabHarness(Map.of("TIERGATE_API_TOKEN", ADMIN));
        h.gitlab.gitHosted(tmp.resolve("origin.git"));
        h.gitlab.userToken("glpat-admin", "admin");
        h.gitlab.userToken("glpat-agent", "claude-agent");
        h.gitlab.user("pat");
        h.gitlab.pipelinesMustSucceed(true);
        AgentClone admin = new AgentClone(tmp, "admin", h.gitlab.cloneUrl(), "admin", "glpat-admin");
        admin.tiergate("install");
        admin.write(".tiergate/policy.yaml", AgentSessionOnGitHubTest.POLICY);
        admin.write("db/migration/V20260101000000__orders.sql", AgentSessionOnGitHubTest.ORDERS);
        admin.gitOk("add", "-A");
        admin.gitOk("commit", "-q", "--no-verify", "-m", "policy and the first migration");
        admin.gitOk("push", "-q", "--no-verify", "origin", "HEAD:main", "HEAD:staging");
        h.awaitIdle();
        agent = new AgentClone(tmp, "agent", h.gitlab.cloneUrl(), "oauth2", "glpat-agent");
        agent.tiergate("install");
        agent.env("TIERGATE_SERVER", "http://127.0.0.1:" + h.server.port());
        agent.env(
                "TIERGATE_TOKEN",
                h.server
                        .tokens()
                        .create("claude-agent", h.path, Duration.ofDays(1), "test")
                        .secret());
        agent.env("TIERGATE_FORGE", "gitlab");
        agent.env("TIERGATE_ACTOR", "claude-agent");
    }

    @AfterEach
    void stop() {
        h.close();
    }

    long claimCommitAndOpen() throws Exception {
        assertEquals(0, agent.tiergate("claim", "F1-note").exit());
        agent.write("db/migration/V20260102000000__note.sql", AgentSessionOnGitHubTest.NOTE);
        agent.gitOk("add", "-A");
        assertEquals(0, agent.git("commit", "-q", "-m", "F1: orders get a note").exit());
        AgentClone.Run pr = agent.tiergate("pr", "--json");
        assertEquals(0, pr.exit(), pr.toString());
        JsonNode opened = pr.json(JsonSchemas.CLI_PR);
        assertEquals("gitlab", opened.path("forge").asText());
        assertEquals("staging", opened.path("base").asText());
        h.awaitIdle();
        return opened.path("number").asLong();
    }

    @Test
    void aScriptedAgentSessionFromClaimToAMigratedTier() throws Exception {
        long iid = claimCommitAndOpen();
        String sha = agent.head();
        h.gitlab.runJob(sha, "build", "success"); // GitLab's pipeline for the push passes
        h.awaitIdle();

        AgentClone.Run green = agent.tiergate("wait", "--until", "ci-green", "--json", "--timeout", "60s");
        assertEquals(0, green.exit(), green.toString());
        assertEquals("reached", green.json(JsonSchemas.CLI_WAIT).path("event").asText());

        AgentClone.Run next = agent.tiergate("next", "--json");
        assertEquals(0, next.exit(), next.toString());
        JsonNode moves = next.json(JsonSchemas.CLI_NEXT);
        assertTrue(moves.path("moves").findValuesAsText("name").stream().noneMatch("merge"::equals), moves.toString());
        assertTrue(moves.path("blockers").toString().contains("ask a human to approve"), moves.toString());

        AgentClone.Run early = agent.tiergate("merge", "--json");
        assertEquals(2, early.exit(), "merge while pending: " + early);
        early.json(JsonSchemas.CLI_MERGE);

        h.gitlab.approve(iid, "pat", false);
        h.deliver(
                "Merge Request Hook",
                GitLabPayloads.mergeRequest(h.path, iid, "approved", "feature/F1-note", "staging", sha, null, "pat"));
        AgentClone.Run mergeable = agent.tiergate("wait", "--until", "mergeable", "--json", "--timeout", "60s");
        assertEquals(0, mergeable.exit(), mergeable.toString());

        AgentClone.Run merge = agent.tiergate("merge", "--wait-migrate", "--json");
        assertEquals(0, merge.exit(), merge.toString());
        JsonNode merged = merge.json(JsonSchemas.CLI_MERGE);
        assertEquals("applied", merged.path("migration").asText(), merged.toString());
        assertEquals("staging", agent.gitOk("rev-parse", "--abbrev-ref", "HEAD"));
        assertEquals(0, agent.git("merge-base", "--is-ancestor", sha, "HEAD").exit());
        BranchConnection c = h.server.backend().connection(h.repo, "staging");
        try (Connection conn = DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
                ResultSet rs = conn.createStatement()
                        .executeQuery("select count(*) from information_schema.columns where table_name = 'orders'"
                                + " and column_name = 'note'")) {
            rs.next();
            assertEquals(1, rs.getInt(1), "the tier has the column");
        }
    }

    @Test
    void gitLabAnswering502IsExit3() throws Exception {
        assertEquals(0, agent.tiergate("claim", "F1-note").exit());
        agent.write("db/migration/V20260102000000__note.sql", AgentSessionOnGitHubTest.NOTE);
        agent.gitOk("add", "-A");
        assertEquals(0, agent.git("commit", "-q", "-m", "F1: note").exit());
        h.gitlab.failPath(".*/merge_requests.*", 502, Map.of(), "{\"message\":\"502 Bad Gateway\"}");
        AgentClone.Run down = agent.tiergate("pr", "--json");
        assertEquals(3, down.exit(), down.toString());
        JsonNode e = down.json(JsonSchemas.CLI_ERROR);
        assertTrue(e.path("error").path("message").asText().contains("GitLab answered 502"), e.toString());
    }
}
