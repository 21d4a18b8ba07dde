package dev.tiergate.hooks.git;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.storage.file.FileBasedConfig;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.SystemReader;

/**
 * Where git keeps its system-wide config ({@code /etc/gitconfig} for most Linux packages) is compiled into git.
 * JGit finds it by running {@code git --version} and {@code git config --system --show-origin --list} each time a
 * JVM opens a repository: two processes per hook run. The answer changes only when git itself does, so it is
 * cached in {@code ~/.cache/tiergate/git-system-config}, keyed by the git executable's path, size and
 * modification time. {@code GIT_CONFIG_NOSYSTEM} and {@code GIT_CONFIG_SYSTEM} are honoured as git honours them.
 */
public final class GitSystemConfig {
    static final String CACHE_NAME = "git-system-config";
    private static volatile boolean installed;

    private GitSystemConfig() {}

    /** Makes JGit use the cached location from now on (idempotent). */
    public static void install() {
        if (installed) {
            return;
        }
        synchronized (GitSystemConfig.class) {
            if (installed) {
                return;
            }
            SystemReader.setInstance(new Reader(SystemReader.getInstance()));
            installed = true;
        }
    }

    /** The system config file git reads, or empty when git reads none; {@code discover} asks git (slow). */
    static Optional<File> locate(Map<String, String> env, Supplier<File> discover) {
        if (isSet(env.get("GIT_CONFIG_NOSYSTEM"))) {
            return Optional.empty();
        }
        if (isSet(env.get("GIT_CONFIG_SYSTEM"))) {
            return Optional.of(new File(env.get("GIT_CONFIG_SYSTEM")));
        }
        Optional<Path> git = gitOnPath(env.get("PATH"));
        if (git.isEmpty()) {
            return Optional.empty(); // JGit finds no git either, and reads no system config
        }
        Optional<Path> cache = cacheFile(env);
        String key = key(git.get());
        if (key != null && cache.isPresent()) {
            try {
                List<String> lines = Files.readAllLines(cache.get(), StandardCharsets.UTF_8);
                if (lines.size() == 2 && lines.get(0).equals(key)) {
                    return lines.get(1).isEmpty() ? Optional.empty() : Optional.of(new File(lines.get(1)));
                }
            } catch (IOException e) {
                // no cache yet, or unreadable: ask git
            }
        }
        Optional<File> found = Optional.ofNullable(discover.get());
        if (key != null && cache.isPresent()) {
            write(cache.get(), key + "\n" + found.map(File::getPath).orElse("") + "\n");
        }
        return found;
    }

    static Optional<Path> cacheFile(Map<String, String> env) {
        String xdg = env.get("XDG_CACHE_HOME");
        if (isSet(xdg) && xdg.startsWith("/")) {
            return Optional.of(Path.of(xdg, "tiergate", CACHE_NAME));
        }
        String home = env.get("HOME");
        return isSet(home) ? Optional.of(Path.of(home, ".cache", "tiergate", CACHE_NAME)) : Optional.empty();
    }

    private static Optional<Path> gitOnPath(String path) {
        if (!isSet(path)) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, "git");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static String key(Path git) {
        try {
            Path real = git.toRealPath();
            return real + "\t" + Files.size(real) + "\t"
                    + Files.getLastModifiedTime(real).toMillis();
        } catch (IOException e) {
            return null;
        }
    }

    private static void write(Path cache, String content) {
        try {
            Files.createDirectories(cache.getParent());
            Path tmp = Files.createTempFile(cache.getParent(), CACHE_NAME, ".tmp");
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, cache, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | UnsupportedOperationException e) {
            // a cache that cannot be written only costs the next run two git processes
        }
    }

    private static boolean isSet(String v) {
        return v != null && !v.isEmpty();
    }

    private static final class Reader extends SystemReader.Delegate {
        Reader(SystemReader delegate) {
            super(delegate);
        }

        @Override
        public FileBasedConfig openSystemConfig(Config parent, FS fs) {
            Optional<File> file = locate(System.getenv(), fs::getGitSystemConfig);
            if (file.isPresent()) {
                return new FileBasedConfig(parent, file.get(), fs);
            }
            return new FileBasedConfig(parent, null, fs) {
                @Override
                public void load() {
                    // git reads no system config here, and neither do we
                }

                @Override
                public boolean isOutdated() {
                    return false;
                }
            };
        }
    }
}
