package dev.tiergate.core.policy;

import static dev.tiergate.core.policy.PolicyValidator.APPROVAL_RULES;

import dev.tiergate.core.rules.Rule;
import java.util.HashSet;
import java.util.Set;

/**
 * The policy's {@code approval_rules}, rules that can be met and judged: a rule whose role no actor holds (and names no
 * team) would keep every PR it matches pending for good, so it is refused here, where the platform engineer can fix
 * it.
 */
final class ApprovalRulesSection {
    private ApprovalRulesSection() {}

    static void check(PolicyProblems problems) {
        Policy p = problems.policy();
        Set<String> names = new HashSet<>();
        Set<String> roles = new HashSet<>();
        p.actors().forEach(a -> roles.addAll(a.roles()));
        for (int i = 0; i < p.approvalRules().size(); i++) {
            ApprovalRule r = p.approvalRules().get(i);
            String at = "/approval_rules/" + i;
            String label = "approval rule '" + r.name() + "'";
            if (!names.add(r.name())) {
                problems.refuse(APPROVAL_RULES, at + "/name", label + " is named twice", "give each rule its own name");
            }
            for (String tier : r.into()) {
                if (p.tier(tier).isEmpty()) {
                    problems.refuse(
                            APPROVAL_RULES,
                            at + "/into",
                            label + " judges PRs into '" + tier + "', which is not a tier",
                            "name tiers from " + problems.tierNames());
                }
            }
            if (r.when().isEmpty()) {
                problems.refuse(
                        APPROVAL_RULES,
                        at + "/when",
                        label + " has no condition, so it would apply to every PR",
                        "give it a condition, or raise the edge's approvals instead");
            }
            for (String lint : r.when().lint()) {
                if (Rule.byId(lint).isEmpty()) {
                    problems.refuse(
                            APPROVAL_RULES,
                            at + "/when/lint",
                            label + " asks for lint rule '" + lint + "', which tiergate does not have",
                            "name a rule from docs/rules.md, e.g. " + Rule.SQL_PRIVILEGE_CHANGE.id());
                }
            }
            ApprovalRule.Require need = r.require();
            if (need == null || (need.role() == null && need.team() == null)) {
                problems.refuse(
                        APPROVAL_RULES,
                        at + "/require",
                        label + " does not say whose approval it needs",
                        "set require.role (a role of the actors) or require.team");
            } else if (need.team() == null && !roles.contains(need.role())) {
                problems.refuse(
                        APPROVAL_RULES,
                        at + "/require/role",
                        label + " needs role '" + need.role() + "', which no actor holds: every PR it matches"
                                + " would wait for good",
                        "give the role to an actor (actors[].roles) or name a team (require.team)");
            }
        }
    }
}
