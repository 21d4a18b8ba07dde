package dev.tiergate.hooks.cli;

import dev.tiergate.hooks.Main;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The server's commands as {@code tiergate --help} and shell completion show them. The launcher hands
 * {@code server}, {@code demo}, {@code audit}, {@code rollback}, {@code release-tier} and {@code token} to the server's
 * JVM (dev.tiergate.server.cli.ServerMain, which runs them), so these run only when the hooks' class path is started
 * by hand. gate-server's ServerCommandsInStepTest fails when a command's help here differs from ServerMain's.
 */
final class ServerCommands {
    private static final String CONFIG = "properties file with TIERGATE_* settings (the environment wins)";
    private static final String VERBOSE =
            "also show the libraries' logs (Jetty, HikariCP, Flyway, PostgreSQL) on standard error";

    private ServerCommands() {}

    /** Every server command: says where it runs, and fails. */
    abstract static class Elsewhere implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine()
                    .getErr()
                    .println(
                            "tiergate " + spec.qualifiedName().replace("tiergate ", "")
                                    + ": runs in the server's JVM; use the tiergate command install.sh wrote (it starts the right one)");
            return Main.FAILED;
        }
    }

    @Command(
            name = "server",
            description =
                    "Run the webhook server (embedded PostgreSQL under TIERGATE_HOME when TIERGATE_DB_URL is unset).")
    static final class Server extends Elsewhere {
        @Option(names = "--config", description = CONFIG)
        Path config;

        @Option(names = "--port", description = "overrides TIERGATE_PORT")
        Integer port;

        @Option(names = "--insecure-no-secret", description = "accept unsigned webhooks (local experiments only)")
        boolean insecure;

        @Option(names = "--verbose", description = VERBOSE)
        boolean verbose;
    }

    @Command(
            name = "demo",
            description = "Run the whole story once with an embedded database and a stand-in GitHub on loopback,"
                    + " then keep the server's pages up until Enter is pressed.")
    static final class Demo extends Elsewhere {
        @Option(names = "--no-wait", description = "stop as soon as the story is told (scripts, tests)")
        boolean noWait;

        @Option(names = "--verbose", description = VERBOSE)
        boolean verbose;
    }

    @Command(
            name = "audit",
            description = "Verify or export the audit trail.",
            subcommands = {Verify.class, Export.class})
    static final class Audit {}

    @Command(
            name = "verify",
            description = "Check the hash chain; names the first edited or deleted record. Exit 0 intact, 2 broken.")
    static final class Verify extends Elsewhere {
        @Option(names = "--config", description = CONFIG)
        Path config;
    }

    @Command(name = "export", description = "Write the audit trail as JSON Lines (stdout, or --out FILE).")
    static final class Export extends Elsewhere {
        @Option(names = "--config", description = CONFIG)
        Path config;

        @Option(names = "--out", description = "the file to write (default: standard output)")
        Path out;
    }

    /** The options of the commands that act on one tier. */
    abstract static class TierCommand extends Elsewhere {
        @Option(names = "--config", description = CONFIG)
        Path config;

        @Option(names = "--repo", required = true, description = "OWNER/REPO as the forge names it")
        String repo;

        @Option(names = "--forge", defaultValue = "github", description = "github or gitlab (default: github)")
        String forge;

        @Option(names = "--tier", required = true, description = "the tier's name in the policy, e.g. staging")
        String tier;
    }

    @Command(
            name = "rollback",
            description = "Repoint a tier to the snapshot taken before a merge migrated it, and release its hold.")
    static final class Rollback extends TierCommand {
        @Option(
                names = "--to",
                required = true,
                description = "the release: pr<N>, the merge whose snapshot to go back to")
        String release;
    }

    @Command(
            name = "release-tier",
            description = "Let PRs into a tier held after a failed migration merge again (after fixing it).")
    static final class ReleaseTier extends TierCommand {}

    @Command(
            name = "token",
            description =
                    "Make, list and revoke API tokens per actor (in the server's store; the operator runs these).",
            subcommands = {TokenCreate.class, TokenList.class, TokenRevoke.class})
    static final class Token {}

    /** The option every token command takes. */
    abstract static class TokenCommand extends Elsewhere {
        @Option(names = "--config", description = CONFIG)
        Path config;
    }

    @Command(
            name = "create",
            description =
                    "Make a token for one actor and print it, once, on standard output (tiergate keeps only its SHA-256).")
    static final class TokenCreate extends TokenCommand {
        @Option(
                names = "--actor",
                required = true,
                description = "the forge login the token stands for, as the policy's actors name it")
        String actor;

        @Option(
                names = "--expires",
                defaultValue = "30d",
                description = "how long it works: hours or days, e.g. 12h or 90d (1h to 365d; default 30d)")
        String expires;

        @Option(names = "--repo", description = "OWNER/REPO: the one repository it reaches (default: every repository)")
        String repo;
    }

    @Command(
            name = "list",
            description = "Every token: id, actor, repository, state, expiry, who made it; never a token itself.")
    static final class TokenList extends TokenCommand {}

    @Command(name = "revoke", description = "Refuse a token from now on (by its id, as tiergate token list shows it).")
    static final class TokenRevoke extends TokenCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "the token's id, tok_...")
        String id;
    }
}
