import dev.tiergate.core.migration.MigrationSet;
import dev.tiergate.core.policy.MigrationSettings;
import dev.tiergate.core.state.StateFileValidator;
import dev.tiergate.core.verdict.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the pre-commit hook's JVM does for a commit that adds one migration and changes the kit's state file,
 * minus git access: validate the state file, then check the migration's name, header and statements (the SQL lint).
 * Used by bench/core-startup.sh to measure the core's share of the full path, with and without AppCDS.
 */
public class CoreProbe {
    public static void main(String[] args) throws Exception {
        Path state = Path.of(args[0]);
        Path migration = Path.of(args[1]);
        String path = "db/migration/" + migration.getFileName();
        String sql = Files.readString(migration);
        Verdict v = StateFileValidator.validateKitState(Files.readAllBytes(state), StateFileValidator.KIT_STATE_PATH)
                .and(new MigrationSet(MigrationSettings.DEFAULTS, java.util.List.of(path)).checkNew(path, sql, null));
        if (!v.isAllowed()) {
            System.err.println(v.render());
            System.exit(2);
        }
    }
}
