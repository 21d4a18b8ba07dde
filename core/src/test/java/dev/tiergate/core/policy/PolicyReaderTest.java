package dev.tiergate.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PolicyReaderTest {

    static final String POLICY = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: staging, actors: [human, agent]}
              - {name: hotfix, pattern: "hotfix/*", target: production, actors: [human], hotfix: true}
            actors:
              - {id: claude-bot, class: agent}
              - {id: alice, class: human, roles: [release-manager], emails: [alice@example.com]}
            edges:
              - {from: feature, to: staging, approvals: 1}
              - {from: staging, to: production, mergers: {classes: [human], roles: [release-manager]}, approvals: 1}
            required_checks: [build]
            """;

    @Test
    void readsYamlAndAnswersQuestions() {
        Policy p = PolicyReader.read(POLICY, ".tiergate/policy.yaml");
        assertEquals("production", p.rootTier().orElseThrow().name());
        assertEquals("feature", p.typeForBranch("feature/F1/x").orElseThrow().name());
        assertTrue(p.typeForBranch("random").isEmpty());
        assertEquals(ActorClass.AGENT, p.actorFor("claude-bot", false).actorClass());
        assertEquals(ActorClass.HUMAN, p.actorFor("alice@example.com", false).actorClass());
        assertEquals(ActorClass.BOT, p.actorFor("dependabot[bot]", true).actorClass());
        assertEquals(ActorClass.HUMAN, p.actorFor("stranger", false).actorClass());
        TierEdge promote = p.edge("staging", "production").orElseThrow();
        assertTrue(promote.allows(p.actorFor("alice", false)));
        assertFalse(promote.allows(p.actorFor("claude-bot", false)));
        assertEquals("db/migration", p.migrations().directory());
        assertTrue(p.tier("production").orElseThrow().protectedTier());
    }

    @Test
    void unknownFieldIsRefusedWithFileAndLine() {
        PolicyException e = assertThrows(PolicyException.class,
                () -> PolicyReader.read("version: 1\ntierz: []\n", ".tiergate/policy.yaml"));
        assertTrue(e.getMessage().startsWith(".tiergate/policy.yaml:"), e.getMessage());
        assertTrue(e.getMessage().contains("tierz"), e.getMessage());
    }
}
