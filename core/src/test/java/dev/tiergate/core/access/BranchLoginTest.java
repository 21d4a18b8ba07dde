package dev.tiergate.core.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.gate.BranchKind;
import dev.tiergate.core.policy.ActorClass;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.PolicyReader;
import dev.tiergate.core.rules.Rule;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which groups an actor's own login gets on one tracked branch: (policy, branch, author, login) → groups and lifetime. */
class BranchLoginTest {
    static final String POLICY = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: staging, actors: [human, agent]}
            actors:
              - {id: alice, class: human}
              - {id: bob, class: human, roles: [dba]}
              - {id: claude, class: agent}
              - {id: ci-bot, class: bot}
            database_access:
              groups:
                - {name: app_read, privileges: [select], schemas: ["*"]}
                - {name: app_write, privileges: [select, insert, update, delete], schemas: ["*"]}
              tiers:
                - tier: production
                  grants:
                    - {group: app_read, classes: [human], roles: [dba]}
                - tier: staging
                  grants:
                    - {group: app_write, classes: [human]}
                    - {group: app_read, classes: [agent, bot]}
              working:
                - type: feature
                  grants:
                    - {group: app_write, author: true}
                    - {group: app_read, classes: [human, agent]}
                - type: ci
                  grants:
                    - {group: app_write, classes: [bot]}
                    - {group: app_read, author: true}
              credential_hours: 3
            """;
    static final Policy P = PolicyReader.read(POLICY, ".tiergate/policy.yaml");
    static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

    static BranchLogin tier(String gitBranch, String login) {
        return BranchLogin.decide(P, BranchKind.TIER, gitBranch, null, login);
    }

    @Test
    void eachActorGetsTheGroupsThePolicyNamesOnEachKindOfBranch() {
        assertEquals(List.of(), tier("main", "alice").groups());
        assertEquals(List.of("app_read"), tier("main", "bob").groups(), "a human with the role reads production");
        assertEquals(List.of(), tier("main", "claude").groups(), "an agent gets nothing on production");
        assertEquals(List.of(), tier("main", "ci-bot").groups());
        assertEquals(List.of("app_write"), tier("staging", "alice").groups());
        assertEquals(List.of("app_read"), tier("staging", "claude").groups());
        assertEquals(List.of("app_read"), tier("staging", "ci-bot").groups());

        BranchLogin own = BranchLogin.decide(P, BranchKind.WORKING, "feature/f1", "Alice", "alice");
        assertTrue(own.author(), "authorship ignores case, as forge logins do");
        assertEquals(List.of("app_write", "app_read"), own.groups());
        assertEquals(
                List.of("app_read"),
                BranchLogin.decide(P, BranchKind.WORKING, "feature/f1", "alice", "bob")
                        .groups());
        assertEquals(
                List.of("app_read"),
                BranchLogin.decide(P, BranchKind.WORKING, "feature/f1", "alice", "claude")
                        .groups());
        assertEquals(
                List.of(),
                BranchLogin.decide(P, BranchKind.WORKING, "feature/f1", "alice", "ci-bot")
                        .groups());
        assertEquals(
                List.of(),
                BranchLogin.decide(P, BranchKind.WORKING, "feature/f1", null, "ci-bot")
                        .groups(),
                "a branch nobody opened a PR from has no author");

        assertEquals(
                List.of("app_read"),
                BranchLogin.decide(P, BranchKind.CI, "pull/7", "alice", "alice").groups());
        assertEquals(
                List.of(),
                BranchLogin.decide(P, BranchKind.CI, "pull/7", "alice", "bob").groups());
        assertEquals(
                List.of("app_write"),
                BranchLogin.decide(P, BranchKind.CI, "pull/7", "alice", "ci-bot")
                        .groups());
    }

    @Test
    void anUnlistedLoginIsAHumanWithoutRoles() {
        BranchLogin stranger = tier("staging", "mallory");
        assertEquals(ActorClass.HUMAN, stranger.actor().actorClass());
        assertEquals(List.of("app_write"), stranger.groups());
        assertEquals(List.of(), tier("main", "mallory").groups(), "no role, no production");
        assertEquals(List.of(), tier("main", "ci-bot[bot]").groups(), "a login never becomes a bot by its name");
    }

    @Test
    void aLoginLivesTheCredentialHoursExceptABotsOnAPullRequestsCopy() {
        assertEquals(NOW.plus(Duration.ofHours(3)), tier("staging", "alice").validUntil(NOW));
        assertEquals(
                NOW.plus(Duration.ofHours(3)),
                BranchLogin.decide(P, BranchKind.CI, "pull/7", "alice", "alice").validUntil(NOW));
        assertNull(
                BranchLogin.decide(P, BranchKind.CI, "pull/7", "alice", "ci-bot")
                        .validUntil(NOW),
                "the PR's life");
        assertEquals(
                NOW.plus(Duration.ofHours(3)), tier("staging", "ci-bot").validUntil(NOW), "a bot on a tier: the hours");
        Policy defaults =
                PolicyReader.read(POLICY.substring(0, POLICY.indexOf("database_access:")), ".tiergate/policy.yaml");
        assertEquals(
                NOW.plus(Duration.ofHours(8)),
                BranchLogin.decide(defaults, BranchKind.TIER, "staging", null, "alice")
                        .validUntil(NOW));
    }

    @Test
    void aRefusalNamesTheBranchTheActorWhatThePolicyGrantsThereAndTheFix() {
        BranchLogin agent = tier("main", "claude");
        assertFalse(agent.granted());
        assertEquals(Rule.PERMISSIONS_NO_ACCESS, agent.rule());
        assertEquals(
                "claude (agent) gets no login on main (tier production) of acme/inv: database_access gives there"
                        + " app_read to human with role dba",
                agent.refusal("acme/inv"));
        assertTrue(agent.fix().contains("database_access"), agent.fix());
        assertTrue(agent.fix().contains("tier production"), agent.fix());

        assertEquals(
                "bob (human) gets no login on pull/7 (a pull request's copy, ci) of acme/inv: database_access gives there"
                        + " app_write to bot; app_read to the branch's author",
                BranchLogin.decide(P, BranchKind.CI, "pull/7", "alice", "bob").refusal("acme/inv"));
    }

    @Test
    void aBranchThePolicyDoesNotKnowGivesNobodyALogin() {
        BranchLogin gone = BranchLogin.decide(P, BranchKind.WORKING, "spike/x", "alice", "alice");
        assertFalse(gone.granted());
        assertEquals(
                "alice (human) gets no login on spike/x of acme/inv: it is neither a tier nor of a working-branch type"
                        + " of the policy on the default branch",
                gone.refusal("acme/inv"));
        assertFalse(tier("release", "bob").granted(), "a tier the policy no longer has");
    }
}
