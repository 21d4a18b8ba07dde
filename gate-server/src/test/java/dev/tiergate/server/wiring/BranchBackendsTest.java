package dev.tiergate.server.wiring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.config.ConfigException;
import dev.tiergate.server.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one factory: TIERGATE_BACKEND picks the backend; each refusal names the variable to set. */
class BranchBackendsTest {
    @TempDir
    Path tmp;

    BranchBackend build(Map<String, String> env) {
        return BranchBackends.fromConfig(ServerConfig.fromEnvironment(env, null), null);
    }

    ConfigException refused(Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> build(env));
    }

    @Test
    void neonIsBuiltFromItsVariablesWithTheKeyFromAFile() throws Exception {
        Path key = Files.writeString(tmp.resolve("neon-key"), "napi_secret\n");
        try (BranchBackend b = build(Map.of(
                "TIERGATE_BACKEND",
                "neon",
                "TIERGATE_NEON_PROJECT",
                "proj-1",
                "TIERGATE_NEON_API_KEY_FILE",
                key.toString()))) {
            assertEquals("neon", b.id());
        }
    }

    @Test
    void neonWithoutAProjectOrAKeyIsRefusedNamingTheVariable() {
        ConfigException noProject = refused(Map.of("TIERGATE_BACKEND", "neon", "TIERGATE_NEON_API_KEY", "k"));
        assertEquals(
                "TIERGATE_BACKEND=neon needs TIERGATE_NEON_PROJECT: set it to the id of the Neon project whose default branch is the production tier",
                noProject.getMessage());
        ConfigException noKey = refused(Map.of("TIERGATE_BACKEND", "neon", "TIERGATE_NEON_PROJECT", "proj-1"));
        assertEquals(
                "TIERGATE_BACKEND=neon needs TIERGATE_NEON_API_KEY (or TIERGATE_NEON_API_KEY_FILE): a Neon API key that may manage the project's branches",
                noKey.getMessage());
    }

    @Test
    void lakebaseIsBuiltWithATokenOrWithOAuthMachineToMachineCredentials() {
        try (BranchBackend b = build(Map.of(
                "TIERGATE_BACKEND",
                "lakebase",
                "TIERGATE_LAKEBASE_HOST",
                "https://example.cloud.databricks.com",
                "TIERGATE_LAKEBASE_PROJECT",
                "shop",
                "TIERGATE_LAKEBASE_TOKEN",
                "dapi-x"))) {
            assertEquals("lakebase", b.id());
        }
        try (BranchBackend b = build(Map.of(
                "TIERGATE_BACKEND",
                "LAKEBASE",
                "TIERGATE_LAKEBASE_HOST",
                "https://example.cloud.databricks.com",
                "TIERGATE_LAKEBASE_PROJECT",
                "shop",
                "TIERGATE_LAKEBASE_CLIENT_ID",
                "sp",
                "TIERGATE_LAKEBASE_CLIENT_SECRET",
                "s"))) {
            assertEquals("lakebase", b.id());
        }
    }

    @Test
    void lakebaseWithoutHostProjectOrCredentialsIsRefusedNamingTheVariable() {
        Map<String, String> full = new HashMap<>(Map.of(
                "TIERGATE_BACKEND",
                "lakebase",
                "TIERGATE_LAKEBASE_HOST",
                "https://example.cloud.databricks.com",
                "TIERGATE_LAKEBASE_PROJECT",
                "shop"));
        Map<String, String> noHost = new HashMap<>(full);
        noHost.remove("TIERGATE_LAKEBASE_HOST");
        noHost.put("TIERGATE_LAKEBASE_TOKEN", "t");
        assertEquals(
                "TIERGATE_BACKEND=lakebase needs TIERGATE_LAKEBASE_HOST: set it to the workspace URL, e.g. https://<workspace>.cloud.databricks.com",
                refused(noHost).getMessage());
        Map<String, String> noProject = new HashMap<>(full);
        noProject.remove("TIERGATE_LAKEBASE_PROJECT");
        noProject.put("TIERGATE_LAKEBASE_TOKEN", "t");
        assertEquals(
                "TIERGATE_BACKEND=lakebase needs TIERGATE_LAKEBASE_PROJECT: set it to the id of the Lakebase project whose default branch is the production tier",
                refused(noProject).getMessage());
        assertEquals(
                "TIERGATE_BACKEND=lakebase needs credentials: set TIERGATE_LAKEBASE_CLIENT_ID and TIERGATE_LAKEBASE_CLIENT_SECRET"
                        + " (OAuth M2M of a service principal with CAN MANAGE on the project), or TIERGATE_LAKEBASE_TOKEN",
                refused(full).getMessage());
        Map<String, String> halfOAuth = new HashMap<>(full);
        halfOAuth.put("TIERGATE_LAKEBASE_CLIENT_ID", "sp");
        ConfigException e = refused(halfOAuth);
        assertEquals(
                "TIERGATE_LAKEBASE_CLIENT_ID is set but TIERGATE_LAKEBASE_CLIENT_SECRET (or _FILE) is not: set both for OAuth M2M",
                e.getMessage());
    }

    @Test
    void anUnknownBackendIsRefusedNamingTheOnesThereAre() {
        ConfigException e = refused(Map.of("TIERGATE_BACKEND", "supabase"));
        assertEquals(
                "TIERGATE_BACKEND=supabase is not a branch backend tiergate has; use postgres, neon or lakebase",
                e.getMessage());
    }

    @Test
    void aBadTtlIsRefused() {
        ConfigException e = refused(Map.of(
                "TIERGATE_BACKEND",
                "neon",
                "TIERGATE_NEON_PROJECT",
                "p",
                "TIERGATE_NEON_API_KEY",
                "k",
                "TIERGATE_BRANCH_TTL_HOURS",
                "0"));
        assertTrue(e.getMessage().startsWith("TIERGATE_BRANCH_TTL_HOURS=0"), e.getMessage());
        assertFalse(e.getMessage().contains("k\""));
    }
}
