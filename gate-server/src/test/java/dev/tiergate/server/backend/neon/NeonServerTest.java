package dev.tiergate.server.backend.neon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.support.NeonApiStub;
import dev.tiergate.server.support.ServerHarness;
import dev.tiergate.server.support.ServerOnBackendScenario;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code tiergate server} with TIERGATE_BACKEND=neon, end to end on the Neon stand-in (its branches are real databases). */
class NeonServerTest {
    @Test
    void theServerRunsOnNeonBranchesMigratesTheTierAndRehearsesAPr() throws Exception {
        try (NeonApiStub neon = new NeonApiStub();
                ServerHarness h = new ServerHarness(Map.of(
                        "TIERGATE_BACKEND",
                        "neon",
                        "TIERGATE_NEON_API_URL",
                        neon.apiUrl(),
                        "TIERGATE_NEON_API_KEY",
                        NeonApiStub.KEY,
                        "TIERGATE_NEON_PROJECT",
                        NeonApiStub.PROJECT,
                        "TIERGATE_API_TOKEN",
                        "admin-neon"))) {
            assertEquals("neon", h.server.backend().id());
            ServerOnBackendScenario.run(h, neon::branchNames, List.of("main", "staging", "ci-pr-1"));
            // drift on Neon: the schema reads and the shadow (a branch of the root, emptied) work through its API
            String drift = h.get("/api/v1/repos/" + h.repoPath + "/drift", "admin-neon")
                    .body();
            assertTrue(drift.contains("\"tier\":\"staging\",\"drifted\":false"), drift);
            assertTrue(drift.contains("\"tier\":\"production\",\"drifted\":false"), drift);
        }
    }
}
