package dev.tiergate.server.wiring;

import dev.tiergate.server.audit.AuditLog;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.backend.MeteredBranchBackend;
import dev.tiergate.server.config.ServerConfig;
import dev.tiergate.server.forge.WebhookReceiver;
import dev.tiergate.server.gate.GateProcessor;
import dev.tiergate.server.gate.TierRollback;
import dev.tiergate.server.inbox.Inbox;
import dev.tiergate.server.metrics.GateMetrics;
import dev.tiergate.server.runs.RunQueue;
import dev.tiergate.server.store.ApiTokenStore;
import dev.tiergate.server.store.BranchStore;
import dev.tiergate.server.store.Database;
import dev.tiergate.server.store.DriftStore;
import dev.tiergate.server.store.MigrationStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The composition root: the server's object graph, built in one place from its configuration, its store and its
 * forges. The adapters come from {@link BranchBackends} and {@link ForgeBindings}; each forge gets its gate
 * ({@link GateProcessor}, which builds the gate's own package-private parts). Nothing here starts a thread or opens
 * a port: {@code http/GateServer} starts the workers and the HTTP routes on these parts, and closes them.
 *
 * @param drift each tier's drift from its migrations, as the last drift pass found it
 * @param processors the gate of each forge, by the forge's name in {@code /webhooks/{forge}}
 * @param receivers each forge's webhook receiver (signature check and event type), by the same name
 */
public record ServerParts(
        BranchStore store,
        AuditLog audit,
        Inbox inbox,
        BranchBackend backend,
        RunQueue runQueue,
        MigrationStore migrations,
        DriftStore drift,
        ApiTokenStore tokens,
        Map<String, GateProcessor> processors,
        Map<String, WebhookReceiver> receivers) {

    /**
     * Builds every part. {@code anchorDir} holds the backend's files next to the audit anchor (TIERGATE_HOME; null in
     * tests); {@code wakeRunWorkers} is how a delivery that asks for a run wakes the run workers started later.
     */
    public static ServerParts assemble(
            ServerConfig cfg,
            Database db,
            List<ForgeBinding> forges,
            Path anchorDir,
            GateMetrics metrics,
            Runnable wakeRunWorkers) {
        var ds = db.dataSource();
        BranchStore store = new BranchStore(ds);
        AuditLog audit = new AuditLog(ds);
        Inbox inbox = new Inbox(ds, audit);
        BranchBackend backend = new MeteredBranchBackend(BranchBackends.fromConfig(cfg, anchorDir), metrics);
        RunQueue runQueue = new RunQueue(ds, cfg.runsPerRepository());
        MigrationStore migrations = new MigrationStore(ds);
        DriftStore drift = new DriftStore(ds);
        Map<String, GateProcessor> processors = new LinkedHashMap<>();
        Map<String, WebhookReceiver> receivers = new LinkedHashMap<>();
        for (ForgeBinding f : forges) {
            String name = f.receiver().forge();
            processors.put(
                    name,
                    new GateProcessor(
                            f.forge(),
                            f.parser(),
                            backend,
                            store,
                            audit,
                            cfg.publicUrl(),
                            migrations,
                            drift,
                            runQueue,
                            wakeRunWorkers));
            receivers.put(name, f.receiver());
        }
        ApiTokenStore tokens = new ApiTokenStore(ds, audit, Clock.systemUTC());
        return new ServerParts(
                store,
                audit,
                inbox,
                backend,
                runQueue,
                migrations,
                drift,
                tokens,
                Collections.unmodifiableMap(processors),
                Collections.unmodifiableMap(receivers));
    }

    /**
     * What {@code tiergate rollback} and {@code tiergate release-tier} work with, on a store and a backend the command
     * opened (and closes).
     */
    public static TierRollback tierRollback(Database db, BranchBackend backend) {
        return new TierRollback(backend, new MigrationStore(db.dataSource()), new AuditLog(db.dataSource()));
    }

    /** What the token commands work with, on a store the command opened. */
    public static ApiTokenStore tokens(Database db) {
        return new ApiTokenStore(db.dataSource(), new AuditLog(db.dataSource()), Clock.systemUTC());
    }

    /** The audit trail of a store a command opened ({@code tiergate audit verify | export}: read only). */
    public static AuditLog auditTrail(Database db) {
        return new AuditLog(db.dataSource());
    }
}
