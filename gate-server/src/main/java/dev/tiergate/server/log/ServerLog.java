package dev.tiergate.server.log;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.server.inbox.Delivery;
import dev.tiergate.server.inbox.DeliveryLog;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code tiergate server} itself says, on standard output: one line when it starts (where it listens, its store,
 * its forges), a line while a slow step runs (the embedded PostgreSQL's first start), and one line per delivery with
 * its outcome. {@code text} is for people; {@code json} ({@code TIERGATE_LOG_FORMAT=json}) is one object per line for
 * log shippers. The libraries' own logs go to standard error through SLF4J, at WARN unless {@code --verbose}.
 */
public final class ServerLog implements DeliveryLog {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final PrintStream out;
    private final boolean json;
    private final Clock clock;

    public ServerLog(PrintStream out, String format, Clock clock) {
        this.out = out;
        this.json = "json".equals(format);
        this.clock = clock;
    }

    /** The start-up line. */
    public void started(String listen, String store, List<String> forges, String warning) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("listen", listen);
        f.put("store", store);
        f.put("forges", forges);
        if (warning != null) {
            f.put("warning", warning);
        }
        emit(
                "started",
                f,
                "tiergate server listening on " + listen + "; store: " + store + "; forges: "
                        + (forges.isEmpty() ? "none" : String.join(", ", forges))
                        + (warning == null ? "" : " — WARNING: " + warning));
    }

    /** A step that takes a while, said before it starts. */
    public void progress(String text) {
        emit("progress", Map.of("message", text), text);
    }

    @Override
    public void handled(Delivery d, Outcome outcome, long millis, String detail) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("outcome", outcome.wireName());
        f.put("forge", d.forge());
        f.put("event", d.eventType());
        f.put("delivery_id", d.deliveryId());
        f.put("attempt", d.attempts());
        f.put("ms", millis);
        if (detail != null) {
            f.put("detail", detail);
        }
        emit(
                "delivery",
                f,
                "delivery " + outcome.wireName() + " " + d.forge() + " " + d.eventType() + " " + d.deliveryId() + " "
                        + millis + " ms" + (d.attempts() > 1 ? " (attempt " + d.attempts() + ")" : "")
                        + (detail == null ? "" : ": " + detail));
    }

    private synchronized void emit(String kind, Map<String, Object> fields, String text) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        if (!json) {
            out.println(now + " " + text);
            return;
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("ts", now.toString());
        line.put("kind", kind);
        line.putAll(fields);
        try {
            out.println(JSON.writeValueAsString(line));
        } catch (JsonProcessingException e) {
            out.println(now + " " + text);
        }
    }
}
