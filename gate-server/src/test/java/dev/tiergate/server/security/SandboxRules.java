package dev.tiergate.server.security;

/**
 * The rule ids the sandbox names in its statuses and comments. They are not in tiergate's rule catalog yet (the
 * sandbox adds them); until then a test expecting one fails on it, after its effect assertions.
 */
final class SandboxRules {
    /** A statement that acts on the cluster (other databases, roles, server settings, the host) refused before anything runs. */
    static final String CLUSTER_STATEMENT = "sql.cluster-statement";
    /** The migration ran in the sandbox and failed there (e.g. permission denied). */
    static final String REHEARSAL_FAILED = "migration.rehearsal-failed";
    /** The run outlived the policy's {@code migrations.run_minutes} and was ended from outside its session. */
    static final String DEADLINE_EXCEEDED = "migration.deadline-exceeded";
    /** The branch database outgrew the policy's {@code migrations.branch_size_limit_mb}. */
    static final String BRANCH_TOO_LARGE = "migration.branch-too-large";
    /** The policy on the base commit could not be read. */
    static final String POLICY_INVALID = "policy.invalid";

    private SandboxRules() {
    }
}
