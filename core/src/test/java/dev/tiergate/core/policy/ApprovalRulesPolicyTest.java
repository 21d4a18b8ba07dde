package dev.tiergate.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.verdict.Refusal;
import dev.tiergate.core.verdict.Verdict;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The policy's {@code approval_rules}: read into records, written back, and every rule that could not be judged or
 * met refused with its line and fix (a rule no one can satisfy would keep every PR it matches pending for good).
 */
class ApprovalRulesPolicyTest {
    static final String HEAD = PolicyValidatorTest.GOOD.replace(
            "  - {id: claude-bot, class: agent}",
            "  - {id: claude-bot, class: agent}\n  - {id: pat, class: human, roles: [platform-engineer]}");

    static final String RULES = """
            approval_rules:
              - name: big-table-lock
                into: [production, staging]
                when: {lock: {mode: ShareRowExclusiveLock, min_rows: 1000000, min_mb: 500}}
                require: {approvals: 2, role: platform-engineer}
              - name: agent-touches-policy
                when: {author: [agent], files: [".tiergate/**"], statement_seconds: 2.5}
                require: {team: acme/platform, exclude_agents: false}
            """;

    static Verdict validate(String rules) {
        return PolicyValidatorTest.validate(HEAD + rules);
    }

    static Refusal only(String rules) {
        return PolicyValidatorTest.only(validate(rules));
    }

    @Test
    void rulesAreReadWithTheirDefaultsAndRoundTripThroughYaml() {
        assertTrue(validate(RULES).isAllowed(), () -> validate(RULES).render());
        Policy p = PolicyReader.read(HEAD + RULES, "test");
        ApprovalRule lock = p.approvalRules().get(0);
        assertEquals(List.of("production", "staging"), lock.into());
        assertEquals(
                new ApprovalRule.Lock("ShareRowExclusiveLock", 1_000_000L, 500L),
                lock.when().lock());
        assertEquals(new ApprovalRule.Require(2, "platform-engineer", null, true, true), lock.require());
        ApprovalRule agent = p.approvalRules().get(1);
        assertEquals(Set.of(ActorClass.AGENT), agent.when().author());
        assertEquals(2.5, agent.when().statementSeconds());
        assertEquals(1, agent.require().approvals(), "one approval unless the rule says");
        assertEquals(false, agent.require().excludeAgents());
        assertEquals(p, PolicyReader.read(PolicyReader.toYaml(p), "again"));
    }

    @Test
    void aRoleNoActorHoldsIsRefusedSinceNoOneCouldMeetIt() {
        Refusal r = only(RULES.replace("role: platform-engineer", "role: dba"));
        assertEquals("policy.approval-rules", r.rule());
        assertEquals(PolicyValidatorTest.PATH + ":23", r.where());
        assertTrue(r.message().contains("needs role 'dba', which no actor holds"), r.message());
        assertTrue(r.fix().contains("actors[].roles"), r.fix());
    }

    @Test
    void anUnknownTierAnUnknownLintRuleAndATwiceUsedNameAreRefused() {
        Verdict v = validate(RULES.replace("into: [production, staging]", "into: [prod]")
                        .replace("name: agent-touches-policy", "name: big-table-lock")
                + """
                  - name: grants
                    when: {lint: [sql.grant-anything]}
                    require: {role: platform-engineer}
                """);
        String all = v.render();
        assertEquals(3, v.refusals().size(), all);
        assertTrue(all.contains("judges PRs into 'prod', which is not a tier"), all);
        assertTrue(all.contains("approval rule 'big-table-lock' is named twice"), all);
        assertTrue(all.contains("asks for lint rule 'sql.grant-anything', which tiergate does not have"), all);
    }

    @Test
    void aRuleWithNoConditionOrNoReviewerOrAnUnknownConditionIsRefusedByTheSchema() {
        assertEquals(
                "policy.schema",
                only(RULES.replace(
                                "when: {lock: {mode: ShareRowExclusiveLock, min_rows: 1000000, min_mb: 500}}",
                                "when: {}"))
                        .rule());
        Verdict noReviewer = validate(RULES.replace("{approvals: 2, role: platform-engineer}", "{approvals: 2}"));
        assertTrue(
                !noReviewer.isAllowed()
                        && noReviewer.refusals().stream().allMatch(r -> r.rule().equals("policy.schema")),
                noReviewer::render);
        assertTrue(noReviewer.render().contains("require.role"), noReviewer::render);
        Refusal unknown = only(RULES.replace("statement_seconds: 2.5", "row_count: 5"));
        assertEquals("policy.schema", unknown.rule());
        assertTrue(unknown.message().contains("row_count"), unknown.message());
        assertEquals(
                "policy.schema",
                only(RULES.replace("ShareRowExclusiveLock", "TotalLock")).rule());
        assertEquals(
                "policy.schema",
                only(RULES.replace("approvals: 2,", "approvals: 0,")).rule());
    }
}
