package dev.tiergate.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.verdict.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The policy's database access as a pure function: (policy, branch, actor, authorship) → the groups a login gets. */
class DatabaseAccessTest {
    static final String TIERS = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
              - {name: sandbox, branch: sandbox, parent: staging, protected: false}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: sandbox, actors: [human, agent]}
            """;
    static final String ACCESS = """
            database_access:
              groups:
                - {name: app_read, privileges: [SELECT], schemas: [public]}
                - {name: app_write, privileges: [select, insert, update, delete], schemas: [public]}
                - {name: orders_only, privileges: [select], tables: [public.orders]}
              tiers:
                - tier: production
                  drift: hold
                  grants:
                    - {group: app_read, classes: [human], roles: [release-manager]}
                - tier: staging
                  grants:
                    - {group: app_write, classes: [human]}
                    - {group: app_read, classes: [agent]}
              working:
                - type: feature
                  grants:
                    - {group: app_write, author: true}
                    - {group: orders_only, classes: [agent]}
                - type: ci
                  grants:
                    - {group: app_write, author: true}
                    - {group: app_write, classes: [bot]}
              credential_hours: 4
            """;
    static final Actor ALICE = new Actor("alice", ActorClass.HUMAN, Set.of(), List.of());
    static final Actor RM = new Actor("rm", ActorClass.HUMAN, Set.of("release-manager"), List.of());
    static final Actor CLAUDE = new Actor("claude", ActorClass.AGENT, Set.of(), List.of());
    static final Actor CI = new Actor("ci-bot", ActorClass.BOT, Set.of(), List.of());

    static Policy policy(String yaml) {
        return PolicyReader.read(yaml, ".tiergate/policy.yaml");
    }

    @Test
    void thePolicysGrantsDecideWhoGetsWhichGroupOnEachBranch() {
        Policy p = policy(TIERS + ACCESS);
        DatabaseAccess a = p.access();
        assertEquals(4, a.credentialHoursOrDefault());
        assertEquals(List.of("select"), a.group("app_read").orElseThrow().privileges(), "privileges read in lower case");
        List<DatabaseAccess.Grant> production = a.grantsOnTier(p.tier("production").orElseThrow());
        assertEquals(List.of("app_read"), DatabaseAccess.groupsFor(production, RM, false));
        assertEquals(List.of(), DatabaseAccess.groupsFor(production, ALICE, false), "a human without the role gets nothing");
        assertEquals(List.of(), DatabaseAccess.groupsFor(production, CLAUDE, false), "an agent gets nothing on production");
        assertTrue(a.tier("production").orElseThrow().holdsOnDrift());
        List<DatabaseAccess.Grant> staging = a.grantsOnTier(p.tier("staging").orElseThrow());
        assertEquals(List.of("app_write"), DatabaseAccess.groupsFor(staging, ALICE, false));
        assertEquals(List.of("app_read"), DatabaseAccess.groupsFor(staging, CLAUDE, false));
        List<DatabaseAccess.Grant> feature = a.grantsOnWorking("feature");
        assertEquals(List.of("app_write", "orders_only"), DatabaseAccess.groupsFor(feature, CLAUDE, true), "the author writes");
        assertEquals(List.of("orders_only"), DatabaseAccess.groupsFor(feature, CLAUDE, false), "another agent reads orders only");
        assertEquals(List.of(), DatabaseAccess.groupsFor(feature, ALICE, false), "not the author: nothing");
        assertEquals(List.of("app_write"), DatabaseAccess.groupsFor(a.grantsOnWorking(DatabaseAccess.CI), CI, false));
    }

    @Test
    void withoutDatabaseAccessTheDefaultIsSafeForAgents() {
        Policy p = policy(TIERS);
        DatabaseAccess a = p.access();
        assertEquals(DatabaseAccess.DEFAULT, a);
        for (String tier : List.of("production", "staging")) { // protected
            List<DatabaseAccess.Grant> grants = a.grantsOnTier(p.tier(tier).orElseThrow());
            assertEquals(List.of("read"), DatabaseAccess.groupsFor(grants, ALICE, false), tier + ": humans read");
            assertEquals(List.of(), DatabaseAccess.groupsFor(grants, CLAUDE, false), tier + ": no credential for an agent");
            assertEquals(List.of(), DatabaseAccess.groupsFor(grants, CI, false), tier + ": nobody writes by hand");
        }
        List<DatabaseAccess.Grant> sandbox = a.grantsOnTier(p.tier("sandbox").orElseThrow());
        assertEquals(List.of("write"), DatabaseAccess.groupsFor(sandbox, ALICE, false));
        assertEquals(List.of("read"), DatabaseAccess.groupsFor(sandbox, CLAUDE, false));
        assertEquals(List.of("write"), DatabaseAccess.groupsFor(a.grantsOnWorking("feature"), CLAUDE, true), "an agent writes its own branch");
        assertEquals(List.of(), DatabaseAccess.groupsFor(a.grantsOnWorking("feature"), CLAUDE, false), "not someone else's");
        assertEquals(List.of("write"), DatabaseAccess.groupsFor(a.grantsOnWorking(DatabaseAccess.CI), CI, false), "CI writes a PR's copy");
        assertEquals(DatabaseAccess.DEFAULT_CREDENTIAL_HOURS, a.credentialHoursOrDefault());
    }

    @Test
    void namesThePolicyDoesNotHaveAreRefusedWithWhereAndTheFix() {
        String wrong = TIERS + """
                database_access:
                  groups:
                    - {name: app_read, privileges: [select], schemas: [public]}
                    - {name: both, privileges: [select], schemas: [public], tables: [public.orders]}
                  tiers:
                    - {tier: prod, grants: [{group: app_read, classes: [human]}]}
                  working:
                    - {type: bugfix, grants: [{group: app_admin, author: true}]}
                """;
        Verdict v = PolicyValidator.validate(wrong.getBytes(StandardCharsets.UTF_8), ".tiergate/policy.yaml");
        List<String> messages = v.refusals().stream().filter(r -> r.rule().equals(PolicyValidator.ACCESS_NAMES)).map(r -> r.where() + " "
                + r.message() + " | " + r.fix()).toList();
        assertEquals(4, messages.size(), messages.toString());
        assertTrue(messages.stream().anyMatch(m -> m.contains("tier 'prod'") && m.contains("[production, staging, sandbox]")), messages.toString());
        assertTrue(messages.stream().anyMatch(m -> m.contains("type 'bugfix'") && m.contains("or ci")), messages.toString());
        assertTrue(messages.stream().anyMatch(m -> m.contains("group 'app_admin'") && m.contains("[app_read, both]")), messages.toString());
        assertTrue(messages.stream().anyMatch(m -> m.contains("group 'both' needs either schemas or tables, not both")), messages.toString());
        assertTrue(messages.stream().allMatch(m -> m.startsWith(".tiergate/policy.yaml:")), "each with its line: " + messages);
    }

    @Test
    void aGroupThatWouldChangeSchemaIsRefusedByTheSchema() {
        Verdict v = PolicyValidator.validate((TIERS + """
                database_access:
                  groups:
                    - {name: ddl, privileges: [create], schemas: [public]}
                """).getBytes(StandardCharsets.UTF_8), ".tiergate/policy.yaml");
        assertTrue(v.refusals().stream().anyMatch(r -> r.rule().equals(PolicyValidator.SCHEMA) && r.message().contains("privileges")), v.toString());
    }
}
