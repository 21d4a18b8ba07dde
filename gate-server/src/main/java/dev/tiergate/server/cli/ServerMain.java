package dev.tiergate.server.cli;

import dev.tiergate.core.TiergateVersion;
import dev.tiergate.core.audit.AuditChain;
import dev.tiergate.hooks.cli.ServerCommands;
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
import dev.tiergate.server.ui.Dashboard;
import dev.tiergate.server.wiring.BranchBackends;
import dev.tiergate.server.wiring.ServerParts;
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
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

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

    /** {@code tiergate server}: options as {@link ServerCommands.Server} defines them. */
    @Command(name = "server") // the description and options are the superclass's
    static final class Serve extends ServerCommands.Server {
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

    /** {@code tiergate demo}: options as {@link ServerCommands.Demo} defines them. */
    @Command(name = "demo") // the description and options are the superclass's
    static final class DemoCommand extends ServerCommands.Demo {
        @Override
        public Integer call() throws Exception {
            return Demo.run(System.out, noWait ? null : System.in);
        }
    }

    /** What both tier commands do: open the store and the backend, then act on one tier with {@code action}. */
    interface TierAction {
        int run(TierRollback tiers, RepoRef repo, PrintWriter out);
    }

    static int onTier(CommandSpec spec, Path config, String forge, String repo, TierAction action) {
        ServerConfig cfg = config(config);
        try (Database db = Database.attachOrOpen(cfg);
                BranchBackend backend = BranchBackends.fromConfig(cfg, cfg.home())) {
            TierRollback tiers = ServerParts.tierRollback(db, backend);
            return action.run(
                    tiers, new RepoRef(forge, null, repo), spec.commandLine().getOut());
        }
    }

    /** {@code tiergate rollback}: options as {@link ServerCommands.Rollback} defines them. */
    @Command(name = "rollback") // the description and options are the superclass's
    static final class Rollback extends ServerCommands.Rollback {
        @Override
        public Integer call() {
            return onTier(spec, config, forge, repo, (tiers, repoRef, out) -> {
                String snapshot = tiers.rollback(repoRef, tier, release);
                out.println("tier " + tier + " of " + repo + " restored from " + snapshot
                        + "; PRs into it may merge again");
                return OK;
            });
        }
    }

    /** {@code tiergate release-tier}: options as {@link ServerCommands.ReleaseTier} defines them. */
    @Command(name = "release-tier") // the description and options are the superclass's
    static final class ReleaseTier extends ServerCommands.ReleaseTier {
        @Override
        public Integer call() {
            return onTier(spec, config, forge, repo, (tiers, repoRef, out) -> {
                out.println(
                        tiers.release(repoRef, tier)
                                ? "tier " + tier + " of " + repo + " released"
                                : "tier " + tier + " of " + repo + " was not held");
                return OK;
            });
        }
    }

    @Command(
            name = "token",
            description = ServerCommands.TOKEN,
            subcommands = {TokenCreate.class, TokenList.class, TokenRevoke.class})
    static final class Token {}

    /** What the token commands share: the store (a running server's, or the configured one) and who runs them. */
    interface TokenAction {
        int run(ApiTokenStore tokens, PrintWriter out, PrintWriter err);
    }

    static int withTokens(CommandSpec spec, Path config, TokenAction action) {
        try (Database db = Database.attachOrOpen(config(config))) {
            ApiTokenStore tokens = ServerParts.tokens(db);
            return action.run(
                    tokens, spec.commandLine().getOut(), spec.commandLine().getErr());
        }
    }

    /** Who made or revoked a token, for the audit trail: the operator's account on this machine. */
    static String operator() {
        return System.getProperty("user.name", "unknown");
    }

    /** {@code tiergate token create}: options as {@link ServerCommands.TokenCreate} defines them. */
    @Command(name = "create") // the description and options are the superclass's
    static final class TokenCreate extends ServerCommands.TokenCreate {
        @Override
        public Integer call() {
            return withTokens(spec, config, this::run);
        }

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

    /** {@code tiergate token list}. */
    @Command(name = "list") // the description and options are the superclass's
    static final class TokenList extends ServerCommands.TokenList {
        @Override
        public Integer call() {
            return withTokens(spec, config, this::run);
        }

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

    /** {@code tiergate token revoke}: the parameter as {@link ServerCommands.TokenRevoke} defines it. */
    @Command(name = "revoke") // the description and options are the superclass's
    static final class TokenRevoke extends ServerCommands.TokenRevoke {
        @Override
        public Integer call() {
            return withTokens(spec, config, this::run);
        }

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
            description = ServerCommands.AUDIT,
            subcommands = {Verify.class, Export.class})
    static final class Audit {}

    /** {@code tiergate audit verify}: options as {@link ServerCommands.Verify} defines them. */
    @Command(name = "verify") // the description and options are the superclass's
    static final class Verify extends ServerCommands.Verify {
        @Override
        public Integer call() {
            ServerConfig cfg = config(config);
            try (Database db = Database.open(cfg, Database.Mode.READ_ONLY)) {
                AuditLog log = ServerParts.auditTrail(db);
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

    /** {@code tiergate audit export}: options as {@link ServerCommands.Export} defines them. */
    @Command(name = "export") // the description and options are the superclass's
    static final class Export extends ServerCommands.Export {
        @Override
        public Integer call() throws IOException {
            try (Database db = Database.open(config(config), Database.Mode.READ_ONLY)) {
                AuditLog log = ServerParts.auditTrail(db);
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
