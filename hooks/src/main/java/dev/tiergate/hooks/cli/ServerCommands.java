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
 * The server's commands and their options, defined once. The hooks' JVM shows them in {@code tiergate --help} and
 * shell completion; the launcher hands {@code server}, {@code demo}, {@code audit}, {@code rollback},
 * {@code release-tier} and {@code token} to the server's JVM, whose {@code dev.tiergate.server.cli.ServerMain}
 * extends each class here and runs it (picocli reads the annotations of the superclass). Here they only say where
 * they run, for a hooks class path started by hand.
 */
public final class ServerCommands {
    public static final String AUDIT = "Verify or export the audit trail.";
    public static final String TOKEN =
            "Make, list and revoke API tokens per actor (in the server's store; the operator runs these).";
    private static final String CONFIG = "properties file with TIERGATE_* settings (the environment wins)";
    private static final String VERBOSE =
            "also show the libraries' logs (Jetty, HikariCP, Flyway, PostgreSQL) on standard error";

    private ServerCommands() {}

    /** Every server command: in the hooks' JVM it says where it runs, and fails; the server's JVM overrides it. */
    public abstract static class Elsewhere implements Callable<Integer> {
        @Spec
        protected CommandSpec spec;

        @Override
        public Integer call() throws Exception {
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
    public static class Server extends Elsewhere {
        @Option(names = "--config", description = CONFIG)
        protected Path config;

        @Option(names = "--port", description = "overrides TIERGATE_PORT")
        protected Integer port;

        @Option(names = "--insecure-no-secret", description = "accept unsigned webhooks (local experiments only)")
        protected boolean insecure;

        @Option(names = "--verbose", description = VERBOSE)
        protected boolean verbose;
    }

    @Command(
            name = "demo",
            description = "Run the whole story once with an embedded database and a stand-in GitHub on loopback,"
                    + " then keep the server's pages up until Enter is pressed.")
    public static class Demo extends Elsewhere {
        @Option(names = "--no-wait", description = "stop as soon as the story is told (scripts, tests)")
        protected boolean noWait;

        @Option(names = "--verbose", description = VERBOSE)
        protected boolean verbose;
    }

    @Command(
            name = "audit",
            description = AUDIT,
            subcommands = {Verify.class, Export.class})
    static final class Audit {}

    @Command(
            name = "verify",
            description = "Check the hash chain; names the first edited or deleted record. Exit 0 intact, 2 broken.")
    public static class Verify extends Elsewhere {
        @Option(names = "--config", description = CONFIG)
        protected Path config;
    }

    @Command(name = "export", description = "Write the audit trail as JSON Lines (stdout, or --out FILE).")
    public static class Export extends Elsewhere {
        @Option(names = "--config", description = CONFIG)
        protected Path config;

        @Option(names = "--out", description = "the file to write (default: standard output)")
        protected Path out;
    }

    /** The options of the commands that act on one tier. */
    public abstract static class TierCommand extends Elsewhere {
        @Option(names = "--config", description = CONFIG)
        protected Path config;

        @Option(names = "--repo", required = true, description = "OWNER/REPO as the forge names it")
        protected String repo;

        @Option(names = "--forge", defaultValue = "github", description = "github or gitlab (default: github)")
        protected String forge;

        @Option(names = "--tier", required = true, description = "the tier's name in the policy, e.g. staging")
        protected String tier;
    }

    @Command(
            name = "rollback",
            description = "Repoint a tier to the snapshot taken before a merge migrated it, and release its hold.")
    public static class Rollback extends TierCommand {
        @Option(
                names = "--to",
                required = true,
                description = "the release: pr<N>, the merge whose snapshot to go back to")
        protected String release;
    }

    @Command(
            name = "release-tier",
            description = "Let PRs into a tier held after a failed migration merge again (after fixing it).")
    public static class ReleaseTier extends TierCommand {}

    @Command(
            name = "token",
            description = TOKEN,
            subcommands = {TokenCreate.class, TokenList.class, TokenRevoke.class})
    static final class Token {}

    /** The option every token command takes. */
    public abstract static class TokenCommand extends Elsewhere {
        @Option(names = "--config", description = CONFIG)
        protected Path config;
    }

    @Command(
            name = "create",
            description =
                    "Make a token for one actor and print it, once, on standard output (tiergate keeps only its SHA-256).")
    public static class TokenCreate extends TokenCommand {
        @Option(
                names = "--actor",
                required = true,
                description = "the forge login the token stands for, as the policy's actors name it")
        protected String actor;

        @Option(
                names = "--expires",
                defaultValue = "30d",
                description = "how long it works: hours or days, e.g. 12h or 90d (1h to 365d; default 30d)")
        protected String expires;

        @Option(names = "--repo", description = "OWNER/REPO: the one repository it reaches (default: every repository)")
        protected String repo;
    }

    @Command(
            name = "list",
            description = "Every token: id, actor, repository, state, expiry, who made it; never a token itself.")
    public static class TokenList extends TokenCommand {}

    @Command(name = "revoke", description = "Refuse a token from now on (by its id, as tiergate token list shows it).")
    public static class TokenRevoke extends TokenCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "the token's id, tok_...")
        protected String id;
    }
}
