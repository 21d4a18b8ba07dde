package dev.tiergate.server.http;

import dev.tiergate.server.audit.AnchorKeeper;
import dev.tiergate.server.audit.AuditAnchor;
import dev.tiergate.server.audit.AuditLog;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.config.ServerConfig;
import dev.tiergate.server.forge.ApiCallCounter;
import dev.tiergate.server.gate.GatePages;
import dev.tiergate.server.gate.GateProcessor;
import dev.tiergate.server.inbox.DeliveryLog;
import dev.tiergate.server.inbox.DeliveryProcessor;
import dev.tiergate.server.inbox.Inbox;
import dev.tiergate.server.inbox.IngestPressure;
import dev.tiergate.server.inbox.WorkerPool;
import dev.tiergate.server.log.ServerLog;
import dev.tiergate.server.metrics.GateMetrics;
import dev.tiergate.server.runs.RunExecutor;
import dev.tiergate.server.runs.RunQueue;
import dev.tiergate.server.runs.RunWorkers;
import dev.tiergate.server.store.ApiTokenStore;
import dev.tiergate.server.store.BranchStore;
import dev.tiergate.server.store.Database;
import dev.tiergate.server.store.PrViewChanges;
import dev.tiergate.server.ui.Dashboard;
import dev.tiergate.server.wiring.ForgeBinding;
import dev.tiergate.server.wiring.ForgeBindings;
import dev.tiergate.server.wiring.ServerParts;
import io.javalin.Javalin;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.Handler;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/**
 * The running server: on the parts {@link ServerParts} builds (the composition root), it starts the delivery and run
 * workers, the reconcile schedule and the HTTP routes (webhooks, API, doctor, metrics, dashboard). Closing it stops
 * everything it started.
 */
public final class GateServer implements AutoCloseable {
    private final Database db;
    private final boolean ownsDb;
    private final WorkerPool workers;
    private final Javalin app;
    private final ScheduledExecutorService reconciler;
    private final BranchStore store;
    private final AuditLog audit;
    private final Inbox inbox;
    private final BranchBackend backend;
    private final ApiTokenStore tokens;
    private final RunQueue runQueue;
    private volatile RunWorkers runWorkers;
    private final Map<String, GateProcessor> processors;
    private final AtomicLong reconcilePasses = new AtomicLong();
    private final Liveness liveness;
    private final AnchorKeeper anchor;
    private final GateMetrics metrics = new GateMetrics();
    private final PrViewChanges prViewChanges;
    static final long MIN_REQUEST_BYTES_PER_SECOND = 1024;
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);

    private GateServer(
            ServerConfig cfg,
            Database db,
            boolean ownsDb,
            List<ForgeBinding> forges,
            String bindHost,
            Path anchorDir,
            DeliveryLog deliveryLog) {
        this.db = db;
        this.prViewChanges = new PrViewChanges(db);
        this.ownsDb = ownsDb;
        ServerParts parts = ServerParts.assemble(cfg, db, forges, anchorDir, metrics, this::wakeRunWorkers);
        this.store = parts.store();
        this.audit = parts.audit();
        this.inbox = parts.inbox();
        this.backend = parts.backend();
        this.runQueue = parts.runQueue();
        this.tokens = parts.tokens();
        this.processors = parts.processors();
        IngestPressure ingest = new IngestPressure();
        Map<String, DeliveryProcessor> byForge = new LinkedHashMap<>(processors);
        Map<String, RunExecutor> executors = new LinkedHashMap<>(processors);
        // repository SQL runs here, never on a delivery worker: one repository's slow run holds none of them
        this.runWorkers = new RunWorkers(runQueue, executors, cfg.runWorkers(), cfg.retryBaseDelay()).start();
        metrics.runs(runQueue::pendingCount);
        this.workers = new WorkerPool(
                        inbox,
                        byForge,
                        cfg.workers(),
                        cfg.retryBaseDelay(),
                        cfg.maxAttempts(),
                        WorkerPool.DEFAULT_LEASE,
                        metrics.observing(deliveryLog))
                .yieldingTo(ingest, cfg.ingestYield())
                .start();
        Map<String, ApiCallCounter> apiCalls = new LinkedHashMap<>();
        forges.forEach(f -> apiCalls.put(f.receiver().forge(), f.forge().calls()));
        metrics.forges(apiCalls);
        metrics.inbox(inbox::depthAndOldestAgeSeconds);
        metrics.clonePools(backend::readyClones);
        metrics.auditHead(() -> audit.head().map(h -> Long.parseLong(h[0])).orElse(0L));
        metrics.drift(parts.drift()::counts);
        WebhookEndpoint webhooks = new WebhookEndpoint(parts.receivers(), inbox, audit, workers, metrics, ingest);
        ApiAuth auth = new ApiAuth(cfg.apiToken(), tokens);
        ActorLogins logins = new ActorLogins(
                backend,
                ref -> {
                    GateProcessor p = processors.get(ref.forge());
                    return p == null ? Optional.empty() : p.policyForAccess(ref);
                },
                audit,
                Clock.systemUTC());
        BranchApi api = new BranchApi(store, backend, auth, logins);
        this.app = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.http.maxRequestSize = WebhookEndpoint.MAX_BODY;
            c.jetty.modifyHttpConfiguration(http -> {
                // a body trickled in below 1 KB/s is dropped (each byte no longer buys another idle timeout)
                http.setMinRequestDataRate(MIN_REQUEST_BYTES_PER_SECOND);
                http.setIdleTimeout(IDLE_TIMEOUT.toMillis());
            });
        });
        app.post("/webhooks/{forge}", webhooks::handle);
        AuditAnchor anchorFile = anchorDir == null ? null : AuditAnchor.in(anchorDir);
        this.anchor = anchorFile == null ? null : new AnchorKeeper(audit, anchorFile);
        this.liveness = new Liveness(
                this::pendingWork,
                () -> workers.problem().or(() -> runWorkers.problem()),
                anchor == null ? Map::of : anchor::shown,
                Clock.systemUTC());
        app.get("/healthz", ctx -> {
            var answer = liveness.answer();
            ctx.status(answer.getKey()).json(answer.getValue());
        });
        if (cfg.apiToken() == null) {
            // they say how the server is made and let a caller make it read the forge: never open to whoever reaches it
            Handler closed = ctx -> {
                throw new ForbiddenResponse(ApiAccess.NO_TOKEN);
            };
            app.before("/api/v1/doctor", closed);
            app.before("/api/v1/repos/{owner}/{repo}/grants", closed);
            app.before("/api/v1/repos/{owner}/{repo}/grants/apply", closed);
            app.before("/api/v1/repos/{owner}/{repo}/drift", closed);
            app.before("/api/v1/repos/{owner}/{repo}/drift/accept", closed);
            app.before("/metrics", closed);
        }
        // who calls, once per request: the admin (TIERGATE_API_TOKEN), an actor (a token of its own) or nobody
        app.before("/api/*", auth::screen);
        app.before("/metrics", auth::screen);
        app.exception(ApiRefusal.class, (e, ctx) -> {
            if (e.challenge() != null) {
                ctx.header("WWW-Authenticate", e.challenge());
            }
            ctx.status(e.status()).json(e.answer());
        });
        app.get("/metrics", ctx -> {
            auth.requireAdmin(ctx);
            ctx.contentType(GateMetrics.contentType()).result(metrics.scrape());
        });
        Doctor doctor = new Doctor(cfg, db, backend, forges);
        app.get("/api/v1/doctor", ctx -> {
            auth.requireAdmin(ctx);
            String repo = ctx.queryParam("repo");
            Optional<String> problem = ApiAccess.repoProblem(repo, cfg.gitlabUrl() != null);
            if (problem.isPresent()) {
                ctx.status(400).json(Map.of("error", problem.get()));
                return;
            }
            ctx.json(doctor.answer(repo));
        });
        GrantsApi grants = new GrantsApi(processors::get);
        // what a repository's grants are, and their repair, are the operator's: an actor's token reaches neither
        app.get("/api/v1/repos/{owner}/{repo}/grants", ctx -> {
            auth.requireAdmin(ctx);
            grants.diff(ctx);
        });
        app.post("/api/v1/repos/{owner}/{repo}/grants/apply", ctx -> {
            auth.requireAdmin(ctx);
            grants.apply(ctx);
        });
        // a tier's drift is checked now (it reads the tier and may build a scratch database) and accepted by the
        // operator
        app.get("/api/v1/repos/{owner}/{repo}/drift", ctx -> {
            auth.requireAdmin(ctx);
            grants.drift(ctx);
        });
        app.post("/api/v1/repos/{owner}/{repo}/drift/accept", ctx -> {
            auth.requireAdmin(ctx);
            grants.acceptDrift(ctx);
        });
        PullRequestApi pulls = new PullRequestApi(
                new PullRequestViews(
                        store,
                        parts.migrations(),
                        ref -> {
                            GateProcessor p = processors.get(ref.forge());
                            return p == null ? Optional.empty() : p.policyToShow(ref);
                        },
                        new GatePages(cfg.publicUrl())),
                prViewChanges,
                auth,
                audit,
                processors.keySet());
        metrics.apiWaits(pulls::held);
        app.get("/api/v1/repos/{owner}/{repo}/pulls", pulls::byHead);
        app.get("/api/v1/repos/{owner}/{repo}/pulls/{number}", pulls::one);
        app.post("/api/v1/repos/{owner}/{repo}/pulls/{number}/asks", pulls::ask);
        app.get("/api/v1/repos/{owner}/{repo}/branches", api::list);
        app.get("/api/v1/repos/{owner}/{repo}/branches/<branch>", api::one);
        new Dashboard(
                        store,
                        audit,
                        parts.migrations(),
                        parts.drift(),
                        backend,
                        ref -> {
                            GateProcessor p = processors.get(ref.forge());
                            return p == null ? Optional.empty() : p.policyToShow(ref);
                        },
                        table -> anchorFile == null
                                ? Optional.empty()
                                : anchorFile.read().flatMap(head -> AuditAnchor.missingFrom(table, head)),
                        Clock.systemUTC(),
                        cfg.secretValue("TIERGATE_VIEWER_TOKEN"),
                        cfg.publicUrl().startsWith("https:"),
                        bindHost)
                .routes(app);
        app.exception(
                Exception.class, (e, ctx) -> ctx.status(500).json(Map.of("error", String.valueOf(e.getMessage()))));
        app.start(bindHost, cfg.port());
        this.reconciler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tiergate-reconciler");
            t.setDaemon(true);
            return t;
        });
        long every = cfg.reconcileInterval().toSeconds();
        reconciler.scheduleWithFixedDelay(this::reconcileAll, every, every, TimeUnit.SECONDS);
        long driftEvery = cfg.driftInterval().toSeconds();
        if (driftEvery > 0) {
            reconciler.scheduleWithFixedDelay(this::driftAll, driftEvery, driftEvery, TimeUnit.SECONDS);
        }
    }

    /** Starts a server on a store it owns (embedded or configured) with the forges the configuration names. */
    public static GateServer start(ServerConfig cfg) {
        Database db = Database.open(cfg);
        return new GateServer(
                cfg, db, true, ForgeBindings.fromConfig(cfg), cfg.bind(), cfg.home(), DeliveryLog.slf4j());
    }

    /** {@code tiergate server}: as {@link #start(ServerConfig)}, saying what it does and each delivery's outcome on {@code log}. */
    public static GateServer start(ServerConfig cfg, ServerLog log) {
        Database db = Database.open(cfg, Database.Mode.MIGRATE, log::progress);
        try {
            return new GateServer(cfg, db, true, ForgeBindings.fromConfig(cfg), cfg.bind(), cfg.home(), log);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** Starts on a given store and forges (tests, the demo); binds to loopback. */
    public static GateServer start(ServerConfig cfg, Database db, List<ForgeBinding> forges) {
        return new GateServer(cfg, db, false, forges, "127.0.0.1", null, DeliveryLog.slf4j());
    }

    /** Same, anchoring the audit trail's head under {@code anchorDir} (TIERGATE_HOME in production). */
    public static GateServer start(ServerConfig cfg, Database db, List<ForgeBinding> forges, Path anchorDir) {
        return new GateServer(cfg, db, false, forges, "127.0.0.1", anchorDir, DeliveryLog.slf4j());
    }

    /** Re-reads every known repository through its forge (what lost deliveries left behind). */
    public void reconcileAll() {
        try {
            reconcileRepositories();
        } finally {
            metrics.reconcilePassDone();
            reconcilePasses.incrementAndGet();
        }
    }

    /** The periodic drift pass: every tier of every repository, each failure logged and tried again next pass. */
    public void driftAll() {
        for (var repo : store.repos()) {
            GateProcessor p = processors.get(repo.forge());
            if (p != null) {
                try {
                    p.driftPass(repo);
                } catch (RuntimeException e) {
                    LoggerFactory.getLogger(GateServer.class).warn("drift {}: {}", repo.path(), e.getMessage());
                }
            }
        }
    }

    /** How many periodic reconcile passes have finished. */
    public long reconcilePasses() {
        return reconcilePasses.get();
    }

    private void reconcileRepositories() {
        for (var repo : store.repos()) {
            GateProcessor p = processors.get(repo.forge());
            if (p != null) {
                try {
                    var report = p.reconcile(repo); // logs the items that failed; they are retried next pass
                    metrics.reconciled(
                            report.branches() + report.pullRequests(),
                            report.repaired(),
                            report.failures().size());
                } catch (RuntimeException e) {
                    LoggerFactory.getLogger(GateServer.class).warn("reconcile {}: {}", repo.path(), e.getMessage());
                }
            }
        }
    }

    /** The store, for the start-up line. */
    public String storeDescription() {
        return db.describe();
    }

    public GateProcessor processor(String forge) {
        return processors.get(forge);
    }

    public int port() {
        return app.port();
    }

    public BranchStore store() {
        return store;
    }

    public AuditLog audit() {
        return audit;
    }

    public Inbox inbox() {
        return inbox;
    }

    /** The queue of runs of repository SQL. */
    public RunQueue runs() {
        return runQueue;
    }

    /** Deliveries not yet done plus runs waiting or under way: 0 when the server has nothing left to do. */
    public int pendingWork() {
        return inbox.pendingCount() + runQueue.pendingCount();
    }

    private void wakeRunWorkers() {
        RunWorkers w = runWorkers;
        if (w != null) {
            w.wakeUp();
        }
    }

    public GateMetrics metrics() {
        return metrics;
    }

    public BranchBackend backend() {
        return backend;
    }

    /** The actors' API tokens (the operator makes them with tiergate token create). */
    public ApiTokenStore tokens() {
        return tokens;
    }

    @Override
    public void close() {
        reconciler.shutdownNow();
        prViewChanges.close(); // answers the held long-polls before the HTTP server stops
        app.stop();
        liveness.close();
        workers.close();
        runWorkers.close();
        inbox.close();
        if (anchor != null) {
            anchor.close();
        }
        backend.close();
        if (ownsDb) {
            db.close();
        }
    }
}
