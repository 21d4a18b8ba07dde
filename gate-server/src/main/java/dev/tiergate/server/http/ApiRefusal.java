package dev.tiergate.server.http;

import dev.tiergate.core.rules.Rule;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the API turns away, answered as JSON that says what is wrong and what to do: {@code {"message", "fix"}},
 * with {@code "rule"} first when a rule of the catalog refused it. Thrown from a handler or a before-handler; the
 * server's exception mapper writes it ({@link #answer}).
 */
final class ApiRefusal extends RuntimeException {
    private final int status;
    private final Rule rule;
    private final String fix;
    private final String challenge;

    private ApiRefusal(int status, Rule rule, String message, String fix, String challenge) {
        super(message, null, false, false);
        this.status = status;
        this.rule = rule;
        this.fix = fix;
        this.challenge = challenge;
    }

    /** 401: no usable credentials; {@code challenge} is the WWW-Authenticate value (RFC 6750). */
    static ApiRefusal unauthenticated(String message, String fix, String challenge) {
        return new ApiRefusal(401, null, message, fix, challenge);
    }

    /** 403: the caller is known and may not have this. */
    static ApiRefusal forbidden(String message, String fix) {
        return new ApiRefusal(403, null, message, fix, null);
    }

    /** 403 by a rule of the catalog. */
    static ApiRefusal byRule(Rule rule, String message, String fix) {
        return new ApiRefusal(403, rule, message, fix, null);
    }

    /** 503: something tiergate needs to decide did not answer; asking again later may work. */
    static ApiRefusal unavailable(String message, String fix) {
        return new ApiRefusal(503, null, message, fix, null);
    }

    int status() {
        return status;
    }

    String challenge() {
        return challenge;
    }

    Map<String, Object> answer() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (rule != null) {
            m.put("rule", rule.id());
        }
        m.put("message", getMessage());
        m.put("fix", fix);
        return m;
    }
}
