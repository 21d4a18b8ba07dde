package dev.tiergate.server.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.server.support.GitLabHarness;
import dev.tiergate.server.support.GitLabPayloads;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The policy's approval rules against the GitLab stand-in and real PostgreSQL: approvals read from GitLab's approvals
 * API (which names no commit; GitLab removes them on a push), a rule's role from the policy's actors or a team from a
 * GitLab group's members, and the reviewers set on the merge request (GitLab's reviewers).
 */
class ApprovalRulesOnGitLabTest {
    static final String POLICY = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: staging, actors: [human, agent]}
            actors:
              - {id: pat, class: human, roles: [platform-engineer]}
              - {id: ghost, class: human, roles: [platform-engineer]}
            edges:
              - {from: feature, to: staging, approvals: 1}
            approval_rules:
              - name: big-table-lock
                when: {lock: {min_rows: 20000}}
                require: {role: platform-engineer}
              - name: contract-phase
                when: {phase: [contract]}
                require: {team: acme/dba}
            """;
    static final String DIR = "db/migration/";
    static final String MAIN = "1111111111111111111111111111111111111111";
    static final String STAGING = "2222222222222222222222222222222222222222";
    static final String F1 = "e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1";
    static final String F2 = "e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2";

    GitLabHarness h;

    @BeforeEach
    void start() {
        h = new GitLabHarness(Map.of());
        for (String ref : List.of("main", MAIN, STAGING)) {
            h.gitlab.policy(ref, POLICY);
            h.gitlab.file(ref, DIR + "V20260101000000__orders.sql", """
                    -- refactoring: Introduce Table
                    -- phase: expand
                    create table orders (id bigint primary key, code text);
                    insert into orders select g, 'O-' || g from generate_series(1, 50000) g;
                    create table tags (id int primary key, legacy int);
                    """);
            h.gitlab.file(ref, DIR + "V20260101000001__legacy.sql", """
                    -- refactoring: Drop Column
                    -- phase: expand
                    alter table tags add column old_code text;
                    """);
        }
        h.gitlab.branch("main", MAIN);
        h.gitlab.branch("staging", STAGING);
        h.gitlab.user("pat");
        h.gitlab.group("acme/dba", "dana");
        h.gitlab.group("acme/other", "olga");
    }

    @AfterEach
    void stop() {
        h.close();
    }

    void push(long iid, String branch, String sha, Map<String, String> files) throws Exception {
        h.gitlab.copyFiles(STAGING, sha);
        files.forEach((path, sql) -> h.gitlab.file(sha, path, sql));
        h.gitlab.branch(branch, sha);
        h.gitlab.runJob(sha, "build", "pending"); // the push starts the CI pipeline
        h.awaitIdle();
        h.deliver("Push Hook", GitLabPayloads.push(h.path, branch, GitLabPayloads.ZERO, sha, 1));
        boolean first =
                h.gitlab.reviewers(iid).isEmpty() && h.branch("pull/" + iid).isEmpty();
        h.gitlab.mergeRequest(iid, branch, sha, "staging", STAGING, "alice", false, "opened");
        assertEquals(
                202,
                h.deliver(
                        "Merge Request Hook",
                        GitLabPayloads.mergeRequest(
                                h.path, iid, first ? "open" : "update", branch, "staging", sha, null, "alice")));
        h.gitlab.runJob(sha, "build", "success"); // fires the Pipeline Hook
        h.awaitIdle();
    }

    void approve(long iid, String branch, String sha, String username) throws Exception {
        h.gitlab.approve(iid, username, false);
        h.deliver(
                "Merge Request Hook",
                GitLabPayloads.mergeRequest(h.path, iid, "approved", branch, "staging", sha, null, "alice"));
    }

    JsonNode workflow(String sha) {
        return h.gitlab.lastPosted(sha);
    }

    /**
     * The verdict tiergate recorded for the merge request. GitLab keeps a pending status's description as first
     * posted (it refuses a pending job's move to pending), so why it waits is read here, on the dashboard and in the
     * merge request's note; the status turns when the verdict's state does.
     */
    String verdict(long iid) {
        return h.branch("pull/" + iid).orElseThrow().lastDescription();
    }

    @Test
    void aLockOnABigTableWaitsForThePlatformEngineerAndAPushRemovesTheApproval() throws Exception {
        Map<String, String> note = Map.of(DIR + "V20260102000000__note.sql", """
                -- refactoring: Introduce New Column
                -- phase: expand
                alter table orders add column note text;
                """);
        push(1, "feature/F1", F1, note);
        approve(1, "feature/F1", F1, "bob");
        assertEquals(
                "pending", workflow(F1).path("state").asText(), workflow(F1).toString());
        assertTrue(
                verdict(1)
                        .startsWith(
                                "Needs 1 approval from platform-engineer: AccessExclusiveLock on orders (50 k rows"),
                verdict(1));
        assertEquals(List.of("pat"), h.gitlab.reviewers(1), "pat is set as the merge request's reviewer");
        assertTrue(
                h.server.audit().all().stream()
                        .anyMatch(r -> r.kind().equals("review.requested")
                                && r.details().contains("GitLab has no user named ghost")),
                "ghost, in the policy but not on GitLab, is named in the audit record; the verdict stands");
        assertTrue(
                h.gitlab.notes(1).get(0).contains("| `big-table-lock` | 1 | platform-engineer |"),
                h.gitlab.notes(1).get(0));

        approve(1, "feature/F1", F1, "pat");
        assertEquals(
                "success", workflow(F1).path("state").asText(), workflow(F1).toString());

        push(1, "feature/F1", F2, note); // GitLab removes the approvals of the earlier head
        approve(1, "feature/F1", F2, "bob");
        assertEquals(
                "pending", workflow(F2).path("state").asText(), workflow(F2).toString());
        assertTrue(verdict(1).endsWith("[gate.approvals.role-missing]"), verdict(1));
        assertEquals(List.of("pat"), h.gitlab.reviewers(1), "pat stays the reviewer; asked again for the new head");
    }

    @Test
    void aContractPhaseWaitsForAMemberOfTheGroupTheRuleNames() throws Exception {
        push(2, "feature/F2", F1, Map.of(DIR + "V20260102000000__drop.sql", """
                -- refactoring: Drop Column
                -- phase: contract
                alter table tags drop column old_code;
                """));
        approve(2, "feature/F2", F1, "olga"); // in another group
        assertEquals(
                "Needs 1 approval from team acme/dba: contract phase in V20260102000000 [gate.approvals.role-missing]",
                verdict(2));
        assertEquals(List.of("dana"), h.gitlab.reviewers(2), "the group's members are set as reviewers");
        approve(2, "feature/F2", F1, "dana");
        assertEquals(
                "success", workflow(F1).path("state").asText(), workflow(F1).toString());
    }
}
