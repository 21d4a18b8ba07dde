package dev.tiergate.core.policy;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A merge path: from a working-branch type or a tier ({@code from}) into a tier ({@code to}), who may
 * merge along it, how many approvals it needs, and whether an agent's change needs a human approver.
 */
public record TierEdge(
        @JsonProperty("from") String from,
        @JsonProperty("to") String to,
        @JsonProperty("mergers") Permission mergers,
        @JsonProperty("approvals") int approvals,
        @JsonProperty("agent_needs_human_approval") Boolean agentNeedsHumanApproval) {

    public TierEdge {
        mergers = mergers == null ? Permission.EVERYONE : mergers;
        agentNeedsHumanApproval = agentNeedsHumanApproval == null ? Boolean.TRUE : agentNeedsHumanApproval;
    }

    public boolean allows(Actor actor) {
        return mergers.allows(actor);
    }

    public boolean agentChangeNeedsHumanApprover() {
        return agentNeedsHumanApproval;
    }
}
