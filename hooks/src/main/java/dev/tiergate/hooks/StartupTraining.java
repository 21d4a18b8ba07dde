package dev.tiergate.hooks;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * What install.sh runs once, in a repository it prepared (a claimed branch with a staged migration and state file),
 * to record what the hooks load and run: a pre-commit, then {@code tiergate lint} in each output format, then
 * {@code tiergate check} (the history walk pre-push shares). On JDK 25 and later the recording is an ahead-of-time cache of loaded and linked classes and method profiles
 * ({@code -XX:AOTCacheOutput}, JEPs 483, 514, 515), which is made from one training run; that is why both commands
 * run in this one JVM. On older JDKs it is the class list of an AppCDS archive. Output is thrown away: only what the
 * JVM loads matters.
 */
public final class StartupTraining {
    private StartupTraining() {
    }

    public static void main(String[] args) {
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
        Main.run(new String[] {"pre-commit"}, InputStream.nullInputStream(), sink, sink);
        for (String format : new String[] {"text", "json", "sarif"}) {
            Main.run(new String[] {"lint", "--format", format, "db/migration"}, InputStream.nullInputStream(), sink, sink);
        }
        // pre-commit no longer loads JGit; pre-push and check walk history with it, so they are recorded too
        Main.run(new String[] {"check"}, InputStream.nullInputStream(), sink, sink);
    }
}
