package dev.tiergate.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.verdict.Refusal;
import dev.tiergate.core.verdict.Severity;
import dev.tiergate.core.verdict.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PolicyValidatorTest {
    static final String PATH = ".tiergate/policy.yaml";

    static final String GOOD = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
              - {name: dev, branch: develop, parent: staging}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: dev, actors: [human, agent]}
              - {name: hotfix, pattern: "hotfix/*", target: production, actors: [human], hotfix: true}
            actors:
              - {id: claude-bot, class: agent}
            edges:
              - {from: feature, to: dev, approvals: 1}
              - {from: dev, to: staging}
              - {from: staging, to: production, mergers: {classes: [human]}, approvals: 1}
              - {from: hotfix, to: production, approvals: 2}
            required_checks: [build]
            migrations: {directory: db/migration}
            """;

    static Verdict validate(String yaml) {
        return PolicyValidator.validate(yaml.getBytes(StandardCharsets.UTF_8), PATH);
    }

    static Refusal only(Verdict v) {
        assertFalse(v.isAllowed(), "expected a refusal");
        assertEquals(1, v.refusals().size(), v::render);
        return v.refusals().get(0);
    }

    @Test
    void aGoodPolicyPasses() {
        Verdict v = validate(GOOD);
        assertTrue(v.isAllowed(), v::render);
    }

    @Test
    void theSamePolicyWrittenAsJsonPasses() {
        String json = "{\"version\": 1, \"tiers\": [{\"name\": \"production\", \"branch\": \"main\"}]}";
        assertTrue(validate(json).isAllowed(), () -> validate(json).render());
    }

    @Test
    void theDefaultPolicyIsValidAndRoundTripsThroughYaml() {
        Policy p = DefaultPolicy.create("main");
        assertTrue(
                PolicyValidator.validate(p, PATH).isAllowed(),
                () -> PolicyValidator.validate(p, PATH).render());
        String yaml = PolicyReader.toYaml(p);
        Verdict v = validate(yaml);
        assertTrue(v.isAllowed(), () -> v.render() + "\n" + yaml);
        assertEquals(p, PolicyReader.read(yaml, PATH));
        assertEquals("main", p.rootTier().orElseThrow().branch());
        assertEquals("staging", p.typeForBranch("feature/F1").orElseThrow().target());
        assertEquals(
                "production", p.typeForBranch("hotfix/urgent").orElseThrow().target());
        assertEquals(
                Set.of(ActorClass.HUMAN),
                p.typeForBranch("hotfix/urgent").orElseThrow().actors());
        for (String t : List.of("feature", "test", "uat", "perf")) {
            TierEdge e = p.edge(t, "staging").orElseThrow();
            assertEquals(1, e.approvals());
            assertTrue(e.agentChangeNeedsHumanApprover());
        }
        TierEdge promote = p.edge("staging", "production").orElseThrow();
        assertFalse(promote.allows(Actor.unlisted("bot", ActorClass.AGENT)));
        assertTrue(promote.allows(Actor.unlisted("alice", ActorClass.HUMAN)));
        assertTrue(PolicyValidator.validate(DefaultPolicy.create("trunk"), PATH).isAllowed());
    }

    @Test
    void theDefaultPolicyYamlIsValidAndEqualsTheModel() {
        for (String branch : List.of("main", "master", "staging")) {
            String yaml = DefaultPolicy.yaml(branch);
            Verdict v = validate(yaml);
            assertTrue(v.isAllowed(), v::render);
            assertEquals(DefaultPolicy.create(branch), PolicyReader.read(yaml, PATH));
        }
        assertEquals(
                "staging-tier",
                DefaultPolicy.create("staging").tier("staging").orElseThrow().branch());
    }

    @Test
    void schemaRefusesAnUnknownFieldWithItsLine() {
        Refusal r = only(validate(GOOD.replace(
                "  - {name: dev, branch: develop, parent: staging}",
                "  - {name: dev, branch: develop, parent: staging, colour: blue}")));
        assertEquals("policy.schema", r.rule());
        assertEquals(PATH + ":5", r.where());
        assertEquals("field 'tiers[2].colour' is not allowed (unknown field)", r.message());
    }

    @Test
    void schemaRefusesAMissingAndAWrongTypedField() {
        Verdict v =
                validate("version: 1\ntiers:\n  - name: production\nedges:\n  - {from: a, to: b, approvals: many}\n");
        String r = v.render();
        assertEquals(2, v.refusals().size(), r);
        assertTrue(r.contains(PATH + ":3: field 'tiers[0].branch' is required (missing) [policy.schema]"), r);
        assertTrue(r.contains(PATH + ":5: field 'edges[0].approvals' "), r);
    }

    @Test
    void syntaxErrorsNameTheLine() {
        Refusal r = only(validate("version: 1\ntiers: [\n  {name: a\n"));
        assertEquals("policy.syntax", r.rule());
        assertTrue(r.where().matches("\\Q" + PATH + "\\E:\\d+"), r.where());
    }

    @Test
    void emptyFileIsRefused() {
        assertEquals("policy file is empty", only(validate("")).message());
    }

    @Test
    void twoRootsAreRefused() {
        Refusal r = only(validate(GOOD.replace(
                "{name: staging, branch: staging, parent: production}", "{name: staging, branch: staging}")));
        assertEquals("policy.tiers.one-root", r.rule());
        assertEquals(PATH + ":4", r.where());
        assertEquals(
                "the tiers must form one tree with one root, but 'production' and 'staging' have no parent",
                r.message());
        assertEquals("give every tier but the production tier a 'parent', e.g. parent: production", r.fix());
    }

    @Test
    void aCycleWithoutRootIsRefused() {
        Verdict v = validate("""
                version: 1
                tiers:
                  - {name: a, branch: a, parent: b}
                  - {name: b, branch: b, parent: a}
                """);
        assertEquals(
                List.of("policy.tiers.one-root", "policy.tiers.no-cycle"),
                v.refusals().stream().map(Refusal::rule).toList(),
                v::render);
        assertEquals(
                "tier parents form a cycle: a -> b -> a", v.refusals().get(1).message());
        assertEquals(PATH + ":3", v.refusals().get(1).where());
    }

    @Test
    void aMissingParentIsRefused() {
        Refusal r = only(validate(GOOD.replace("parent: staging}", "parent: stagin}")));
        assertEquals("policy.tiers.parent-exists", r.rule());
        assertEquals(PATH + ":5", r.where());
        assertEquals("tier 'dev' has parent 'stagin', which is not a tier", r.message());
        assertEquals("set parent to one of [production, staging, dev] (or remove it on the root tier)", r.fix());
    }

    @Test
    void duplicateTierNamesAndBranchesAreRefused() {
        Verdict v = validate(GOOD.replace(
                        "{name: dev, branch: develop, parent: staging}",
                        "{name: staging, branch: main, parent: staging}")
                .replace("target: dev", "target: staging")
                .replace("{from: feature, to: dev, approvals: 1}", "{from: feature, to: staging}")
                .replace("  - {from: dev, to: staging}\n", ""));
        List<String> rules = v.refusals().stream().map(Refusal::rule).toList();
        assertTrue(rules.containsAll(List.of("policy.tiers.unique")), v::render);
        assertTrue(v.render().contains("tier name 'staging' is used twice"), v::render);
        assertTrue(v.render().contains("tiers 'production' and 'staging' share git branch 'main'"), v::render);
    }

    @Test
    void aTypeMustTargetAnExistingTier() {
        Verdict v = validate(GOOD.replace("target: dev,", "target: qa,")
                .replace("{from: feature, to: dev, approvals: 1}", "{from: feature, to: qa}"));
        assertEquals(
                List.of("policy.types.target-exists", "policy.edges.ends-exist"),
                v.refusals().stream().map(Refusal::rule).toList(),
                v::render);
        Refusal r = v.refusals().get(0);
        assertEquals(PATH + ":7", r.where());
        assertEquals("working-branch type 'feature' targets 'qa', which is not a tier", r.message());
        assertEquals(
                "edge feature -> qa: 'qa' is not a tier", v.refusals().get(1).message());
    }

    @Test
    void aNonHotfixTypeMustNotTargetTheRoot() {
        Refusal r = only(validate(GOOD.replace("target: dev,", "target: production,")
                .replace("{from: feature, to: dev, approvals: 1}", "{from: feature, to: production}")));
        assertEquals("policy.types.no-skip", r.rule());
        assertEquals(
                "working-branch type 'feature' targets the root tier 'production' and would skip the tiers below it",
                r.message());
        assertTrue(r.fix().startsWith("target the entry tier (e.g. dev)"), r.fix());
    }

    @Test
    void withOneTierFeaturesMayTargetTheRoot() {
        Verdict v = validate("""
                version: 1
                tiers: [{name: production, branch: main}]
                working_branch_types: [{name: feature, pattern: "feature/*", target: production}]
                edges: [{from: feature, to: production, approvals: 1}]
                """);
        assertTrue(v.isAllowed(), v::render);
    }

    @Test
    void anEdgeFromAnUnknownEndIsRefused() {
        Refusal r = only(validate(GOOD.replace("{from: dev, to: staging}", "{from: develop, to: staging}")));
        assertEquals("policy.edges.ends-exist", r.rule());
        assertEquals(PATH + ":13", r.where());
        assertEquals("edge develop -> staging: 'develop' is neither a working-branch type nor a tier", r.message());
    }

    @Test
    void aTierEdgeThatSkipsATierIsRefused() {
        Refusal r = only(validate(GOOD.replace("{from: dev, to: staging}", "{from: dev, to: production}")));
        assertEquals("policy.edges.no-skip", r.rule());
        assertEquals(PATH + ":13", r.where());
        assertEquals(
                "edge dev -> production does not lead to the parent of tier 'dev' (staging); promotion goes one parent"
                        + " hop at a time",
                r.message());
        assertEquals("set to: staging", r.fix());
    }

    @Test
    void aFeatureEdgeThatSkipsItsTargetIsRefusedButAHotfixMay() {
        Refusal r =
                only(validate(GOOD.replace("{from: feature, to: dev, approvals: 1}", "{from: feature, to: staging}")));
        assertEquals("policy.edges.no-skip", r.rule());
        assertEquals(
                "edge feature -> staging skips the target tier of type 'feature' (dev); only a type marked hotfix may"
                        + " merge into another tier",
                r.message());
        assertEquals("set to: dev, or mark type 'feature' with 'hotfix: true'", r.fix());
        assertTrue(validate(GOOD.replace("{from: hotfix, to: production, approvals: 2}", "{from: hotfix, to: staging}"))
                .isAllowed());
    }

    @Test
    void anEdgeOutOfTheRootIsRefused() {
        Verdict v = PolicyValidator.validate(
                new Policy(
                        1,
                        DefaultPolicy.create("main").tiers(),
                        List.of(),
                        List.of(),
                        List.of(new TierEdge("production", "staging", null, 0, null)),
                        List.of(),
                        null),
                PATH);
        Refusal out = only(v);
        assertEquals("policy.edges.no-skip", out.rule());
        assertEquals(PATH, out.where());
        assertEquals("remove this edge: nothing merges out of the root tier", out.fix());
    }

    @Test
    void duplicatesAmongTypesEdgesAndActorsAreRefused() {
        Verdict v = validate(GOOD.replace(
                        "  - {id: claude-bot, class: agent}\n",
                        "  - {id: claude-bot, class: agent}\n  - {id: Claude-Bot, class: human}\n")
                .replace(
                        "  - {from: dev, to: staging}\n",
                        "  - {from: dev, to: staging}\n  - {from: dev, to: staging}\n")
                .replace(
                        "  - {name: hotfix,",
                        "  - {name: feature, pattern: \"f/*\", target: dev}\n  - {name: hotfix,"));
        assertEquals(
                Set.of("policy.types.unique", "policy.edges.unique", "policy.actors.unique"),
                Set.copyOf(v.refusals().stream().map(Refusal::rule).toList()),
                v::render);
        assertTrue(v.render().contains("actor 'Claude-Bot' is listed twice"), v::render);
        assertTrue(v.render().contains("edge dev -> staging is listed twice"), v::render);
    }

    @Test
    void aTypeNamedLikeATierIsRefused() {
        Refusal r = only(validate(GOOD.replace("{name: feature,", "{name: staging,")
                .replace("{from: feature, to: dev, approvals: 1}", "{from: dev, to: staging, approvals: 1}")
                .replace("  - {from: dev, to: staging}\n", "")));
        assertEquals("policy.types.unique", r.rule());
        assertEquals(
                "'staging' names both a tier and a working-branch type, so an edge from it is ambiguous", r.message());
    }

    @Test
    void anUnusableMigrationNamingIsRefused() {
        Refusal r = only(validate(GOOD.replace(
                "migrations: {directory: db/migration}",
                "migrations:\n  directory: db/migration\n  naming: \"V{version}.sql\"")));
        assertEquals("policy.migrations.naming", r.rule());
        assertEquals(PATH + ":19", r.where());
        assertEquals(
                "migration naming 'V{version}.sql' must contain {timestamp} and {description} once each", r.message());
    }

    @Test
    void otherToolsMigrationNamesAreAllowed() {
        for (String naming : new String[] {
            "{timestamp}_{description}.js", "{timestamp}_{description}.py", "{timestamp}-{description}"
        }) {
            Verdict v = validate(GOOD.replace(
                    "migrations: {directory: db/migration}",
                    "migrations:\n  directory: migrations\n  naming: \"" + naming + "\""));
            assertTrue(v.isAllowed(), naming + ": " + v.render());
        }
    }

    @Test
    void severitiesAreSetPerRuleAndOnlyForRulesThatHaveOne() {
        Verdict ok = validate(
                GOOD + "severity: {migration.header: warning, migration.naming: off}\nhooks: {fail_closed: true}\n");
        assertTrue(ok.isAllowed(), ok.render());
        Policy read = PolicyReader.read(
                GOOD + "severity: {migration.header: warning, migration.naming: off}\nhooks: {fail_closed: true}\n",
                PATH);
        assertEquals(Severity.OFF, read.severityOf("migration.naming"));
        assertEquals(Severity.WARNING, read.severityOf("migration.header"));
        assertEquals(Severity.ERROR, read.severityOf("migration.immutable"));
        assertTrue(read.hooks().failClosed());
        Refusal unknown = only(validate(GOOD + "severity:\n  migration.headers: warning\n"));
        assertEquals("policy.severity.rule", unknown.rule());
        assertEquals(
                "severity is set for 'migration.headers', which is not a rule whose severity a policy may set",
                unknown.message());
        assertTrue(
                unknown.fix().startsWith("use one of [migration.destructive-outside-contract, migration.header,"),
                unknown.fix());
        Refusal level = only(validate(GOOD + "severity: {migration.header: warn}\n"));
        assertEquals("policy.schema", level.rule());
        assertTrue(
                level.message().contains("migration.header") && level.message().contains("error, warning, off"),
                level.message());
        assertEquals("use one of: error, warning, off, false", level.fix());
        Refusal own = only(validate(GOOD + "severity: {policy.schema: off}\n"));
        assertEquals("policy.severity.rule", own.rule());
    }

    @Test
    void aPolicyWithoutTiersIsRefused() {
        Refusal r = only(PolicyValidator.validate(
                new Policy(1, List.of(), List.of(), List.of(), List.of(), List.of(), null), PATH));
        assertEquals("policy.tiers.one-root", r.rule());
        assertEquals("the policy has no tiers", r.message());
    }

    /** The hook refuses a hostile policy file with the bound and the words the server uses, before Jackson reads it. */
    @Test
    void aFileNestedTooDeepIsASyntaxRefusalWithTheBound() {
        Verdict v = PolicyValidator.validate(
                "[".repeat(12 * 1024).getBytes(StandardCharsets.UTF_8), ".tiergate/policy.yaml");
        assertEquals(1, v.refusals().size(), v.toString());
        assertEquals(PolicyValidator.SYNTAX, v.refusals().get(0).rule());
        assertEquals(".tiergate/policy.yaml:1", v.refusals().get(0).where());
        assertEquals(
                "policy file is refused unread: lists and mappings nest deeper than 64 levels",
                v.refusals().get(0).message());
        assertTrue(
                v.refusals().get(0).fix().startsWith("un-nest it"),
                v.refusals().get(0).fix());
        Verdict big = PolicyValidator.validate(new byte[256 * 1024 + 1], "p.yaml");
        assertTrue(big.refusals().get(0).message().contains("more than the 262144 a policy may hold"), big.toString());
    }
}
