package dev.tiergate.hooks;

import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.PolicyReader;
import dev.tiergate.core.state.StateFileValidator;
import dev.tiergate.core.state.TiergateState;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Most of a hook's time is class loading and static initialisation: JGit on one side, Jackson, SnakeYAML and the
 * JSON Schema validator on the other. The two halves do not depend on each other, so while the hook's own thread
 * opens the repository with JGit, this thread parses the working copies of the policy and tiergate's state file (which
 * initialises the schema validator), on the second core. Results are thrown away: the checks read what is staged,
 * from warm caches. Failures are ignored here; the checks meet the same input and report it properly. The kit's
 * state file is not warmed: most commits do not stage it, and the hook's thread waits for all of this.
 *
 * <p>The hook's thread calls {@link #await()} before its first use of Jackson, so the two libraries are never
 * initialised from both threads at once.
 */
public final class HookWarmup {
    private static final HookWarmup NONE = new HookWarmup(null);
    private final Thread thread;

    private HookWarmup(Thread thread) {
        this.thread = thread;
    }

    /** Nothing to wait for (commands that are not hooks, and tests that build a Workspace by hand). */
    public static HookWarmup none() {
        return NONE;
    }

    /**
     * Starts warming up for a hook run at {@code top} (git runs hooks at the top of the working tree). The system
     * property {@code tiergate.warmup=false} switches it off, to measure what it is worth.
     */
    public static HookWarmup start(Path top) {
        if ("false".equals(System.getProperty("tiergate.warmup")) || !Files.exists(top.resolve(Policy.PATH))) {
            return NONE; // no policy: the hook returns at once
        }
        Thread t = new Thread(() -> warm(top), "tiergate-warmup");
        t.setDaemon(true);
        t.start();
        return new HookWarmup(t);
    }

    private static void warm(Path top) {
        try {
            PolicyReader.read(Files.readAllBytes(top.resolve(Policy.PATH)), Policy.PATH);
            Path state = top.resolve(StateFileValidator.TIERGATE_STATE_PATH);
            if (Files.exists(state)) {
                TiergateState.read(Files.readAllBytes(state), StateFileValidator.TIERGATE_STATE_PATH);
            }
        } catch (Exception | LinkageError e) {
            // the check that reads the same file reports what is wrong with it
        }
    }

    /** Waits until the warm-up is done (at most a few hundred milliseconds; it never blocks on git or the user). */
    public void await() {
        if (thread == null) {
            return;
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
