package dev.tiergate.hooks.install;

import dev.tiergate.hooks.Main;
import dev.tiergate.hooks.git.GitCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Installs tiergate's POSIX sh shims where git says hooks live ({@code git rev-parse --git-path hooks}, which
 * honours {@code core.hooksPath} and is shared by all worktrees). A hook that was already there is kept as
 * {@code <hook>.tiergate-chained} and run first; uninstall puts it back. Idempotent. The shims carry the launcher's
 * path, never a worktree's.
 */
public final class HookInstaller {
    public static final List<String> HOOKS = List.of("pre-commit", "commit-msg", "pre-push");
    static final String MARKER = "# tiergate-hook";
    static final String CHAINED = ".tiergate-chained";
    /**
     * Dated after tiergate's hooks and before anything written later, so a shim can tell with two stats whether a
     * sibling hook may have been replaced since (then it reads the sibling's marker line).
     */
    static final String STAMP = ".tiergate-installed";

    private HookInstaller() {}

    public static Path hooksDir(Path repoDir) throws IOException {
        String out = GitCommand.run(repoDir, "rev-parse", "--git-path", "hooks");
        Path p = Path.of(out);
        return (p.isAbsolute() ? p : repoDir.resolve(p)).normalize();
    }

    /** Installs the three hooks; returns one line per hook saying what was done. */
    public static List<String> install(Path repoDir, String launcher) throws IOException {
        Path dir = hooksDir(repoDir);
        Files.createDirectories(dir);
        List<String> report = new ArrayList<>();
        Path defaultDir = defaultHooksDir(repoDir);
        if (!dir.equals(defaultDir)
                && Files.exists(defaultDir.resolve(HOOKS.get(0)))
                && isOurs(defaultDir.resolve(HOOKS.get(0)))) {
            report.add("note: core.hooksPath sends git to " + dir
                    + " (another tool, such as the Lakebase kit's install-hook.sh,"
                    + " may have set it), so tiergate's hooks in " + defaultDir + " no longer run; installing into "
                    + dir
                    + ", where the other tool's hooks are chained");
        }
        for (String hook : HOOKS) {
            Path target = dir.resolve(hook);
            Path chained = dir.resolve(hook + CHAINED);
            String note = "installed";
            if (Files.exists(target) && !isOurs(target)) {
                if (Files.exists(chained) && Files.mismatch(target, chained) == -1) {
                    note = "another tool had put its hook here again (the same one already kept as "
                            + chained.getFileName() + "); tiergate's hook is back and runs it first";
                } else if (Files.exists(chained)) {
                    throw new IOException(target + " is another tool's hook and " + chained
                            + " holds a different one; fix: merge" + " the two into " + chained.getFileName()
                            + " by hand, delete " + hook + ", then run tiergate install again");
                } else {
                    Files.move(target, chained);
                    note = "installed; the hook that was there (another tool's) is kept as " + chained.getFileName()
                            + " and runs first (its failure still fails the "
                            + (hook.equals("pre-push") ? "push" : "commit") + ")";
                }
            } else if (Files.exists(target)) {
                note = "already installed (refreshed)";
            }
            Files.writeString(target, Shims.shim(hook, launcher), StandardCharsets.UTF_8);
            makeExecutable(target);
            report.add(hook + ": " + note + " (" + target + ")");
        }
        stamp(dir);
        return report;
    }

    /**
     * Backdates the hooks by two seconds and the stamp by one, so that a hook another tool writes from now on is
     * newer than the stamp even on a file system that keeps whole seconds.
     */
    private static void stamp(Path dir) throws IOException {
        long now = System.currentTimeMillis();
        for (String hook : HOOKS) {
            Files.setLastModifiedTime(dir.resolve(hook), FileTime.fromMillis(now - 2000));
        }
        Path stamp = dir.resolve(STAMP);
        Files.writeString(
                stamp,
                "tiergate's hooks were installed here; their shims compare sibling hooks' dates with this file\n",
                StandardCharsets.UTF_8);
        Files.setLastModifiedTime(stamp, FileTime.fromMillis(now - 1000));
    }

    /** Where git keeps hooks without core.hooksPath: the hooks folder of the common git dir. */
    public static Path defaultHooksDir(Path repoDir) throws IOException {
        Path common = Path.of(GitCommand.run(repoDir, "rev-parse", "--git-common-dir"));
        return (common.isAbsolute() ? common : repoDir.resolve(common))
                .resolve("hooks")
                .normalize();
    }

    public static List<String> uninstall(Path repoDir) throws IOException {
        Path dir = hooksDir(repoDir);
        List<String> report = new ArrayList<>();
        for (String hook : HOOKS) {
            Path target = dir.resolve(hook);
            Path chained = dir.resolve(hook + CHAINED);
            if (Files.exists(target) && isOurs(target)) {
                Files.delete(target);
                if (Files.exists(chained)) {
                    Files.move(chained, target, StandardCopyOption.ATOMIC_MOVE);
                    report.add(hook + ": removed; the previous hook is restored");
                } else {
                    report.add(hook + ": removed");
                }
            } else {
                report.add(hook + ": not installed by tiergate; left alone");
            }
        }
        Files.deleteIfExists(dir.resolve(STAMP));
        // what the hooks keep for their next run, in the git dir of every worktree (each has its own)
        Path common = Path.of(GitCommand.run(repoDir, "rev-parse", "--git-common-dir"));
        common = (common.isAbsolute() ? common : repoDir.resolve(common)).normalize();
        List<Path> gitDirs = new ArrayList<>(List.of(common));
        if (Files.isDirectory(common.resolve("worktrees"))) {
            try (var worktrees = Files.list(common.resolve("worktrees"))) {
                worktrees.filter(Files::isDirectory).forEach(gitDirs::add);
            }
        }
        for (Path gitDir : gitDirs) {
            for (String file : Main.GIT_DIR_FILES) {
                Files.deleteIfExists(gitDir.resolve(file));
            }
        }
        return report;
    }

    public static boolean isOurs(Path hook) throws IOException {
        try (var lines = Files.lines(hook, StandardCharsets.UTF_8)) {
            return lines.limit(3).anyMatch(l -> l.startsWith(MARKER));
        } catch (UncheckedIOException e) {
            return false; // not text: certainly not ours
        }
    }

    /** The launcher a tiergate hook calls (baked in by install), if the file is one of ours. */
    public static Optional<String> launcherIn(Path hook) throws IOException {
        if (!Files.exists(hook) || !isOurs(hook)) {
            return Optional.empty();
        }
        for (String line : Files.readAllLines(hook, StandardCharsets.UTF_8)) {
            if (line.startsWith("launcher=\"${TIERGATE_LAUNCHER:-") && line.endsWith("}\"")) {
                String baked = line.substring("launcher=\"${TIERGATE_LAUNCHER:-".length(), line.length() - 2);
                return Optional.of(baked.replace("\\$", "$").replace("\\\"", "\""));
            }
        }
        return Optional.empty();
    }

    private static void makeExecutable(Path p) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException e) {
            p.toFile().setExecutable(true);
        }
    }
}
