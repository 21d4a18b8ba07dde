package dev.tiergate.server.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Semaphore;

/**
 * Reads webhook bodies with bounded memory: at most {@code concurrent} bodies are read at once (the rest are told
 * to come back, 503), a body stops being read at the cap (so at most {@code concurrent × cap} bytes are ever held),
 * and a body that takes longer than the deadline as a whole is dropped. Slow senders are also cut off by Jetty's
 * minimum data rate and idle timeout (see {@code GateServer}).
 */
final class BodyReader {
    private final Semaphore permits;
    private final long cap;
    private final Duration deadline;

    sealed interface Result {}

    record Body(byte[] bytes) implements Result {}

    record Refused(int status, String message) implements Result {}

    BodyReader(int concurrent, long cap, Duration deadline) {
        this.permits = new Semaphore(concurrent);
        this.cap = cap;
        this.deadline = deadline;
    }

    Result read(long declaredLength, InputStream in) {
        if (declaredLength > cap) {
            return new Refused(413, "body of " + declaredLength + " bytes is over the 25 MB limit");
        }
        if (!permits.tryAcquire()) {
            return new Refused(503, "too many webhook bodies are being read right now; retry shortly");
        }
        try {
            long start = System.nanoTime();
            if (declaredLength >= 0) {
                // the length is known: one array of exactly that size, no copies
                byte[] body = new byte[(int) declaredLength];
                int off = 0;
                while (off < body.length) {
                    int n = in.read(body, off, Math.min(64 * 1024, body.length - off));
                    if (n < 0) {
                        return new Refused(400, "body ended after " + off + " of " + declaredLength + " bytes");
                    }
                    off += n;
                    if (System.nanoTime() - start > deadline.toNanos()) {
                        return new Refused(408, "body not received within " + deadline.toSeconds() + " s");
                    }
                }
                return new Body(body);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                total += n;
                if (total > cap) {
                    return new Refused(413, "body is over the 25 MB limit");
                }
                out.write(buf, 0, n);
                if (System.nanoTime() - start > deadline.toNanos()) {
                    return new Refused(408, "body not received within " + deadline.toSeconds() + " s");
                }
            }
            return new Body(out.toByteArray());
        } catch (IOException e) {
            // Jetty's minimum data rate and idle timeout end up here
            return new Refused(408, "body could not be read: " + e.getMessage());
        } finally {
            permits.release();
        }
    }
}
