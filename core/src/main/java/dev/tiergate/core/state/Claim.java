package dev.tiergate.core.state;

import dev.tiergate.core.policy.ActorClass;
import dev.tiergate.core.workflow.WorkflowState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One feature in flight in tiergate's own state: who claimed which git branch, from which tier, on which
 * database branch, and how far it has come. Links are forge-neutral ({@code pull_request} is a GitHub pull
 * request or a GitLab merge request). {@code supersededTests} lists test files an agent may delete on this branch.
 */
public record Claim(
        String featureId,
        WorkflowState state,
        String branch,
        String parentBranch,
        String dbBranch,
        String actorId,
        ActorClass actorClass,
        Instant claimedAt,
        Map<String, String> links,
        Instant pushedAt,
        Instant ciGreenAt,
        Instant mergedAt,
        List<String> supersededTests) {

    public static final String LINK_PULL_REQUEST = "pull_request";
    public static final String LINK_CI_RUN = "ci_run";
    public static final String LINK_MIGRATE_RUN = "migrate_run";

    public Claim {
        links = links == null ? Map.of() : Map.copyOf(new TreeMap<>(links));
        supersededTests = supersededTests == null ? List.of() : List.copyOf(supersededTests);
    }

    /** A fresh claim in state {@code feature-claimed}. */
    public static Claim claimed(
            String featureId,
            String branch,
            String parentBranch,
            String dbBranch,
            String actorId,
            ActorClass actorClass,
            Instant claimedAt) {
        return new Claim(
                featureId,
                WorkflowState.FEATURE_CLAIMED,
                branch,
                parentBranch,
                dbBranch,
                actorId,
                actorClass,
                claimedAt,
                Map.of(),
                null,
                null,
                null,
                List.of());
    }

    public Claim withState(WorkflowState newState) {
        return progressed(newState, links, pushedAt, ciGreenAt, mergedAt);
    }

    public Claim withSupersededTests(List<String> tests) {
        return new Claim(
                featureId,
                state,
                branch,
                parentBranch,
                dbBranch,
                actorId,
                actorClass,
                claimedAt,
                links,
                pushedAt,
                ciGreenAt,
                mergedAt,
                tests);
    }

    /** {@code tiergate pr}: pushed, its PR at {@code url}; pr-ready unless it has come further already. */
    public Claim withPullRequest(String url, Instant pushed) {
        Map<String, String> l = new TreeMap<>(links);
        l.put(LINK_PULL_REQUEST, url);
        return progressed(
                state == WorkflowState.FEATURE_CLAIMED ? WorkflowState.PR_READY : state,
                l,
                pushed,
                ciGreenAt,
                mergedAt);
    }

    /** CI went green on the PR's head at {@code at}, as {@code ciRun} shows (the verdict's page). */
    public Claim ciGreen(Instant at, String ciRun) {
        Map<String, String> l = new TreeMap<>(links);
        l.putIfAbsent(LINK_CI_RUN, ciRun);
        return progressed(
                state == WorkflowState.MERGED ? state : WorkflowState.CI_GREEN,
                l,
                pushedAt,
                ciGreenAt == null ? at : ciGreenAt,
                mergedAt);
    }

    /** {@code tiergate merge}: merged into its tier at {@code at} (green before, as {@code ciRun} shows). */
    public Claim merged(Instant at, String ciRun) {
        Claim green = ciGreen(at, ciRun);
        return progressed(WorkflowState.MERGED, green.links(), pushedAt, green.ciGreenAt(), at);
    }

    /** The same claim further along: its state, links and the times it reached each step. */
    private Claim progressed(
            WorkflowState s, Map<String, String> l, Instant pushed, Instant green, Instant mergedTime) {
        return new Claim(
                featureId,
                s,
                branch,
                parentBranch,
                dbBranch,
                actorId,
                actorClass,
                claimedAt,
                l,
                pushed,
                green,
                mergedTime,
                supersededTests);
    }

    public boolean supersedes(String testPath) {
        return supersededTests.contains(testPath);
    }
}
