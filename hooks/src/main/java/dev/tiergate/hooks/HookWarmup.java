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
import java.util.concurrent.TimeUnit;

/**
 * Most of a hook's time is class loading and static initialisation, and a hook has two cores. While the hook's own
 * thread asks git about the index, reads the policy (SnakeYAML alone, {@code PolicyReader}) and runs the migration
 * checks, this thread reads tiergate's state file with Jackson (first phase: parsed only when the same bytes were
 * found valid before, see {@link ValidatedStateCache}, else validated against its JSON Schema) and, for a pre-commit
 * that stages the kit's state file, validates the staged content the hook's thread hands over (second phase; a commit
 * that does not stage it never starts the validator when tiergate's own state file is known valid). The hook's
 * thread waits for a phase only when it needs its result. Failures are ignored here: the check that reads the same
 * file reports what is wrong with it.
 *
 * <p>The two threads never initialise the same library at once, so no class initialisation can wait on the other
 * thread in a cycle: the hook's thread uses SnakeYAML and tiergate's own code, this one Jackson and the schema
 * validator (whose YAML support, the one path into SnakeYAML, is never loaded for JSON schemas); the hook's thread
 * waits for the first phase before its first use of Jackson and for the second before the validator
 * ({@link #await()}).
 */
public final class HookWarmup {
    private static final HookWarmup NONE = new HookWarmup(Path.of(""), Path.of(""));
    private final Path top;
    private final Path gitDir;
    private final CountDownLatch stateReady = new CountDownLatch(1);
    /** Counted down once the hook's thread has said what, if anything, the second phase validates. */
    private final CountDownLatch kitDecided = new CountDownLatch(1);

    private volatile byte[] stagedKit;
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

    /** How long the second phase waits for the hook's thread to say what to validate: only a defect makes it wait. */
    private static final long KIT_DECISION_WAIT_SECONDS = 5;

    /** Nothing to wait for (commands that are not hooks, and tests that build a Workspace by hand). */
    public static HookWarmup none() {
        return NONE;
    }

    /**
     * Starts warming up for a hook run at {@code top} (git runs hooks at the top of the working tree) whose git dir is
     * {@code gitDir}. With {@code kitHandedOver} the second phase waits for {@link #stagedKitState}, which the hook's
     * thread must then call; without it there is no second phase. The system property {@code tiergate.warmup=false}
     * switches the warm-up off, to measure what it is worth.
     */
    public static HookWarmup start(Path top, Path gitDir, boolean kitHandedOver) {
        if ("false".equals(System.getProperty("tiergate.warmup")) || !Files.exists(top.resolve(Policy.PATH))) {
            return NONE; // no policy: the hook returns at once
        }
        HookWarmup w = new HookWarmup(top, gitDir);
        if (!kitHandedOver) {
            w.kitDecided.countDown();
        }
        w.thread = new Thread(w::warm, "tiergate-warmup");
        w.thread.setDaemon(true);
        w.thread.start();
        return w;
    }

    private void warm() {
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
            if (kitDecided.await(KIT_DECISION_WAIT_SECONDS, TimeUnit.SECONDS) && stagedKit != null) {
                byte[] bytes = stagedKit;
                kitVerdict = StateFileValidator.validateKitState(bytes, StateFileValidator.KIT_STATE_PATH);
                kitBytes = bytes;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception | LinkageError e) {
            // as above
        }
    }

    /**
     * What the commit stages as the kit's state file ({@code null}: nothing), for the second phase to validate; called
     * once by the hook's thread as soon as it knows, when the warm-up was started with {@code kitHandedOver}.
     */
    public void stagedKitState(byte[] content) {
        if (thread == null) {
            return;
        }
        stagedKit = content;
        kitDecided.countDown();
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
