package dev.tiergate.server.support;

/** Policies several tests and benches share. */
public final class TestPolicies {
    /**
     * production (main) &lt;- staging, feature branches of humans and agents into staging with one approval, CI's
     * {@code build} required.
     */
    public static final String TWO_TIERS = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: staging, actors: [human, agent]}
            edges:
              - {from: feature, to: staging, approvals: 1}
            required_checks: [build]
            """;

    private TestPolicies() {}
}
