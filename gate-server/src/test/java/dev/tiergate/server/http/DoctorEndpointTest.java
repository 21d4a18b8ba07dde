package dev.tiergate.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.core.TiergateVersion;
import dev.tiergate.server.support.ServerHarness;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GET /api/v1/doctor, what tiergate doctor --server reads: configuration facts and live checks, never a secret. */
class DoctorEndpointTest {
    static final String TOKEN = "api-t0ken";

    @Test
    void reportsVersionForgesSecretStoreBackendAndForgeAccessWithoutSecrets() throws Exception {
        try (ServerHarness h =
                new ServerHarness(Map.of("TIERGATE_GITHUB_TOKEN", "ghp_secret", "TIERGATE_API_TOKEN", TOKEN))) {
            HttpResponse<String> r = h.get("/api/v1/doctor?repo=" + h.repoPath, TOKEN);
            assertEquals(200, r.statusCode(), r.body());
            JsonNode body = new ObjectMapper().readTree(r.body());
            assertEquals(TiergateVersion.current(), body.path("version").asText());
            Map<String, JsonNode> checks = new LinkedHashMap<>();
            body.path("checks").forEach(c -> checks.put(c.path("check").asText(), c));
            assertEquals(
                    List.of("forges", "webhook secret", "store", "branch backend", "forge access"),
                    List.copyOf(checks.keySet()));
            checks.values().forEach(c -> assertTrue(c.path("ok").asBoolean(), c.toString()));
            assertEquals(
                    "github (" + h.github.url() + ", token)",
                    checks.get("forges").path("text").asText());
            assertTrue(
                    checks.get("forge access").path("text").asText().startsWith("token reads " + h.repoPath), r.body());
            assertFalse(
                    r.body().contains("ghp_secret") || r.body().contains(ServerHarness.SECRET),
                    "a secret in " + r.body());
        }
    }

    @Test
    void aForgeThatCannotReadTheRepositoryIsAProblemWithItsFix() throws Exception {
        try (ServerHarness h = new ServerHarness(Map.of("TIERGATE_API_TOKEN", TOKEN))) {
            h.github.failPath("^/repos/", 404, Map.of(), "{\"message\":\"Not Found\"}");
            JsonNode body = new ObjectMapper()
                    .readTree(h.get("/api/v1/doctor?repo=" + h.repoPath, TOKEN).body());
            JsonNode access = body.path("checks").get(4);
            assertEquals("forge access", access.path("check").asText());
            assertFalse(access.path("ok").asBoolean());
            assertTrue(
                    access.path("text").asText().startsWith("no credentials cannot read " + h.repoPath),
                    access.toString());
            assertTrue(access.path("fix").asText().startsWith("check TIERGATE_GITHUB_TOKEN"), access.toString());
        }
    }

    @Test
    void itIsBehindTheApiToken() throws Exception {
        try (ServerHarness h = new ServerHarness(Map.of("TIERGATE_API_TOKEN", TOKEN))) {
            assertEquals(401, h.get("/api/v1/doctor").statusCode());
            assertEquals(401, h.get("/api/v1/doctor", "not-it").statusCode());
        }
    }

    /** No TIERGATE_API_TOKEN: closed, not open; the answer says what to set, and the forge is never asked. */
    @Test
    void withoutAnApiTokenItIsClosed() throws Exception {
        try (ServerHarness h = new ServerHarness(Map.of("TIERGATE_GITHUB_TOKEN", "ghp_secret"))) {
            h.github.resetCounts();
            HttpResponse<String> r = h.get("/api/v1/doctor?repo=acme/x/pulls/1");
            assertEquals(403, r.statusCode(), r.body());
            assertTrue(r.body().contains(ApiAccess.NO_TOKEN), r.body());
            assertEquals(403, h.get("/api/v1/doctor", "anything").statusCode());
            assertEquals(0, h.github.requests(), "the server's token read nothing");
        }
    }

    /** {@code repo} is a repository's path: a forge path after it (pulls, issues, ..) is refused before the forge is asked. */
    @Test
    void aRepoThatIsNotARepositoryPathIsRefusedWithTheRule() throws Exception {
        try (ServerHarness h =
                new ServerHarness(Map.of("TIERGATE_GITHUB_TOKEN", "ghp_secret", "TIERGATE_API_TOKEN", TOKEN))) {
            h.github.resetCounts();
            for (String repo : new String[] {
                "acme/x/pulls/1", "acme/x%2Fpulls", "acme/..", "acme/x?per_page=1", "acme/x%23y", "acme", "acme/x%20y"
            }) {
                HttpResponse<String> r = h.get("/api/v1/doctor?repo=" + repo, TOKEN);
                assertEquals(400, r.statusCode(), repo + ": " + r.body());
                assertTrue(r.body().contains("repo must be a repository's path, owner/name"), r.body());
            }
            assertEquals(0, h.github.requests(), "the forge was not asked: " + h.github.requestsByRoute());
        }
    }
}
