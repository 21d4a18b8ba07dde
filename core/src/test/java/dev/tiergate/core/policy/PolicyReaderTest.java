package dev.tiergate.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.verdict.Severity;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
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
        PolicyException e = assertThrows(
                PolicyException.class, () -> PolicyReader.read("version: 1\ntierz: []\n", ".tiergate/policy.yaml"));
        assertTrue(e.getMessage().startsWith(".tiergate/policy.yaml:"), e.getMessage());
        assertTrue(e.getMessage().contains("tierz"), e.getMessage());
    }

    @Test
    void everyFieldIsReadAsTheDataBindingReadIt() {
        Policy p = PolicyReader.read("""
                version: "1"
                tiers:
                  - {name: production, branch: main, protected: "false", direct_push: {classes: [human], roles: [ops]}, seed: db/seed.sql}
                  - {name: staging, branch: staging, parent: production, protected: null}
                working_branch_types:
                  - {name: feature, pattern: ["feature/*", "feature-*"], target: staging}
                  - {name: hotfix, pattern: "hotfix/*", target: production, actors: [human], hotfix: true}
                actors: [{id: alice, class: human, roles: [release-manager], emails: [alice@example.com]}]
                edges: [{from: staging, to: production, mergers: {roles: [release-manager]}, approvals: "2", agent_needs_human_approval: false}]
                required_checks: [build, 7]
                migrations: {directory: ./sql/, naming: "{timestamp}_{description}.py"}
                severity: {sql.char-type: off, sql.rename: warning}
                hooks: {fail_closed: true}
                """, "p.yaml");
        assertEquals(1, p.version());
        Tier prod = p.tier("production").orElseThrow();
        assertFalse(prod.protectedTier());
        assertEquals("db/seed.sql", prod.seed());
        assertEquals(Set.of(ActorClass.HUMAN), prod.directPush().classes());
        assertTrue(p.tier("staging").orElseThrow().protectedTier(), "null is the default");
        assertEquals(
                List.of("feature/*", "feature-*"), p.workingBranchTypes().get(0).patterns());
        assertEquals(Set.of(ActorClass.values()), p.workingBranchTypes().get(0).actors(), "no actors: every class");
        assertTrue(p.workingBranchTypes().get(1).hotfix());
        assertEquals("hotfix/*", p.workingBranchTypes().get(1).pattern());
        TierEdge e = p.edge("staging", "production").orElseThrow();
        assertEquals(2, e.approvals());
        assertFalse(e.agentChangeNeedsHumanApprover());
        assertEquals(List.of("build", "7"), p.requiredChecks());
        assertEquals("sql", p.migrations().directory());
        assertEquals(".py", p.migrations().extension());
        assertEquals(Severity.OFF, p.severityOf("sql.char-type"));
        assertEquals(Severity.WARNING, p.severityOf("sql.rename"));
        assertTrue(p.hooks().failClosed());
        // what `tiergate init` writes reads back equal
        Policy d = DefaultPolicy.create("main");
        assertEquals(d, PolicyReader.read(PolicyReader.toYaml(d), "init.yaml"));
    }

    @Test
    void aFieldOfTheWrongShapeIsRefusedWithItsPathAndLine() {
        PolicyException list = assertThrows(
                PolicyException.class,
                () -> PolicyReader.read(
                        "version: 1\ntiers:\n  - {name: production, branch: [main]}\n", ".tiergate/policy.yaml"));
        assertTrue(
                list.getMessage()
                        .startsWith(
                                ".tiergate/policy.yaml:3: policy file cannot be read: field 'tiers[0].branch' must be a string"),
                list.getMessage());
        assertTrue(
                list.getMessage()
                        .contains("fix: correct the file (run 'tiergate policy validate .tiergate/policy.yaml')"),
                list.getMessage());
        PolicyException number =
                assertThrows(PolicyException.class, () -> PolicyReader.read("version: one\n", "p.yaml"));
        assertTrue(
                number.getMessage()
                        .startsWith("p.yaml:1: policy file cannot be read: field 'version' must be a whole number"),
                number.getMessage());
        PolicyException actor = assertThrows(
                PolicyException.class, () -> PolicyReader.read("actors:\n  - {id: bot, class: robot}\n", "p.yaml"));
        assertTrue(
                actor.getMessage().contains("unknown actor class 'robot' (expected human, agent or bot)"),
                actor.getMessage());
        PolicyException nested = assertThrows(
                PolicyException.class,
                () -> PolicyReader.read("edges:\n  - {from: a, to: b, mergers: {clases: [human]}}\n", "p.yaml"));
        assertTrue(
                nested.getMessage()
                        .contains("unknown field 'clases' in edges[0].mergers (known fields: classes, roles)"),
                nested.getMessage());
        PolicyException notAMapping =
                assertThrows(PolicyException.class, () -> PolicyReader.read("- a\n- b\n", "p.yaml"));
        assertTrue(
                notAMapping.getMessage().contains("the policy must be a mapping of version, tiers"),
                notAMapping.getMessage());
    }

    /** A policy on a PR's base is repository content: a hostile one is refused with its bound, never read into a stack overflow. */
    @Test
    void aFileNestedTooDeepIsRefusedWithTheLimitAndTheFix() {
        String brackets = "[".repeat(12 * 1024); // 12 KB of '[': a StackOverflowError in the worker before
        PolicyException e = assertThrows(
                PolicyException.class,
                () -> PolicyReader.read(brackets.getBytes(StandardCharsets.UTF_8), ".tiergate/policy.yaml@abc123"));
        assertEquals(
                ".tiergate/policy.yaml@abc123:1: policy file is refused unread: lists and mappings nest deeper than 64 levels; fix: un-nest it:"
                        + " a policy's deepest field is a few levels down (run 'tiergate policy validate .tiergate/policy.yaml@abc123')",
                e.getMessage());
        String mappings = "a: " + "{c: ".repeat(70) + "1" + "}".repeat(70) + "\n";
        assertTrue(assertThrows(PolicyException.class, () -> PolicyReader.read(mappings, "p.yaml"))
                .getMessage()
                .contains("deeper than 64"));
        // 64 levels are read (and then refused for what they say, not for their depth)
        PolicyException deepButBounded = assertThrows(
                PolicyException.class,
                () -> PolicyReader.read("version: 1\nx: " + "[".repeat(63) + "]".repeat(63) + "\n", "p.yaml"));
        assertFalse(deepButBounded.getMessage().contains("refused unread"), deepButBounded.getMessage());
    }

    @Test
    void aFileOverTheSizeBoundIsRefusedUnread() {
        byte[] big = ("version: 1\n# " + "x".repeat(256 * 1024) + "\n").getBytes(StandardCharsets.UTF_8);
        PolicyException e = assertThrows(PolicyException.class, () -> PolicyReader.read(big, "p.yaml"));
        assertTrue(
                e.getMessage()
                        .startsWith("p.yaml: policy file is refused unread: the file is " + big.length
                                + " bytes, more than the 262144"),
                e.getMessage());
        assertTrue(e.getMessage().contains("fix: keep the policy to its settings"), e.getMessage());
        String bigText = new String(big, StandardCharsets.UTF_8);
        assertTrue(assertThrows(PolicyException.class, () -> PolicyReader.read(bigText, "p.yaml"))
                .getMessage()
                .contains("refused unread"));
        PolicyReader.read(
                POLICY + "# " + "x".repeat(200 * 1024) + "\n", "p.yaml"); // a long comment under the bound is fine
    }

    @Test
    void aBillionLaughsIsRefusedAtItsFiftyFirstAlias() {
        StringBuilder laughs = new StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (char c = 'b'; c <= 'i'; c++) {
            char prev = (char) (c - 1);
            laughs.append(c)
                    .append(": &")
                    .append(c)
                    .append(" [")
                    .append(("*" + prev + ", ").repeat(8))
                    .append('*')
                    .append(prev)
                    .append("]\n");
        }
        PolicyException e = assertThrows(PolicyException.class, () -> PolicyReader.read(laughs.toString(), "p.yaml"));
        assertTrue(
                e.getMessage()
                        .contains(
                                "policy file is refused unread: more than 50 aliases (*name); fix: write the values out"),
                e.getMessage());
        // a few aliases are read as their anchor's name, as before
        PolicyException few =
                assertThrows(PolicyException.class, () -> PolicyReader.read("version: 1\nx: &a 1\ny: *a\n", "p.yaml"));
        assertFalse(few.getMessage().contains("refused unread"), few.getMessage());
    }
}
