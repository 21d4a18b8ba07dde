package dev.tiergate.core.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What {@code tiergate init} writes: two tiers, {@code production} (the git default branch: {@code main}, else
 * {@code master}) ← {@code staging}; {@code feature/*} and {@code feature-*} (the Lakebase kit's naming), {@code test/*}, {@code uat/*} and {@code perf/*} branches merge into staging (people and
 * agents), {@code hotfix/*} into production (people only). Every edge needs one approval, and an agent's change
 * needs a human approver. Database access is safe for agents: humans read the tiers, agents reach none of them.
 */
public final class DefaultPolicy {
    public static final String PRODUCTION = "production";
    public static final String STAGING = "staging";

    private DefaultPolicy() {}

    /**
     * The default policy as the commented YAML {@code tiergate init} writes; {@code PolicyReader.read(yaml(b))}
     * equals {@code create(b)}. Hand-written because a file people edit deserves comments and a stable order.
     */
    public static String yaml(String defaultBranch) {
        String staging = stagingBranch(defaultBranch);
        return """
                # tiergate policy: read by the git hooks and by the merge gate (from a pull request's base commit).
                # Check it with: tiergate policy validate
                version: 1

                # Long-running branches, each with its own database. A change is promoted one parent hop at a time.
                tiers:
                  - name: production
                    branch: %s
                    protected: true          # no direct pushes; changes arrive by merge
                  - name: staging
                    branch: %s
                    parent: production
                    protected: true

                # Short-lived branches: where they fork from and merge back into, and who may work on them.
                working_branch_types:
                  - {name: feature, pattern: ["feature/*", "feature-*"], target: staging, actors: [human, agent]}
                  - {name: test,    pattern: "test/*",    target: staging, actors: [human, agent]}
                  - {name: uat,     pattern: "uat/*",     target: staging, actors: [human, agent]}
                  - {name: perf,    pattern: "perf/*",    target: staging, actors: [human, agent]}
                  - {name: hotfix,  pattern: "hotfix/*",  target: production, actors: [human], hotfix: true}

                # Forge logins (and git e-mails) with their class (human, agent, bot) and roles.
                # Unlisted accounts are humans, or bots when the forge says so.
                actors: []

                # Who may merge along each edge, how many approvals it needs, and whether a change authored by
                # an agent needs a human among its approvers.
                edges:
                  - {from: feature, to: staging, approvals: 1, agent_needs_human_approval: true}
                  - {from: test,    to: staging, approvals: 1, agent_needs_human_approval: true}
                  - {from: uat,     to: staging, approvals: 1, agent_needs_human_approval: true}
                  - {from: perf,    to: staging, approvals: 1, agent_needs_human_approval: true}
                  - {from: hotfix,  to: production, mergers: {classes: [human]}, approvals: 1}
                  - {from: staging, to: production, mergers: {classes: [human]}, approvals: 1}

                # CI checks that must be green before a pull request may merge (names as the forge shows them).
                required_checks: []

                migrations:
                  directory: db/migration
                  naming: "V{timestamp}__{description}.sql"

                # Who may reach which database branch, and with which privileges (tiergate hands each actor a login of
                # its own, for credential_hours). Safe for agents: on the tiers humans read, nobody writes by hand and
                # agents get nothing; a working branch's author, and bots (CI), write it (working types not listed here).
                database_access:
                  groups:
                    - {name: read,  privileges: [select], schemas: ["*"]}
                    - {name: write, privileges: [select, insert, update, delete], schemas: ["*"]}
                  tiers:
                    - {tier: production, grants: [{group: read, classes: [human]}]}
                    - {tier: staging,    grants: [{group: read, classes: [human]}]}
                  working:
                    - {type: ci, grants: [{group: write, author: true}, {group: write, classes: [bot]}]}
                  credential_hours: 8
                """.formatted(defaultBranch, staging);
    }

    private static String stagingBranch(String defaultBranch) {
        return STAGING.equals(defaultBranch) ? "staging-tier" : STAGING;
    }

    public static Policy create(String defaultBranch) {
        Permission humans = new Permission(Set.of(ActorClass.HUMAN), Set.of());
        List<Tier> tiers = List.of(
                new Tier(PRODUCTION, defaultBranch, null, true, null),
                new Tier(STAGING, stagingBranch(defaultBranch), PRODUCTION, true, null));
        List<WorkingBranchType> types = new ArrayList<>();
        List<TierEdge> edges = new ArrayList<>();
        for (String name : List.of("feature", "test", "uat", "perf")) {
            List<String> patterns = name.equals("feature") ? List.of("feature/*", "feature-*") : List.of(name + "/*");
            types.add(
                    new WorkingBranchType(name, patterns, STAGING, Set.of(ActorClass.HUMAN, ActorClass.AGENT), false));
            edges.add(new TierEdge(name, STAGING, null, 1, true));
        }
        types.add(new WorkingBranchType("hotfix", "hotfix/*", PRODUCTION, Set.of(ActorClass.HUMAN), true));
        edges.add(new TierEdge("hotfix", PRODUCTION, humans, 1, true));
        edges.add(new TierEdge(STAGING, PRODUCTION, humans, 1, true));
        DatabaseAccess.Grant humansRead = new DatabaseAccess.Grant("read", Set.of(ActorClass.HUMAN), Set.of(), null);
        DatabaseAccess access = new DatabaseAccess(
                List.of(DatabaseAccess.READ, DatabaseAccess.WRITE),
                List.of(
                        new DatabaseAccess.TierAccess(PRODUCTION, List.of(humansRead), null),
                        new DatabaseAccess.TierAccess(STAGING, List.of(humansRead), null)),
                List.of(new DatabaseAccess.WorkingAccess(
                        DatabaseAccess.CI,
                        List.of(
                                new DatabaseAccess.Grant("write", Set.of(), Set.of(), true),
                                new DatabaseAccess.Grant("write", Set.of(ActorClass.BOT), Set.of(), null)))),
                8);
        return new Policy(1, tiers, types, List.of(), edges, List.of(), MigrationSettings.DEFAULTS, null, null, access);
    }
}
