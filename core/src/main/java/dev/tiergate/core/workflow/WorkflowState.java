package dev.tiergate.core.workflow;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Set;

/**
 * The five workflow states, the same for people and agents. A failed gate leaves a branch where it was.
 */
public enum WorkflowState {
    SCAFFOLD_COMPLETE("scaffold-complete"),
    FEATURE_CLAIMED("feature-claimed"),
    PR_READY("pr-ready"),
    CI_GREEN("ci-green"),
    MERGED("merged");

    private final String wireName;

    WorkflowState(String wireName) {
        this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    @JsonCreator
    public static WorkflowState fromWireName(String value) {
        for (WorkflowState s : values()) {
            if (s.wireName.equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown workflow state '" + value
                + "' (expected scaffold-complete, feature-claimed, pr-ready, ci-green or merged)");
    }

    /**
     * The moves the method allows: one step forward; {@code ci-green → pr-ready} on a new push;
     * {@code merged → feature-claimed} on the next claim; {@code feature-claimed → scaffold-complete} on abandon.
     */
    public Set<WorkflowState> next() {
        return switch (this) {
            case SCAFFOLD_COMPLETE -> Set.of(FEATURE_CLAIMED);
            case FEATURE_CLAIMED -> Set.of(PR_READY, SCAFFOLD_COMPLETE);
            case PR_READY -> Set.of(CI_GREEN);
            case CI_GREEN -> Set.of(MERGED, PR_READY);
            case MERGED -> Set.of(FEATURE_CLAIMED);
        };
    }

    public boolean canMoveTo(WorkflowState target) {
        return next().contains(target);
    }

    /** True when this state is at or past {@code other} on the forward path. */
    public boolean atLeast(WorkflowState other) {
        return ordinal() >= other.ordinal();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
