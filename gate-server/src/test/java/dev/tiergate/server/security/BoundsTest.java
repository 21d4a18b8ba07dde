package dev.tiergate.server.security;

import static dev.tiergate.server.security.Scene.await;
import static dev.tiergate.server.security.Scene.file;
import static dev.tiergate.server.security.Scene.migration;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.server.security.Scene.Pr;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One repository cannot slow or stop another: every run has a deadline enforced from outside the session (the
 * policy's {@code migrations.run_minutes}; a migration cannot lift it with SET), and a branch database has a size cap
 * ({@code migrations.branch_size_limit_mb}) past which the run is refused and the database dropped. The attacker's
 * PRs come from branches no working-branch type matches, so only the rehearsal runs their SQL, once.
 *
 * <p>The only timing assertion in the suite is here, and it is the requirement itself: another repository's PR is
 * judged in its usual time while this one's migration sleeps. Its bound is generous ({@link #USUAL}).
 */
class BoundsTest {
    /** What an ordinary PR takes to be judged on a loaded machine, with slack: the bound for repository B's PR. */
    static final Duration USUAL = Duration.ofSeconds(30);
    /**
     * The policy's deadlines: long enough in the race that A's sleeps outlast B's judging (three sleeps of 15 s, one
     * after another), short where only the ending matters; and the slack given to whatever enforces them.
     */
    static final Duration RACE_DEADLINE = Duration.ofSeconds(15);

    static final Duration SHORT_DEADLINE = Duration.ofSeconds(3);
    static final Duration DEADLINE_SLACK = Duration.ofSeconds(45);
    /** More than the server's workers (TIERGATE_WORKERS, 2 by default). */
    static final int SLEEPERS = 3;

    static final String ORDINARY = migration("alter table inventory add column if not exists qty int;");
    Scene s;

    @AfterEach
    void end() throws Exception {
        if (s != null) {
            try {
                s.endSleepsUntilIdle(Duration.ofSeconds(60)); // the sleeps still running, and those queued behind them
            } finally {
                s.close();
            }
        }
    }

    /**
     * Repository A opens more sleeping PRs than the server has workers (TIERGATE_WORKERS, 2 by default): its first PR
     * sleeps under A's lock and the others wait for that lock, each on a worker. Repository B's ordinary PR must still be
     * judged in its usual time; and A's first run must end at its deadline, refused by the deadline's rule.
     */
    @Test
    void anotherRepositorysPullRequestIsJudgedWhileOneRepositorysRehearsalsSleepAndTheFirstSleepEndsAtItsDeadline()
            throws Exception {
        s = Scene.withMigrationSettings("{run_minutes: 0.25}");
        s.otherRepository(); // its tiers set up before the race
        List<Pr> a = new ArrayList<>();
        for (int n = 1; n <= SLEEPERS; n++) {
            a.add(s.sendPullRequest(
                    n,
                    "sleepy/" + n,
                    Scene.STAGING,
                    file("V2026010200000" + n + "__sleep.sql", migration("SELECT pg_sleep(3600);"))));
        }
        Sleep first = awaitSleep();
        await(Duration.ofSeconds(5), () -> s.h.server.inbox().pendingCount() >= SLEEPERS); // A's deliveries are all in
        long sent = System.nanoTime();
        Pr b = s.sendOtherPullRequest(1, file("V20260102000000__qty.sql", ORDINARY));
        boolean judged = await(
                USUAL,
                () -> !s.otherRepository()
                                .github()
                                .posted(b.headSha(), "tiergate/workflow")
                                .isEmpty()
                        && !s.otherRepository()
                                .github()
                                .posted(b.headSha(), "tiergate/migrations")
                                .isEmpty());
        long waited = Duration.ofNanos(System.nanoTime() - sent).toSeconds();
        assertTrue(
                judged,
                "repository B's ordinary PR was not judged within " + USUAL.toSeconds() + " s (waited " + waited
                        + " s) while repository A's migrations slept: one repository took every worker. B's statuses: "
                        + s.otherRepository().github().posted(b.headSha(), "tiergate/workflow") + " "
                        + s.otherRepository().github().posted(b.headSha(), "tiergate/migrations"));
        assertTrue(
                sleeping() > 0,
                "none of A's migrations sleeps any more: the race did not happen as this test means it");

        assertRunEndsAtItsDeadline(a, first, RACE_DEADLINE);
    }

    @Test
    void aMigrationCannotLiftItsDeadline() throws Exception {
        s = Scene.withMigrationSettings("{run_minutes: 0.05}");
        Pr a = s.sendPullRequest(1, "sleepy/1", Scene.STAGING, file("V20260102000000__sleep.sql", migration("""
                SET statement_timeout = 0;
                SET lock_timeout = 0;
                SET idle_in_transaction_session_timeout = 0;
                SELECT pg_sleep(3600);
                """)));
        assertRunEndsAtItsDeadline(List.of(a), awaitSleep(), SHORT_DEADLINE);
    }

    @Test
    void aBranchThatOutgrowsItsSizeLimitIsRefusedAndDropped() throws Exception {
        s = Scene.withMigrationSettings("{branch_size_limit_mb: 20}");
        String physical = s.h.server.backend().connection(s.repo, "ci-pr-1").database();
        s.atTheEnd(() -> {
            try (Connection c = s.branchCluster();
                    Statement st = c.createStatement()) {
                st.execute("drop database if exists \"" + physical + "\" with (force)");
            }
        });
        // about 65 MB: three times the limit, written in a few seconds
        Pr pr = s.sendPullRequest(
                1,
                "big/1",
                Scene.STAGING,
                file(
                        "V20260102000000__big.sql",
                        migration(
                                "CREATE TABLE big AS SELECT g, repeat('x', 1000) AS filler FROM generate_series(1, 60000) g;")));
        assertTrue(
                await(Duration.ofSeconds(90), () -> s.lastStatus(pr.headSha(), "tiergate/migrations") != null),
                "the PR's migrations were not judged within 90 s");
        assertFalse(
                s.h.server.backend().exists(s.repo, "ci-pr-1"),
                "the PR's database grew past the policy's 20 MB and was kept ("
                        + s.h.server.backend().sizes(s.repo).get("ci-pr-1") + " bytes)");
        JsonNode status = s.lastStatus(pr.headSha(), "tiergate/migrations");
        assertEquals(
                "failure", status.path("state").asText(), "a branch past its size limit was not refused: " + status);
        assertTrue(
                status.path("description").asText().contains("[" + SandboxRules.BRANCH_TOO_LARGE + "]"),
                "the refusal does not name " + SandboxRules.BRANCH_TOO_LARGE + ": " + status);
    }

    /** A sleeping session of the attacked repository: its pid, and when it was first seen (System.nanoTime). */
    record Sleep(int pid, long since) {}

    /**
     * The first sleep ended within the deadline and its slack (its session is gone), and one of A's PRs was refused by
     * the deadline's rule.
     */
    void assertRunEndsAtItsDeadline(List<Pr> a, Sleep first, Duration deadline) throws Exception {
        Duration left = deadline.plus(DEADLINE_SLACK).minus(Duration.ofNanos(System.nanoTime() - first.since()));
        boolean ended = await(
                left.isNegative() ? Duration.ZERO : left,
                () -> !alive(first.pid())
                        && a.stream().anyMatch(pr -> failed(s.lastStatus(pr.headSha(), "tiergate/migrations"))));
        List<JsonNode> statuses = a.stream()
                .map(pr -> s.lastStatus(pr.headSha(), "tiergate/migrations"))
                .toList();
        assertTrue(
                ended,
                "repository A's sleeping migration was not ended within its deadline (" + deadline.toSeconds() + " s + "
                        + DEADLINE_SLACK.toSeconds() + " s slack): session " + first.pid() + " alive: "
                        + alive(first.pid()) + ", A's statuses: " + statuses);
        assertTrue(
                statuses.stream()
                        .anyMatch(st -> st != null
                                && st.path("description")
                                        .asText()
                                        .contains("[" + SandboxRules.DEADLINE_EXCEEDED + "]")),
                "the run ended, but no refusal names " + SandboxRules.DEADLINE_EXCEEDED + ": " + statuses);
    }

    static boolean failed(JsonNode status) {
        return status != null && status.path("state").asText().equals("failure");
    }

    /** Waits (at most 60 s) until a migration of the attacked repository sleeps. */
    Sleep awaitSleep() throws Exception {
        int[] pid = {0};
        assertTrue(
                await(Duration.ofSeconds(60), () -> (pid[0] = sleeperPid()) != 0),
                "the attack's pg_sleep never started; audit: "
                        + s.h.server.audit().all());
        return new Sleep(pid[0], System.nanoTime());
    }

    boolean alive(int pid) throws Exception {
        try (Connection c = s.branchCluster();
                PreparedStatement ps = c.prepareStatement("select 1 from pg_stat_activity where pid = ?")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** The pid of a session sleeping on the attacked repository's databases; 0 when none. */
    int sleeperPid() throws Exception {
        try (Connection c = s.branchCluster();
                PreparedStatement ps = c.prepareStatement(
                        "select pid from pg_stat_activity where datname like ?"
                                + " and state = 'active' and query ilike '%pg_sleep(3600)%' and pid <> pg_backend_pid() order by backend_start limit 1")) {
            ps.setString(1, s.attackedPrefix().replace("_", "\\_") + "%");
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    /** Sessions on the attacked repository's databases running pg_sleep (not this test's own). */
    int sleeping() throws Exception {
        try (Connection c = s.branchCluster();
                PreparedStatement ps = c.prepareStatement("select count(*) from pg_stat_activity where datname like ?"
                        + " and state = 'active' and query ilike '%pg_sleep(3600)%' and pid <> pg_backend_pid()")) {
            ps.setString(1, s.attackedPrefix().replace("_", "\\_") + "%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
