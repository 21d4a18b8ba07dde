package dev.tiergate.hooks;

import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.state.StateFileValidator;
import dev.tiergate.core.state.TiergateState;
import dev.tiergate.core.verdict.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * Most of a hook's time is class loading and static initialisation, and a hook has two cores. While the hook's own
 * thread asks git about the index, this thread initialises Jackson's core (first phase), reads tiergate's state file
 * (second phase: parsed only when the same bytes were found valid before, see {@link ValidatedStateCache}, else
 * validated against its JSON Schema), and validates the working copy of the kit's state file, if there is one (third
 * phase). After the first phase the hook's thread reads the policy (YAML) and runs the migration checks beside the
 * others; it waits for a later phase only when it needs its result. Failures are ignored here: the check that reads
 * the same file reports what is wrong with it.
 *
 * <p>The two threads never initialise the same library at once: the hook's thread waits for the first phase before
 * its first use of Jackson ({@link #awaitJackson()}), and for everything before its first use of the schema validator
 * ({@link #await()}). After the first phase they touch disjoint libraries (SnakeYAML and the YAML module there, the
 * schema validator here), so no class initialisation can wait on the other thread in a cycle.
 */
public final class HookWarmup {
    private static final HookWarmup NONE = new HookWarmup(Path.of(""), Path.of(""));
    /** One JSON value of each kind, so every node type's class is initialised in the first phase. */
    private static final String JSON_OF_EVERY_KIND = "{\"o\": {\"a\": [1, 2.5, 12345678901234, true, false, null, \"s\"]}}";
    private final Path top;
    private final Path gitDir;
    private final CountDownLatch jacksonReady = new CountDownLatch(1);
    private final CountDownLatch stateReady = new CountDownLatch(1);
    /** Set, by the hook's thread, before the thread starts; null when there is nothing to wait for. */
    private Thread thread;
    /** What the warm-up read, and from which bytes: the hook reuses a result when its bytes are the same. */
    private volatile byte[] stateBytes;
    private volatile TiergateState state;
    private volatile byte[] kitBytes;
    private volatile Verdict kitVerdict;

    private HookWarmup(Path top, Path gitDir) {
        this.top = top;
        this.gitDir = gitDir;
    }

    /** Nothing to wait for (commands that are not hooks, and tests that build a Workspace by hand). */
    public static HookWarmup none() {
        return NONE;
    }

    /**
     * Starts warming up for a hook run at {@code top} (git runs hooks at the top of the working tree) whose git dir is
     * {@code gitDir}. The system property {@code tiergate.warmup=false} switches it off, to measure what it is worth.
     */
    public static HookWarmup start(Path top, Path gitDir) {
        if ("false".equals(System.getProperty("tiergate.warmup")) || !Files.exists(top.resolve(Policy.PATH))) {
            return NONE; // no policy: the hook returns at once
        }
        HookWarmup w = new HookWarmup(top, gitDir);
        w.thread = new Thread(w::warm, "tiergate-warmup");
        w.thread.setDaemon(true);
        w.thread.start();
        return w;
    }

    private void warm() {
        try {
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(JSON_OF_EVERY_KIND);
        } catch (Exception | LinkageError e) {
            // the hook's own reading meets the same problem and reports it
        } finally {
            jacksonReady.countDown();
        }
        try {
            Path file = top.resolve(StateFileValidator.TIERGATE_STATE_PATH);
            if (Files.exists(file)) {
                byte[] bytes = Files.readAllBytes(file);
                if (ValidatedStateCache.isKnownValid(gitDir, bytes)) {
                    state = TiergateState.readValidated(bytes, StateFileValidator.TIERGATE_STATE_PATH);
                } else {
                    state = TiergateState.read(bytes, StateFileValidator.TIERGATE_STATE_PATH);
                    ValidatedStateCache.remember(gitDir, bytes);
                }
                stateBytes = bytes;
            }
        } catch (Exception | LinkageError e) {
            // the check that reads the same file reports what is wrong with it
        } finally {
            stateReady.countDown();
        }
        try {
            Path kit = top.resolve(StateFileValidator.KIT_STATE_PATH);
            if (Files.exists(kit)) {
                byte[] bytes = Files.readAllBytes(kit);
                kitVerdict = StateFileValidator.validateKitState(bytes, StateFileValidator.KIT_STATE_PATH);
                kitBytes = bytes;
            }
        } catch (Exception | LinkageError e) {
            // as above
        }
    }

    /** Waits until Jackson's core is initialised (the first phase). */
    public void awaitJackson() {
        if (thread == null) {
            return;
        }
        try {
            jacksonReady.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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

    /** tiergate's state file as the warm-up read it, if it read exactly {@code bytes} and found them valid. */
    Optional<TiergateState> stateReadFrom(byte[] bytes) {
        if (thread == null) {
            return Optional.empty();
        }
        try {
            stateReady.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        byte[] read = stateBytes;
        return read != null && Arrays.equals(read, bytes) ? Optional.of(state) : Optional.empty();
    }

    /** The kit state file's verdict as the warm-up found it, if it validated exactly {@code bytes}. */
    Optional<Verdict> kitVerdictFor(byte[] bytes) {
        await();
        byte[] read = kitBytes;
        return read != null && Arrays.equals(read, bytes) ? Optional.of(kitVerdict) : Optional.empty();
    }
}
