package dev.tiergate.server.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.core.gate.StatusState;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.server.backend.BackendException;
import dev.tiergate.server.forge.ForgeException;
import dev.tiergate.server.store.BranchRecord;
import dev.tiergate.server.support.NeonApiStub;
import dev.tiergate.server.support.ServerHarness;
import dev.tiergate.testkit.GitHubPayloads;
import dev.tiergate.testkit.Pull;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * While a delivery about a PR waits for a retry because the forge or the database branch backend is down, slow or
 * rate-limiting, the PR's verdict (its record: the API, the dashboard) and, when the forge answers, its status say
 * on what it waits and when it retries; the judgement that gets through afterwards replaces both.
 */
class WaitingVerdictTest {
    static final String POLICY = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: staging, actors: [human, agent]}
            required_checks: [build]
            """;
    static final String MAIN = "1111111111111111111111111111111111111111";
    static final String STAGING = "2222222222222222222222222222222222222222";
    static final String F1 = "f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1";
    static final String F1B = "f1b0f1b0f1b0f1b0f1b0f1b0f1b0f1b0f1b0f1b0";
    static final String WAITING_ON_NEON =
            "Waiting on the database branch backend \\(compute is unavailable\\); retry \\d+ at \\d\\d:\\d\\d:\\d\\dZ \\[gate.waiting]";

    @Test
    void theWordsNameWhatFailedAndWhenItIsTriedAgain() {
        Instant at = Instant.parse("2026-11-26T04:12:30Z");
        BackendException refused = new BackendException(
                "cannot create database branch 'ci-pr-7'",
                new SQLException(
                        "Connection to localhost:5432 refused", "08001", new ConnectException("Connection refused")));
        assertEquals(
                "Waiting on the database branch backend (connection refused); retry 3 at 04:12:30Z [gate.waiting]",
                WaitingVerdict.of("GitHub", refused, 2, at).description());
        assertEquals(
                StatusState.PENDING, WaitingVerdict.of("GitHub", refused, 2, at).state());
        assertEquals(
                Rule.GATE_WAITING.id(),
                WaitingVerdict.of("GitHub", refused, 2, at).rule());
        ForgeException limited = new ForgeException(
                "GET https://api.github.com/repos/a/b/pulls/7 answered 403 (rate limited; retry in 120 s): "
                        + "{\"message\":\"You have exceeded a secondary rate limit.\"}",
                true,
                null,
                Duration.ofSeconds(120));
        assertEquals(
                "Waiting on GitHub (rate limited, HTTP 403); retry 2 at 04:12:30Z [gate.waiting]",
                WaitingVerdict.of("GitHub", limited, 1, at).description());
        ForgeException down =
                new ForgeException("GET https://gitlab.example/api/v4/projects/1 answered 502: bad gateway", true);
        assertEquals(
                "Waiting on GitLab (HTTP 502); retry 4 at 04:12:30Z [gate.waiting]",
                WaitingVerdict.of("GitLab", down, 3, at).description());
        ForgeException slow = new ForgeException(
                "GET https://api.github.com/x failed: request timed out",
                true,
                new HttpTimeoutException("request timed out"));
        assertEquals(
                "Waiting on GitHub (timed out); retry 2 at 04:12:30Z [gate.waiting]",
                WaitingVerdict.of("GitHub", slow, 1, at).description());
        assertEquals(
                "Gave up for now: the database branch backend (connection refused) after 6 attempts; the next reconcile pass tries again "
                        + "[gate.waiting]",
                WaitingVerdict.of("GitHub", refused, 6, null).description());
        assertTrue(WaitingVerdict.forgeFailed(new IllegalStateException("wrapped", down)));
        assertFalse(WaitingVerdict.forgeFailed(refused));
    }

    @Test
    void aDatabaseErrorInTheWaitingVerdictKeepsItsSqlStateAndNoValue() {
        Instant at = Instant.parse("2026-11-26T04:12:30Z");
        BackendException cast = new BackendException(
                "cannot reset database branch 'ci-pr-7'",
                new SQLException(
                        "ERROR: invalid input syntax for type integer: \"4111111111111111\"\n  Where: SQL statement \"select card\"",
                        "22P02"));
        String d = WaitingVerdict.of("GitHub", cast, 1, at).description();
        assertTrue(
                d.startsWith("Waiting on the database branch backend (SQLSTATE 22P02: invalid input syntax for type"),
                d);
        assertFalse(d.contains("4111"), d);
        BackendException raised =
                new BackendException("cannot load the seed", new SQLException("ERROR: alice,bob", "P0001"));
        String r = WaitingVerdict.of("GitHub", raised, 1, at).description();
        assertTrue(r.contains("SQLSTATE P0001: raised by the migration"), r);
        assertFalse(r.contains("alice"), r);
    }

    @Test
    void aForgeThatIsDownIsNamedOnThePrsRecordAndNoStatusIsTried() throws Exception {
        try (ServerHarness h =
                new ServerHarness(Map.of("TIERGATE_RETRY_BASE_MS", "2000", "TIERGATE_RECONCILE_SECONDS", "600"))) {
            open(h);
            h.github.branch("feature/F1", F1B);
            h.github.pull(1, "feature/F1", F1B, "staging", STAGING, "alice", false, "open", false);
            h.github.failPath("/pulls/1$", 502, Map.of(), "{\"message\":\"Server Error\"}");
            h.hooks.send("pull_request", GitHubPayloads.pullRequest(h.repoPath, "synchronize", pull(F1B)));

            BranchRecord waiting = await(h, r -> Rule.GATE_WAITING.id().equals(r.lastRule()));
            assertTrue(
                    waiting.lastDescription()
                            .matches(
                                    "Waiting on GitHub \\(HTTP 502\\); retry \\d+ at \\d\\d:\\d\\d:\\d\\dZ \\[gate.waiting]"),
                    waiting.lastDescription());
            assertEquals(StatusState.PENDING, waiting.lastStatus());
            String api =
                    h.get("/api/v1/repos/" + h.repoPath + "/branches/pull/1").body();
            assertTrue(
                    api.contains("\"rule\":\"gate.waiting\"") && api.contains("Waiting on GitHub (HTTP 502); retry "),
                    api);
            assertTrue(
                    h.get("/ui/" + h.repoPath + "/branches/pull%2F1").body().contains("Waiting on GitHub (HTTP 502)"));
            assertEquals(List.of(), h.github.posted(F1B), "the forge is down: no status is tried");

            h.github.heal();
            BranchRecord judged = await(h, r -> !Rule.GATE_WAITING.id().equals(r.lastRule()));
            assertEquals(Rule.GATE_CI_NOT_GREEN.id(), judged.lastRule(), judged.toString());
            assertEquals(F1B, judged.lastStatusSha());
            assertTrue(h.github.lastPosted(F1B).path("description").asText().endsWith("[gate.ci-not-green]"));
        }
    }

    /**
     * The workflow verdict needs no database branch, so a branch backend that is down holds up only the rehearsal: its
     * run waits for a retry and {@code tiergate/migrations} says on what and until when, then the rehearsal's verdict.
     */
    @Test
    void aBranchBackendThatIsDownIsNamedInTheMigrationsStatusUntilTheRetryGetsThrough() throws Exception {
        try (NeonApiStub neon = new NeonApiStub();
                ServerHarness h = new ServerHarness(Map.of(
                        "TIERGATE_BACKEND",
                        "neon",
                        "TIERGATE_NEON_API_URL",
                        neon.apiUrl(),
                        "TIERGATE_NEON_API_KEY",
                        NeonApiStub.KEY,
                        "TIERGATE_NEON_PROJECT",
                        NeonApiStub.PROJECT,
                        "TIERGATE_RETRY_BASE_MS",
                        "2000",
                        "TIERGATE_RECONCILE_SECONDS",
                        "600"))) {
            open(h);
            h.github.branch("feature/F1", F1B);
            h.github.pull(1, "feature/F1", F1B, "staging", STAGING, "alice", false, "open", false);
            neon.failOperations("compute is unavailable"); // the new head's rehearsal needs a fresh ci-pr-1
            h.hooks.send("pull_request", GitHubPayloads.pullRequest(h.repoPath, "synchronize", pull(F1B)));

            BranchRecord judged = await(h, r -> F1B.equals(r.lastStatusSha()));
            assertEquals(
                    Rule.GATE_CI_NOT_GREEN.id(),
                    judged.lastRule(),
                    "the workflow verdict does not wait for the backend: " + judged);
            long deadline = System.currentTimeMillis() + 60_000;
            while (h.github.posted(F1B, "tiergate/migrations").isEmpty()) {
                assertTrue(
                        System.currentTimeMillis() < deadline,
                        "no tiergate/migrations on " + F1B + ": " + h.github.posted(F1B));
                Thread.sleep(20);
            }
            JsonNode waiting = h.github.posted(F1B, "tiergate/migrations").get(0);
            assertEquals("pending", waiting.path("state").asText());
            assertTrue(waiting.path("description").asText().matches(WAITING_ON_NEON), waiting.toString());

            neon.heal();
            h.awaitIdle(); // the run's retry gets through
            List<JsonNode> migrations = h.github.posted(F1B, "tiergate/migrations");
            assertEquals(
                    "success",
                    migrations.get(migrations.size() - 1).path("state").asText(),
                    "rehearsed once Neon was back: " + migrations);
        }
    }

    private static void open(ServerHarness h) throws Exception {
        for (String ref : List.of("main", MAIN, STAGING)) {
            h.github.policy(ref, POLICY);
        }
        h.github.branch("main", MAIN);
        h.github.branch("staging", STAGING);
        h.github.branch("feature/F1", F1);
        h.github.pull(1, "feature/F1", F1, "staging", STAGING, "alice", false, "open", false);
        assertEquals(202, h.deliver("pull_request", GitHubPayloads.pullRequest(h.repoPath, "opened", pull(F1))));
        assertEquals(
                Rule.GATE_CI_NOT_GREEN.id(), h.branch("pull/1").orElseThrow().lastRule());
    }

    private static Pull pull(String sha) {
        return new Pull(1, "feature/F1", sha, "staging", STAGING, "alice", false, "open", false);
    }

    private static BranchRecord await(ServerHarness h, Predicate<BranchRecord> what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            BranchRecord r = h.branch("pull/1").orElseThrow();
            if (what.test(r)) {
                return r;
            }
            assertTrue(System.currentTimeMillis() < deadline, "pull/1 did not get there within 60 s: " + r);
            Thread.sleep(50);
        }
    }
}
