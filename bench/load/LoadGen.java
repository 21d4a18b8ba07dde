import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
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
 *   [--client socket|jdk]  socket (default): wrk2's model, a fixed set of keep-alive connections, one thread each,
 *   writing requests serialised before the clock starts; a request whose moment comes while every connection is busy
 *   waits for one, and that wait counts as latency. jdk: the JDK's HttpClient (sendAsync), which costs the shared CPU
 *   several times more per request (BENCHMARKS.md compares the two in one run).
 *   [--connections 64]  for the socket client
 * Prints one line: offered/s achieved/s sent 2xx non-2xx errors p50 p90 p99 p99.9 max (ms).
 */
public class LoadGen {
    public static void main(String[] args) throws Exception {
        String url = null, secret = null, event = "star", prefix = "load-" + System.currentTimeMillis();
        double rate = 100, seconds = 5, warmup = 0;
        String client = "socket";
        int connections = 64;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--url" -> url = args[i + 1];
                case "--secret" -> secret = args[i + 1];
                case "--rate" -> rate = Double.parseDouble(args[i + 1]);
                case "--seconds" -> seconds = Double.parseDouble(args[i + 1]);
                case "--warmup" -> warmup = Double.parseDouble(args[i + 1]);
                case "--event" -> event = args[i + 1];
                case "--prefix" -> prefix = args[i + 1];
                case "--client" -> client = args[i + 1];
                case "--connections" -> connections = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (url == null || secret == null || !URI.create(url).getHost().matches("127\\.0\\.0\\.1|localhost")) {
            throw new IllegalArgumentException("--url (loopback only) and --secret are required");
        }
        if (client.equals("socket")) {
            URI u = URI.create(url);
            if (warmup > 0) {
                runSockets(u, secret, event, prefix + "-w", rate, warmup, connections);
            }
            long[] r = runSockets(u, secret, event, prefix, rate, seconds, connections);
            System.out.println(String.join(" ", Arrays.stream(r).mapToObj(Long::toString).toList()));
            System.exit(0);
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
            byte[] body = body(i);
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

    static byte[] body(int i) {
        return ("{\"action\":\"created\",\"starred_at\":null,\"repository\":{\"full_name\":\"bench/load\",\"id\":1},"
                + "\"sender\":{\"login\":\"bench\",\"type\":\"User\"},\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** The socket client: see the class comment. Same result columns as {@link #run}. */
    static long[] runSockets(URI url, String secret, String event, String prefix, double rate, double seconds, int connections)
            throws Exception {
        int n = (int) Math.round(rate * seconds);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[][] requests = new byte[n][];
        for (int i = 0; i < n; i++) {
            byte[] body = body(i);
            String head = "POST " + url.getRawPath() + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + url.getPort()
                    + "\r\nContent-Type: application/json\r\nX-GitHub-Event: " + event + "\r\nX-GitHub-Delivery: " + prefix + "-" + i
                    + "\r\nX-Hub-Signature-256: sha256=" + HexFormat.of().formatHex(mac.doFinal(body))
                    + "\r\nContent-Length: " + body.length + "\r\n\r\n";
            byte[] h = head.getBytes(StandardCharsets.US_ASCII);
            requests[i] = Arrays.copyOf(h, h.length + body.length);
            System.arraycopy(body, 0, requests[i], h.length, body.length);
        }
        long[] latency = new long[n];
        Arrays.fill(latency, 30_000_000);
        AtomicInteger next = new AtomicInteger(), ok = new AtomicInteger(), non2xx = new AtomicInteger(), errors = new AtomicInteger();
        long periodNanos = (long) (1e9 / rate);
        long t0 = System.nanoTime() + 200_000_000; // connections open first
        long giveUp = t0 + (long) (seconds * 1e9) + 30_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Thread t = new Thread(() -> {
                Socket socket = null;
                InputStream in = null;
                OutputStream out = null;
                for (int i; (i = next.getAndIncrement()) < n; ) {
                    long planned = t0 + i * periodNanos;
                    long wait;
                    while ((wait = planned - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait); // one wake-up per request: short slices cost the shared CPU
                    }
                    if (System.nanoTime() > giveUp) {
                        errors.incrementAndGet();
                        continue;
                    }
                    try {
                        if (socket == null) {
                            socket = new Socket();
                            socket.setTcpNoDelay(true);
                            socket.connect(new InetSocketAddress(url.getHost(), url.getPort()), 5000);
                            socket.setSoTimeout(30_000);
                            in = new BufferedInputStream(socket.getInputStream(), 8192);
                            out = socket.getOutputStream();
                        }
                        out.write(requests[i]);
                        out.flush();
                        int status = readResponse(in);
                        latency[i] = (System.nanoTime() - planned) / 1000;
                        (status / 100 == 2 ? ok : non2xx).incrementAndGet();
                    } catch (IOException e) {
                        errors.incrementAndGet();
                        try {
                            if (socket != null) {
                                socket.close();
                            }
                        } catch (IOException ignored) {
                            // closing a broken connection
                        }
                        socket = null;
                    }
                }
                try {
                    if (socket != null) {
                        socket.close();
                    }
                } catch (IOException ignored) {
                    // done
                }
            });
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        long end = System.nanoTime();
        long lastDue = t0 + (n - 1) * periodNanos;
        long[] sorted = latency.clone();
        Arrays.sort(sorted);
        long achieved = (long) (ok.get() / ((Math.max(end, lastDue) - t0) / 1e9));
        return new long[] {(long) rate, achieved, n, ok.get(), non2xx.get(), errors.get(),
                pct(sorted, 50), pct(sorted, 90), pct(sorted, 99), pct(sorted, 99.9), sorted[n - 1]};
    }

    /** Reads one HTTP/1.1 response (Content-Length or chunked body) and returns its status code. */
    static int readResponse(InputStream in) throws IOException {
        String status = line(in);
        int code = Integer.parseInt(status.substring(9, 12));
        long length = 0;
        boolean chunked = false;
        for (String h; !(h = line(in)).isEmpty(); ) {
            String lower = h.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        if (!chunked) {
            in.skipNBytes(length);
            return code;
        }
        for (long size; (size = Long.parseLong(line(in).split(";")[0].trim(), 16)) > 0; ) {
            in.skipNBytes(size);
            line(in);
        }
        while (!line(in).isEmpty()) {
            // trailers
        }
        return code;
    }

    static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("connection closed mid-response");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    static long pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1)];
    }
}
