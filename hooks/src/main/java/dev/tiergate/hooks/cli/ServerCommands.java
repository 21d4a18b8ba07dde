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
 * JVM (dev.tiergate.server.cli.ServerMain), so these
 * run only when the hooks' class path is started by hand; keep their options in step with ServerMain's.
 */
final class ServerCommands {
    private ServerCommands() {
    }

    static int elsewhere(CommandSpec spec) {
        spec.commandLine().getErr().println("tiergate " + spec.qualifiedName().replace("tiergate ", "")
                + ": runs in the server's JVM; use the tiergate command install.sh wrote (it starts the right one)");
        return Main.FAILED;
    }

    @Command(name = "server", description = "Run the webhook server (embedded PostgreSQL under TIERGATE_HOME when TIERGATE_DB_URL is unset).")
    static final class Server implements Callable<Integer> {
        @Option(names = "--config", description = "properties file with TIERGATE_* settings (the environment wins)")
        Path config;
        @Option(names = "--port", description = "overrides TIERGATE_PORT")
        Integer port;
        @Option(names = "--insecure-no-secret", description = "accept unsigned webhooks (local experiments only)")
        boolean insecure;
        @Option(names = "--verbose", description = "also show the libraries' logs")
        boolean verbose;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return elsewhere(spec);
        }
    }

    @Command(name = "demo", description = "The whole story with an embedded database and a stand-in GitHub; keeps its pages up until Enter.")
    static final class Demo implements Callable<Integer> {
        @Option(names = "--no-wait", description = "stop as soon as the story is told (scripts, tests)")
        boolean noWait;
        @Option(names = "--verbose", description = "also show the libraries' logs")
        boolean verbose;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return elsewhere(spec);
        }
    }

    @Command(name = "audit", description = "Verify or export the audit trail.", subcommands = {Verify.class, Export.class})
    static final class Audit {
    }

    @Command(name = "verify", description = "Check the hash chain and the anchor. Exit 0 intact, 2 broken.")
    static final class Verify implements Callable<Integer> {
        @Option(names = "--config")
        Path config;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return elsewhere(spec);
        }
    }

    @Command(name = "export", description = "Write the audit trail as JSON Lines (stdout, or --out FILE).")
    static final class Export implements Callable<Integer> {
        @Option(names = "--config")
        Path config;
        @Option(names = "--out")
        Path out;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return elsewhere(spec);
        }
    }

    @Command(name = "rollback", description = "Repoint a tier to the snapshot taken before a merge migrated it, and release its hold.")
    static final class Rollback implements Callable<Integer> {
        @Option(names = "--config")
        Path config;
        @Option(names = "--repo", required = true)
        String repo;
        @Option(names = "--forge", defaultValue = "github")
        String forge;
        @Option(names = "--tier", required = true)
        String tier;
        @Option(names = "--to", required = true, description = "the release: pr<N>")
        String release;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return elsewhere(spec);
        }
    }

    @Command(name = "release-tier", description = "Let PRs into a tier held after a failed migration merge again.")
    static final class ReleaseTier implements Callable<Integer> {
        @Option(names = "--config")
        Path config;
        @Option(names = "--repo", required = true)
        String repo;
        @Option(names = "--forge", defaultValue = "github")
        String forge;
        @Option(names = "--tier", required = true)
        String tier;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return elsewhere(spec);
        }
    }

    @Command(name = "token", description = "Make, list and revoke API tokens per actor (in the server's store; the operator runs these).",
            subcommands = {TokenCreate.class, TokenList.class, TokenRevoke.class})
    static final class Token {
    }

    @Command(name = "create", description = "Make a token for one actor and print it, once, on standard output.")
    static final class TokenCreate implements Callable<Integer> {
        @Option(names = "--config")
        Path config;
        @Option(names = "--actor", required = true, description = "the forge login the token stands for")
        String actor;
        @Option(names = "--expires", defaultValue = "30d", description = "12h, 90d, ... (1h to 365d; default 30d)")
        String expires;
        @Option(names = "--repo", description = "OWNER/REPO: the one repository it reaches (default: every repository)")
        String repo;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return elsewhere(spec);
        }
    }

    @Command(name = "list", description = "Every token: id, actor, repository, state, expiry, who made it; never a token itself.")
    static final class TokenList implements Callable<Integer> {
        @Option(names = "--config")
        Path config;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return elsewhere(spec);
        }
    }

    @Command(name = "revoke", description = "Refuse a token from now on (by its id, as tiergate token list shows it).")
    static final class TokenRevoke implements Callable<Integer> {
        @Option(names = "--config")
        Path config;
        @Parameters(index = "0", paramLabel = "ID", description = "the token's id, tok_...")
        String id;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return elsewhere(spec);
        }
    }
}
