package dev.tiergate.server.backend.neon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.server.backend.BackendException;
import dev.tiergate.server.backend.Sleeper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Neon's API v2 over plain HTTP (Neon has no Java SDK), the calls the neon backend makes and nothing more. Shapes
 * follow the API reference (https://api-docs.neon.tech/reference/getting-started-with-neon-api) and the guide
 * "Branching with the Neon API" (https://neon.com/docs/guides/branching-neon-api); anonymized branches follow
 * "Data anonymization" (https://neon.com/docs/workflows/data-anonymization) and its API reference
 * (https://neon.com/docs/workflows/data-anonymization-api), endpoints in Beta.
 *
 * <p>Transport failures, 5xx, 429 and 423 (Neon's "project has running operations, try again") are retried with
 * exponential backoff, waiting what {@code Retry-After} asks where the answer says; 401/403 become a message that
 * says the key is refused or lacks the right; the key travels in a header and never in a message.
 */
public final class NeonApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final NeonSettings settings;
    private final Sleeper sleeper;
    private final String base;
    private final AtomicLong calls = new AtomicLong();

    public NeonApi(NeonSettings settings, Sleeper sleeper) {
        this.settings = settings;
        this.sleeper = sleeper;
        String url = settings.apiUrl().endsWith("/")
                ? settings.apiUrl().substring(0, settings.apiUrl().length() - 1)
                : settings.apiUrl();
        this.base = url + "/projects/" + enc(settings.projectId());
    }

    /** Neon answered a final (non-retryable) status; {@link #status} says which. */
    public static final class Refused extends BackendException {
        private static final long serialVersionUID = 1L;
        private final int status;

        Refused(String message, int status) {
            super(message, null);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** What POST …/branches answers: the branch, its endpoints and the operations still running. */
    public record Created(NeonBranch branch, List<NeonEndpoint> endpoints, List<NeonOperation> operations) {}

    /** HTTP requests sent so far (retries included). */
    public long calls() {
        return calls.get();
    }

    /** GET /projects/{id}/branches, every page. */
    public List<NeonBranch> branches() {
        List<NeonBranch> out = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = send(
                            "GET",
                            "/branches" + (cursor == null ? "" : "?cursor=" + enc(cursor)),
                            null,
                            "list the branches of")
                    .body;
            page.path("branches").forEach(b -> out.add(NeonBranch.of(b)));
            JsonNode next = page.path("pagination").path("next");
            cursor = next.isTextual()
                            && !next.asText().isEmpty()
                            && page.path("branches").size() > 0
                    ? next.asText()
                    : null;
        } while (cursor != null);
        return out;
    }

    /** GET /projects/{id}/branches/{branch_id}; empty when Neon answers 404. */
    public Optional<NeonBranch> branch(String branchId) {
        Answer a = send("GET", "/branches/" + enc(branchId), null, "read branch " + branchId + " of", true);
        return a.status == 404 ? Optional.empty() : Optional.of(NeonBranch.of(a.body.path("branch")));
    }

    /**
     * POST /projects/{id}/branches with {@code {"branch": {"name", "parent_id", "expires_at"?, "protected"?},
     * "endpoints": [{"type": "read_write"}]?}}; answers {@code branch}, {@code endpoints}, {@code operations},
     * {@code roles}, {@code databases}, {@code connection_uris}.
     */
    public Created createBranch(String name, String parentId, String expiresAt, boolean protect, boolean withEndpoint) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode branch = body.putObject("branch");
        branch.put("name", name);
        branch.put("parent_id", parentId);
        if (expiresAt != null) {
            branch.put("expires_at", expiresAt);
        }
        if (protect) {
            branch.put("protected", true);
        }
        if (withEndpoint) {
            body.putArray("endpoints").addObject().put("type", "read_write");
        }
        return created(send("POST", "/branches", body, "create branch '" + name + "' in").body);
    }

    private static Created created(JsonNode r) {
        List<NeonEndpoint> endpoints = new ArrayList<>();
        r.path("endpoints").forEach(e -> endpoints.add(NeonEndpoint.of(e)));
        return new Created(NeonBranch.of(r.path("branch")), endpoints, operations(r));
    }

    /**
     * What GET …/branches/{branch_id}/anonymized_status and POST …/anonymize answer
     * (https://neon.com/docs/reference/api/branches/get-anonymized-branch-status,
     * https://neon.com/docs/reference/api/branches/start-anonymization): {@code state} (one of {@code created},
     * {@code initialized}, {@code initialization_error}, {@code anonymizing}, {@code anonymized}, {@code error}),
     * {@code status_message} ("A descriptive message about the current status or any errors") and {@code failed_at}.
     */
    public record AnonymizedStatus(String branchId, String state, String statusMessage, String failedAt) {
        static AnonymizedStatus of(JsonNode s) {
            return new AnonymizedStatus(
                    NeonBranch.text(s.path("branch_id")),
                    NeonBranch.text(s.path("state")),
                    NeonBranch.text(s.path("status_message")),
                    NeonBranch.text(s.path("failed_at")));
        }

        boolean failed() {
            return "error".equals(state) || "initialization_error".equals(state);
        }
    }

    /**
     * POST /projects/{id}/branch_anonymized (https://neon.com/docs/reference/api/branches/create-project-branch-anonymized,
     * https://neon.com/docs/workflows/data-anonymization-api) with {@code {"branch_create": {"branch": {"name",
     * "parent_id"}, "endpoints": [{"type": "read_write"}]}}}: a branch of the parent's schema and data that Neon
     * will mask, with its compute (the masking runs there). No {@code masking_rules} and no
     * {@code start_anonymization}: the rules are set once the branch is there, naming its own database
     * ({@link #updateMaskingRules}), then {@link #startAnonymization}. Answers like a create: {@code branch} (with
     * {@code restricted_actions}), {@code endpoints}, {@code operations}, {@code roles}, {@code databases}.
     */
    public Created createAnonymizedBranch(String name, String parentId) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode create = body.putObject("branch_create");
        ObjectNode branch = create.putObject("branch");
        branch.put("name", name);
        branch.put("parent_id", parentId);
        create.putArray("endpoints").addObject().put("type", "read_write");
        return created(send("POST", "/branch_anonymized", body, "create anonymized branch '" + name + "' in").body);
    }

    /** GET /projects/{id}/branches/{branch_id}/anonymized_status; empty when Neon answers 404 (not an anonymized branch). */
    public Optional<AnonymizedStatus> anonymizedStatus(String branchId) {
        Answer a = send(
                "GET",
                "/branches/" + enc(branchId) + "/anonymized_status",
                null,
                "read the anonymization status of branch " + branchId + " of",
                true);
        return a.status == 404 ? Optional.empty() : Optional.of(AnonymizedStatus.of(a.body));
    }

    /**
     * PATCH /projects/{id}/branches/{branch_id}/masking_rules with {@code {"masking_rules": [{database_name,
     * schema_name, table_name, column_name, masking_function | masking_value}]}}, which replaces every rule the branch
     * had (https://neon.com/docs/reference/api/branches/update-masking-rules); answers the branch's rules now.
     */
    public List<NeonMaskingRule> updateMaskingRules(String branchId, List<NeonMaskingRule> rules) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode list = body.putArray("masking_rules");
        rules.forEach(r -> list.add(r.json(JSON)));
        return maskingRules(send(
                        "PATCH",
                        "/branches/" + enc(branchId) + "/masking_rules",
                        body,
                        "set the masking rules of branch " + branchId + " of")
                .body);
    }

    /** GET /projects/{id}/branches/{branch_id}/masking_rules (https://api-docs.neon.tech/reference/getmaskingrules). */
    public List<NeonMaskingRule> maskingRules(String branchId) {
        return maskingRules(send(
                        "GET",
                        "/branches/" + enc(branchId) + "/masking_rules",
                        null,
                        "read the masking rules of branch " + branchId + " of")
                .body);
    }

    private static List<NeonMaskingRule> maskingRules(JsonNode r) {
        List<NeonMaskingRule> out = new ArrayList<>();
        r.path("masking_rules").forEach(m -> out.add(NeonMaskingRule.of(m)));
        return out;
    }

    /**
     * POST /projects/{id}/branches/{branch_id}/anonymize, no body: applies the branch's masking rules; Neon takes it
     * in the {@code initialized}, {@code error} or {@code anonymized} state
     * (https://neon.com/docs/reference/api/branches/start-anonymization) and answers the status.
     */
    public AnonymizedStatus startAnonymization(String branchId) {
        return AnonymizedStatus.of(send(
                        "POST",
                        "/branches/" + enc(branchId) + "/anonymize",
                        null,
                        "start the anonymization of branch " + branchId + " of")
                .body);
    }

    /** DELETE /projects/{id}/branches/{branch_id}; the operations it started (none when it was already gone). */
    public List<NeonOperation> deleteBranch(String branchId) {
        Answer a = send("DELETE", "/branches/" + enc(branchId), null, "delete branch " + branchId + " of", true);
        return a.status == 404 ? List.of() : operations(a.body);
    }

    /**
     * POST /projects/{id}/branches/{branch_id}/restore with {@code source_branch_id} and {@code preserve_under_name}
     * (https://api-docs.neon.tech/reference/restoreprojectbranch): the branch takes the source's head; its previous
     * state, and its children, move to a new branch of that name.
     */
    public List<NeonOperation> restore(String branchId, String sourceBranchId, String preserveUnderName) {
        ObjectNode body = JSON.createObjectNode();
        body.put("source_branch_id", sourceBranchId);
        body.put("preserve_under_name", preserveUnderName);
        return operations(
                send("POST", "/branches/" + enc(branchId) + "/restore", body, "restore branch " + branchId + " of")
                        .body);
    }

    /** GET /projects/{id}/operations/{operation_id}. */
    public NeonOperation operation(String operationId) {
        return NeonOperation.of(
                send("GET", "/operations/" + enc(operationId), null, "read operation " + operationId + " of")
                        .body
                        .path("operation"));
    }

    /** GET /projects/{id}/branches/{branch_id}/endpoints. */
    public List<NeonEndpoint> endpoints(String branchId) {
        List<NeonEndpoint> out = new ArrayList<>();
        send(
                        "GET",
                        "/branches/" + enc(branchId) + "/endpoints",
                        null,
                        "list the endpoints of branch " + branchId + " of")
                .body
                .path("endpoints")
                .forEach(e -> out.add(NeonEndpoint.of(e)));
        return out;
    }

    /** GET /projects/{id}/branches/{branch_id}/databases: each database's {@code name} and {@code owner_name}. */
    public List<String[]> databases(String branchId) {
        List<String[]> out = new ArrayList<>();
        send(
                        "GET",
                        "/branches/" + enc(branchId) + "/databases",
                        null,
                        "list the databases of branch " + branchId + " of")
                .body
                .path("databases")
                .forEach(d -> out.add(new String[] {
                    d.path("name").asText(), d.path("owner_name").asText()
                }));
        return out;
    }

    /** GET /projects/{id}/connection_uri?branch_id&database_name&role_name: {@code {"uri": "postgresql://…"}}. */
    public String connectionUri(String branchId, String database, String role) {
        return send(
                        "GET",
                        "/connection_uri?branch_id=" + enc(branchId) + "&database_name=" + enc(database) + "&role_name="
                                + enc(role),
                        null,
                        "read the connection URI of branch " + branchId + " of")
                .body
                .path("uri")
                .asText(null);
    }

    private static List<NeonOperation> operations(JsonNode r) {
        List<NeonOperation> out = new ArrayList<>();
        r.path("operations").forEach(o -> out.add(NeonOperation.of(o)));
        return out;
    }

    private record Answer(int status, JsonNode body) {}

    private Answer send(String method, String path, Object body, String what) {
        return send(method, path, body, what, false);
    }

    private Answer send(String method, String path, Object body, String what, boolean notFoundIsAnswer) {
        String url = base + path;
        String doing = what + " Neon project " + settings.projectId();
        for (int attempt = 1; ; attempt++) {
            Duration wait;
            String failure;
            try {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + settings.apiKey())
                        .header("Accept", "application/json");
                b.method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
                if (body != null) {
                    b.header("Content-Type", "application/json");
                }
                calls.incrementAndGet();
                HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                int s = r.statusCode();
                JsonNode json = parse(r.body());
                if (s >= 200 && s < 300 || s == 404 && notFoundIsAnswer) {
                    return new Answer(s, json);
                }
                String message = json.path("message").asText(new String(r.body(), StandardCharsets.UTF_8));
                if (s == 401) {
                    throw new Refused(
                            "cannot " + doing + ": Neon refused the API key (401: " + message
                                    + "); set TIERGATE_NEON_API_KEY (or _FILE) to a valid key",
                            s);
                }
                if (s == 403) {
                    throw new Refused(
                            "cannot " + doing + ": the API key lacks the permission (403: " + message
                                    + "); use a key of a member of the project's organization, or an organization key, that may manage branches",
                            s);
                }
                if (s == 404) {
                    throw new Refused(
                            "cannot " + doing + ": not found (404: " + message
                                    + "); check TIERGATE_NEON_PROJECT and that the key can see the project",
                            s);
                }
                if (s != 429 && s != 423 && s < 500) {
                    throw new Refused("cannot " + doing + ": Neon answered " + s + ": " + message, s);
                }
                failure = "Neon answered " + s + ": " + message;
                wait = retryAfter(r.headers().firstValue("retry-after").orElse(null))
                        .orElse(backoff(attempt));
            } catch (IOException e) {
                failure = "the request failed: " + e.getMessage();
                wait = backoff(attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException("interrupted while trying to " + doing, e);
            }
            if (attempt >= settings.maxAttempts()) {
                throw new BackendException("cannot " + doing + " after " + attempt + " attempts: " + failure, null);
            }
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException("interrupted while trying to " + doing, e);
            }
        }
    }

    private Duration backoff(int attempt) {
        return settings.retryBase().multipliedBy(1L << Math.min(attempt - 1, 6));
    }

    /** {@code Retry-After} as seconds or an HTTP date. */
    static Optional<Duration> retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim()))));
        } catch (NumberFormatException e) {
            try {
                Duration d = Duration.between(
                        Instant.now(),
                        ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
                                .toInstant());
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (RuntimeException ignored) {
                return Optional.empty();
            }
        }
    }

    private static JsonNode parse(byte[] bytes) {
        if (bytes.length == 0) {
            return JSON.missingNode();
        }
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            return JSON.missingNode();
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
