package dev.tiergate.server.forge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A thin JSON-over-HTTP client shared by the forge adapters: one place that maps transport failures, 5xx and
 * 429 to retryable {@link ForgeException}s and other 4xx to final ones. Tokens are sent as headers and never
 * appear in exception messages.
 */
public final class JsonHttp {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String baseUrl;
    private final Map<String, String> headers;

    public JsonHttp(String baseUrl, Map<String, String> headers) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.headers = Map.copyOf(headers);
    }

    public record Response(int status, JsonNode body, HttpResponse<byte[]> raw) {
    }

    public JsonNode get(String path) {
        return send("GET", path, null, false).body();
    }

    /** GET that answers empty on 404. */
    public Optional<Response> getIfExists(String path) {
        Response r = send("GET", path, null, true);
        return r.status() == 404 ? Optional.empty() : Optional.of(r);
    }

    public Response getResponse(String path) {
        return send("GET", path, null, false);
    }

    public JsonNode post(String path, Object body) {
        return send("POST", path, body, false).body();
    }

    /** POST that returns the response whatever its status (for callers that treat some 4xx as normal). */
    public Response postLenient(String path, Object body) {
        return send("POST", path, body, true);
    }

    private Response send(String method, String path, Object body, boolean lenient) {
        String url = path.startsWith("http") ? path : baseUrl + path;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        headers.forEach(b::header);
        try {
            if (body == null) {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                b.header("Content-Type", "application/json");
                b.method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            }
            HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            int s = r.statusCode();
            JsonNode json = r.body().length == 0 ? JSON.missingNode() : parseOrText(r.body());
            if (s >= 200 && s < 300 || lenient && s < 500 && s != 429) {
                return new Response(s, json, r);
            }
            boolean retryable = s >= 500 || s == 429 || (s == 403 && r.headers().firstValue("x-ratelimit-remaining").orElse("1").equals("0"));
            throw new ForgeException(method + " " + url + " answered " + s + ": " + abbreviate(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8)), retryable);
        } catch (IOException e) {
            throw new ForgeException(method + " " + url + " failed: " + e.getMessage(), true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ForgeException(method + " " + url + " interrupted", true, e);
        }
    }

    private static JsonNode parseOrText(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
