package dev.tiergate.core.policy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A long-running branch with its own database: {@code production} (the root), {@code staging}, ...
 * {@code parent} is the next tier on the promotion path (null for the root).
 */
public record Tier(
        @JsonProperty("name") String name,
        @JsonProperty("branch") String branch,
        @JsonProperty("parent") String parent,
        @JsonProperty("protected") Boolean isProtected,
        @JsonProperty("direct_push") Permission directPush) {

    public Tier {
        isProtected = isProtected == null ? Boolean.TRUE : isProtected;
        directPush = directPush == null ? Permission.NOBODY : directPush;
    }

    @JsonIgnore // a question about the tier, not a field of the policy file
    public boolean isRoot() {
        return parent == null;
    }

    public boolean protectedTier() {
        return isProtected;
    }
}
