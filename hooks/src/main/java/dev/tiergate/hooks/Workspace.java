package dev.tiergate.hooks;

import dev.tiergate.core.policy.Actor;
import dev.tiergate.core.policy.ActorClass;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.PolicyReader;
import dev.tiergate.core.policy.PolicyValidator;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.policy.WorkingBranchType;
import dev.tiergate.core.state.Claim;
import dev.tiergate.core.state.StateFileValidator;
import dev.tiergate.core.state.TiergateState;
import dev.tiergate.core.verdict.Verdict;
import dev.tiergate.hooks.git.GitIndex;
import dev.tiergate.hooks.git.GitRepo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;

/**
 * One repository as the hooks see it: its policy, tiergate's state file (untracked, per worktree), and who is
 * acting. Configuration is read here, once, and handed to the checks as values.
 *
 * <p>Two views of git: {@link #index()} asks the git binary about the index (all a commit's checks need), and
 * {@link #git()} is JGit, for history walks and the CLI's commands. A hook's workspace opens JGit only when something
 * asks for it, which pre-commit never does: JGit's start-up is most of what a fresh JVM would spend on git.
 */
public final class Workspace {
    public static final String STATE_PATH = StateFileValidator.TIERGATE_STATE_PATH;
    private GitRepo git;
    private final GitIndex index;
    private final Path top;
    private Policy policy;
    private Optional<TiergateState> state;
    private final HookWarmup warmup;
    private String actor;
    private static final String[] ACTOR_CONFIG_KEYS = {"tiergate.actor", "user.email"};

    public Workspace(GitRepo git) {
        this(git, HookWarmup.none());
    }

    /** A workspace whose Jackson-side classes are being warmed up by {@code warmup} (see {@link HookWarmup}). */
    public Workspace(GitRepo git, HookWarmup warmup) {
        this(git, new GitIndex(git.workTree(), git.gitDir()), warmup);
    }

    private Workspace(GitRepo git, GitIndex index, HookWarmup warmup) {
        this.git = git;
        this.index = index;
        this.top = index.top();
        this.warmup = warmup;
    }

    /** The workspace of a hook (git runs hooks at the top of the working tree); JGit is opened on first use of {@link #git()}. */
    public static Workspace forHook(GitIndex index, HookWarmup warmup) {
        return new Workspace(null, index, warmup);
    }

    /** Call before the first use of Jackson or the schema validator outside this class. */
    public void awaitWarmup() {
        warmup.await();
    }

    /** JGit, opened on first use. */
    public GitRepo git() {
        if (git == null) {
            try {
                git = GitRepo.open(top);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return git;
    }

    /** The index and HEAD as the git binary reports them. */
    public GitIndex index() {
        return index;
    }

    /** The (per-worktree) git dir. */
    public Path gitDir() {
        return index.gitDir();
    }

    public Path top() {
        return top;
    }

    public boolean hasPolicy() {
        return Files.exists(top.resolve(Policy.PATH));
    }

    /** The policy bytes the commit will contain: staged if staged, else the working copy. */
    public byte[] policyBytes() throws IOException {
        Optional<byte[]> staged = index.staged(Policy.PATH);
        return staged.isPresent() ? staged.get() : Files.readAllBytes(top.resolve(Policy.PATH));
    }

    /**
     * Reads the policy. Full validation (schema and tree rules) runs where the policy changes — pre-commit when it is
     * staged, {@code tiergate check}, {@code tiergate policy validate} — not on every commit: it is the most costly
     * part of a hook's start-up. Unknown fields and bad syntax are refused here all the same.
     */
    public Policy policy() throws IOException {
        if (policy == null) {
            // SnakeYAML alone (PolicyReader): no wait for the warm-up, which starts Jackson meanwhile
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
            Path p = top.resolve(STATE_PATH);
            try {
                if (Files.exists(p)) {
                    byte[] bytes = Files.readAllBytes(p);
                    Optional<TiergateState> warmed = warmup.stateReadFrom(bytes);
                    if (warmed.isEmpty()) {
                        warmup.await(); // the schema validator is the warm-up's until it is done
                    }
                    state = Optional.of(warmed.orElseGet(() -> TiergateState.read(bytes, STATE_PATH)));
                } else {
                    state = Optional.empty();
                }
            } catch (IOException e) {
                throw new IllegalStateException(STATE_PATH + ": cannot read: " + e.getMessage(), e);
            }
        }
        return state;
    }

    /** Tells the warm-up what the commit stages as the kit's state file (null: nothing); see {@link HookWarmup}. */
    public void stagedKitState(byte[] content) {
        warmup.stagedKitState(content);
    }

    /** The verdict on the kit's state file with this content (the warm-up's, when it validated the same bytes). */
    public Verdict kitStateVerdict(byte[] content, String path) {
        return warmup.kitVerdictFor(content)
                .filter(v -> path.equals(StateFileValidator.KIT_STATE_PATH))
                .orElseGet(() -> StateFileValidator.validateKitState(content, path));
    }

    public void writeState(TiergateState newState) throws IOException {
        this.state = Optional.of(newState);
        TiergateState state = newState;
        Path p = top.resolve(STATE_PATH);
        Files.createDirectories(p.getParent());
        Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
        Files.write(tmp, state.toJson());
        Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public Optional<Claim> claimFor(String branch) {
        return state().flatMap(s -> s.claimForBranch(branch));
    }

    /**
     * Who is committing: {@code TIERGATE_ACTOR}, else git config {@code tiergate.actor}, else {@code user.email};
     * class and roles from the policy's actor list (unlisted: human).
     */
    public Actor actor(Policy policy) throws IOException {
        if (actor == null) {
            actor = actorId();
        }
        return policy.actorFor(actor, false);
    }

    /**
     * The committer's class. A policy that lists no actors makes everyone human (the default policy does), and then
     * git's config is not asked: one process fewer on a commit that adds a migration.
     */
    public ActorClass actorClass(Policy policy) throws IOException {
        return policy.actors().isEmpty() ? ActorClass.HUMAN : actor(policy).actorClass();
    }

    /** Starts looking up what {@link #actorClass} needs ahead (a hook does while it waits for its checks). */
    public void prefetchActorClass(Policy policy) throws IOException {
        if (actor == null
                && !policy.actors().isEmpty()
                && (System.getenv("TIERGATE_ACTOR") == null
                        || System.getenv("TIERGATE_ACTOR").isBlank())) {
            index.prefetchConfig(ACTOR_CONFIG_KEYS);
        }
    }

    private String actorId() throws IOException {
        String id = System.getenv("TIERGATE_ACTOR");
        if (id == null || id.isBlank()) {
            Map<String, String> config = index.config(ACTOR_CONFIG_KEYS);
            id = config.get("tiergate.actor");
            if (id == null || id.isBlank()) {
                id = config.get("user.email");
            }
        }
        if (id == null || id.isBlank()) {
            id = System.getProperty("user.name");
        }
        return id;
    }

    /** The tier a branch merges into: a working type's target, or a tier's parent. */
    public static Optional<Tier> targetTier(Policy policy, String branch) {
        Optional<WorkingBranchType> type = policy.typeForBranch(branch);
        if (type.isPresent()) {
            return policy.tier(type.get().target());
        }
        return policy.tierForBranch(branch)
                .flatMap(t -> t.parent() == null ? Optional.empty() : policy.tier(t.parent()));
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
