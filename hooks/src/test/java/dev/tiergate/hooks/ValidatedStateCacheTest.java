package dev.tiergate.hooks;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidatedStateCacheTest {
    @TempDir
    Path gitDir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void onlyTheExactBytesRememberedAreKnownValid() {
        byte[] state = bytes("{\"version\": 1, \"project_id\": \"p\", \"features\": []}\n");
        assertFalse(ValidatedStateCache.isKnownValid(gitDir, state), "nothing remembered yet");
        ValidatedStateCache.remember(gitDir, state);
        assertTrue(ValidatedStateCache.isKnownValid(gitDir, state));
        assertFalse(ValidatedStateCache.isKnownValid(
                gitDir, bytes("{\"version\": 1, \"project_id\": \"q\", \"features\": []}\n")));
        assertFalse(ValidatedStateCache.isKnownValid(
                gitDir, bytes("{\"version\": 1, \"project_id\": \"p\", \"features\": []}")));
        assertFalse(ValidatedStateCache.isKnownValid(gitDir, new byte[0]));
    }

    @Test
    void aCopyMadeAgainstAnotherSchemaOrDamagedIsNotTrusted() throws IOException {
        byte[] state = bytes("{\"version\": 1, \"project_id\": \"p\", \"features\": []}\n");
        Path file = gitDir.resolve(ValidatedStateCache.FILE);
        Files.write(file, bytes("tiergate-state 0\n" + new String(state, StandardCharsets.UTF_8)));
        assertFalse(ValidatedStateCache.isKnownValid(gitDir, state), "another schema's fingerprint");
        Files.write(file, state);
        assertFalse(ValidatedStateCache.isKnownValid(gitDir, state), "no header at all");
    }

    @Test
    void aGitDirThatCannotBeWrittenCostsOnlyAValidation() {
        Path missing = gitDir.resolve("no/such/dir");
        byte[] state = bytes("{}");
        ValidatedStateCache.remember(missing, state); // no exception
        assertFalse(ValidatedStateCache.isKnownValid(missing, state));
    }
}
