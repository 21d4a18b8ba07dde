package dev.tiergate.server.audit;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the anchor at the committed head of the trail: every {@link #EVERY} it reads the last record (one indexed
 * row) and rewrites the anchor when the head moved, and once more on close. The webhook acknowledgement never
 * waits for the file; the anchor lags the table by at most {@link #EVERY} (plus a crash: then it may be one update
 * behind, which verify reports as nothing missing, never as a false alarm).
 */
public final class AnchorKeeper implements AutoCloseable {
    public static final Duration EVERY = Duration.ofMillis(250);
    private static final Logger LOG = LoggerFactory.getLogger(AnchorKeeper.class);
    private final AuditLog audit;
    private final AuditAnchor anchor;
    private final ScheduledExecutorService timer;
    private volatile String writtenHash;
    private volatile long writtenSeq;

    public AnchorKeeper(AuditLog audit, AuditAnchor anchor) {
        this.audit = audit;
        this.anchor = anchor;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tiergate-audit-anchor");
            t.setDaemon(true);
            return t;
        });
        anchor.read().ifPresent(h -> {
            writtenSeq = h.seq();
            writtenHash = h.hash();
        });
        timer.scheduleWithFixedDelay(this::anchorNow, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    public synchronized void anchorNow() {
        try {
            audit.head().ifPresent(h -> {
                long seq = Long.parseLong(h[0]);
                if (seq < writtenSeq) {
                    // never move the anchor back: that would hide deleted records
                    LOG.error(
                            "the audit trail ends at record {} but the anchor says {}: records were deleted; run tiergate audit verify",
                            seq,
                            writtenSeq);
                } else if (!h[1].equals(writtenHash)) {
                    anchor.write(seq, h[1]);
                    writtenSeq = Long.parseLong(h[0]);
                    writtenHash = h[1];
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("audit anchor: {}", e.getMessage());
        }
    }

    /** For /healthz: the head the anchor file holds. */
    public Map<String, Object> shown() {
        String hash = writtenHash;
        return hash == null
                ? Map.of("audit_anchor", Map.of("seq", 0))
                : Map.of(
                        "audit_anchor",
                        Map.of(
                                "seq",
                                writtenSeq,
                                "hash",
                                hash,
                                "file",
                                anchor.file().toString()));
    }

    @Override
    public void close() {
        timer.shutdownNow();
        anchorNow();
    }
}
