package dev.tiergate.hooks.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Function;

/**
 * The tiergate server's API for the agent commands: {@code TIERGATE_SERVER} (default http://localhost:8080), with the
 * actor's own token ({@code TIERGATE_TOKEN}, made by {@code tiergate token create}) or else the admin token
 * ({@code TIERGATE_API_TOKEN}); a server that sets no admin token answers reads without one.
 */
public final class ServerClient {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    private final String base;
    private final String token;

    public ServerClient(String base, String token) {
        String b = base == null || base.isBlank() ? "http://localhost:8080" : base.strip();
        this.base = b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
        this.token = token == null || token.isBlank() ? null : token.strip();
    }

    public static ServerClient fromEnvironment(String serverOption, Function<String, String> env) {
        String token = env.apply("TIERGATE_TOKEN");
        if (token == null || token.isBlank()) {
            token = env.apply("TIERGATE_API_TOKEN");
        }
        return new ServerClient(serverOption != null ? serverOption : env.apply("TIERGATE_SERVER"), token);
    }

    public String base() {
        return base;
    }

    /** An answer: its HTTP status and JSON body (an empty object when it had none). */
    public record Answer(int status, JsonNode body) {
        public boolean ok() {
            return status == 200;
        }

        /** The server's words for a refusal. */
        public String error() {
            return body.path("error").asText(body.path("title").asText("HTTP " + status));
        }
    }

    /** The server could not be reached, or answered with a 5xx. */
    public static final class Unreachable extends Exception {
        public Unreachable(String message) {
            super(message);
        }
    }

    /** The body as JSON; a body that is not JSON (a proxy's page) becomes {@code {"error": <its start>}}. */
    private static JsonNode parse(String body) {
        if (body.isBlank()) {
            return JsonCalls.JSON.createObjectNode();
        }
        try {
            return JsonCalls.JSON.readTree(body);
        } catch (IOException e) {
            return JsonCalls.JSON.createObjectNode().put("error", body.length() > 200 ? body.substring(0, 200) : body);
        }
    }

    public Answer get(String pathAndQuery, Duration timeout) throws Unreachable {
        return send("GET", pathAndQuery, timeout);
    }

    public Answer post(String pathAndQuery) throws Unreachable {
        return post(pathAndQuery, Duration.ofSeconds(30));
    }

    public Answer post(String pathAndQuery, Duration timeout) throws Unreachable {
        return send("POST", pathAndQuery, timeout);
    }

    private Answer send(String method, String pathAndQuery, Duration timeout) throws Unreachable {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .timeout(timeout)
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = HTTP.send(b.build(), BoundedBody.ofString(BoundedBody.LIMIT));
            JsonNode body = parse(r.body());
            if (r.statusCode() >= 500) {
                throw new Unreachable(base + " answered " + r.statusCode() + ": "
                        + body.path("error").asText(""));
            }
            return new Answer(r.statusCode(), body);
        } catch (IOException e) {
            if (BoundedBody.tooLarge(e).isPresent()) {
                throw new Unreachable(
                        base + ": " + BoundedBody.tooLarge(e).get().getMessage() + "; check TIERGATE_SERVER");
            }
            throw new Unreachable(base + " does not answer (" + e.getMessage()
                    + "); start it (tiergate server), or point --server or TIERGATE_SERVER at it");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted");
        } catch (IllegalArgumentException e) {
            throw new Unreachable("TIERGATE_SERVER is not a URL: " + base);
        }
    }
}
