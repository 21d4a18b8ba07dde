package dev.tiergate.server.backend.lakebase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.support.LakebaseApiStub;
import dev.tiergate.server.support.ServerHarness;
import dev.tiergate.server.support.ServerOnBackendScenario;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code tiergate server} with TIERGATE_BACKEND=lakebase, end to end through the Databricks SDK on the Lakebase stand-in. */
class LakebaseServerTest {
    @Test
    void theServerRunsOnLakebaseBranchesMigratesTheTierAndRehearsesAPr() throws Exception {
        try (LakebaseApiStub lakebase = new LakebaseApiStub();
                ServerHarness h = new ServerHarness(Map.of(
                        "TIERGATE_BACKEND",
                        "lakebase",
                        "TIERGATE_LAKEBASE_HOST",
                        lakebase.url(),
                        "TIERGATE_LAKEBASE_TOKEN",
                        LakebaseApiStub.TOKEN,
                        "TIERGATE_LAKEBASE_PROJECT",
                        LakebaseApiStub.PROJECT,
                        // the stand-in's branches are databases on its embedded cluster, which listens on its own port
                        "TIERGATE_LAKEBASE_PORT",
                        Integer.toString(lakebase.postgresPort()),
                        "TIERGATE_API_TOKEN",
                        "admin-lakebase"))) {
            assertEquals("lakebase", h.server.backend().id());
            ServerOnBackendScenario.run(h, lakebase::branchIds, List.of("staging", "ci-pr-1"));
            // drift on Lakebase: the schema reads and the shadow (a branch of the root, emptied) work through its API
            String drift = h.get("/api/v1/repos/" + h.repoPath + "/drift", "admin-lakebase")
                    .body();
            assertTrue(drift.contains("\"tier\":\"staging\",\"drifted\":false"), drift);
            assertTrue(drift.contains("\"tier\":\"production\",\"drifted\":false"), drift);
        }
    }
}
