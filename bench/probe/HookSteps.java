import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.SqlLint;
import dev.tiergate.core.policy.PolicyReader;
import dev.tiergate.core.state.StateFileValidator;
import dev.tiergate.core.state.TiergateState;
import dev.tiergate.hooks.git.GitIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The pre-commit hook's steps one after the other on one thread, in a fresh JVM, each timed: where a full-path hook
 * run spends its time (bench/hook-steps.sh runs it with the install's class path and start-up cache). The first step
 * to touch a library pays its start-up, so the order is the hook's: its own thread asks git about the index while the warm-up thread
 * reads the policy and the state file.
 * The git steps run the git binary, as the hook does (GitIndex); JGit is no longer on the pre-commit path. Prints one line: step=ms ...
 *
 *   java -cp INSTALL_CLASSPATH:. HookSteps REPO_TOP MIGRATION_FILE
 */
public class HookSteps {
    public static void main(String[] args) throws Exception {
        Path top = Path.of(args[0]);
        String migration = Files.readString(Path.of(args[1]));
        StringBuilder out = new StringBuilder();
        long t = System.nanoTime();
        GitIndex git = GitIndex.at(top);
        git.changes();
        t = lap(out, "git-staged-changes", t);
        git.paths();
        t = lap(out, "git-index-paths", t);
        git.read(git.changes().get(0).staged());
        t = lap(out, "git-changes-again-and-cat-file", t);
        new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"a\": 1}");
        t = lap(out, "jackson-first-tree", t);
        PolicyReader.read(Files.readAllBytes(top.resolve(".tiergate/policy.yaml")), ".tiergate/policy.yaml");
        t = lap(out, "policy", t);
        TiergateState.read(Files.readAllBytes(top.resolve(StateFileValidator.TIERGATE_STATE_PATH)), StateFileValidator.TIERGATE_STATE_PATH);
        t = lap(out, "tiergate-state-validated", t);
        Path kit = top.resolve(StateFileValidator.KIT_STATE_PATH);
        if (Files.exists(kit)) {
            StateFileValidator.validateKitState(Files.readAllBytes(kit), StateFileValidator.KIT_STATE_PATH);
            t = lap(out, "kit-state-validated", t);
        }
        SqlLint.lint(args[1], migration, LintState.newMigrationSet(), Map.of());
        lap(out, "lint", t);
        System.out.println(out.toString().strip());
    }

    private static long lap(StringBuilder out, String step, long since) {
        long now = System.nanoTime();
        out.append(step).append('=').append(String.format("%.1f", (now - since) / 1e6)).append(' ');
        return now;
    }
}
