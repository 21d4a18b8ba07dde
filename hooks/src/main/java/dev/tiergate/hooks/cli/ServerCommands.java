package dev.tiergate.hooks.cli;

import dev.tiergate.hooks.Main;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The server's commands as {@code tiergate --help} and shell completion show them. The launcher hands
 * {@code server}, {@code demo} and {@code audit} to the server's JVM (dev.tiergate.server.cli.ServerMain), so these
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
}
