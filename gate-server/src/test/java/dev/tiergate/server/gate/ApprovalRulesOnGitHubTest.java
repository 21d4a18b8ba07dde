package dev.tiergate.server.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.server.support.ServerHarness;
import dev.tiergate.testkit.GitHubPayloads;
import dev.tiergate.testkit.Pull;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The policy's approval rules against the GitHub stand-in and real PostgreSQL: the rehearsal measures the locks a
 * PR's migration takes on a copy of its tier and the size of each table, and the workflow verdict waits for the
 * reviewers the matching rule names, counting only approvals on the head by a login holding the role.
 */
class ApprovalRulesOnGitHubTest {
    static final String POLICY = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: staging, actors: [human, agent]}
            actors:
              - {id: pat, class: human, roles: [platform-engineer]}
              - {id: sam, class: human, roles: [security]}
              - {id: claude-agent, class: agent, roles: [platform-engineer]}
            edges:
              - {from: feature, to: staging, approvals: 1}
            approval_rules:
              - name: big-table-lock
                when: {lock: {mode: AccessExclusiveLock, min_rows: 20000}}
                require: {role: platform-engineer}
              - name: contract-phase
                when: {phase: [contract]}
                require: {role: platform-engineer}
              - name: privileges
                when: {lint: [sql.privilege-change]}
                require: {role: security}
            """;
    static final String DIR = "db/migration/";
    static final String ORDERS = "V20260101000000__orders.sql";
    static final String ORDERS_SQL = """
            -- refactoring: Introduce Table
            -- phase: expand
            create table orders (id bigint primary key, code text, note text);
            insert into orders select g, 'O-' || g, null from generate_series(1, 50000) g;
            create table tags (id int primary key);
            """;
    static final String LEGACY = "V20260101000001__legacy.sql";
    static final String LEGACY_SQL = """
            -- refactoring: Drop Column
            -- phase: expand
            alter table tags add column legacy int;
            """;
    static final String MAIN = "1111111111111111111111111111111111111111";
    static final String STAGING = "2222222222222222222222222222222222222222";
    static final String F1 = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
    static final String F2 = "a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2";

    ServerHarness h;

    @BeforeEach
    void start() {
        h = new ServerHarness(Map.of());
        for (String ref : List.of("main", MAIN, STAGING)) {
            h.github.policy(ref, POLICY);
            h.github.file(ref, DIR + ORDERS, ORDERS_SQL);
            h.github.file(ref, DIR + LEGACY, LEGACY_SQL);
        }
        h.github.branch("main", MAIN);
        h.github.branch("staging", STAGING);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    /** Opens PR {@code n} from {@code branch} at {@code sha}, whose files are staging's plus {@code files}. */
    Pull open(long n, String branch, String sha, String author, Map<String, String> files) throws Exception {
        h.github.copyFiles(STAGING, sha);
        files.forEach((path, sql) -> h.github.file(sha, path, sql));
        h.github.branch(branch, sha);
        Pull p = new Pull(n, branch, sha, "staging", STAGING, author, false, "open", false);
        h.github.pull(p);
        assertEquals(202, h.deliver("pull_request", GitHubPayloads.pullRequest(h.repoPath, "opened", p)));
        return p;
    }

    void green(String sha) throws Exception {
        h.github.ciReports(sha, "build", "success"); // GitHub sends the status webhook
        h.awaitIdle();
    }

    void approve(Pull p, String login, String sha) throws Exception {
        h.github.review(p.number(), login, false, "APPROVED", sha);
        h.deliver("pull_request_review", GitHubPayloads.review(h.repoPath, p, login));
    }

    JsonNode workflow(String sha) {
        return h.github.lastPosted(sha);
    }

    @Test
    void aLockOnABigTableWaitsForThePlatformEngineerAndANewPushResetsIt() throws Exception {
        Pull pr = open(1, "feature/F1", F1, "alice", Map.of(DIR + "V20260102000000__note.sql", """
                        -- refactoring: Introduce New Column
                        -- phase: expand
                        alter table orders add column shipped_at timestamptz;
                        """));
        green(F1);
        approve(pr, "sam", F1); // meets the edge's one approval, not the rule's role
        JsonNode s = workflow(F1);
        assertEquals("pending", s.path("state").asText(), s.toString());
        String d = s.path("description").asText();
        assertTrue(
                d.startsWith("Needs 1 approval from platform-engineer: AccessExclusiveLock on orders (50 k rows, "), d);
        assertTrue(d.endsWith(" in V20260102000000:3 [gate.approvals.role-missing]"), d);
        assertEquals(
                List.of(Map.of("reviewers", List.of("pat"), "team_reviewers", List.of())),
                h.github.reviewRequests(1),
                "the role's members are asked once for this head");
        String comment = h.github.comments(1).get(0);
        assertTrue(comment.contains("#### Reviews the policy asks for"), comment);
        assertTrue(
                comment.contains("| `big-table-lock` | 1 | platform-engineer | AccessExclusiveLock on orders"),
                comment);
        assertTrue(
                h.server.audit().all().stream().anyMatch(r -> r.kind().equals("review.requested")),
                "the request is an audit record");

        String page = h.get("/ui/" + h.repoPath + "/branches/pull%2F1").body();
        assertTrue(page.contains("<h2>Reviews the policy asks for</h2>"), page);
        assertTrue(page.contains("<td>big-table-lock</td><td>1</td><td>platform-engineer</td>"), page);
        assertTrue(page.contains("[gate.approvals.role-missing]"), "the verdict names the rule");

        approve(pr, "pat", F1);
        assertEquals(
                "success", workflow(F1).path("state").asText(), workflow(F1).toString());

        // a new push: pat's approval was of F1, so the rule waits again, and pat is asked again for F2
        open(1, "feature/F1", F2, "alice", Map.of(DIR + "V20260102000000__note.sql", """
                -- refactoring: Introduce New Column
                -- phase: expand
                alter table orders add column shipped_at timestamptz;
                alter table orders add column paid_at timestamptz;
                """));
        green(F2);
        approve(pr, "sam", F2);
        JsonNode again = workflow(F2);
        assertEquals("pending", again.path("state").asText(), again.toString());
        assertTrue(again.path("description").asText().endsWith("[gate.approvals.role-missing]"), again.toString());
        assertEquals(
                2, h.github.reviewRequests(1).size(), h.github.reviewRequests(1).toString());
    }

    @Test
    void anApprovalFromAnAgentHoldingTheRoleDoesNotCount() throws Exception {
        Pull pr = open(2, "feature/F2", F1, "alice", Map.of(DIR + "V20260102000000__note.sql", """
                -- refactoring: Introduce New Column
                -- phase: expand
                alter table orders add column shipped_at timestamptz;
                """));
        green(F1);
        approve(pr, "claude-agent", F1);
        assertEquals("pending", workflow(F1).path("state").asText());
        assertTrue(workflow(F1).path("description").asText().endsWith("[gate.approvals.role-missing]"));
    }

    @Test
    void aContractPhaseAndAPrivilegeChangeEachRouteToTheirRole() throws Exception {
        Pull pr = open(
                3,
                "feature/F3",
                F1,
                "alice",
                Map.of(DIR + "V20260102000000__drop_note.sql", """
                        -- refactoring: Drop Column
                        -- phase: contract
                        alter table tags drop column legacy;
                        """, DIR + "V20260102000001__grant.sql", """
                        -- refactoring: Introduce Read-Only Table
                        -- phase: expand
                        -- tiergate:ignore sql.privilege-change reporting reads tags
                        grant select on tags to public;
                        """));
        JsonNode migrations = h.github.posted(F1, "tiergate/migrations").stream()
                .reduce((a, b) -> b)
                .orElseThrow();
        assertEquals("success", migrations.path("state").asText(), migrations.toString());
        green(F1);
        approve(pr, "bob", F1);
        assertEquals("pending", workflow(F1).path("state").asText());
        assertEquals(
                "Needs 1 approval from platform-engineer: contract phase in V20260102000000"
                        + " [gate.approvals.role-missing]",
                workflow(F1).path("description").asText());
        assertEquals(
                List.of(
                        Map.of("reviewers", List.of("pat"), "team_reviewers", List.of()),
                        Map.of("reviewers", List.of("sam"), "team_reviewers", List.of())),
                h.github.reviewRequests(3));
        approve(pr, "pat", F1);
        assertEquals(
                "Needs 1 approval from security: sql.privilege-change (waived) at"
                        + " db/migration/V20260102000001__grant.sql:3 [gate.approvals.role-missing]",
                workflow(F1).path("description").asText());
        approve(pr, "sam", F1);
        assertEquals(
                "success", workflow(F1).path("state").asText(), workflow(F1).toString());
    }

    @Test
    void aPrThatTouchesNoMigrationNeedsOnlyTheEdgesApprovals() throws Exception {
        Pull pr = open(4, "feature/F4", F1, "alice", Map.of("README.md", "docs only\n"));
        green(F1);
        approve(pr, "bob", F1);
        assertEquals(
                "success", workflow(F1).path("state").asText(), workflow(F1).toString());
        assertEquals(List.of(), h.github.reviewRequests(4));
    }

    /** Hostile: a PR that deletes the rules from the policy is still judged by the rules on its base. */
    @Test
    void aPrThatDropsTheRulesFromThePolicyIsJudgedByTheBasesRules() throws Exception {
        Pull pr = open(
                5,
                "feature/F5",
                F1,
                "alice",
                Map.of(
                        ".tiergate/policy.yaml",
                        POLICY.substring(0, POLICY.indexOf("approval_rules:")),
                        DIR + "V20260102000000__note.sql",
                        """
                        -- refactoring: Introduce New Column
                        -- phase: expand
                        alter table orders add column shipped_at timestamptz;
                        """));
        green(F1);
        approve(pr, "bob", F1);
        assertEquals(
                "pending", workflow(F1).path("state").asText(), workflow(F1).toString());
        assertTrue(
                workflow(F1).path("description").asText().endsWith("[gate.approvals.role-missing]"),
                workflow(F1).toString());
    }
}
