package dev.tiergate.server.agent;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.server.support.ServerHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Not a test (no *Test name, so the suite skips it): bench/long-poll.sh runs it. What a held {@code tiergate wait} costs
 * the server's store while nothing changes, and how soon it is answered after a change: 32 long-polls (the server's cap)
 * on one PR, the store's committed transactions counted from {@code pg_stat_database} over a quiet window with none and
 * with 32 held; then, rounds of 32 held polls and one write to the PR's row by another connection (what another server
 * on the store, or this one's worker, does), timed from the write's commit to each answer.
 */
class LongPollBench {
    static final int HELD = 32;
    static final int ROUNDS = Integer.getInteger("tiergate.bench.rounds", 20);
    static final int QUIET_SECONDS = 20;
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void heldPollsCostTheStoreNothingAndAnswerOnTheWrite() throws Exception {
        try (ServerHarness h = PullRequestApiTest.serverWithPrSeven()) {
            h.awaitIdle();
            String token = PullRequestApiTest.agentToken(h);
            String url = h.baseUrl() + "/api/v1/repos/" + h.repoPath + "/pulls/7";
            String version = versionOf(get(url, token).get(30, TimeUnit.SECONDS));

            double idle = transactionsPerSecond(h, QUIET_SECONDS);
            List<CompletableFuture<String>> held = new ArrayList<>();
            for (int i = 0; i < HELD; i++) {
                held.add(holdFor(url, token, version));
            }
            PullRequestApiTest.awaitHeld(h, HELD);
            double holding = transactionsPerSecond(h, QUIET_SECONDS);
            for (CompletableFuture<String> f : held) {
                f.get(60, TimeUnit.SECONDS); // each re-asks while its 8 s run out, until the window ends
            }

            List<Double> answers = new ArrayList<>();
            List<Double> lasts = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                List<CompletableFuture<Long>> polls = new ArrayList<>();
                for (int i = 0; i < HELD; i++) {
                    polls.add(get(url + "?since=" + version + "&wait=8", token).thenApply(b -> System.nanoTime()));
                }
                PullRequestApiTest.awaitHeld(h, HELD);
                long committed = write(h, "bench round " + round);
                double last = 0;
                for (CompletableFuture<Long> p : polls) {
                    double ms = (p.get(30, TimeUnit.SECONDS) - committed) / 1e6;
                    answers.add(ms);
                    last = Math.max(last, ms);
                }
                lasts.add(last);
                version = versionOf(get(url, token).get(30, TimeUnit.SECONDS));
            }
            Collections.sort(answers);
            Collections.sort(lasts);
            String report = String.format(
                    "| store transactions/s, nothing held | with %d polls held | answer after the write: median"
                            + " | p95 | last of the %d, median over %d rounds | slowest round |%n"
                            + "|---:|---:|---:|---:|---:|---:|%n| %.1f | %.1f | %.1f ms | %.1f ms | %.1f ms | %.1f ms |%n",
                    HELD,
                    HELD,
                    ROUNDS,
                    idle,
                    holding,
                    pct(answers, 50),
                    pct(answers, 95),
                    pct(lasts, 50),
                    lasts.get(lasts.size() - 1));
            System.out.println(report);
            Files.writeString(Path.of("target", "long-poll-bench.md"), report);
        }
    }

    /** One client's wait through the quiet window: it asks again each time its poll's 8 s run out. */
    private CompletableFuture<String> holdFor(String url, String token, String version) {
        return holdUntil(url, token, version, System.nanoTime() + TimeUnit.SECONDS.toNanos(QUIET_SECONDS + 2));
    }

    private CompletableFuture<String> holdUntil(String url, String token, String version, long until) {
        long left = Math.max(1, (until - System.nanoTime()) / 1_000_000_000L);
        return get(url + "?since=" + version + "&wait=" + Math.min(8, left), token)
                .thenCompose(body -> System.nanoTime() < until
                        ? holdUntil(url, token, version, until)
                        : CompletableFuture.completedFuture(body));
    }

    private CompletableFuture<String> get(String url, String token) {
        return http.sendAsync(
                        HttpRequest.newBuilder(URI.create(url))
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .thenApply(HttpResponse::body);
    }

    /** A change to the PR's workflow line, committed by a connection of its own; returns when it committed. */
    private static long write(ServerHarness h, String description) throws Exception {
        try (Connection c = DriverManager.getConnection(h.db.jdbcUrl(), h.db.user(), h.db.password());
                PreparedStatement ps = c.prepareStatement("update branches set last_description = ?"
                        + " where forge = 'github' and repo = ? and git_branch = 'pull/7'")) {
            ps.setString(1, description);
            ps.setString(2, h.repoPath);
            if (ps.executeUpdate() != 1) {
                throw new AssertionError("no row for PR #7");
            }
            return System.nanoTime();
        }
    }

    /** Committed transactions a second in the store's database over {@code seconds} (PostgreSQL's own count). */
    private static double transactionsPerSecond(ServerHarness h, int seconds) throws Exception {
        long before = commits(h);
        Thread.sleep(seconds * 1000L);
        return (commits(h) - before) / (double) seconds;
    }

    private static long commits(ServerHarness h) throws Exception {
        try (Connection c = DriverManager.getConnection(h.db.jdbcUrl(), h.db.user(), h.db.password());
                PreparedStatement force = c.prepareStatement("select pg_stat_force_next_flush()");
                PreparedStatement ps = c.prepareStatement(
                        "select xact_commit from pg_stat_database where datname = current_database()")) {
            force.execute();
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String versionOf(String body) throws Exception {
        JsonNode v = PullRequestApiTest.JSON.readTree(body);
        return v.path("version").asText();
    }

    private static double pct(List<Double> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
