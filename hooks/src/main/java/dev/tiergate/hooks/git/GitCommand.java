package dev.tiergate.hooks.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the real {@code git} for the few things JGit should not do for us: asking where hooks live (git's own
 * answer honours core.hooksPath and worktrees), staging with the index git is using (GIT_INDEX_FILE), and porcelain
 * commands a user would run (branch, checkout, commit).
 */
public final class GitCommand {
    private GitCommand() {}

    /** Runs {@code git args…} in {@code dir}; returns its trimmed output, or throws with it when git fails. */
    public static String run(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("git");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (p.waitFor() != 0) {
                throw new IOException("git " + String.join(" ", args) + " failed in " + dir + ": " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running git", e);
        }
        return out;
    }
}
