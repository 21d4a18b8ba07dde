package dev.tiergate.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.cli.ServerMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {
    @Test
    void refusesToStartWithoutAWebhookSecretInOneLine() {
        ServerConfig cfg = ServerConfig.fromEnvironment(Map.of(), null);
        String problem = cfg.missingSecretProblem(false);
        assertTrue(problem.contains("TIERGATE_GITHUB_WEBHOOK_SECRET is not set"), problem);
        assertFalse(problem.contains("\n"));
        assertNull(cfg.missingSecretProblem(true));
    }

    @Test
    void serverCommandExitsWithTheRefusal() {
        // the test JVM's environment has no TIERGATE_GITHUB_WEBHOOK_SECRET
        assertNull(System.getenv("TIERGATE_GITHUB_WEBHOOK_SECRET"));
        int code = ServerMain.run(
                new String[] {"server"},
                new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()));
        assertEquals(2, code);
    }

    @Test
    void secretsComeFromFilesAndNeverAppearInToString(@TempDir Path tmp) throws Exception {
        Path secret = tmp.resolve("secret");
        Files.writeString(secret, "s3cr3t-value\n");
        ServerConfig cfg = ServerConfig.fromEnvironment(
                Map.of(
                        "TIERGATE_GITHUB_WEBHOOK_SECRET_FILE",
                        secret.toString(),
                        "TIERGATE_GITHUB_TOKEN",
                        "ghp_token",
                        "TIERGATE_DB_URL",
                        "jdbc:postgresql://db/x?password=pw"),
                null);
        assertEquals("s3cr3t-value", cfg.githubWebhookSecret());
        String shown = cfg.toString();
        assertFalse(shown.contains("s3cr3t") || shown.contains("ghp_token") || shown.contains("=pw"), shown);
    }

    @Test
    void badNumberAndUnreadableSecretFileAreNamed() {
        ConfigException e = assertThrows(
                ConfigException.class, () -> ServerConfig.fromEnvironment(Map.of("TIERGATE_PORT", "eighty"), null));
        assertEquals("TIERGATE_PORT=eighty: not a whole number", e.getMessage());
        ConfigException f = assertThrows(
                ConfigException.class,
                () -> ServerConfig.fromEnvironment(Map.of("TIERGATE_GITHUB_TOKEN_FILE", "/nonexistent/token"), null));
        assertTrue(
                f.getMessage().startsWith("TIERGATE_GITHUB_TOKEN_FILE=/nonexistent/token: cannot read the secret file"),
                f.getMessage());
    }

    @Test
    void theIngestYieldDefaultsTo50MillisecondsAndRefusesANegativeOne() {
        assertEquals(
                Duration.ofMillis(50),
                ServerConfig.fromEnvironment(Map.of(), null).ingestYield());
        assertEquals(
                Duration.ZERO,
                ServerConfig.fromEnvironment(Map.of("TIERGATE_INGEST_YIELD_MS", "0"), null)
                        .ingestYield());
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> ServerConfig.fromEnvironment(Map.of("TIERGATE_INGEST_YIELD_MS", "-5"), null)
                        .ingestYield());
        assertEquals("TIERGATE_INGEST_YIELD_MS=-5: must be 0 (off) or a number of milliseconds", e.getMessage());
    }
}
