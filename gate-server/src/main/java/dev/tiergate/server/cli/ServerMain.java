package dev.tiergate.server.cli;

import dev.tiergate.core.TiergateVersion;
import dev.tiergate.core.audit.AuditChain;
import dev.tiergate.server.audit.AuditAnchor;
import dev.tiergate.server.audit.AuditLog;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.config.ConfigException;
import dev.tiergate.server.config.ServerConfig;
import dev.tiergate.server.demo.Demo;
import dev.tiergate.server.gate.TierRollback;
import dev.tiergate.server.http.GateServer;
import dev.tiergate.server.log.LibraryLogging;
import dev.tiergate.server.log.ServerLog;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.ApiTokenStore;
import dev.tiergate.server.store.Database;
import dev.tiergate.server.store.MigrationStore;
import dev.tiergate.server.ui.Dashboard;
import dev.tiergate.server.wiring.BranchBackends;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tiergate server | demo | audit verify | audit export | rollback | release-tier | token}: the server half of the tiergate command. */
// scope INHERIT: `tiergate server --help` (which the launcher hands to this JVM) is help, not "Unknown option"
@Command(
        name = "tiergate",
        mixinStandardHelpOptions = true,
        scope = CommandLine.ScopeType.INHERIT,
        versionProvider = ServerMain.Version.class,
        subcommands = {
            ServerMain.Serve.class,
            ServerMain.DemoCommand.class,
            ServerMain.Audit.class,
            ServerMain.Rollback.class,
            ServerMain.ReleaseTier.class,
            ServerMain.Token.class
        })
public final class ServerMain {
    static final int OK = 0;
    static final int NO_STATE = 1;
    static final int REFUSED = 2;
    static final int FAILED = 3;
    static final String NO_AUDIT_TABLE =
            "this store has no audit table: it is not a tiergate server's store (check TIERGATE_DB_URL);"
                    + " audit commands only read, they never create it";

    public static void main(String[] args) {
        // before the first logger is made: the libraries say only warnings (the demo: only errors) unless --verbose
        boolean verbose = Arrays.asList(args).contains("--verbose");
        boolean demo = args.length > 0 && args[0].equals("demo");
        LibraryLogging.configure(verbose, demo ? "error" : "warn");
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new ServerMain());
        cl.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
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
            return new String[] {"tiergate " + TiergateVersion.current()};
        }
    }

    static ServerConfig config(Path file) {
        return ServerConfig.fromEnvironment(System.getenv(), file);
    }

    @Command(
            name = "server",
            description =
                    "Run the webhook server (embedded PostgreSQL under TIERGATE_HOME when TIERGATE_DB_URL is unset).")
    static final class Serve implements Callable<Integer> {
        @Option(names = "--config", description = "properties file with TIERGATE_* settings (the environment wins)")
        Path config;

        @Option(names = "--port", description = "overrides TIERGATE_PORT")
        Integer port;

        @Option(names = "--insecure-no-secret", description = "accept unsigned webhooks (local experiments only)")
        boolean insecure;

        @Option(
                names = "--verbose",
                description = "also show the libraries' logs (Jetty, HikariCP, Flyway, PostgreSQL) on standard error")
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
            ServerLog log = new ServerLog(System.out, cfg.logFormat(), Clock.systemUTC());
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
            Dashboard.closedReason(cfg.bind(), cfg.secretValue("TIERGATE_VIEWER_TOKEN"))
                    .ifPresent(warnings::add);
            log.started(
                    "http://" + host + ":" + server.port(),
                    server.storeDescription(),
                    cfg.forgeSummary(),
                    warnings.isEmpty() ? null : String.join("; ", warnings));
            stopped.await();
            return OK;
        }
    }

    @Command(
            name = "demo",
            description = "Run the whole story once with an embedded database and a stand-in GitHub on loopback,"
                    + " then keep the server's pages up until Enter is pressed.")
    static final class DemoCommand implements Callable<Integer> {
        @Option(names = "--no-wait", description = "stop as soon as the story is told (scripts, tests)")
        boolean noWait;

        @Option(
                names = "--verbose",
                description = "also show the libraries' logs (Jetty, HikariCP, Flyway, PostgreSQL) on standard error")
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
                    BranchBackend backend = BranchBackends.fromConfig(cfg, cfg.home())) {
                var tiers =
                        new TierRollback(backend, new MigrationStore(db.dataSource()), new AuditLog(db.dataSource()));
                return run(
                        tiers,
                        new RepoRef(forge, null, repo),
                        spec.commandLine().getOut());
            }
        }

        abstract int run(TierRollback tiers, RepoRef repo, PrintWriter out);
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

        @Override
        int run(TierRollback tiers, RepoRef repoRef, PrintWriter out) {
            String snapshot = tiers.rollback(repoRef, tier, release);
            out.println(
                    "tier " + tier + " of " + repo + " restored from " + snapshot + "; PRs into it may merge again");
            return OK;
        }
    }

    @Command(
            name = "release-tier",
            description = "Let PRs into a tier held after a failed migration merge again (after fixing it).")
    static final class ReleaseTier extends TierCommand {
        @Override
        int run(TierRollback tiers, RepoRef repoRef, PrintWriter out) {
            out.println(
                    tiers.release(repoRef, tier)
                            ? "tier " + tier + " of " + repo + " released"
                            : "tier " + tier + " of " + repo + " was not held");
            return OK;
        }
    }

    @Command(
            name = "token",
            description =
                    "Make, list and revoke API tokens per actor (in the server's store; the operator runs these).",
            subcommands = {TokenCreate.class, TokenList.class, TokenRevoke.class})
    static final class Token {}

    /** What the token commands share: the store (a running server's, or the configured one) and who runs them. */
    abstract static class TokenCommand implements Callable<Integer> {
        @Option(names = "--config", description = "properties file with TIERGATE_* settings (the environment wins)")
        Path config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (Database db = Database.attachOrOpen(config(config))) {
                var tokens = new ApiTokenStore(db.dataSource(), new AuditLog(db.dataSource()), Clock.systemUTC());
                return run(
                        tokens, spec.commandLine().getOut(), spec.commandLine().getErr());
            }
        }

        /** Who made or revoked a token, for the audit trail: the operator's account on this machine. */
        static String operator() {
            return System.getProperty("user.name", "unknown");
        }

        abstract int run(ApiTokenStore tokens, PrintWriter out, PrintWriter err);
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

        @Override
        int run(ApiTokenStore tokens, PrintWriter out, PrintWriter err) {
            ApiTokenStore.Issued issued;
            try {
                issued = tokens.create(actor, repo, ApiTokenStore.lifetime(expires), operator());
            } catch (IllegalArgumentException e) {
                err.println("tiergate token create: " + e.getMessage());
                return REFUSED;
            }
            var t = issued.token();
            out.println(issued.secret());
            err.println("token " + t.id() + " for " + t.actor() + ", "
                    + (t.repo() == null ? "every repository" : "only " + t.repo()) + ", valid until " + t.expiresAt()
                    + ": shown this once, tiergate keeps only its SHA-256.");
            err.println("The caller sends it as Authorization: Bearer <token>; tiergate token revoke " + t.id()
                    + " ends it.");
            return OK;
        }
    }

    @Command(
            name = "list",
            description = "Every token: id, actor, repository, state, expiry, who made it; never a token itself.")
    static final class TokenList extends TokenCommand {
        @Override
        int run(ApiTokenStore tokens, PrintWriter out, PrintWriter err) {
            var all = tokens.list();
            if (all.isEmpty()) {
                out.println("no API tokens; tiergate token create --actor LOGIN makes one");
                return OK;
            }
            Instant now = Instant.now();
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"ID", "ACTOR", "REPO", "STATE", "EXPIRES", "CREATED", "BY", "REVOKED"});
            for (var t : all) {
                rows.add(new String[] {
                    t.id(),
                    t.actor(),
                    t.repo() == null ? "*" : t.repo(),
                    t.stateAt(now),
                    t.expiresAt().toString(),
                    t.createdAt().toString(),
                    t.createdBy(),
                    t.revokedAt() == null ? "" : t.revokedAt() + " by " + t.revokedBy()
                });
            }
            int[] width = new int[rows.get(0).length];
            for (String[] r : rows) {
                for (int i = 0; i < r.length; i++) {
                    width[i] = Math.max(width[i], r[i].length());
                }
            }
            for (String[] r : rows) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < r.length; i++) {
                    line.append(i == r.length - 1 ? r[i] : String.format("%-" + width[i] + "s  ", r[i]));
                }
                out.println(line.toString().stripTrailing());
            }
            return OK;
        }
    }

    @Command(name = "revoke", description = "Refuse a token from now on (by its id, as tiergate token list shows it).")
    static final class TokenRevoke extends TokenCommand {
        @CommandLine.Parameters(index = "0", paramLabel = "ID", description = "the token's id, tok_...")
        String id;

        @Override
        int run(ApiTokenStore tokens, PrintWriter out, PrintWriter err) {
            var r = tokens.revoke(id, operator());
            if (r.isEmpty()) {
                err.println(
                        "tiergate token revoke: no token " + id + " in this store (tiergate token list shows them)");
                return NO_STATE;
            }
            var t = r.get().token();
            out.println(
                    r.get().now()
                            ? "token " + id + " of " + t.actor() + " revoked: requests with it are refused from now on"
                            : "token " + id + " of " + t.actor() + " was already revoked at " + t.revokedAt() + " by "
                                    + t.revokedBy());
            return OK;
        }
    }

    @Command(
            name = "audit",
            description = "Verify or export the audit trail.",
            subcommands = {Verify.class, Export.class})
    static final class Audit {}

    @Command(
            name = "verify",
            description = "Check the hash chain; names the first edited or deleted record. Exit 0 intact, 2 broken.")
    static final class Verify implements Callable<Integer> {
        @Option(names = "--config", description = "properties file with TIERGATE_* settings (the environment wins)")
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
                Optional<String> broken = AuditChain.firstBreak(records);
                PrintWriter out = spec.commandLine().getOut();
                if (broken.isPresent()) {
                    out.println("audit trail BROKEN: " + broken.get() + " [audit.chain]");
                    out.println("  fix: restore the audit table from a backup; the records before this one are intact");
                    return REFUSED;
                }
                Path anchorFile = cfg.home().resolve(AuditAnchor.FILE);
                if (!Files.exists(anchorFile)) {
                    out.println("note: no audit anchor at " + anchorFile + "; deleted newest records cannot be detected"
                            + " (the server writes it; pass --config with the server's TIERGATE_HOME)");
                } else {
                    var anchored = AuditAnchor.in(cfg.home()).read().orElseThrow();
                    Optional<String> missing = AuditAnchor.missingFrom(records, anchored);
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
        @Option(names = "--config", description = "properties file with TIERGATE_* settings (the environment wins)")
        Path config;

        @Option(names = "--out", description = "the file to write (default: standard output)")
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
