package dev.tiergate.hooks.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitSystemConfigTest {
    @TempDir
    Path tmp;

    Path bin;
    Map<String, String> env = new HashMap<>();
    AtomicInteger asked = new AtomicInteger();
    Supplier<File> discover = () -> {
        asked.incrementAndGet();
        return new File("/opt/git/etc/gitconfig");
    };

    @BeforeEach
    void fakeGit() throws IOException {
        bin = Files.createDirectories(tmp.resolve("bin"));
        Path git = bin.resolve("git");
        Files.writeString(git, "#!/bin/sh\nexit 1\n");
        assertTrue(git.toFile().setExecutable(true));
        env.put("PATH", tmp.resolve("empty") + File.pathSeparator + bin);
        env.put("HOME", tmp.resolve("home").toString());
    }

    @Test
    void asksGitOnceThenReadsTheCache() {
        assertEquals(Optional.of(new File("/opt/git/etc/gitconfig")), GitSystemConfig.locate(env, discover));
        assertEquals(Optional.of(new File("/opt/git/etc/gitconfig")), GitSystemConfig.locate(env, discover));
        assertEquals(1, asked.get());
        assertTrue(Files.exists(tmp.resolve("home/.cache/tiergate/git-system-config")));
    }

    @Test
    void aNewGitExecutableIsAskedAgain() throws IOException {
        GitSystemConfig.locate(env, discover);
        Files.setLastModifiedTime(bin.resolve("git"), FileTime.fromMillis(System.currentTimeMillis() - 86_400_000L));
        GitSystemConfig.locate(env, discover);
        assertEquals(2, asked.get());
    }

    @Test
    void noSystemConfigIsCachedToo() {
        Supplier<File> none = () -> {
            asked.incrementAndGet();
            return null;
        };
        assertEquals(Optional.empty(), GitSystemConfig.locate(env, none));
        assertEquals(Optional.empty(), GitSystemConfig.locate(env, none));
        assertEquals(1, asked.get());
    }

    @Test
    void honoursGitConfigNoSystemAndGitConfigSystem() {
        env.put("GIT_CONFIG_SYSTEM", "/srv/gitconfig");
        assertEquals(Optional.of(new File("/srv/gitconfig")), GitSystemConfig.locate(env, discover));
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        assertEquals(Optional.empty(), GitSystemConfig.locate(env, discover));
        assertEquals(0, asked.get());
    }

    @Test
    void xdgCacheHomeWinsOverHome() {
        env.put("XDG_CACHE_HOME", tmp.resolve("xdg").toString());
        GitSystemConfig.locate(env, discover);
        assertTrue(Files.exists(tmp.resolve("xdg/tiergate/git-system-config")));
    }

    @Test
    void withoutGitOnThePathThereIsNoSystemConfigAndNothingIsAsked() {
        env.put("PATH", tmp.resolve("empty").toString());
        assertEquals(Optional.empty(), GitSystemConfig.locate(env, discover));
        assertEquals(0, asked.get());
    }

    @Test
    void withoutAHomeGitIsAskedEachTime() {
        env.remove("HOME");
        GitSystemConfig.locate(env, discover);
        GitSystemConfig.locate(env, discover);
        assertEquals(2, asked.get());
    }
}
