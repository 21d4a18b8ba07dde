package dev.tiergate.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.server.audit.AuditLog;
import dev.tiergate.server.inbox.Inbox;
import dev.tiergate.server.inbox.WebhookReceiver;
import dev.tiergate.server.inbox.WorkerPool;
import io.javalin.http.Context;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code POST /webhooks/{forge}}: authenticate the raw bytes, check the body is JSON, store it in the inbox keyed
 * by the forge's delivery id, answer 202 at once. Deciding happens later, in a worker; this class never parses
 * an event's meaning.
 */
final class WebhookEndpoint {
    static final long MAX_BODY = 25L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, WebhookReceiver> receivers;
    private final Inbox inbox;
    private final AuditLog audit;
    private final WorkerPool workers;

    WebhookEndpoint(Map<String, WebhookReceiver> receivers, Inbox inbox, AuditLog audit, WorkerPool workers) {
        this.receivers = receivers;
        this.inbox = inbox;
        this.audit = audit;
        this.workers = workers;
    }

    void handle(Context ctx) {
        WebhookReceiver receiver = receivers.get(ctx.pathParam("forge"));
        if (receiver == null) {
            error(ctx, 404, "no forge '" + ctx.pathParam("forge") + "' is configured on this server; configured: " + receivers.keySet());
            return;
        }
        long declared = ctx.contentLength();
        if (declared > MAX_BODY) {
            error(ctx, 413, "body of " + declared + " bytes is over the 25 MB limit");
            return;
        }
        byte[] body = ctx.bodyAsBytes();
        if (body.length > MAX_BODY) {
            error(ctx, 413, "body is over the 25 MB limit");
            return;
        }
        Map<String, String> headers = new HashMap<>();
        ctx.headerMap().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
        String authProblem = receiver.authenticationProblem(headers, body);
        if (authProblem != null) {
            error(ctx, 401, authProblem);
            return;
        }
        try {
            JSON.readTree(body);
        } catch (JsonProcessingException e) {
            error(ctx, 400, "body is not valid JSON: " + e.getOriginalMessage());
            return;
        } catch (java.io.IOException e) {
            error(ctx, 400, "body cannot be read: " + e.getMessage());
            return;
        }
        if (body.length == 0) {
            error(ctx, 400, "empty body");
            return;
        }
        String deliveryId = receiver.deliveryId(headers, body);
        if (deliveryId == null || deliveryId.isBlank()) {
            error(ctx, 400, "no delivery id header (GitHub: X-GitHub-Delivery; GitLab: Idempotency-Key or X-Gitlab-Event-UUID)");
            return;
        }
        String event = receiver.eventType(headers);
        headers.keySet().removeIf(WebhookEndpoint::isSecretHeader);
        int bytes = body.length;
        boolean fresh = inbox.receive(receiver.forge(), deliveryId, event, headers, body,
                c -> audit.append(c, "delivery", null, receiver.forge() + ":" + deliveryId, Map.of("forge", receiver.forge(),
                        "event", event, "delivery_id", deliveryId, "bytes", bytes)));
        if (fresh) {
            workers.wakeUp();
        }
        ctx.status(202).json(Map.of("delivery", deliveryId, "duplicate", !fresh));
    }

    /** Tokens and signatures are checked, never stored. */
    static boolean isSecretHeader(String name) {
        return name.equals("x-gitlab-token") || name.equals("authorization") || name.contains("signature");
    }

    private static void error(Context ctx, int status, String message) {
        ctx.status(status).json(Map.of("error", message));
    }
}
