package dev.tiergate.server.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.server.forge.github.GitHubSignature;
import dev.tiergate.testkit.GitHubApiStub;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Not a test: bench/crash-mix.sh runs it (main) beside a {@code tiergate server} the script starts, kills and
 * restarts. It serves the stand-in GitHub ({@link GitHubApiStub}) for {@link DeliveryMix}, writes the stand-in's
 * URL to {@code OUT/forge-url}, waits for the server, sends the mix's signed deliveries at a fixed rate (open loop,
 * like a forge: a delivery the server does not take is not sent again, as GitHub does not redeliver on its own),
 * writes how many it sent to {@code OUT/progress}, then waits for the server to settle (inbox empty and two
 * reconcile passes after the last delivery) and writes what the run ended with to OUT: {@code branches.txt} (the
 * API's branch records and whether each one's database exists), {@code statuses-heads.txt} (the last tiergate
 * status per context on each open PR's head), {@code statuses-other.txt} (the same on every other SHA),
 * {@code databases.txt} and {@code summary.txt}.
 * <pre>
 * java -cp TEST_CLASS_PATH dev.tiergate.server.bench.CrashMix --seed 1 --deliveries 5000 --branches 200 --prs 50 \
 *   --rate 40 --server http://127.0.0.1:18091 --secret-file S --home TIERGATE_HOME --out DIR
 * </pre>
 */
public final class CrashMix {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CONTEXTS = List.of("tiergate/workflow", "tiergate/migrations");
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, String> args;
    private final String server;
    private final Path out;

    private CrashMix(Map<String, String> args) {
        this.args = args;
        this.server = args.get("server");
        this.out = Path.of(args.get("out"));
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>(Map.of(
                "seed",
                "1",
                "deliveries",
                "5000",
                "branches",
                "200",
                "prs",
                "50",
                "rate",
                "40",
                "settle-seconds",
                "600"));
        for (int i = 0; i + 1 < argv.length; i += 2) {
            a.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        for (String required : List.of("server", "secret-file", "home", "out")) {
            if (!a.containsKey(required)) {
                System.err.println("CrashMix: --" + required + " is required");
                System.exit(2);
            }
        }
        new CrashMix(a).run();
        System.exit(0); // the HTTP clients' and the stand-in's pools may still hold threads
    }

    private int intArg(String name) {
        return Integer.parseInt(args.get(name));
    }

    private void run() throws Exception {
        Files.createDirectories(out);
        try (GitHubApiStub forge = new GitHubApiStub(DeliveryMix.REPO)) {
            forge.rateLimit(15_000); // the crash proof is about kills, not the hour's budget: GitHub's largest
            Files.writeString(out.resolve("forge-url"), forge.url());
            String secret = Files.readString(Path.of(args.get("secret-file"))).strip();
            DeliveryMix mix =
                    new DeliveryMix(forge, Long.parseLong(args.get("seed")), intArg("branches"), intArg("prs"));
            await("the server to answer /healthz", 180, () -> get("/healthz") != null);
            Map<String, Integer> answers = new TreeMap<>();
            List<String> acknowledged = new ArrayList<>();
            int total = intArg("deliveries");
            long periodNanos = 1_000_000_000L / intArg("rate");
            long start = System.nanoTime();
            int sent = 0;
            while (sent < total) {
                for (DeliveryMix.Delivery d : mix.next()) {
                    if (sent == total) {
                        break;
                    }
                    long wait = start + sent * periodNanos - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    String answer = send(d, secret);
                    answers.merge(answer, 1, Integer::sum);
                    if (answer.startsWith("2")) {
                        acknowledged.add(d.id());
                    }
                    Path tmp = out.resolve("progress.tmp"); // moved into place: the script never reads half a number
                    Files.writeString(tmp, Integer.toString(++sent));
                    Files.move(tmp, out.resolve("progress"), StandardCopyOption.ATOMIC_MOVE);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Files.write(out.resolve("acknowledged.txt"), acknowledged);
            long settleStart = System.nanoTime();
            settle();
            double settled = (System.nanoTime() - settleStart) / 1e9;
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("sent", sent);
            summary.put("send_seconds", String.format("%.1f", seconds));
            summary.put("settle_seconds", String.format("%.1f", settled));
            summary.put("answers", answers.toString().replace(" ", ""));
            summary.put("acknowledged", acknowledged.size());
            summary.put("mix", mix.counts().toString());
            collect(forge, mix, acknowledged, summary);
            List<String> lines = new ArrayList<>();
            summary.forEach((k, v) -> lines.add(k + "=" + v));
            Files.write(out.resolve("summary.txt"), lines);
        }
    }

    /** The HTTP status, or what went wrong: "refused" (no server), "timeout", "reset" (the server died mid-request). */
    private String send(DeliveryMix.Delivery d, String secret) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(server + "/webhooks/github"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("X-GitHub-Event", d.event())
                .header("X-GitHub-Delivery", d.id())
                .header("X-Hub-Signature-256", GitHubSignature.sign(secret, d.body()))
                .header("User-Agent", "GitHub-Hookshot/crash-mix")
                .POST(HttpRequest.BodyPublishers.ofByteArray(d.body()))
                .build();
        try {
            return Integer.toString(
                    http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode());
        } catch (ConnectException e) {
            return "refused";
        } catch (HttpTimeoutException e) {
            return "timeout";
        } catch (Exception e) {
            return "reset";
        }
    }

    private String get(String path) {
        try {
            HttpRequest.Builder req =
                    HttpRequest.newBuilder(URI.create(server + path)).timeout(Duration.ofSeconds(10));
            String token = System.getenv("TIERGATE_API_TOKEN"); // /metrics needs it, and with it set so does /api/*
            if (token != null && !token.isBlank()) {
                req.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (Exception e) {
            return null;
        }
    }

    private double metric(String name) {
        String text = get("/metrics");
        if (text == null) {
            return -1;
        }
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).strip());
            }
        }
        return 0;
    }

    /**
     * Inbox and run queue empty, then two reconcile passes finished (one begun after the last delivery), then both
     * empty again.
     */
    private void settle() throws Exception {
        int limit = intArg("settle-seconds");
        await(
                "the inbox and the runs to empty",
                limit,
                () -> metric("tiergate_inbox_depth") == 0 && metric("tiergate_runs_depth") == 0);
        double passes = metric("tiergate_reconciler_passes_total");
        await("two reconcile passes", limit, () -> metric("tiergate_reconciler_passes_total") >= passes + 2);
        await(
                "the inbox and the runs to empty after the reconciler",
                limit,
                () -> metric("tiergate_inbox_depth") == 0 && metric("tiergate_runs_depth") == 0);
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void await(String what, int seconds, Check check) throws Exception {
        long until = System.nanoTime() + seconds * 1_000_000_000L;
        while (!check.ok()) {
            if (System.nanoTime() > until) {
                throw new IllegalStateException("gave up waiting " + seconds + " s for " + what);
            }
            Thread.sleep(200);
        }
    }

    private void collect(GitHubApiStub forge, DeliveryMix mix, List<String> acknowledged, Map<String, Object> summary)
            throws Exception {
        JsonNode records = JSON.readTree(get("/api/v1/repos/" + DeliveryMix.REPO + "/branches"));
        Home home = new Home(Path.of(args.get("home")));
        Home branchCluster = new Home(Path.of(args.get("home")), "branch-pg");
        Set<String> databases = branchCluster.strings("select datname from pg_database where datname like 'tg\\_%'");
        // the postgres backend's per-repository prefix: tg_<8 hex of SHA-256("github:owner/repo")>_
        String prefix = "tg_"
                + HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-256")
                                .digest(("github:" + DeliveryMix.REPO).getBytes(StandardCharsets.UTF_8)))
                        .substring(0, 8)
                + "_";
        // branch records: state, head, database and whether the database exists
        List<String> branches = new ArrayList<>();
        Set<String> recordDbs = new TreeSet<>();
        int missing = 0;
        for (JsonNode r : records) {
            String db = r.path("db_branch").asText();
            boolean exists = databases.contains(prefix + db);
            recordDbs.add(db);
            String state = r.path("state").asText();
            if (!exists && !state.equals("merged") && !isClosedPr(r, mix)) {
                missing++;
            }
            JsonNode v = r.path("verdict");
            branches.add(String.join(
                    " ",
                    r.path("git_branch").asText(),
                    r.path("kind").asText(),
                    state,
                    r.path("head_sha").asText("-"),
                    db,
                    exists ? "db" : "no-db",
                    v.isMissingNode() || v.isNull()
                            ? ""
                            : v.path("state").asText() + ":" + v.path("rule").asText("")));
        }
        branches.sort(null);
        Files.write(out.resolve("branches.txt"), branches);
        // databases: every one is a record's, a tier's template, a ready clone or a merge's snapshot
        List<String> dbLines = new ArrayList<>();
        List<String> orphans = new ArrayList<>();
        int pool = 0;
        for (String d : databases) {
            String name = d.startsWith(prefix) ? d.substring(prefix.length()) : d;
            if (name.startsWith("_pool_")) {
                pool++;
                continue; // random names; their count depends on the refill's timing
            }
            dbLines.add(name);
            if (!recordDbs.contains(name) && !name.startsWith("_tpl_") && !name.matches(".*-backup-pr\\d+")) {
                orphans.add(name);
            }
        }
        Set<String> roles = branchCluster.strings("select rolname from pg_roles where rolname like 'tg\\_%'");
        for (String role : roles) {
            for (String suffix : List.of("_login", "_migrator")) {
                if (role.endsWith(suffix) && !databases.contains(role.substring(0, role.length() - suffix.length()))) {
                    orphans.add("role " + role);
                }
            }
        }
        Files.write(out.resolve("databases.txt"), dbLines);
        // statuses: the last of each tiergate context per SHA; an open PR's head apart (it must not depend on timing)
        Map<Long, String> heads = mix.openHeads();
        List<String> onHeads = new ArrayList<>();
        List<String> other = new ArrayList<>();
        int twice = 0;
        for (String sha : forge.shasWithStatuses()) {
            for (String context : CONTEXTS) {
                List<JsonNode> posted = forge.posted(sha, context);
                for (int i = 1; i < posted.size(); i++) {
                    if (same(posted.get(i - 1), posted.get(i))) {
                        twice++;
                    }
                }
                if (!posted.isEmpty()) {
                    JsonNode last = posted.get(posted.size() - 1);
                    String line = sha + " " + context + " " + last.path("state").asText() + " "
                            + last.path("description").asText();
                    (heads.containsValue(sha) ? onHeads : other).add(line);
                }
            }
        }
        for (Map.Entry<Long, String> h : heads.entrySet()) {
            if (onHeads.stream().noneMatch(l -> l.startsWith(h.getValue() + " "))) {
                onHeads.add(h.getValue() + " (PR #" + h.getKey() + ") no tiergate status");
            }
        }
        onHeads.sort(null);
        Files.write(out.resolve("statuses-heads.txt"), onHeads);
        Files.write(out.resolve("statuses-other.txt"), other);
        // the deliveries: each acknowledged one stored once, processed to the end, with exactly one audit record
        Map<String, String> inbox = new HashMap<>();
        Map<String, Integer> attempts = new HashMap<>();
        home.rows("select delivery_id, status, attempts from inbox where forge = 'github'", rs -> {
            inbox.put(rs.getString(1), rs.getString(2));
            attempts.put(rs.getString(1), rs.getInt(3));
        });
        Map<String, Integer> audited = new HashMap<>();
        home.rows(
                "select subject, count(*) from audit where kind = 'delivery' group by subject",
                rs -> audited.put(rs.getString(1), rs.getInt(2)));
        int notDone = 0;
        int lost = 0;
        int doubled = 0;
        int again = 0;
        List<String> problems = new ArrayList<>();
        for (String id : acknowledged) {
            int n = audited.getOrDefault("github:" + id, 0);
            if (n == 0) {
                lost++;
                problems.add(id + ": acknowledged, no audit record");
            } else if (n > 1) {
                doubled++;
                problems.add(id + ": " + n + " audit records");
            }
            if (!"done".equals(inbox.get(id))) {
                notDone++;
                problems.add(id + ": inbox status " + inbox.get(id));
            }
            if (attempts.getOrDefault(id, 0) > 1) {
                again++;
            }
        }
        Files.write(out.resolve("problems.txt"), problems);
        summary.put("audit_lost", lost);
        summary.put("audit_doubled", doubled);
        summary.put("not_done", notDone);
        summary.put("processed_again_after_kill", again);
        summary.put("branch_records", records.size());
        summary.put("records_missing_db", missing);
        summary.put("orphans", orphans.size() + (orphans.isEmpty() ? "" : " " + orphans));
        summary.put("pool_clones", pool);
        summary.put("status_posted_twice_in_a_row", twice);
        summary.put("open_prs", heads.size());
    }

    private static boolean same(JsonNode a, JsonNode b) {
        return a.path("state").equals(b.path("state"))
                && a.path("description").equals(b.path("description"))
                && a.path("target_url").equals(b.path("target_url"));
    }

    /** A PR's record (pull/N) whose PR was closed without merging: its database is gone on purpose. */
    private static boolean isClosedPr(JsonNode r, DeliveryMix mix) {
        String b = r.path("git_branch").asText();
        return b.startsWith("pull/") && !mix.openHeads().containsKey(Long.parseLong(b.substring(5)));
    }

    /**
     * One of the server's embedded clusters, read directly: the store ({@code pg/url}, {@code pg/password} under
     * TIERGATE_HOME) or the branch cluster ({@code branch-pg/…}).
     */
    private record Home(Path dir, String cluster) {
        Home(Path dir) {
            this(dir, "pg");
        }

        interface Row {
            void take(ResultSet rs) throws Exception;
        }

        Connection connect() throws Exception {
            String url = Files.readString(dir.resolve(cluster + "/url")).strip();
            return DriverManager.getConnection(
                    url,
                    "postgres",
                    Files.readString(dir.resolve(cluster + "/password")).strip());
        }

        void rows(String sql, Row row) throws Exception {
            try (Connection c = connect();
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    row.take(rs);
                }
            }
        }

        Set<String> strings(String sql) throws Exception {
            Set<String> out = new TreeSet<>();
            rows(sql, rs -> out.add(rs.getString(1)));
            return out;
        }
    }
}
