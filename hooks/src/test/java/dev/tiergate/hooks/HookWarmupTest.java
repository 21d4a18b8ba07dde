package dev.tiergate.hooks;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HookWarmupTest {
    @TempDir
    Path top;

    @Test
    void brokenFilesEndTheWarmupQuietly() throws IOException {
        Files.createDirectories(top.resolve(".tiergate"));
        Files.createDirectories(top.resolve(".lakebase"));
        Files.writeString(top.resolve(".tiergate/policy.yaml"), "tiers: [unclosed\n");
        Files.writeString(top.resolve(".tiergate/workflow-state.json"), "{not json");
        Files.writeString(top.resolve(".lakebase/workflow-state.json"), "{\"version\": 2}");
        // the checks report these files; the warm-up must neither throw nor hang
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> HookWarmup.start(top, top.resolve(".git")).await());
    }

    @Test
    void withoutAPolicyNoThreadStarts() {
        assertSame(HookWarmup.none(), HookWarmup.start(top, top.resolve(".git")));
    }
}
