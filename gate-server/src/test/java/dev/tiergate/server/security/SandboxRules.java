package dev.tiergate.server.security;

import dev.tiergate.core.rules.Rule;

/** The rule ids the sandbox names in its statuses and comments, from tiergate's rule catalog. */
final class SandboxRules {
    /** A statement that acts on the cluster (other databases, roles, server settings, the host) refused before anything runs. */
    static final String CLUSTER_STATEMENT = Rule.SQL_CLUSTER_STATEMENT.id();
    /** The migration ran in the sandbox and failed there (e.g. permission denied). */
    static final String REHEARSAL_FAILED = Rule.MIGRATION_REHEARSAL_FAILED.id();
    /** The run outlived the policy's {@code migrations.run_minutes} and was ended from outside its session. */
    static final String DEADLINE_EXCEEDED = Rule.MIGRATION_DEADLINE_EXCEEDED.id();
    /** The branch database outgrew the policy's {@code migrations.branch_size_limit_mb}. */
    static final String BRANCH_TOO_LARGE = Rule.MIGRATION_BRANCH_TOO_LARGE.id();
    /** The policy on the base commit could not be read. */
    static final String POLICY_INVALID = Rule.POLICY_INVALID.id();

    private SandboxRules() {}
}
