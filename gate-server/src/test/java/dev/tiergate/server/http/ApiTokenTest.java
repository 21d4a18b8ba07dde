package dev.tiergate.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.config.ServerConfig;
import dev.tiergate.server.store.Database;
import dev.tiergate.server.support.TestPostgres;
import dev.tiergate.server.wiring.ForgeBindings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiTokenTest {
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void withATokenTheApiNeedsItAndHealthStaysPublic() throws Exception {
        ServerConfig cfg = TestPostgres.config(
                Map.of("TIERGATE_PORT", "0", "TIERGATE_GITHUB_WEBHOOK_SECRET", "s", "TIERGATE_API_TOKEN", "api-t0ken"));
        try (Database db = TestPostgres.freshStore();
                GateServer server = GateServer.start(cfg, db, ForgeBindings.fromConfig(cfg))) {
            String api = "http://127.0.0.1:" + server.port() + "/api/v1/repos/acme/inv/branches";
            var none = get(api, null);
            assertEquals(401, none.statusCode());
            assertTrue(none.body().contains("the API needs Authorization: Bearer <token>"), none.body());
            assertTrue(
                    none.body().contains("tiergate token create --actor"), "and says how to get one: " + none.body());
            assertEquals(401, get(api, "Bearer wrong").statusCode());
            assertEquals(401, get(api, "api-t0ken").statusCode());
            assertEquals(200, get(api, "Bearer api-t0ken").statusCode());
            assertEquals(
                    200,
                    get("http://127.0.0.1:" + server.port() + "/healthz", null).statusCode());
        }
        assertTrue(!cfg.toString().contains("api-t0ken"), cfg.toString());
    }

    @Test
    void theServerBindsLoopbackUnlessTold() {
        assertEquals("127.0.0.1", ServerConfig.fromEnvironment(Map.of(), null).bind());
        assertEquals(
                "0.0.0.0",
                ServerConfig.fromEnvironment(Map.of("TIERGATE_BIND", "0.0.0.0"), null)
                        .bind());
    }

    private HttpResponse<String> get(String url, String auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
