package dev.tiergate.server.gate;

import dev.tiergate.core.gate.GateStatus;
import dev.tiergate.core.publish.PublicWords;
import dev.tiergate.core.publish.PublishedError;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.server.backend.BackendException;
import dev.tiergate.server.forge.ForgeException;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a pull request's verdict says while the delivery about it waits for a retry: on what (the forge, the
 * database branch backend), why in a few words, and when it is tried again, e.g. "Waiting on the database branch
 * backend (connection refused); retry 3 at 04:12:30Z [gate.waiting]". A pending status, so nothing merges on a
 * verdict tiergate could not finish.
 */
final class WaitingVerdict {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern HTTP_STATUS = Pattern.compile("answered (\\d{3})");

    private WaitingVerdict() {}

    /** {@code retryAt} null: the delivery was parked after {@code attempts} attempts. */
    static GateStatus of(String forgeName, Throwable cause, int attempts, Instant retryAt) {
        String on = "Waiting on " + on(forgeName, cause);
        return GateStatus.pending(
                Rule.GATE_WAITING.id(),
                retryAt == null
                        ? "Gave up for now: " + on.substring("Waiting on ".length()) + " after " + attempts
                                + " attempts; the next reconcile pass tries again"
                        : on + "; retry " + (attempts + 1) + " at " + TIME.format(retryAt));
    }

    /** Whether the forge is what failed: then no status can (or should, when it rate-limits) be posted. */
    static boolean forgeFailed(Throwable cause) {
        return find(cause, ForgeException.class) != null;
    }

    static String on(String forgeName, Throwable cause) {
        ForgeException forge = find(cause, ForgeException.class);
        if (forge != null) {
            return forgeName + " (" + why(forge) + ")";
        }
        BackendException backend = find(cause, BackendException.class);
        if (backend != null) {
            return "the database branch backend (" + why(backend) + ")";
        }
        return "a retry after " + cause.getClass().getSimpleName() + " (" + why(cause) + ")";
    }

    /**
     * A few words: the HTTP status, "rate limited", "connection refused", "timed out"; a database's error as
     * {@link PublishedError} publishes it; else the last clause of the message.
     */
    static String why(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(' ')
                    .append(t.getMessage())
                    .append(' ')
                    .append(t.getClass().getSimpleName());
        }
        String text = all.toString();
        String lower = text.toLowerCase(Locale.ROOT);
        Matcher http = HTTP_STATUS.matcher(text);
        if (lower.contains("rate limit") || text.contains("answered 429")) {
            return "rate limited" + (http.find() ? ", HTTP " + http.group(1) : "");
        }
        if (http.find()) {
            return "HTTP " + http.group(1);
        }
        if (lower.contains("connection refused") || lower.contains("connectexception")) {
            return "connection refused";
        }
        if (lower.contains("timed out") || lower.contains("timeout")) {
            return "timed out";
        }
        SQLException sql = find(e, SQLException.class);
        if (sql != null) { // the database's words: only its SQLSTATE and its own vocabulary are published (issue 24)
            String reduced = PublishedError.of(sql.getSQLState(), sql.getMessage(), PublicWords.none(), null, 0)
                    .text();
            return reduced.length() <= 60 ? reduced : reduced.substring(0, 59) + "\u2026";
        }
        String message = String.valueOf(e.getMessage());
        String last = message.substring(message.lastIndexOf(": ") < 0 ? 0 : message.lastIndexOf(": ") + 2)
                .strip();
        return last.length() <= 60 ? last : last.substring(0, 59) + "\u2026";
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
