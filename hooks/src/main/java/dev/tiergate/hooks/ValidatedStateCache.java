package dev.tiergate.hooks;

import dev.tiergate.core.state.JsonSchemas;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;

/**
 * tiergate's state file as the hooks last found it valid, kept in the (per-worktree) git dir: the file changes only
 * when a feature is claimed or moves on, while validating it against its JSON Schema costs every commit tens of
 * milliseconds of the validator's start-up (BENCHMARKS.md, hook steps). The remembered copy holds the schema's
 * fingerprint and the exact bytes, so a hand edit, another worktree's file or a newer schema is validated afresh.
 * Losing or corrupting the copy only costs one validation; the server re-checks everything regardless.
 */
final class ValidatedStateCache {
    static final String FILE = "tiergate-state-validated";

    private ValidatedStateCache() {}

    /** Whether exactly {@code content} was found valid against the current schema. */
    static boolean isKnownValid(Path gitDir, byte[] content) {
        try {
            byte[] cached = Files.readAllBytes(gitDir.resolve(FILE));
            byte[] header = header();
            return cached.length == header.length + content.length
                    && Arrays.equals(cached, 0, header.length, header, 0, header.length)
                    && Arrays.equals(cached, header.length, cached.length, content, 0, content.length);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Remembers {@code content} as valid; written whole or not at all. */
    static void remember(Path gitDir, byte[] content) {
        try {
            Path file = gitDir.resolve(FILE);
            Path tmp = Files.createTempFile(gitDir, FILE, ".tmp");
            byte[] header = header();
            byte[] all = Arrays.copyOf(header, header.length + content.length);
            System.arraycopy(content, 0, all, header.length, content.length);
            Files.write(tmp, all);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            // the next commit validates again: slower, never wrong
        }
    }

    private static byte[] header() {
        return ("tiergate-state " + JsonSchemas.fingerprint(JsonSchemas.TIERGATE_STATE) + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }
}
