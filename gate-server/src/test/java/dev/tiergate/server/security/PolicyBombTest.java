package dev.tiergate.server.security;

import static dev.tiergate.server.security.Scene.file;
import static dev.tiergate.server.security.Scene.migration;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.server.security.Scene.Pr;
import dev.tiergate.testkit.GitHubPayloads;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The policy at any commit is untrusted input too: 12 KB of nested {@code [} is a valid start of a YAML flow sequence
 * that a recursive reader follows 12,000 levels down. A PR whose base carries it is refused as a policy that cannot be
 * read, and nothing else happens to the server: its workers survive (more bombs are sent than it has workers, then an
 * ordinary PR of another repository must still be judged), and no delivery is left {@code processing}.
 */
class PolicyBombTest {
    static final String BOMB = "[".repeat(12 * 1024);
    /** More than the server's workers (TIERGATE_WORKERS, 2 by default): a bomb that kills a worker would leave none. */
    static final int BOMBS = 3;

    Scene s;

    @AfterEach
    void end() {
        if (s != null) {
            s.close();
        }
    }

    @Test
    void aPolicyBombOnThePullRequestsBaseIsRefusedAndTheWorkersSurvive() throws Exception {
        s = Scene.start();
        s.otherRepository();
        String base = s.commit(file(".tiergate/policy.yaml", BOMB));
        List<Pr> bombed = new ArrayList<>();
        for (int n = 1; n <= BOMBS; n++) {
            bombed.add(s.sendPullRequest(
                    n,
                    "feature/p" + n,
                    base,
                    file("V2026010200000" + n + "__x.sql", migration("create table t" + n + " (id int);"))));
        }
        Pr ordinary = s.sendOtherPullRequest(1, file("V20260102000000__qty.sql", BoundsTest.ORDINARY));
        assertTrue(
                Scene.await(
                        Duration.ofSeconds(60),
                        () -> !s.otherRepository()
                                .github()
                                .posted(ordinary.headSha(), "tiergate/migrations")
                                .isEmpty()),
                "after " + BOMBS
                        + " policy bombs another repository's ordinary PR was not judged within 60 s: the bombs took the workers");
        assertNoDeliveryLeftProcessing();
        for (Pr pr : bombed) {
            JsonNode status = s.lastStatus(pr.headSha(), "tiergate/workflow");
            assertTrue(status != null, "PR #" + pr.number() + " on a policy bomb got no tiergate/workflow status");
            assertEquals(
                    "failure",
                    status.path("state").asText(),
                    "PR #" + pr.number() + " on a policy bomb was not refused: " + status);
            assertTrue(
                    status.path("description").asText().contains("[" + SandboxRules.POLICY_INVALID + "]"),
                    "PR #" + pr.number() + " on a policy bomb is not refused as " + SandboxRules.POLICY_INVALID + ": "
                            + status);
        }
    }

    @Test
    void aPolicyBombOnTheDefaultBranchLeavesTheWorkersAlive() throws Exception {
        s = Scene.start();
        s.otherRepository();
        s.h.github.policy("main", BOMB);
        for (int n = 1; n <= BOMBS; n++) {
            String sha =
                    s.commit(file("V2026010200000" + n + "__x.sql", migration("create table t" + n + " (id int);")));
            s.h.github.branch("feature/b" + n, sha);
            assertEquals(
                    202,
                    s.h.hooks.send(
                            "push",
                            GitHubPayloads.push(s.h.repoPath, "feature/b" + n, GitHubPayloads.ZERO, sha, "alice")));
        }
        Pr ordinary = s.sendOtherPullRequest(1, file("V20260102000000__qty.sql", BoundsTest.ORDINARY));
        assertTrue(
                Scene.await(
                        Duration.ofSeconds(60),
                        () -> !s.otherRepository()
                                .github()
                                .posted(ordinary.headSha(), "tiergate/migrations")
                                .isEmpty()),
                "after " + BOMBS
                        + " pushes under a policy bomb another repository's ordinary PR was not judged within 60 s: the bombs took the workers");
        assertNoDeliveryLeftProcessing();
        assertTrue(
                s.h.server.audit().all().stream()
                        .anyMatch(r -> r.kind().equals("refusal") && r.details().contains(SandboxRules.POLICY_INVALID)),
                "the unreadable policy on the default branch was not recorded as " + SandboxRules.POLICY_INVALID);
    }

    /** Every delivery is done or parked within 30 s: none is held by a worker that is gone. */
    void assertNoDeliveryLeftProcessing() throws Exception {
        boolean settled =
                Scene.await(Duration.ofSeconds(30), () -> s.h.server.inbox().pendingCount() == 0);
        List<String> stuck = new ArrayList<>();
        try (Connection c = s.h.db.dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "select event_type || ' ' || status || ' attempts=' || attempts || ' ' || coalesce(last_error, '')"
                                + " from inbox where status in ('received', 'retry', 'processing')")) {
            while (rs.next()) {
                stuck.add(rs.getString(1));
            }
        }
        assertTrue(settled && stuck.isEmpty(), "deliveries left unfinished 30 s after the bombs: " + stuck);
    }
}
