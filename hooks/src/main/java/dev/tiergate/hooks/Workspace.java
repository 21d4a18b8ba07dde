package dev.tiergate.hooks;

import dev.tiergate.core.policy.Actor;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.PolicyReader;
import dev.tiergate.core.policy.PolicyValidator;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.policy.WorkingBranchType;
import dev.tiergate.core.state.Claim;
import dev.tiergate.core.state.StateFileValidator;
import dev.tiergate.core.state.TiergateState;
import dev.tiergate.core.verdict.Verdict;
import dev.tiergate.hooks.git.GitRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One repository as the hooks see it: its policy, tiergate's state file (untracked, per worktree), and who is
 * acting. Configuration is read here, once, and handed to the checks as values.
 */
public final class Workspace {
    public static final String STATE_PATH = StateFileValidator.TIERGATE_STATE_PATH;
    private final GitRepo git;
    private final Path top;
    private Policy policy;
    private Optional<TiergateState> state;
    private final HookWarmup warmup;

    public Workspace(GitRepo git) {
        this(git, HookWarmup.none());
    }

    /** A workspace whose Jackson-side classes are being warmed up by {@code warmup} (see {@link HookWarmup}). */
    public Workspace(GitRepo git, HookWarmup warmup) {
        this.git = git;
        this.top = git.workTree();
        this.warmup = warmup;
    }

    /** Call before the first use of Jackson or the schema validator outside this class. */
    public void awaitWarmup() {
        warmup.await();
    }

    public GitRepo git() {
        return git;
    }

    public Path top() {
        return top;
    }

    public boolean hasPolicy() {
        return Files.exists(top.resolve(Policy.PATH));
    }

    /** The policy bytes the commit will contain: staged if staged, else the working copy. */
    public byte[] policyBytes() throws IOException {
        Optional<byte[]> staged = git.staged(Policy.PATH);
        return staged.isPresent() ? staged.get() : Files.readAllBytes(top.resolve(Policy.PATH));
    }

    /**
     * Reads the policy. Full validation (schema and tree rules) runs where the policy changes — pre-commit when it is
     * staged, {@code tiergate check}, {@code tiergate policy validate} — not on every commit: it is the most costly
     * part of a hook's start-up. Unknown fields and bad syntax are refused here all the same.
     */
    public Policy policy() throws IOException {
        if (policy == null) {
            warmup.await();
            policy = PolicyReader.read(policyBytes(), Policy.PATH);
        }
        return policy;
    }

    /** Reads and fully validates the policy; a policy that does not validate is itself a refusal. */
    public Policy validatedPolicy() throws IOException {
        byte[] bytes = policyBytes();
        warmup.await();
        Verdict v = PolicyValidator.validate(bytes, Policy.PATH);
        if (!v.isAllowed()) {
            throw new Refused(v);
        }
        return policy();
    }

    /** tiergate's own state file, read and validated once per command. */
    public Optional<TiergateState> state() {
        if (state == null) {
            warmup.await();
            Path p = top.resolve(STATE_PATH);
            try {
                state = Files.exists(p) ? Optional.of(TiergateState.read(Files.readAllBytes(p), STATE_PATH)) : Optional.empty();
            } catch (IOException e) {
                throw new IllegalStateException(STATE_PATH + ": cannot read: " + e.getMessage(), e);
            }
        }
        return state;
    }

    public void writeState(TiergateState newState) throws IOException {
        this.state = Optional.of(newState);
        TiergateState state = newState;
        Path p = top.resolve(STATE_PATH);
        Files.createDirectories(p.getParent());
        Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
        Files.write(tmp, state.toJson());
        Files.move(tmp, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    public Optional<Claim> claimFor(String branch) {
        return state().flatMap(s -> s.claimForBranch(branch));
    }

    /**
     * Who is committing: {@code TIERGATE_ACTOR}, else git config {@code tiergate.actor}, else {@code user.email};
     * class and roles from the policy's actor list (unlisted: human).
     */
    public Actor actor(Policy policy) {
        String id = System.getenv("TIERGATE_ACTOR");
        if (id == null || id.isBlank()) {
            id = git.config("tiergate", "actor");
        }
        if (id == null || id.isBlank()) {
            id = git.config("user", "email");
        }
        if (id == null || id.isBlank()) {
            id = System.getProperty("user.name");
        }
        return policy.actorFor(id, false);
    }

    /** The tier a branch merges into: a working type's target, or a tier's parent. */
    public static Optional<Tier> targetTier(Policy policy, String branch) {
        Optional<WorkingBranchType> type = policy.typeForBranch(branch);
        if (type.isPresent()) {
            return policy.tier(type.get().target());
        }
        return policy.tierForBranch(branch).flatMap(t -> t.parent() == null ? Optional.empty() : policy.tier(t.parent()));
    }

    /** Thrown to end a command with exit code 2 and the verdict's message. */
    public static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Verdict verdict;

        public Refused(Verdict verdict) {
            super(verdict.render());
            this.verdict = verdict;
        }

        public Verdict verdict() {
            return verdict;
        }
    }
}
