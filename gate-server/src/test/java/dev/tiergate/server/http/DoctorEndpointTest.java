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
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GET /api/v1/doctor, what tiergate doctor --server reads: configuration facts and live checks, never a secret. */
class DoctorEndpointTest {
    @Test
    void reportsVersionForgesSecretStoreBackendAndForgeAccessWithoutSecrets() throws Exception {
        try (ServerHarness h = new ServerHarness(Map.of("TIERGATE_GITHUB_TOKEN", "ghp_secret"))) {
            HttpResponse<String> r = h.get("/api/v1/doctor?repo=" + h.repoPath);
            assertEquals(200, r.statusCode(), r.body());
            JsonNode body = new ObjectMapper().readTree(r.body());
            assertEquals(TiergateVersion.current(), body.path("version").asText());
            Map<String, JsonNode> checks = new LinkedHashMap<>();
            body.path("checks").forEach(c -> checks.put(c.path("check").asText(), c));
            assertEquals(java.util.List.of("forges", "webhook secret", "store", "branch backend", "forge access"), java.util.List.copyOf(checks.keySet()));
            checks.values().forEach(c -> assertTrue(c.path("ok").asBoolean(), c.toString()));
            assertEquals("github (" + h.github.url() + ", token)", checks.get("forges").path("text").asText());
            assertTrue(checks.get("forge access").path("text").asText().startsWith("token reads " + h.repoPath), r.body());
            assertFalse(r.body().contains("ghp_secret") || r.body().contains(ServerHarness.SECRET), "a secret in " + r.body());
        }
    }

    @Test
    void aForgeThatCannotReadTheRepositoryIsAProblemWithItsFix() throws Exception {
        try (ServerHarness h = new ServerHarness()) {
            h.github.failPath("^/repos/", 404, Map.of(), "{\"message\":\"Not Found\"}");
            JsonNode body = new ObjectMapper().readTree(h.get("/api/v1/doctor?repo=" + h.repoPath).body());
            JsonNode access = body.path("checks").get(4);
            assertEquals("forge access", access.path("check").asText());
            assertFalse(access.path("ok").asBoolean());
            assertTrue(access.path("text").asText().startsWith("no credentials cannot read " + h.repoPath), access.toString());
            assertTrue(access.path("fix").asText().startsWith("check TIERGATE_GITHUB_TOKEN"), access.toString());
        }
    }

    @Test
    void itIsBehindTheApiToken() throws Exception {
        try (ServerHarness h = new ServerHarness(Map.of("TIERGATE_API_TOKEN", "api-t0ken"))) {
            assertEquals(401, h.get("/api/v1/doctor").statusCode());
        }
    }
}
