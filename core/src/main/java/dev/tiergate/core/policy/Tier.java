package dev.tiergate.core.policy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A long-running branch with its own database: {@code production} (the root), {@code staging}, ...
 * {@code parent} is the next tier on the promotion path (null for the root). {@code seed} (optional) is a plain-SQL
 * dump in the repository loaded into the tier's database before its migrations, so branches carry realistic data.
 * {@code drift} ({@code warn} or {@code hold}) says what a drift from its migrations does (see {@link #holdsOnDrift}).
 */
public record Tier(
        @JsonProperty("name") String name,
        @JsonProperty("branch") String branch,
        @JsonProperty("parent") String parent,
        @JsonProperty("protected") Boolean isProtected,
        @JsonProperty("direct_push") Permission directPush,

        @JsonProperty("seed") @JsonInclude(JsonInclude.Include.NON_NULL)
        String seed,

        @JsonProperty("drift") @JsonInclude(JsonInclude.Include.NON_NULL)
        String drift) {

    public Tier(String name, String branch, String parent, Boolean isProtected, Permission directPush) {
        this(name, branch, parent, isProtected, directPush, null, null);
    }

    public Tier(String name, String branch, String parent, Boolean isProtected, Permission directPush, String seed) {
        this(name, branch, parent, isProtected, directPush, seed, null);
    }

    /**
     * Whether a drift of this tier from its migrations holds merges into it ({@code drift: hold}); by default a drift
     * is reported and audited only ({@code warn}).
     */
    public boolean holdsOnDrift() {
        return "hold".equals(drift);
    }

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
