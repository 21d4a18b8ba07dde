import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Open-loop load: signed GitHub deliveries at a fixed offered rate to one loopback URL, each sent at its planned
 * moment whether or not earlier ones were answered, so a slow server shows as latency, not as a lower rate.
 * Latency is measured from the planned moment (no coordinated omission). Bounded: at most rate × seconds requests,
 * and it stops waiting 30 s after the last one was due. Run with `java bench/load/LoadGen.java`.
 *
 *   --url http://127.0.0.1:PORT/webhooks/github --secret S --rate 1000 --seconds 10 [--event star] [--prefix run1]
 *   [--warmup 2]  (seconds at the same rate, sent first and not counted)
 * Prints one line: offered/s achieved/s sent 2xx non-2xx errors p50 p90 p99 p99.9 max (ms).
 */
public class LoadGen {
    public static void main(String[] args) throws Exception {
        String url = null, secret = null, event = "star", prefix = "load-" + System.currentTimeMillis();
        double rate = 100, seconds = 5, warmup = 0;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--url" -> url = args[i + 1];
                case "--secret" -> secret = args[i + 1];
                case "--rate" -> rate = Double.parseDouble(args[i + 1]);
                case "--seconds" -> seconds = Double.parseDouble(args[i + 1]);
                case "--warmup" -> warmup = Double.parseDouble(args[i + 1]);
                case "--event" -> event = args[i + 1];
                case "--prefix" -> prefix = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (url == null || secret == null || !URI.create(url).getHost().matches("127\\.0\\.0\\.1|localhost")) {
            throw new IllegalArgumentException("--url (loopback only) and --secret are required");
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newFixedThreadPool(4)).connectTimeout(Duration.ofSeconds(5)).build();
        if (warmup > 0) {
            run(http, url, secret, event, prefix + "-w", rate, warmup);
        }
        long[] r = run(http, url, secret, event, prefix, rate, seconds);
        System.out.println(String.join(" ", Arrays.stream(r).mapToObj(Long::toString).toList()));
        System.exit(0); // the client's executor threads would keep the JVM up
    }

    /** Returns offered, achieved, sent, ok, non2xx, errors, then p50 p90 p99 p99.9 max in microseconds. */
    static long[] run(HttpClient http, String url, String secret, String event, String prefix, double rate, double seconds) throws Exception {
        int n = (int) Math.round(rate * seconds);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        List<HttpRequest> requests = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String id = prefix + "-" + i;
            byte[] body = ("{\"action\":\"created\",\"starred_at\":null,\"repository\":{\"full_name\":\"bench/load\",\"id\":1},"
                    + "\"sender\":{\"login\":\"bench\",\"type\":\"User\"},\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
            String sig = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
            requests.add(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json").header("X-GitHub-Event", event)
                    .header("X-GitHub-Delivery", id).header("X-Hub-Signature-256", sig)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
        }
        long[] latency = new long[n];
        Arrays.fill(latency, 30_000_000); // not answered within the wait: counted as 30 s
        AtomicInteger ok = new AtomicInteger(), non2xx = new AtomicInteger(), errors = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(n);
        long periodNanos = (long) (1e9 / rate);
        long t0 = System.nanoTime() + 50_000_000;
        for (int i = 0; i < n; i++) {
            long planned = t0 + i * periodNanos;
            long wait;
            while ((wait = planned - System.nanoTime()) > 0) {
                LockSupport.parkNanos(Math.min(wait, 200_000));
            }
            int k = i;
            http.sendAsync(requests.get(i), HttpResponse.BodyHandlers.discarding()).whenComplete((res, err) -> {
                latency[k] = (System.nanoTime() - planned) / 1000;
                if (err != null) {
                    errors.incrementAndGet();
                } else if (res.statusCode() / 100 == 2) {
                    ok.incrementAndGet();
                } else {
                    non2xx.incrementAndGet();
                }
                done.countDown();
            });
        }
        long lastDue = t0 + (n - 1) * periodNanos;
        boolean all = done.await(30, TimeUnit.SECONDS);
        long end = System.nanoTime();
        long[] sorted = latency.clone();
        Arrays.sort(sorted);
        long achieved = (long) (ok.get() / ((Math.max(end, lastDue) - t0) / 1e9));
        return new long[] {(long) rate, achieved, n, ok.get(), non2xx.get(), errors.get() + (all ? 0 : (int) done.getCount()),
                pct(sorted, 50), pct(sorted, 90), pct(sorted, 99), pct(sorted, 99.9), sorted[n - 1]};
    }

    static long pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1)];
    }
}
