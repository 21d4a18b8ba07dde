package dev.tiergate.hooks;

import dev.tiergate.core.migration.MigrationChecksums;
import dev.tiergate.core.policy.PolicyException;
import dev.tiergate.core.state.StateException;
import dev.tiergate.core.verdict.Verdict;
import dev.tiergate.hooks.check.CommitMsgCheck;
import dev.tiergate.hooks.check.PreCommitCheck;
import dev.tiergate.hooks.check.PrePushCheck;
import dev.tiergate.hooks.cli.LintCmd;
import dev.tiergate.hooks.cli.TiergateCli;
import dev.tiergate.hooks.git.GitCommand;
import dev.tiergate.hooks.git.GitIndex;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;

/**
 * The {@code tiergate} command. The three hooks are dispatched by hand, before any CLI framework loads, because
 * they run on every commit and push; everything else goes through picocli.
 */
public final class Main {
    public static final int OK = 0;
    public static final int NO_STATE = 1;
    public static final int REFUSED = 2;
    public static final int FAILED = 3;
    /** {@code tiergate wait}: the time given ran out before the server said yes or no. */
    public static final int TIMED_OUT = 4;
    /** In the (per-worktree) git dir: trailers pre-commit computed for the commit-msg shim. */
    public static final String TRAILERS_FILE = "tiergate-trailers";
    /** In the (per-worktree) git dir: the migration directory, for the pre-commit shim's fast path. */
    public static final String FASTPATH_FILE = "tiergate-fastpath";
    /** Every file the hooks leave in a (per-worktree) git dir for their next run; uninstall removes them. */
    public static final List<String> GIT_DIR_FILES = List.of(TRAILERS_FILE, FASTPATH_FILE, ValidatedStateCache.FILE);

    static {
        // JGit logs through SLF4J; naming its (no-op) provider spares every hook a ServiceLoader scan of each jar
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", "org.slf4j.nop.NOPServiceProvider");
            System.setProperty("slf4j.internal.verbosity", "WARN"); // else SLF4J says so on stderr
        }
    }

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        String cmd = args.length == 0 ? "" : args[0];
        try {
            switch (cmd) {
                case "pre-commit":
                    return preCommit(err);
                case "commit-msg":
                    return commitMsg(Path.of(args[1]), err);
                case "pre-push":
                    return prePush(args.length > 1 ? args[1] : "origin", in, err);
                case "lint":
                    Integer linted = LintCmd.fastPath(args, out, err);
                    return linted != null ? linted : TiergateCli.run(args, out, err);
                default:
                    return TiergateCli.run(args, out, err);
            }
        } catch (Workspace.Refused e) {
            return refuse(cmd, e.verdict(), err);
        } catch (StateException e) {
            return refuse(cmd, e.verdict(), err);
        } catch (PolicyException e) {
            err.println("tiergate: " + e.getMessage());
            return REFUSED;
        } catch (IOException | RuntimeException e) {
            err.println("tiergate " + cmd + ": " + e.getMessage());
            return FAILED;
        }
    }

    static int refuse(String what, Verdict v, PrintStream err) {
        String action = switch (what) {
            case "pre-commit", "commit-msg" -> "commit refused";
            case "pre-push" -> "push refused";
            default -> "refused";
        };
        err.println("tiergate: " + action + " (" + v.refusals().size() + " rule"
                + (v.refusals().size() == 1 ? "" : "s") + " broken)");
        err.println(v.render());
        warn(v, err);
        return REFUSED;
    }

    /** Rules the policy lowers to {@code warning}: counted and shown, never refusing. */
    public static void warn(Verdict v, PrintStream err) {
        int n = v.warnings().size();
        if (n > 0) {
            err.println("tiergate: " + n + " warning" + (n == 1 ? "" : "s")
                    + " (rules the policy sets to 'warning' in .tiergate/policy.yaml)");
            err.println(v.renderWarnings());
        }
    }

    /** The hook's workspace; the Jackson half of start-up is warmed on another core while git is asked about the index. */
    private static Workspace workspace(boolean preCommit) throws IOException {
        Path top = Path.of("").toAbsolutePath();
        GitIndex index = GitIndex.at(top);
        // pre-commit hands the warm-up the kit's staged state file (PreCommitCheck), the other hooks have none
        return Workspace.forHook(index, HookWarmup.start(top, index.gitDir(), preCommit));
    }

    static int preCommit(PrintStream err) throws IOException {
        long started = System.currentTimeMillis();
        Workspace ws = workspace(true);
        if (!ws.hasPolicy()) {
            return OK;
        }
        PreCommitCheck.Result r = new PreCommitCheck(ws).run();
        recordFastPath(ws, started);
        if (!r.verdict().isAllowed()) {
            return refuse("pre-commit", r.verdict(), err);
        }
        warn(r.verdict(), err);
        // the commit-msg shim appends these without starting a JVM
        List<String> trailers = new CommitMsgCheck(ws).trailersFor(r.changes());
        Path handoff = ws.gitDir().resolve(TRAILERS_FILE);
        if (trailers.isEmpty()) {
            Files.deleteIfExists(handoff);
        } else {
            Files.write(handoff, trailers, StandardCharsets.UTF_8);
        }
        if (r.ledgerToStage() != null) {
            Path sum = ws.top().resolve(MigrationChecksums.PATH);
            Files.createDirectories(sum.getParent());
            Files.writeString(sum, r.ledgerToStage().render(), StandardCharsets.UTF_8);
            // `git add` honours GIT_INDEX_FILE, which git sets for `commit -a` and `commit <paths>`
            GitCommand.run(ws.top(), "add", "--", MigrationChecksums.PATH);
        }
        return OK;
    }

    /**
     * Leaves the pre-commit shim what it needs to skip the JVM on the next commit: the policy's migration directory
     * (see Shims). The file is dated two seconds before this run read the policy, so any later edit of the policy
     * is newer than it, even on a file system that keeps mtimes in whole seconds, and the shim then starts the JVM.
     */
    private static void recordFastPath(Workspace ws, long readStarted) {
        try {
            String dir = ws.policy().migrations().directory();
            if (dir.contains("\n")) {
                return;
            }
            Path file = ws.gitDir().resolve(FASTPATH_FILE);
            Path tmp = Files.createTempFile(file.getParent(), FASTPATH_FILE, ".tmp");
            Files.writeString(tmp, dir + "\n", StandardCharsets.UTF_8);
            Files.setLastModifiedTime(tmp, FileTime.fromMillis(readStarted - 2_000));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            // without the file the shim starts the JVM on every commit: slower, never wrong
        }
    }

    static int commitMsg(Path messageFile, PrintStream err) throws IOException {
        Workspace ws = workspace(false);
        if (!ws.hasPolicy()) {
            return OK;
        }
        Path file = messageFile.isAbsolute() ? messageFile : ws.top().resolve(messageFile);
        if (!Files.exists(file)) {
            file = messageFile.toAbsolutePath();
        }
        String message = Files.readString(file, StandardCharsets.UTF_8);
        CommitMsgCheck.Result r = new CommitMsgCheck(ws).run(message);
        if (!r.verdict().isAllowed()) {
            return refuse("commit-msg", r.verdict(), err);
        }
        if (!r.message().equals(message)) {
            Files.writeString(file, r.message(), StandardCharsets.UTF_8);
        }
        Files.deleteIfExists(ws.gitDir().resolve(TRAILERS_FILE));
        return OK;
    }

    static int prePush(String remote, InputStream in, PrintStream err) throws IOException {
        Workspace ws = workspace(false);
        if (!ws.hasPolicy()) {
            return OK;
        }
        List<String> lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                .lines()
                .filter(l -> !l.isBlank())
                .toList();
        Verdict v = new PrePushCheck(ws).run(remote, lines);
        if (v.isAllowed()) {
            warn(v, err);
            return OK;
        }
        return refuse("pre-push", v, err);
    }
}
