package dev.tiergate.hooks.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** JSON over HTTP for the forge clients: one request, its answer or a {@link ForgeApi.ForgeFailure} that says why. */
final class JsonCalls {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private JsonCalls() {}

    record Answer(int status, JsonNode body) {}

    /** {@code body}: null for none. A 5xx or no answer is a failure; a 4xx is returned for the caller to word. */
    static Answer call(String forge, String method, URI uri, Map<String, String> headers, Object body)
            throws ForgeApi.ForgeFailure {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).header("Accept", "application/json");
        headers.forEach(b::header);
        try {
            HttpRequest.BodyPublisher p = body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
            if (body != null) {
                b.header("Content-Type", "application/json");
            }
            HttpResponse<String> r = HTTP.send(b.method(method, p).build(), BoundedBody.ofString(BoundedBody.LIMIT));
            JsonNode json = r.body().isBlank() ? JSON.createObjectNode() : parse(r.body());
            if (r.statusCode() >= 500) {
                throw new ForgeApi.ForgeFailure(
                        false,
                        r.statusCode(),
                        forge + " answered " + r.statusCode() + " to " + method + " " + uri.getPath()
                                + "; try again later");
            }
            return new Answer(r.statusCode(), json);
        } catch (IOException e) {
            if (BoundedBody.tooLarge(e).isPresent()) {
                throw new ForgeApi.ForgeFailure(
                        false,
                        0,
                        forge + " at " + uri.getHost() + ": "
                                + BoundedBody.tooLarge(e).get().getMessage() + " (" + method + " " + uri.getPath()
                                + ")");
            }
            throw new ForgeApi.ForgeFailure(
                    false, 0, forge + " does not answer at " + uri.getHost() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ForgeApi.ForgeFailure(false, 0, "interrupted");
        }
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode().put("message", body.length() > 200 ? body.substring(0, 200) : body);
        }
    }

    /** The forge's own words for a refusal: GitHub's message and errors, GitLab's message (a string or a list). */
    static String message(JsonNode body) {
        StringBuilder s = new StringBuilder();
        JsonNode m = body.path("message");
        if (m.isArray()) {
            m.forEach(x -> s.append(s.length() == 0 ? "" : "; ").append(x.asText()));
        } else if (m.isObject()) {
            m.fields()
                    .forEachRemaining(e -> s.append(s.length() == 0 ? "" : "; ")
                            .append(e.getKey())
                            .append(" ")
                            .append(e.getValue()));
        } else {
            s.append(m.asText(body.path("error").asText("")));
        }
        for (JsonNode e : body.path("errors")) {
            String em = e.path("message").asText("");
            String field = e.path("field").asText("");
            s.append(s.length() == 0 ? "" : "; ")
                    .append(
                            !em.isEmpty()
                                    ? em
                                    : field.isEmpty()
                                            ? e.toString()
                                            : field + " is " + e.path("code").asText());
        }
        return s.toString();
    }
}
