package dev.tiergate.core.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tiergate.core.verdict.Severity;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The one policy file ({@code .tiergate/policy.yaml}) read by the hooks and the server alike. The server
 * reads it from a pull request's base commit so a change cannot loosen the rules that judge it.
 */
public record Policy(
        @JsonProperty("version") int version,
        @JsonProperty("tiers") List<Tier> tiers,
        @JsonProperty("working_branch_types") List<WorkingBranchType> workingBranchTypes,
        @JsonProperty("actors") List<Actor> actors,
        @JsonProperty("edges") List<TierEdge> edges,
        @JsonProperty("required_checks") List<String> requiredChecks,
        @JsonProperty("migrations") MigrationSettings migrations,
        @JsonProperty("severity") Map<String, Severity> severity,
        @JsonProperty("hooks") HookSettings hooks,

        @JsonProperty("database_access") @JsonInclude(JsonInclude.Include.NON_NULL)
        DatabaseAccess databaseAccess,

        @JsonProperty("approval_rules") @JsonInclude(JsonInclude.Include.NON_EMPTY)
        List<ApprovalRule> approvalRules,

        @JsonProperty("masking") @JsonInclude(JsonInclude.Include.NON_NULL)
        Masking masking) {

    public static final String PATH = ".tiergate/policy.yaml";

    public Policy {
        tiers = tiers == null ? List.of() : List.copyOf(tiers);
        workingBranchTypes = workingBranchTypes == null ? List.of() : List.copyOf(workingBranchTypes);
        actors = actors == null ? List.of() : List.copyOf(actors);
        edges = edges == null ? List.of() : List.copyOf(edges);
        requiredChecks = requiredChecks == null ? List.of() : List.copyOf(requiredChecks);
        migrations = migrations == null ? MigrationSettings.DEFAULTS : migrations;
        severity = severity == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(severity));
        hooks = hooks == null ? HookSettings.DEFAULTS : hooks;
        approvalRules = approvalRules == null ? List.of() : List.copyOf(approvalRules);
    }

    /** As read before masking was part of the policy: no tier's data is masked. */
    public Policy(
            int version,
            List<Tier> tiers,
            List<WorkingBranchType> workingBranchTypes,
            List<Actor> actors,
            List<TierEdge> edges,
            List<String> requiredChecks,
            MigrationSettings migrations,
            Map<String, Severity> severity,
            HookSettings hooks,
            DatabaseAccess databaseAccess,
            List<ApprovalRule> approvalRules) {
        this(
                version,
                tiers,
                workingBranchTypes,
                actors,
                edges,
                requiredChecks,
                migrations,
                severity,
                hooks,
                databaseAccess,
                approvalRules,
                null);
    }

    /** Whether the policy masks {@code tier}'s data in every copy made from it for others (a source tier). */
    public boolean masksCopiesOf(String tier) {
        return masking != null && masking.sources(this).contains(tier);
    }

    /** As read before approval rules were part of the policy: none. */
    public Policy(
            int version,
            List<Tier> tiers,
            List<WorkingBranchType> workingBranchTypes,
            List<Actor> actors,
            List<TierEdge> edges,
            List<String> requiredChecks,
            MigrationSettings migrations,
            Map<String, Severity> severity,
            HookSettings hooks,
            DatabaseAccess databaseAccess) {
        this(
                version,
                tiers,
                workingBranchTypes,
                actors,
                edges,
                requiredChecks,
                migrations,
                severity,
                hooks,
                databaseAccess,
                null);
    }

    /** As read before database access was part of the policy: {@link DatabaseAccess#DEFAULT} applies. */
    public Policy(
            int version,
            List<Tier> tiers,
            List<WorkingBranchType> workingBranchTypes,
            List<Actor> actors,
            List<TierEdge> edges,
            List<String> requiredChecks,
            MigrationSettings migrations,
            Map<String, Severity> severity,
            HookSettings hooks) {
        this(version, tiers, workingBranchTypes, actors, edges, requiredChecks, migrations, severity, hooks, null);
    }

    /** Who may reach which database branch: the policy's {@code database_access}, else the default (safe for agents). */
    public DatabaseAccess access() {
        return databaseAccess == null ? DatabaseAccess.DEFAULT : databaseAccess;
    }

    /** A policy with every rule an error and the default hook settings. */
    public Policy(
            int version,
            List<Tier> tiers,
            List<WorkingBranchType> workingBranchTypes,
            List<Actor> actors,
            List<TierEdge> edges,
            List<String> requiredChecks,
            MigrationSettings migrations) {
        this(version, tiers, workingBranchTypes, actors, edges, requiredChecks, migrations, null, null, null);
    }

    /** The severity the policy gives a rule: {@code error} unless its {@code severity} map says otherwise. */
    public Severity severityOf(String rule) {
        return severity.getOrDefault(rule, Severity.ERROR);
    }

    public Optional<Tier> tier(String name) {
        return tiers.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** The tier whose long-running git branch this is, if any. */
    public Optional<Tier> tierForBranch(String gitBranch) {
        return tiers.stream().filter(t -> t.branch().equals(gitBranch)).findFirst();
    }

    /** The working-branch type whose pattern matches, first match wins. */
    public Optional<WorkingBranchType> typeForBranch(String gitBranch) {
        return workingBranchTypes.stream().filter(t -> t.matches(gitBranch)).findFirst();
    }

    public Optional<Tier> rootTier() {
        return tiers.stream().filter(Tier::isRoot).findFirst();
    }

    public Optional<TierEdge> edge(String from, String to) {
        return edges.stream()
                .filter(e -> e.from().equals(from) && e.to().equals(to))
                .findFirst();
    }

    /**
     * Resolves a forge login (or git e-mail) to the actor the policy names. Identity and class come from
     * the forge, never from commit text: an unlisted account is a {@code human}, or a {@code bot} when
     * the forge marks it as one.
     */
    public Actor actorFor(String login, boolean forgeSaysBot) {
        return actors.stream()
                .filter(a ->
                        a.id().equalsIgnoreCase(login) || a.emails().stream().anyMatch(login::equalsIgnoreCase))
                .findFirst()
                .orElseGet(() -> Actor.unlisted(login, forgeSaysBot ? ActorClass.BOT : ActorClass.HUMAN));
    }
}
