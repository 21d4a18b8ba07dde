package dev.tiergate.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.server.store.ApiTokenStore;
import dev.tiergate.server.support.MutableClock;
import dev.tiergate.server.support.ServerHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Who reaches what: TIERGATE_API_TOKEN is the admin token and alone reaches /metrics and the doctor; an actor's token
 * reaches the branches' read API (of its repository, when it names one); a token that is unknown, revoked or expired is
 * turned away with one and the same answer. Every refusal says what is wrong and what to do.
 */
class ApiTokenAuthTest {
    static final String ADMIN = "admin-t0ken";
    static final ObjectMapper JSON = new ObjectMapper();
    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> get(ServerHarness h, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(h.baseUrl() + path));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theAdminTokenAloneReachesTheMetricsAndTheDoctor() throws Exception {
        try (ServerHarness h = new ServerHarness(Map.of("TIERGATE_API_TOKEN", ADMIN))) {
            String actor = h.server
                    .tokens()
                    .create("claude", null, Duration.ofDays(1), "ops")
                    .secret();
            String grants = "/api/v1/repos/" + h.repoPath + "/grants";
            for (String path : List.of("/metrics", "/api/v1/doctor", grants)) {
                // the grants of a repository the server has no policy of yet: not found, but the admin was let in
                assertEquals(
                        path.equals(grants) ? 404 : 200,
                        get(h, path, "Bearer " + ADMIN).statusCode(),
                        path);
                HttpResponse<String> refused = get(h, path, "Bearer " + actor);
                assertEquals(403, refused.statusCode(), path + ": " + refused.body());
                JsonNode body = JSON.readTree(refused.body());
                assertEquals(
                        path
                                + " needs the admin token (TIERGATE_API_TOKEN); claude's token reaches the branches' read API only",
                        body.path("message").asText());
                assertFalse(body.path("fix").asText().isBlank(), refused.body());
                HttpResponse<String> none = get(h, path, null);
                assertEquals(401, none.statusCode(), path);
                assertEquals(
                        path + " needs Authorization: Bearer <TIERGATE_API_TOKEN>",
                        JSON.readTree(none.body()).path("message").asText());
            }
            // the repair of a tier's grants (which releases a drift hold): not for an actor, even one of this
            // repository
            String own = h.server
                    .tokens()
                    .create("claude", h.repoPath, Duration.ofDays(1), "ops")
                    .secret();
            for (String token : List.of(actor, own)) {
                HttpResponse<String> apply = http.send(
                        HttpRequest.newBuilder(URI.create(
                                        h.baseUrl() + "/api/v1/repos/" + h.repoPath + "/grants/apply?tier=staging"))
                                .header("Authorization", "Bearer " + token)
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(403, apply.statusCode(), apply.body());
                assertTrue(
                        JSON.readTree(apply.body())
                                .path("message")
                                .asText()
                                .contains("needs the admin token (TIERGATE_API_TOKEN)"),
                        apply.body());
            }
            assertEquals(
                    403,
                    get(h, "/api/v1/repos/acme/elsewhere/grants", "Bearer " + own)
                            .statusCode(),
                    "another repository's grants");
            // the same endpoints by other spellings of their paths: never for an actor
            for (String path : List.of(
                    "/metrics/",
                    "/api/v1/doctor/",
                    "/api/v1//doctor",
                    "/api/v1/repos/a/b/branches/../../../../doctor")) {
                assertNotEquals(200, get(h, path, "Bearer " + actor).statusCode(), path);
            }
        }
    }

    @Test
    void anActorsTokenReachesTheBranchesOfItsRepositoryOnly() throws Exception {
        try (ServerHarness h = new ServerHarness(Map.of("TIERGATE_API_TOKEN", ADMIN))) {
            String anywhere = h.server
                    .tokens()
                    .create("alice", null, Duration.ofDays(1), "ops")
                    .secret();
            ApiTokenStore.Issued one = h.server.tokens().create("alice", h.repoPath, Duration.ofDays(1), "ops");
            String branches = "/api/v1/repos/" + h.repoPath + "/branches";
            assertEquals(200, get(h, branches, "Bearer " + anywhere).statusCode());
            assertEquals(200, get(h, branches, "Bearer " + one.secret()).statusCode());
            assertEquals(
                    200,
                    get(
                                    h,
                                    branches.toUpperCase(Locale.ROOT)
                                            .replace("/API/V1/REPOS/", "/api/v1/repos/")
                                            .replace("/BRANCHES", "/branches"),
                                    "bearer " + one.secret())
                            .statusCode(),
                    "paths and the scheme without case, as forges and RFC 7235 have them");
            HttpResponse<String> elsewhere = get(h, "/api/v1/repos/acme/other/branches", "Bearer " + one.secret());
            assertEquals(403, elsewhere.statusCode(), elsewhere.body());
            JsonNode body = JSON.readTree(elsewhere.body());
            assertEquals(
                    "token " + one.token().id() + " of alice reaches " + h.repoPath + " only, not acme/other",
                    body.path("message").asText());
            assertEquals(
                    "ask the server's operator for one that reaches acme/other: tiergate token create --actor alice --repo acme/other",
                    body.path("fix").asText());
            assertEquals(
                    403,
                    get(h, "/api/v1/repos/acme/other/branches/main", "Bearer " + one.secret())
                            .statusCode(),
                    "one branch of another repository neither, tracked or not");
        }
    }

    @Test
    void anUnknownARevokedAndAnExpiredTokenGetTheSameAnswer() throws Exception {
        try (ServerHarness h = new ServerHarness(Map.of("TIERGATE_API_TOKEN", ADMIN))) {
            ApiTokenStore.Issued revoked = h.server.tokens().create("alice", null, Duration.ofDays(1), "ops");
            h.server.tokens().revoke(revoked.token().id(), "ops");
            ApiTokenStore yesterday = new ApiTokenStore(
                    h.db.dataSource(),
                    h.server.audit(),
                    new MutableClock(Instant.now().minus(Duration.ofDays(1))));
            String expired =
                    yesterday.create("alice", null, Duration.ofHours(1), "ops").secret();
            String unknown = "tg_" + "A".repeat(43);
            String branches = "/api/v1/repos/" + h.repoPath + "/branches";
            List<HttpResponse<String>> answers = List.of(
                    get(h, branches, "Bearer " + unknown),
                    get(h, branches, "Bearer " + revoked.secret()),
                    get(h, branches, "Bearer " + expired));
            for (HttpResponse<String> r : answers) {
                assertEquals(401, r.statusCode(), r.body());
                assertEquals(answers.get(0).body(), r.body(), "one answer for all three");
                assertEquals(
                        List.of("Bearer error=\"invalid_token\""), r.headers().allValues("WWW-Authenticate"));
            }
            JsonNode body = JSON.readTree(answers.get(0).body());
            assertEquals(
                    "the bearer token is not one this server accepts: it is unknown, revoked or expired",
                    body.path("message").asText());
            assertTrue(
                    body.path("fix").asText().contains("tiergate token create --actor <your login>"), body.toString());
            for (String path : List.of("/metrics", "/api/v1/doctor")) {
                assertEquals(401, get(h, path, "Bearer " + revoked.secret()).statusCode(), path);
            }
        }
    }

    @Test
    void anAuthorizationThatIsNotABearerTokenIsToldWhatToSend() throws Exception {
        try (ServerHarness h = new ServerHarness(Map.of("TIERGATE_API_TOKEN", ADMIN))) {
            String branches = "/api/v1/repos/" + h.repoPath + "/branches";
            for (String auth : List.of(ADMIN, "Basic " + ADMIN, "Bearer", "Bearer ", "Token " + ADMIN)) {
                HttpResponse<String> r = get(h, branches, auth);
                assertEquals(401, r.statusCode(), auth + ": " + r.body());
                assertFalse(r.body().contains(ADMIN), "never echoes what was sent: " + r.body());
            }
            assertEquals(
                    "Authorization must be 'Bearer <token>'",
                    JSON.readTree(get(h, branches, "Basic x").body())
                            .path("message")
                            .asText());
            HttpResponse<String> none = get(h, branches, null);
            assertEquals(401, none.statusCode());
            assertEquals(List.of("Bearer"), none.headers().allValues("WWW-Authenticate"));
        }
    }

    @Test
    void withoutAnAdminTokenActorsTokensStillWorkAndTheMetricsAndDoctorStayClosed() throws Exception {
        try (ServerHarness h = new ServerHarness()) {
            String actor = h.server
                    .tokens()
                    .create("alice", null, Duration.ofDays(1), "ops")
                    .secret();
            String branches = "/api/v1/repos/" + h.repoPath + "/branches";
            assertEquals(
                    200, get(h, branches, null).statusCode(), "open to read, as before, with no password anywhere");
            assertEquals(200, get(h, branches, "Bearer " + actor).statusCode());
            assertEquals(
                    401,
                    get(h, branches, "Bearer tg_nothing").statusCode(),
                    "a wrong token is said to be wrong, not ignored");
            for (String path : List.of("/metrics", "/api/v1/doctor", "/metrics/", "/api/v1/doctor/")) {
                HttpResponse<String> r = get(h, path, "Bearer " + actor);
                assertEquals(403, r.statusCode(), path + ": " + r.body());
                assertTrue(r.body().contains("TIERGATE_API_TOKEN"), r.body());
            }
        }
    }
}
