package dev.tiergate.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.server.audit.AuditKind;
import dev.tiergate.server.audit.AuditLog;
import dev.tiergate.server.forge.WebhookReceiver;
import dev.tiergate.server.inbox.Inbox;
import dev.tiergate.server.inbox.IngestPressure;
import dev.tiergate.server.inbox.WorkerPool;
import dev.tiergate.server.metrics.GateMetrics;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /webhooks/{forge}}: authenticate the raw bytes, check the body is JSON, store it in the inbox keyed
 * by the forge's delivery id, answer 202 at once. Deciding happens later, in a worker; this class never parses
 * an event's meaning.
 */
final class WebhookEndpoint {
    static final long MAX_BODY = 25L * 1024 * 1024;
    /**
     * Bodies read at once: at most 8, and at most what a quarter of the heap holds at the 25 MB cap (4 with the
     * launcher's -Xmx512m), so even the worst case leaves the heap to the rest of the server.
     */
    static final int CONCURRENT_BODIES =
            (int) Math.max(1, Math.min(8, Runtime.getRuntime().maxMemory() / 4 / (25L * 1024 * 1024)));

    static final Duration BODY_DEADLINE = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, WebhookReceiver> receivers;
    private final Inbox inbox;
    private final AuditLog audit;
    private final WorkerPool workers;
    private final GateMetrics metrics;
    private final BodyReader bodies = new BodyReader(CONCURRENT_BODIES, MAX_BODY, BODY_DEADLINE);
    private final IngestPressure ingest;

    WebhookEndpoint(
            Map<String, WebhookReceiver> receivers,
            Inbox inbox,
            AuditLog audit,
            WorkerPool workers,
            GateMetrics metrics,
            IngestPressure ingest) {
        this.ingest = ingest;
        this.metrics = metrics;
        this.receivers = receivers;
        this.inbox = inbox;
        this.audit = audit;
        this.workers = workers;
    }

    void handle(Context ctx) {
        long started = System.nanoTime();
        String[] eventAndOutcome = {null, "invalid"};
        String forge = ctx.pathParam("forge");
        ingest.started();
        try {
            handle(ctx, eventAndOutcome);
        } finally {
            ingest.finished();
            if (receivers.containsKey(forge)) {
                metrics.received(forge, eventAndOutcome[0], eventAndOutcome[1], System.nanoTime() - started);
            }
        }
    }

    private void handle(Context ctx, String[] eventAndOutcome) {
        WebhookReceiver receiver = receivers.get(ctx.pathParam("forge"));
        if (receiver == null) {
            error(
                    ctx,
                    404,
                    "no forge '" + ctx.pathParam("forge") + "' is configured on this server; configured: "
                            + receivers.keySet());
            return;
        }
        byte[] body;
        BodyReader.Result read;
        try {
            read = bodies.read(ctx.req().getContentLengthLong(), ctx.req().getInputStream());
        } catch (IOException e) {
            read = new BodyReader.Refused(400, "body cannot be read: " + e.getMessage());
        }
        if (read instanceof BodyReader.Refused r) {
            if (r.status() == 503) {
                ctx.header("Retry-After", "2");
                eventAndOutcome[1] = "unavailable";
            }
            answerNow(ctx, r.status(), r.message());
            return;
        }
        body = ((BodyReader.Body) read).bytes();
        Map<String, String> headers = new HashMap<>();
        ctx.headerMap().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
        String authProblem = receiver.authenticationProblem(headers, body);
        eventAndOutcome[0] = receiver.eventType(headers);
        if (authProblem != null) {
            eventAndOutcome[1] = "unauthenticated";
            error(ctx, 401, authProblem);
            return;
        }
        try {
            JSON.readTree(body);
        } catch (JsonProcessingException e) {
            error(ctx, 400, "body is not valid JSON: " + e.getOriginalMessage());
            return;
        } catch (IOException e) {
            error(ctx, 400, "body cannot be read: " + e.getMessage());
            return;
        }
        if (body.length == 0) {
            error(ctx, 400, "empty body");
            return;
        }
        String deliveryId = receiver.deliveryId(headers, body);
        if (deliveryId == null || deliveryId.isBlank()) {
            error(
                    ctx,
                    400,
                    "no delivery id header (GitHub: X-GitHub-Delivery; GitLab: Idempotency-Key or X-Gitlab-Event-UUID)");
            return;
        }
        String event = receiver.eventType(headers);
        headers.keySet().removeIf(WebhookEndpoint::isSecretHeader);
        int bytes = body.length;
        boolean fresh;
        try {
            fresh = inbox.receive(
                    receiver.forge(),
                    deliveryId,
                    event,
                    headers,
                    body,
                    new AuditLog.Entry(
                            AuditKind.DELIVERY,
                            null,
                            receiver.forge() + ":" + deliveryId,
                            Map.of(
                                    "forge",
                                    receiver.forge(),
                                    "event",
                                    event,
                                    "delivery_id",
                                    deliveryId,
                                    "bytes",
                                    bytes)));
        } catch (RuntimeException e) {
            // not stored, so not acknowledged: a 503 makes the forge deliver it again (a 2xx would lose it)
            eventAndOutcome[1] = "unavailable";
            ctx.header("Retry-After", "5");
            LoggerFactory.getLogger(WebhookEndpoint.class)
                    .warn("delivery {} {} not stored: {}", receiver.forge(), deliveryId, e.getMessage());
            error(ctx, 503, "the delivery could not be stored right now; deliver it again");
            return;
        }
        eventAndOutcome[1] = fresh ? "accepted" : "duplicate";
        if (fresh) {
            workers.wakeUp();
        }
        ctx.status(202).json(Map.of("delivery", deliveryId, "duplicate", !fresh));
    }

    /** Tokens and signatures are checked, never stored. */
    static boolean isSecretHeader(String name) {
        return name.equals("x-gitlab-token") || name.equals("authorization") || name.contains("signature");
    }

    /**
     * Answers and flushes at once, before the rest of the unread body would be drained, and closes the connection:
     * the sender learns at once and the connection is not kept for what it still sends.
     */
    private static void answerNow(Context ctx, int status, String message) {
        try {
            var res = ctx.res();
            res.setStatus(status);
            res.setHeader("Connection", "close");
            res.setContentType("application/json");
            res.getOutputStream().write(JSON.writeValueAsBytes(Map.of("error", message)));
            res.flushBuffer();
        } catch (IOException e) {
            // the client is gone: nothing to answer
        }
    }

    private static void error(Context ctx, int status, String message) {
        ctx.status(status).json(Map.of("error", message));
    }
}
