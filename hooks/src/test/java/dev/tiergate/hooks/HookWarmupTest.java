package dev.tiergate.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.state.StateFileValidator;
import dev.tiergate.core.verdict.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HookWarmupTest {
    @TempDir
    Path top;

    @Test
    void brokenFilesEndTheWarmupQuietly() throws IOException {
        Files.createDirectories(top.resolve(".tiergate"));
        Files.writeString(top.resolve(".tiergate/policy.yaml"), "tiers: [unclosed\n");
        Files.writeString(top.resolve(".tiergate/workflow-state.json"), "{not json");
        // the checks report these files; the warm-up must neither throw nor hang
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            HookWarmup w = HookWarmup.start(top, top.resolve(".git"), true);
            w.stagedKitState("{\"version\": 2".getBytes(StandardCharsets.UTF_8));
            w.await();
        });
    }

    @Test
    void theStagedKitStateHandedOverIsValidatedAndItsVerdictReusedForThoseBytesOnly() throws IOException {
        Files.createDirectories(top.resolve(".tiergate"));
        Files.writeString(top.resolve(".tiergate/policy.yaml"), "version: 1\n");
        byte[] staged = "{\"version\": 2}".getBytes(StandardCharsets.UTF_8);
        HookWarmup w = HookWarmup.start(top, top.resolve(".git"), true);
        w.stagedKitState(staged);
        Optional<Verdict> verdict = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> w.kitVerdictFor(staged));
        assertTrue(verdict.isPresent(), "validated on the warm-up thread");
        assertFalse(verdict.get().isAllowed());
        assertEquals(
                StateFileValidator.validateKitState(staged, StateFileValidator.KIT_STATE_PATH)
                        .render(),
                verdict.get().render());
        assertEquals(
                Optional.empty(),
                w.kitVerdictFor("{\"version\": 1}".getBytes(StandardCharsets.UTF_8)),
                "other bytes: no reuse");
    }

    @Test
    void aCommitThatStagesNoKitStateValidatesNone() throws IOException {
        Files.createDirectories(top.resolve(".tiergate"));
        Files.writeString(top.resolve(".tiergate/policy.yaml"), "version: 1\n");
        HookWarmup w = HookWarmup.start(top, top.resolve(".git"), true);
        w.stagedKitState(null);
        assertTimeoutPreemptively(Duration.ofSeconds(30), w::await);
        assertEquals(Optional.empty(), w.kitVerdictFor(new byte[0]));
    }

    @Test
    void withoutAPolicyNoThreadStarts() {
        assertSame(HookWarmup.none(), HookWarmup.start(top, top.resolve(".git"), true));
    }
}
