package dev.tiergate.server.gate;

import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.runs.Run;
import dev.tiergate.server.runs.RunKind;
import dev.tiergate.server.runs.RunQueue;
import java.util.Map;

/**
 * How a delivery asks for the database work it decided on: a durable run in the queue, carried out by the run workers,
 * never on the delivery's own thread. A run re-reads what it needs, and a run whose subject has no record yet finds
 * nothing to do, so a run is asked for after the records it reads are written. What a crash between the two loses,
 * the reconcile pass asks for again: a tier or working branch whose database is missing, a PR not rehearsed at its
 * head. A merge is asked for before the PR's records are cleaned up, since its run reads only the forge.
 */
final class RunRequests {
    private final RunQueue queue;
    private final Runnable wake;

    RunRequests(RunQueue queue, Runnable wake) {
        this.queue = queue;
        this.wake = wake;
    }

    /** Whether the repository has a run waiting or under way: its databases may be in the middle of a change. */
    boolean pending(RepoRef repo) {
        return queue.pendingFor(repo);
    }

    /** A tier's database made and set up: its seed and its git branch's migrations. */
    void tierSetUp(RepoRef repo, String tier) {
        ask(Run.of(RunKind.TIER_SETUP, repo, tier, "", Map.of()));
    }

    /** A working branch's database made if missing and brought to {@code head}; {@code followed}: the head it last followed. */
    void follow(RepoRef repo, String gitBranch, String head, String followed, String collisionNote) {
        ask(Run.of(
                RunKind.FOLLOW,
                repo,
                gitBranch,
                head,
                collisionNote == null
                        ? Map.of("head", head, "followed", followed == null ? "" : followed)
                        : Map.of(
                                "head",
                                head,
                                "followed",
                                followed == null ? "" : followed,
                                "name_collision",
                                collisionNote)));
    }

    /** The follow run of {@code gitBranch} to {@code head}, asked again if it failed for good; whether it was. */
    boolean followAgainIfFailed(RepoRef repo, String gitBranch, String head) {
        boolean again = queue.askAgainIfFailed(repo, RunKind.FOLLOW, gitBranch, head);
        if (again) {
            wake.run();
        }
        return again;
    }

    /** PR {@code number}'s migrations rehearsed at this head and base. */
    void rehearsal(RepoRef repo, long number, String head, String base) {
        ask(Run.of(RunKind.REHEARSAL, repo, "pull/" + number, head + ":" + base, Map.of("head", head, "base", base)));
    }

    /** A merge queue group's head rehearsed on a fresh copy of the tier. */
    void mergeGroup(RepoRef repo, long number, String groupSha) {
        ask(Run.of(RunKind.MERGE_GROUP, repo, "pull/" + number, groupSha, Map.of("group", groupSha)));
    }

    /** A merged PR's migrations applied to its tier. */
    void merge(RepoRef repo, long number, String mergedHead) {
        ask(Run.of(RunKind.MERGE, repo, "pull/" + number, mergedHead, Map.of("head", mergedHead)));
    }

    private void ask(Run run) {
        if (queue.enqueue(run)) {
            wake.run();
        }
    }
}
