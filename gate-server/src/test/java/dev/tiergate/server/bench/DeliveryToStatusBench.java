package dev.tiergate.server.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.server.forge.github.GitHubSignature;
import dev.tiergate.server.support.ServerHarness;
import dev.tiergate.server.support.TestPolicies;
import dev.tiergate.testkit.GitHubPayloads;
import dev.tiergate.testkit.Pull;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Not a test (no *Test name, so the suite skips it): bench/delivery-to-status.sh runs it. The issue-12 figure
 * "from delivery to commit status posted (stand-in forge), p99 at most 250 ms at 100 PR events/s".
 *
 * <p>A real {@code GateServer} (ServerHarness: its store in the embedded PostgreSQL, the postgres branch backend)
 * and the GitHub stand-in, which sends the {@code status} webhook GitHub sends for every status (tiergate's own
 * too). {@code prs} pull requests are opened first (push + {@code pull_request opened}, one at a time, each PR's
 * status seen). Then, per offered rate, signed deliveries go out open loop (each at its planned moment, whatever
 * the answers; latency counted from that moment), a third of each kind: a push of a new commit on the next PR in
 * turn (the stand-in shows it as the branch's and the PR's head), that PR's {@code synchronize}, and CI's
 * {@code build} success (recorded in the stand-in first, as CI posts it through the API) on the commit pushed half a
 * round of PRs earlier. Two latencies are taken, each to the moment the stand-in records a {@code tiergate/workflow}
 * status: from a push to the first status on its new SHA (pending, waiting for CI), and from CI's success to the
 * first status on that SHA that waits on approvals (CI green). The {@code synchronize} is load only: the push has
 * usually posted the status already.
 *
 * <p>-Dtiergate.bench.mix=checks sends only CI statuses instead: each flips CI between success and failure on a
 * PR's head (no new commit, so no database branch is copied), and the latency is to the first status with the new
 * verdict. That is the gate's own decision path, without the rehearsals a new commit brings.
 *
 * <p>-Dtiergate.bench.mix=actions sends what GitHub sends for a PR whose CI runs on GitHub Actions, one new commit
 * in every {@code 3 + 2 × jobs} deliveries: the push, the {@code synchronize}, then per job a {@code check_run
 * created} (two cycles after the push) and a {@code check_run completed} (later, when a different PR's push is
 * going on), and the suite's {@code check_suite completed}
 * (docs.github.com/en/webhooks/webhook-events-and-payloads#check_run, #check_suite). The runs are recorded in the
 * stand-in first, as CI makes them through the checks API. {@code build}, the policy's required check, completes
 * last; the latencies are the commits mix's two. -Dtiergate.bench.jobs: jobs per commit (default 8).
 *
 * <p>-Dtiergate.bench.rates (deliveries/s, default 5,10,25,50,100), .seconds (per rate, default 10), .prs
 * (default 100), .workers (the server's TIERGATE_WORKERS, default the server's). Writes target/delivery-to-status.md.
 */
class DeliveryToStatusBench {
    static final String POLICY = TestPolicies.TWO_TIERS;
    static final String MAIN = "1111111111111111111111111111111111111111";
    static final String STAGING = "2222222222222222222222222222222222222222";
    /** /metrics needs the API token (issue 24). */
    static final String API_TOKEN = "bench-api-token";

    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long after the last delivery of a rate its statuses may still come. */
    private static final long SETTLE_NANOS = 120_000_000_000L;

    /** The tiergate statuses the stand-in recorded, per SHA: when, and whether it waits on approvals (CI green). */
    record Posted(long nanos, boolean ciGreen) {}

    /**
     * One latency to take: from {@code sentNanos} to the first status on {@code sha} ({@code ciGreen}: one that is).
     * {@code movedOnNanos}: when the PR got its next commit or CI flip (0: it did not). A status not posted by then
     * never will be, rightly: tiergate re-reads the PR and judges its head as it is now, so that sample is counted as
     * superseded; so is one whose verdict the SHA's last status already shows (nothing changed as the server saw it).
     */
    static final class Expect {
        final String sha;
        final long sentNanos;
        /** null: any status; true: one that waits on approvals (CI green); false: one that does not. */
        final Boolean ciGreen;

        final String kind;
        long movedOnNanos;
        /** Only a status recorded before {@code movedOnNanos} answers it (CI flipped back: a later one may answer the flip). */
        boolean endsWhenMovedOn;

        Expect(String sha, long sentNanos, Boolean ciGreen, String kind) {
            this.sha = sha;
            this.sentNanos = sentNanos;
            this.ciGreen = ciGreen;
            this.kind = kind;
        }

        @Override
        public String toString() {
            return kind + " on " + sha;
        }
    }

    private final Map<String, List<Posted>> posted = new ConcurrentHashMap<>();
    /** actions mix: the check runs CI created on each PR's head, by job name. */
    private final Map<Integer, Map<String, Long>> runIds = new HashMap<>();

    private final AtomicLong postedCount = new AtomicLong();
    /** Where the server's time went, per rate, from /metrics before and after. */
    private final StringBuilder breakdown =
            new StringBuilder("| offered deliveries/s | first delivery → inbox empty s | processed "
                    + "| branch operations: count, s (by operation) | forge API calls | tiergate/workflow statuses posted "
                    + "| machine CPU busy, core-s (of core-s there were) |\n|---|---|---|---|---|---|---|\n");

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private ServerHarness h;

    @Test
    void deliveryToCommitStatusAtOfferedRates() throws Exception {
        int prs = Integer.getInteger("tiergate.bench.prs", 100);
        int seconds = Integer.getInteger("tiergate.bench.seconds", 10);
        // the server's own defaults (the harness shortens retries and turns the clone pool off for the suite)
        Map<String, String> settings = new HashMap<>(Map.of(
                "TIERGATE_RECONCILE_SECONDS",
                "3600",
                "TIERGATE_RETRY_BASE_MS",
                "1000",
                "TIERGATE_MAX_ATTEMPTS",
                "6",
                "TIERGATE_CLONE_POOL",
                System.getProperty("tiergate.bench.clonePool", "2"),
                "TIERGATE_API_TOKEN",
                API_TOKEN));
        if (System.getProperty("tiergate.bench.workers") != null) {
            settings.put("TIERGATE_WORKERS", System.getProperty("tiergate.bench.workers"));
        }
        StringBuilder report = new StringBuilder(
                "| offered deliveries/s | achieved/s | deliveries | non-202 | latency samples | superseded | missing "
                        + "| p50 ms | p90 ms | p99 ms | max ms | push → pending p99 ms | CI status → new verdict p99 ms |\n"
                        + "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        try (ServerHarness harness = new ServerHarness(settings)) {
            h = harness;
            h.github.rateLimit(15_000); // a busy installation's hour (GitHub Enterprise Cloud); 5,000 is the least
            h.github.onStatus((sha, s) -> {
                if ("tiergate/workflow".equals(s.get("context"))) {
                    postedCount.incrementAndGet();
                    posted.computeIfAbsent(sha, k -> new CopyOnWriteArrayList<>())
                            .add(new Posted(
                                    System.nanoTime(),
                                    String.valueOf(s.get("description")).contains("approval")));
                }
            });
            String[] heads = setUp(prs);
            boolean[] green = new boolean[prs]; // whether CI's last word on the PR's head is success
            int round = 0;
            for (String rate :
                    System.getProperty("tiergate.bench.rates", "5,10,25,50,100").split(",")) {
                report.append(run(Integer.parseInt(rate.strip()), seconds, prs, heads, green, round++))
                        .append('\n');
                System.out.println(report);
            }
        }
        Path out = Path.of("target", "delivery-to-status.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report + "\n" + breakdown, StandardCharsets.UTF_8);
    }

    /** Opens {@code prs} PRs one at a time, each until its first status is posted; returns their heads. */
    private String[] setUp(int prs) throws Exception {
        for (String ref : List.of("main", MAIN, STAGING)) {
            h.github.policy(ref, POLICY);
        }
        h.github.branch("main", MAIN);
        h.github.branch("staging", STAGING);
        String[] heads = new String[prs];
        for (int n = 1; n <= prs; n++) {
            String branch = "feature/f" + n;
            String sha = sha(n, 0, 0);
            h.github.branch(branch, sha);
            h.deliver("push", GitHubPayloads.push(h.repoPath, branch, GitHubPayloads.ZERO, sha, "alice"));
            h.github.pull(n, branch, sha, "staging", STAGING, "alice", false, "open", false);
            h.deliver("pull_request", GitHubPayloads.pullRequest(h.repoPath, "opened", pull(n, sha)));
            if (!posted.containsKey(sha)) {
                throw new AssertionError("setting up: no status on PR #" + n + "'s head " + sha + "; records: "
                        + h.server.store().list(h.repo));
            }
            heads[n - 1] = sha;
        }
        return heads;
    }

    private String run(int rate, int seconds, int prs, String[] heads, boolean[] green, int round) throws Exception {
        String mix = System.getProperty("tiergate.bench.mix", "commits");
        boolean checksOnly = "checks".equals(mix);
        boolean actions = "actions".equals(mix);
        int jobs = Integer.getInteger("tiergate.bench.jobs", 8);
        int cycle = 3 + 2 * jobs; // push, synchronize, a created and a completed per job, the suite's completed
        int ciLag =
                Math.max(1, Math.min(25, prs / 2)); // cycles from a push to its CI's results: a different PR by then
        int total = rate * seconds;
        long interval = 1_000_000_000L / rate;
        List<Expect> expects = new ArrayList<>();
        Map<Integer, List<Expect>> openByPr = new HashMap<>();
        List<CompletableFuture<HttpResponse<Void>>> answers = new ArrayList<>();
        AtomicInteger non202 = new AtomicInteger();
        Map<String, Double> metricsBefore = metrics();
        double cpuBefore = machineBusySeconds();
        long postedBefore = postedCount.get();
        long start = System.nanoTime() + 200_000_000L;
        for (int i = 0; i < total; i++) {
            long planned = start + i * interval;
            long wait = planned - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            int n = i % prs + 1;
            String event;
            Map<String, Object> payload;
            if (actions) {
                int c = i / cycle;
                int at = i % cycle;
                if (at == 0) { // a push of a new commit on the next PR in turn: its earlier CI runs are no longer the
                    // head's
                    n = c % prs + 1;
                    runIds.remove(n);
                    event = "push";
                    payload = pushNewCommit(n, sha(n, round + 1, c / prs), planned, heads, green, expects, openByPr);
                } else if (at == 1) {
                    n = c % prs + 1;
                    event = "pull_request";
                    payload = GitHubPayloads.pullRequest(h.repoPath, "synchronize", pull(n, heads[n - 1]));
                } else if (at < 2 + jobs) { // CI queues its jobs on the commit pushed two cycles earlier
                    n = Math.floorMod(c - 2, prs) + 1;
                    String job = job(at - 2, jobs);
                    Map<String, Object> run = h.github.checkRunCreated(heads[n - 1], job);
                    runIds.computeIfAbsent(n, k -> new HashMap<>()).put(job, ((Number) run.get("id")).longValue());
                    event = "check_run";
                    payload = GitHubPayloads.checkRun(h.repoPath, "created", run);
                } else if (at
                        < 2 + 2 * jobs) { // the jobs of the commit pushed ciLag cycles earlier complete, build last
                    n = Math.floorMod(c - ciLag, prs) + 1;
                    String job = job(at - 2 - jobs, jobs);
                    Long id = runIds.computeIfAbsent(n, k -> new HashMap<>()).get(job);
                    if (id == null) { // a head from before this rate: its runs were queued then
                        id = ((Number) h.github
                                        .checkRunCreated(heads[n - 1], job)
                                        .get("id"))
                                .longValue();
                    }
                    event = "check_run";
                    payload = GitHubPayloads.checkRun(
                            h.repoPath, "completed", h.github.checkRunCompleted(heads[n - 1], id, "success"));
                    if (job.equals("build") && !green[n - 1]) {
                        green[n - 1] = true;
                        expects.add(new Expect(heads[n - 1], planned, true, "ci"));
                        openByPr.computeIfAbsent(n, k -> new ArrayList<>()).add(expects.get(expects.size() - 1));
                    }
                } else { // load only: the verdict changed with build's run
                    n = Math.floorMod(c - ciLag, prs) + 1;
                    event = "check_suite";
                    payload = GitHubPayloads.checkSuiteCompleted(h.repoPath, heads[n - 1], "feature/f" + n, "success");
                }
            } else if (checksOnly) {
                // CI flips between success and failure on the PR's head: each flip changes the verdict, no new commit
                for (Expect e : openByPr.getOrDefault(n, List.of())) {
                    e.movedOnNanos = planned;
                }
                green[n - 1] = !green[n - 1];
                h.github.ciStatus(heads[n - 1], "build", green[n - 1] ? "success" : "failure");
                event = "status";
                payload =
                        GitHubPayloads.status(h.repoPath, heads[n - 1], "build", green[n - 1] ? "success" : "failure");
                expects.add(new Expect(heads[n - 1], planned, green[n - 1], green[n - 1] ? "ci" : "ci-red"));
                expects.get(expects.size() - 1).endsWhenMovedOn = true;
                openByPr.put(n, new ArrayList<>(List.of(expects.get(expects.size() - 1))));
            } else {
                // commit c: its push, then its synchronize; the third delivery is CI's success on the commit pushed
                // half a cycle (prs / 2 commits) earlier, so every PR sees push, synchronize and CI in that order
                int c = i / 3;
                int pushed = c % prs + 1;
                switch (i % 3) {
                    case 0 -> {
                        n = pushed;
                        event = "push";
                        payload =
                                pushNewCommit(n, sha(n, round + 1, c / prs), planned, heads, green, expects, openByPr);
                    }
                    case 1 -> {
                        n = pushed;
                        event = "pull_request";
                        payload = GitHubPayloads.pullRequest(h.repoPath, "synchronize", pull(n, heads[n - 1]));
                    }
                    default -> {
                        n = Math.floorMod(c - prs / 2, prs) + 1;
                        h.github.ciStatus(heads[n - 1], "build", "success");
                        event = "status";
                        payload = GitHubPayloads.status(h.repoPath, heads[n - 1], "build", "success");
                        if (!green[n - 1]) { // a status on a head already green changes nothing: load only
                            green[n - 1] = true;
                            expects.add(new Expect(heads[n - 1], planned, true, "ci"));
                            openByPr.computeIfAbsent(n, k -> new ArrayList<>()).add(expects.get(expects.size() - 1));
                        }
                    }
                }
            }
            answers.add(send(event, payload).whenComplete((r, e) -> {
                if (e != null || r.statusCode() != 202) {
                    non202.incrementAndGet();
                }
            }));
        }
        long end = System.nanoTime();
        double achieved = total / ((end - start) / 1e9);
        long deadline = System.nanoTime() + SETTLE_NANOS;
        long[] latencies;
        int missing;
        int superseded;
        while (true) {
            List<Long> got = new ArrayList<>();
            missing = 0;
            superseded = 0;
            for (Expect e : expects) {
                long at = firstAfter(e);
                if (at >= 0) {
                    got.add(at - e.sentNanos);
                } else if (e.movedOnNanos != 0 || alreadyShown(e)) {
                    superseded++;
                } else {
                    missing++;
                }
            }
            if (missing == 0 || System.nanoTime() > deadline) {
                latencies = got.stream().mapToLong(Long::longValue).sorted().toArray();
                break;
            }
            Thread.sleep(200);
        }
        for (var a : answers) {
            a.exceptionally(e -> null).join();
        }
        h.awaitIdle();
        long busy = System.nanoTime() - start;
        double cpu = cpuBefore < 0 ? -1 : machineBusySeconds() - cpuBefore;
        breakdown
                .append(breakdown(rate, busy, metricsBefore, metrics(), postedCount.get() - postedBefore, cpu))
                .append('\n');
        expects.stream()
                .filter(e -> firstAfter(e) < 0 && e.movedOnNanos == 0)
                .limit(5)
                .forEach(e -> System.out.println("missing: " + e + " posted "
                        + posted.getOrDefault(e.sha, List.of()).stream()
                                .map(p -> (p.nanos() - e.sentNanos) / 1_000_000 + " ms " + p.ciGreen())
                                .toList()
                        + " all " + h.github.posted(e.sha) + " mig " + h.github.posted(e.sha, "tiergate/migrations")
                        + " records " + h.server.store().withHeadSha(h.repo, e.sha)));
        long[] push = kind(expects, "push");
        long[] ci = kind(expects, "ci");
        return String.format(
                Locale.ROOT,
                "| %d | %.0f | %d | %d | %d | %d | %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f |",
                rate,
                achieved,
                total,
                non202.get(),
                latencies.length,
                superseded,
                missing,
                ms(pct(latencies, 50)),
                ms(pct(latencies, 90)),
                ms(pct(latencies, 99)),
                ms(latencies.length == 0 ? -1 : latencies[latencies.length - 1]),
                ms(pct(push, 99)),
                ms(pct(ci, 99)));
    }

    /**
     * PR {@code n}'s branch gets the new commit {@code sha} (the stand-in shows it as the branch's and the PR's head):
     * the PR's open samples are superseded, and one is taken from its push to the first status on the new SHA.
     * Returns the push's payload.
     */
    private Map<String, Object> pushNewCommit(
            int n,
            String sha,
            long planned,
            String[] heads,
            boolean[] green,
            List<Expect> expects,
            Map<Integer, List<Expect>> openByPr) {
        for (Expect e : openByPr.getOrDefault(n, List.of())) {
            e.movedOnNanos = planned;
        }
        openByPr.put(n, new ArrayList<>());
        String before = heads[n - 1];
        heads[n - 1] = sha;
        green[n - 1] = false;
        h.github.branch("feature/f" + n, sha);
        h.github.pull(n, "feature/f" + n, sha, "staging", STAGING, "alice", false, "open", false);
        expects.add(new Expect(sha, planned, null, "push"));
        openByPr.get(n).add(expects.get(expects.size() - 1));
        return GitHubPayloads.push(h.repoPath, "feature/f" + n, before, sha, "alice");
    }

    /** Every sample of /metrics by series (name and labels), summed over nothing: as the exposition shows it. */
    private Map<String, Double> metrics() throws Exception {
        Map<String, Double> out = new TreeMap<>();
        for (String line : h.get("/metrics", API_TOKEN).body().split("\n")) {
            int space = line.lastIndexOf(' ');
            if (!line.startsWith("#") && space > 0) {
                try {
                    out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
                } catch (NumberFormatException e) {
                    // a timestamp or an exemplar: not needed here
                }
            }
        }
        return out;
    }

    /**
     * Busy CPU time of the whole machine so far (server, its PostgreSQL, the stand-in and this client: they share
     * it), in core-seconds, from the first line of /proc/stat at 100 ticks a second; -1 where there is no /proc/stat.
     */
    private static double machineBusySeconds() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long ticks = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) { // user nice system irq softirq steal (guest is inside user)
                ticks += i < f.length ? Long.parseLong(f[i]) : 0;
            }
            return ticks / 100.0;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static String breakdown(
            int rate,
            long busyNanos,
            Map<String, Double> before,
            Map<String, Double> after,
            long statuses,
            double cpuSeconds) {
        Function<String, Double> delta = series -> after.getOrDefault(series, 0.0) - before.getOrDefault(series, 0.0);
        double processed = after.keySet().stream()
                .filter(k -> k.startsWith("tiergate_deliveries_processed_total{") && k.contains("outcome=\"done\""))
                .mapToDouble(delta::apply)
                .sum();
        StringBuilder ops = new StringBuilder();
        double opSeconds = 0;
        double opCount = 0;
        for (String k : after.keySet()) {
            if (k.startsWith("tiergate_branch_operation_seconds_sum{")) {
                String op = k.replaceAll(".*operation=\"([^\"]+)\".*", "$1");
                double sec = delta.apply(k);
                double n = delta.apply(k.replace("_sum{", "_count{"));
                if (n > 0) {
                    ops.append(String.format(Locale.ROOT, "%s %.0f×, %.1f s; ", op, n, sec));
                    opSeconds += sec;
                    opCount += n;
                }
            }
        }
        double forgeCalls = after.keySet().stream()
                .filter(k -> k.startsWith("tiergate_forge_api_calls_total{"))
                .mapToDouble(delta::apply)
                .sum();
        String cpu = cpuSeconds < 0
                ? "n/a"
                : String.format(
                        Locale.ROOT,
                        "%.1f (of %.1f)",
                        cpuSeconds,
                        Runtime.getRuntime().availableProcessors() * busyNanos / 1e9);
        return String.format(
                Locale.ROOT,
                "| %d | %.1f | %.0f | %.0f, %.1f s (%s) | %.0f | %d | %s |",
                rate,
                busyNanos / 1e9,
                processed,
                opCount,
                opSeconds,
                ops.toString().replaceAll("; $", ""),
                forgeCalls,
                statuses,
                cpu);
    }

    private long[] kind(List<Expect> expects, String kind) {
        return expects.stream()
                .filter(e -> e.kind.startsWith(kind))
                .mapToLong(e -> {
                    long at = firstAfter(e);
                    return at < 0 ? Long.MAX_VALUE : at - e.sentNanos;
                })
                .filter(v -> v != Long.MAX_VALUE)
                .sorted()
                .toArray();
    }

    /**
     * Whether the SHA's last status already says what {@code e} asked for: CI flipped back before its flip was read,
     * so the server saw no change and rightly posted nothing.
     */
    private boolean alreadyShown(Expect e) {
        List<Posted> all = posted.getOrDefault(e.sha, List.of());
        return e.ciGreen != null && !all.isEmpty() && all.get(all.size() - 1).ciGreen() == e.ciGreen;
    }

    /** When the first matching status on the SHA was recorded at or after the delivery was sent; -1: none yet. */
    private long firstAfter(Expect e) {
        for (Posted p : posted.getOrDefault(e.sha, List.of())) {
            if (e.endsWhenMovedOn && e.movedOnNanos != 0 && p.nanos() >= e.movedOnNanos) {
                break;
            }
            if (p.nanos() >= e.sentNanos && (e.ciGreen == null || e.ciGreen == p.ciGreen())) {
                return p.nanos();
            }
        }
        return -1;
    }

    private CompletableFuture<HttpResponse<Void>> send(String event, Object payload) throws Exception {
        byte[] body = JSON.writeValueAsBytes(payload);
        HttpRequest req = HttpRequest.newBuilder(URI.create(h.baseUrl() + "/webhooks/github"))
                .header("Content-Type", "application/json")
                .header("X-GitHub-Event", event)
                .header("X-GitHub-Delivery", UUID.randomUUID().toString())
                .header("X-Hub-Signature-256", GitHubSignature.sign(ServerHarness.SECRET, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.discarding());
    }

    private static Pull pull(long n, String sha) {
        return new Pull(n, "feature/f" + n, sha, "staging", STAGING, "alice", false, "open", false);
    }

    /** actions mix: the name of job {@code k} of {@code jobs}; the required check, {@code build}, is the last. */
    private static String job(int k, int jobs) {
        return k == jobs - 1 ? "build" : "test-" + (k + 1);
    }

    /** A distinct 40-hex SHA per PR, round and commit. */
    private static String sha(int pr, int round, int commit) {
        return String.format("%08x%08x%024x", pr, round, commit + 1L);
    }

    private static long pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return -1;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static double ms(long nanos) {
        return nanos < 0 ? Double.NaN : nanos / 1e6;
    }
}
