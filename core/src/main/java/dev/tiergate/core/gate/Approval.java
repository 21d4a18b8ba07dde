package dev.tiergate.core.gate;

/** An approving review, with the head SHA it was given for (null when the forge does not say). */
public record Approval(ForgeIdentity reviewer, String commitSha) {}
