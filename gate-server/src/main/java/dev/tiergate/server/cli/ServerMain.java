package dev.tiergate.server.cli;

import dev.tiergate.server.audit.AuditLog;
import dev.tiergate.server.config.ConfigException;
import dev.tiergate.server.config.ServerConfig;
import dev.tiergate.server.demo.Demo;
import dev.tiergate.server.http.GateServer;
import dev.tiergate.server.log.LibraryLogging;
import dev.tiergate.server.log.ServerLog;
import dev.tiergate.server.store.Database;
import dev.tiergate.server.ui.Dashboard;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tiergate server | demo | audit verify | audit export}: the server half of the tiergate command. */
@Command(name = "tiergate", mixinStandardHelpOptions = true, versionProvider = ServerMain.Version.class,
        subcommands = {ServerMain.Serve.class, ServerMain.DemoCommand.class, ServerMain.Audit.class, ServerMain.Rollback.class,
                ServerMain.ReleaseTier.class})
public final class ServerMain {
    static final int OK = 0;
    static final int REFUSED = 2;
    static final int FAILED = 3;
    static final String NO_AUDIT_TABLE = "this store has no audit table: it is not a tiergate server's store (check TIERGATE_DB_URL);"
            + " audit commands only read, they never create it";

    public static void main(String[] args) {
        // before the first logger is made: the libraries say only warnings (the demo: only errors) unless --verbose
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
        boolean demo = args.length > 0 && args[0].equals("demo");
        LibraryLogging.configure(verbose, demo ? "error" : "warn");
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new ServerMain());
        cl.setOut(new java.io.PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        cl.setErr(new java.io.PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        cl.setExecutionExceptionHandler((e, c, p) -> {
            err.println("tiergate: " + e.getMessage());
            return e instanceof ConfigException ? REFUSED : FAILED;
        });
        return cl.execute(args);
    }

    /** The Maven project version this server was built from. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"tiergate " + dev.tiergate.core.TiergateVersion.current()};
        }
    }

    static ServerConfig config(Path file) {
        return ServerConfig.fromEnvironment(System.getenv(), file);
    }

    @Command(name = "server", description = "Run the webhook server (embedded PostgreSQL under TIERGATE_HOME when TIERGATE_DB_URL is unset).")
    static final class Serve implements Callable<Integer> {
        @Option(names = "--config", description = "properties file with TIERGATE_* settings (the environment wins)")
        Path config;
        @Option(names = "--port", description = "overrides TIERGATE_PORT")
        Integer port;
        @Option(names = "--insecure-no-secret", description = "accept unsigned webhooks (local experiments only)")
        boolean insecure;
        @Option(names = "--verbose", description = "also show the libraries' logs (Jetty, HikariCP, Flyway, PostgreSQL) on standard error")
        boolean verbose;

        @Override
        public Integer call() throws InterruptedException {
            ServerConfig cfg = config(config);
            if (port != null) {
                cfg = cfg.withPort(port);
            }
            String problem = cfg.missingSecretProblem(insecure);
            if (problem == null && cfg.githubAppProblem() != null) {
                problem = "tiergate server: " + cfg.githubAppProblem();
            }
            if (problem != null) {
                System.err.println(problem);
                return REFUSED;
            }
            ServerLog log = new ServerLog(System.out, cfg.logFormat(), java.time.Clock.systemUTC());
            GateServer server = GateServer.start(cfg, log);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }));
            String host = cfg.bind().contains(":") ? "[" + cfg.bind() + "]" : cfg.bind();
            List<String> warnings = new ArrayList<>();
            if (insecure) {
                warnings.add("webhook signatures are not checked (--insecure-no-secret)");
            }
            Dashboard.closedReason(cfg.bind(), cfg.secretValue("TIERGATE_VIEWER_TOKEN")).ifPresent(warnings::add);
            log.started("http://" + host + ":" + server.port(), server.storeDescription(), cfg.forgeSummary(),
                    warnings.isEmpty() ? null : String.join("; ", warnings));
            stopped.await();
            return OK;
        }
    }

    @Command(name = "demo", description = "Run the whole story once with an embedded database and a stand-in GitHub on loopback,"
            + " then keep the server's pages up until Enter is pressed.")
    static final class DemoCommand implements Callable<Integer> {
        @Option(names = "--no-wait", description = "stop as soon as the story is told (scripts, tests)")
        boolean noWait;
        @Option(names = "--verbose", description = "also show the libraries' logs (Jetty, HikariCP, Flyway, PostgreSQL) on standard error")
        boolean verbose;

        @Override
        public Integer call() throws Exception {
            return Demo.run(System.out, noWait ? null : System.in);
        }
    }

    /** The options both tier commands take, and the pieces they work with. */
    abstract static class TierCommand implements Callable<Integer> {
        @Option(names = "--config", description = "properties file with TIERGATE_* settings (the environment wins)")
        Path config;
        @Option(names = "--repo", required = true, description = "OWNER/REPO as the forge names it")
        String repo;
        @Option(names = "--forge", defaultValue = "github", description = "github or gitlab (default: github)")
        String forge;
        @Option(names = "--tier", required = true, description = "the tier's name in the policy, e.g. staging")
        String tier;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            ServerConfig cfg = config(config);
            try (Database db = Database.attachOrOpen(cfg);
                 dev.tiergate.server.backend.BranchBackend backend = dev.tiergate.server.backend.BranchBackends.fromConfig(cfg, cfg.home())) {
                var tiers = new dev.tiergate.server.gate.TierRollback(backend, new dev.tiergate.server.store.MigrationStore(db.dataSource()),
                        new AuditLog(db.dataSource()));
                return run(tiers, new dev.tiergate.server.forge.RepoRef(forge, null, repo), spec.commandLine().getOut());
            }
        }

        abstract int run(dev.tiergate.server.gate.TierRollback tiers, dev.tiergate.server.forge.RepoRef repo, java.io.PrintWriter out);
    }

    @Command(name = "rollback", description = "Repoint a tier to the snapshot taken before a merge migrated it, and release its hold.")
    static final class Rollback extends TierCommand {
        @Option(names = "--to", required = true, description = "the release: pr<N>, the merge whose snapshot to go back to")
        String release;

        @Override
        int run(dev.tiergate.server.gate.TierRollback tiers, dev.tiergate.server.forge.RepoRef repoRef, java.io.PrintWriter out) {
            String snapshot = tiers.rollback(repoRef, tier, release);
            out.println("tier " + tier + " of " + repo + " restored from " + snapshot + "; PRs into it may merge again");
            return OK;
        }
    }

    @Command(name = "release-tier", description = "Let PRs into a tier held after a failed migration merge again (after fixing it).")
    static final class ReleaseTier extends TierCommand {
        @Override
        int run(dev.tiergate.server.gate.TierRollback tiers, dev.tiergate.server.forge.RepoRef repoRef, java.io.PrintWriter out) {
            out.println(tiers.release(repoRef, tier) ? "tier " + tier + " of " + repo + " released" : "tier " + tier + " of " + repo + " was not held");
            return OK;
        }
    }

    @Command(name = "audit", description = "Verify or export the audit trail.", subcommands = {Verify.class, Export.class})
    static final class Audit {
    }

    @Command(name = "verify", description = "Check the hash chain; names the first edited or deleted record. Exit 0 intact, 2 broken.")
    static final class Verify implements Callable<Integer> {
        @Option(names = "--config")
        Path config;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            ServerConfig cfg = config(config);
            try (Database db = Database.open(cfg, Database.Mode.READ_ONLY)) {
                AuditLog log = new AuditLog(db.dataSource());
                if (!log.hasTable()) {
                    throw new IllegalStateException(NO_AUDIT_TABLE);
                }
                var records = log.all();
                int n = records.size();
                Optional<String> broken = dev.tiergate.core.audit.AuditChain.firstBreak(records);
                java.io.PrintWriter out = spec.commandLine().getOut();
                if (broken.isPresent()) {
                    out.println("audit trail BROKEN: " + broken.get() + " [audit.chain]");
                    out.println("  fix: restore the audit table from a backup; the records before this one are intact");
                    return REFUSED;
                }
                Path anchorFile = cfg.home().resolve(dev.tiergate.server.audit.AuditAnchor.FILE);
                if (!Files.exists(anchorFile)) {
                    out.println("note: no audit anchor at " + anchorFile + "; deleted newest records cannot be detected"
                            + " (the server writes it; pass --config with the server's TIERGATE_HOME)");
                } else {
                    var anchored = dev.tiergate.server.audit.AuditAnchor.in(cfg.home()).read().orElseThrow();
                    Optional<String> missing = dev.tiergate.server.audit.AuditAnchor.missingFrom(records, anchored);
                    if (missing.isPresent()) {
                        out.println("audit trail BROKEN: " + missing.get() + " [audit.anchor]");
                        out.println("  fix: restore the audit table from a backup taken after " + anchored.at()
                                + "; the anchor is " + anchorFile);
                        return REFUSED;
                    }
                }
                out.println("audit trail intact: " + n + " record(s)");
                return OK;
            }
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
        public Integer call() throws IOException {
            try (Database db = Database.open(config(config), Database.Mode.READ_ONLY)) {
                AuditLog log = new AuditLog(db.dataSource());
                if (!log.hasTable()) {
                    throw new IllegalStateException(NO_AUDIT_TABLE);
                }
                if (out == null) {
                    log.exportJsonLines(spec.commandLine().getOut());
                } else {
                    try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                        int n = log.exportJsonLines(w);
                        spec.commandLine().getErr().println("wrote " + n + " record(s) to " + out);
                    }
                }
                return OK;
            }
        }
    }
}
