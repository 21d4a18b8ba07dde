package dev.tiergate.core.gate;

/** Names the forges see. */
public final class GateConstants {
    /** The commit status context branch protection requires. */
    public static final String STATUS_CONTEXT = "tiergate/workflow";

    private GateConstants() {}
}
