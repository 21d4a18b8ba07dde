package dev.tiergate.hooks;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * What install.sh runs, in a repository it prepared (a claimed branch with a staged migration and state file), to
 * record what tiergate loads, in two parts, each in its own JVM: {@code hooks}, a pre-commit (what every commit that
 * touches the database loads); {@code cli}, {@code tiergate lint} in each output format and {@code tiergate check}
 * (the history walk pre-push shares). No argument runs both. On JDK 25 and later each recording is an ahead-of-time
 * cache of loaded and linked classes and method profiles ({@code -XX:AOTCacheOutput}, JEPs 483, 514, 515), made
 * from one training run; such a cache loads all its classes when the JVM starts, so the commit hooks get one without
 * JGit and the lint's formats. On older JDKs it is the class list of an AppCDS archive. Output is thrown away: only
 * what the JVM loads matters.
 */
public final class StartupTraining {
    private StartupTraining() {
    }

    public static void main(String[] args) {
        String part = args.length == 0 ? "all" : args[0];
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
        if (part.equals("hooks") || part.equals("all")) {
            Main.run(new String[] {"pre-commit"}, InputStream.nullInputStream(), sink, sink);
        }
        if (part.equals("cli") || part.equals("all")) {
            for (String format : new String[] {"text", "json", "sarif"}) {
                Main.run(new String[] {"lint", "--format", format, "db/migration"}, InputStream.nullInputStream(), sink, sink);
            }
            // pre-commit does not load JGit; pre-push and check walk history with it
            Main.run(new String[] {"check"}, InputStream.nullInputStream(), sink, sink);
        }
    }
}
