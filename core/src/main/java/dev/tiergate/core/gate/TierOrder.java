package dev.tiergate.core.gate;

import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.Tier;
import java.util.ArrayList;
import java.util.List;

/** The order in which tiers can be set up: each tier after its parent, the root first. */
public final class TierOrder {
    private TierOrder() {}

    /** The policy's tiers, parents before children; tiers in a cycle (the validator refuses those) are left out. */
    public static List<Tier> parentsFirst(Policy policy) {
        List<Tier> ordered = new ArrayList<>();
        List<Tier> remaining = new ArrayList<>(policy.tiers());
        while (!remaining.isEmpty()) {
            int before = remaining.size();
            remaining.removeIf(t -> {
                boolean ready = t.parent() == null
                        || ordered.stream().anyMatch(o -> o.name().equals(t.parent()));
                if (ready) {
                    ordered.add(t);
                }
                return ready;
            });
            if (remaining.size() == before) {
                break;
            }
        }
        return ordered;
    }
}
