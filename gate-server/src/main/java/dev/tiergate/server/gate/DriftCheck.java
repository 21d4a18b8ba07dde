package dev.tiergate.server.gate;

import dev.tiergate.core.drift.DriftFinding;
import dev.tiergate.core.drift.TierDrift;
import dev.tiergate.core.migration.MigrationName;
import dev.tiergate.core.naming.DbBranchName;
import dev.tiergate.core.policy.MigrationSettings;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.schema.SchemaSnapshot;
import dev.tiergate.server.audit.AuditKind;
import dev.tiergate.server.audit.AuditTrail;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.backend.BranchConnection;
import dev.tiergate.server.backend.MigrationSession;
import dev.tiergate.server.backend.RunLimits;
import dev.tiergate.server.forge.Forge;
import dev.tiergate.server.migrate.FlywayRunner;
import dev.tiergate.server.migrate.MigrationFile;
import dev.tiergate.server.migrate.MigrationRun;
import dev.tiergate.server.migrate.MigrationSource;
import dev.tiergate.server.migrate.SchemaCatalog;
import dev.tiergate.server.migrate.SeedLoader;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.DriftStore;
import dev.tiergate.server.store.MigrationStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One drift pass over a tier: its live schema against the schema its applied migrations build (on the tier's shadow
 * database, made from the seed and those migrations and moved forward as the tier is; its schema kept in memory while
 * the history is unchanged, so a pass over an unchanged tier reads two catalogs and builds nothing), its history against the repository's files at
 * the tier's head, its history against its parent tier's, and its grants. Findings accepted as the baseline are left
 * out. The result is recorded in one write and audited when it changes (found, cleared); a pass that fails half-way
 * changes nothing and drops the shadow database.
 */
final class DriftCheck {
    /** Expected schemas by tier and history fingerprint: a pass over an unchanged history builds nothing. */
    private final Map<String, SchemaSnapshot> built = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SchemaSnapshot> eldest) {
            return size() > 64;
        }
    });

    private final Forge forge;
    private final BranchBackend backend;
    private final DriftStore drift;
    private final MigrationStore migrations;
    private final AuditTrail audit;
    private final MigrationSource source;

    DriftCheck(Forge forge, BranchBackend backend, DriftStore drift, MigrationStore migrations, AuditTrail audit) {
        this.forge = forge;
        this.backend = backend;
        this.drift = drift;
        this.migrations = migrations;
        this.audit = audit;
        this.source = new MigrationSource(forge);
    }

    /** The tier's drift as the last pass recorded it (what the gate reads; no database is touched). */
    List<DriftFinding> recorded(RepoRef repo, Tier tier) {
        return drift.drift(repo, DbBranchName.of(tier.name()));
    }

    /** Checks the tier now and records the result; returns the findings not accepted. */
    List<DriftFinding> check(RepoRef repo, Policy policy, Tier tier) {
        String tierDb = DbBranchName.of(tier.name());
        if (!backend.exists(repo, tierDb) || !DatabaseMigrations.runnable(policy.migrations())) {
            return List.of();
        }
        Optional<String> head = forge.branchHead(repo, tier.branch());
        if (head.isEmpty()) {
            return List.of();
        }
        MigrationSettings settings = policy.migrations();
        List<MigrationFile> files = DatabaseMigrations.judged(source.at(repo, head.get(), settings), settings);
        BranchConnection live = backend.connection(repo, tierDb);
        List<FlywayRunner.Applied> history = FlywayRunner.history(live);
        List<DriftFinding> found = new ArrayList<>();
        found.addAll(TierDrift.history(tier.branch(), FlywayRunner.historyProblems(live, files)));
        found.addAll(order(repo, policy, tier, history));
        Set<String> applied = history.stream()
                .filter(FlywayRunner.Applied::success)
                .map(FlywayRunner.Applied::version)
                .collect(Collectors.toSet());
        List<MigrationFile> replay = files.stream()
                .filter(f -> MigrationName.parse(f.fileName(), settings.naming())
                        .map(n -> applied.contains(n.version()))
                        .orElse(false))
                .toList();
        SchemaSnapshot expected = expected(repo, policy, tier, head.get(), replay);
        found.addAll(0, TierDrift.schema(expected, SchemaCatalog.readAll(live)));
        migrations
                .drifted(repo, tierDb)
                .ifPresent(grants -> found.add(new DriftFinding(
                        DriftFinding.Kind.GRANTS,
                        "privileges",
                        grants,
                        "tiergate grants apply --tier " + tier.name())));
        List<String> keys = found.stream().map(DriftFinding::key).toList();
        drift.keepAccepted(repo, tierDb, keys); // a fixed or changed finding is no longer accepted
        List<DriftFinding> open = TierDrift.unaccepted(found, drift.accepted(repo, tierDb));
        List<DriftFinding> before = drift.record(repo, tierDb, open);
        if (!open.equals(before)) {
            audit.append(
                    open.isEmpty() ? AuditKind.DRIFT_CLEARED : AuditKind.DRIFT_FOUND,
                    repo,
                    tier.branch(),
                    Map.of(
                            "tier",
                            tier.name(),
                            "findings",
                            open.size(),
                            "kinds",
                            inWords(open).orElse(""))); // what drifted, in full: tiergate drift and the dashboard
        }
        return open;
    }

    /** Records the tier's current drift as accepted (the live schema is the new baseline), audited with the reason. */
    List<DriftFinding> accept(RepoRef repo, Policy policy, Tier tier, String reason, String by) {
        List<DriftFinding> open = check(repo, policy, tier);
        String tierDb = DbBranchName.of(tier.name());
        drift.accept(repo, tierDb, open, reason, by);
        audit.append(
                AuditKind.DRIFT_ACCEPTED,
                repo,
                tier.branch(),
                Map.of("tier", tier.name(), "findings", open.size(), "reason", reason, "by", by));
        return open;
    }

    /**
     * A drift as a pull request's public status says it: how many findings of which kinds, never their names or
     * definitions. What was changed by hand on a tier (a column's default, a view's text, an index on a table no
     * migration names) is not the repository's to publish; the operator reads it with {@code tiergate drift} or on the
     * tier's page of the dashboard.
     */
    static Optional<String> inWords(List<DriftFinding> found) {
        if (found.isEmpty()) {
            return Optional.empty();
        }
        java.util.TreeMap<String, Integer> byKind = new java.util.TreeMap<>();
        found.forEach(f -> byKind.merge(f.kind().wireName(), 1, Integer::sum));
        List<String> parts = new ArrayList<>();
        byKind.forEach((kind, n) -> parts.add(n + " " + kind));
        return Optional.of(String.join(", ", parts));
    }

    /** A tier's drift as the API and the CLI show it. */
    static Map<String, Object> json(Tier tier, List<DriftFinding> findings) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (DriftFinding f : findings) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", f.kind().wireName());
            m.put("what", f.what());
            m.put("detail", f.detail() == null ? "" : f.detail());
            m.put("fix", f.fix());
            list.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tier", tier.name());
        out.put("drifted", !findings.isEmpty());
        out.put("on_drift", tier.holdsOnDrift() ? "hold" : "warn");
        out.put("findings", list);
        return out;
    }

    /** Versions applied on the parent tier that this one lacks (a hotfix into the parent not carried down). */
    private List<DriftFinding> order(RepoRef repo, Policy policy, Tier tier, List<FlywayRunner.Applied> history) {
        if (tier.parent() == null) {
            return List.of();
        }
        Optional<Tier> parent = policy.tier(tier.parent());
        String parentDb = DbBranchName.of(tier.parent());
        if (parent.isEmpty() || !backend.exists(repo, parentDb)) {
            return List.of();
        }
        Set<String> parentApplied = FlywayRunner.history(backend.connection(repo, parentDb)).stream()
                .filter(FlywayRunner.Applied::success)
                .map(FlywayRunner.Applied::version)
                .collect(Collectors.toSet());
        Set<String> mine = history.stream().map(FlywayRunner.Applied::version).collect(Collectors.toSet());
        return TierDrift.order(
                tier.name(), tier.branch(), parent.get().name(), parent.get().branch(), parentApplied, mine);
    }

    /**
     * What a tier's shadow database holds: the seed's fingerprint and, by file name, the fingerprint of each migration
     * applied to it. Kept in memory: after a restart the shadow is built again once.
     */
    private record Shadow(String seed, Map<String, String> files, String newest) {}

    private final Map<String, Shadow> shadows = Collections.synchronizedMap(new LinkedHashMap<>());

    /**
     * The schema the tier's history builds: its seed (its own, else its nearest ancestor's, as the tier was copied from
     * it) and its applied migrations, run as the repository's migration role like any run of repository SQL, on the
     * tier's shadow database ({@code ci-drift-<tier>}). The shadow is kept between passes and only moved forward by the
     * versions the tier applied since (a merge's few migrations: about a rehearsal's cost); it is built again from
     * nothing when its seed or an applied file changed, a version older than its newest arrived, or a pass failed on
     * it (then it is dropped: no half-built shadow is ever read).
     */
    private SchemaSnapshot expected(RepoRef repo, Policy policy, Tier tier, String head, List<MigrationFile> replay) {
        byte[] seed = seedOf(repo, policy, tier, head);
        String seedPrint = fingerprint(seed, List.of());
        String key = repo.keyFor(tier.name() + "|" + fingerprint(seed, replay));
        SchemaSnapshot cached = built.get(key);
        if (cached != null) {
            return cached;
        }
        // named like a PR's copy (ci-pr-N) and a merge group's (ci-mq-N): a name of tiergate's own, valid on every
        // backend
        String scratch = "ci-drift-" + DbBranchName.of(tier.name());
        String shadowKey = repo.keyFor(tier.name());
        Shadow had = shadows.get(shadowKey);
        Map<String, String> prints = new LinkedHashMap<>();
        String newest = "";
        for (MigrationFile f : replay) {
            prints.put(f.fileName(), fingerprint(null, List.of(f)));
            newest = f.fileName().compareTo(newest) > 0 ? f.fileName() : newest;
        }
        boolean forward = had != null
                && backend.exists(repo, scratch)
                && had.seed().equals(seedPrint)
                && had.files().entrySet().stream().allMatch(e -> e.getValue().equals(prints.get(e.getKey())))
                && prints.keySet().stream()
                        .filter(n -> !had.files().containsKey(n))
                        .allMatch(n -> n.compareTo(had.newest()) > 0);
        shadows.remove(shadowKey); // until this pass has finished with it
        try {
            boolean emptyFirst = false;
            if (!forward) {
                if (backend.exists(repo, scratch)) {
                    backend.delete(repo, scratch);
                }
                if (backend.makesEmptyDatabases()) {
                    backend.create(repo, scratch, null);
                } else { // Neon, Lakebase: a branch of the root tier, emptied before anything runs on it
                    String root = policy.rootTier()
                            .map(t -> DbBranchName.of(t.name()))
                            .orElseThrow(() -> new IllegalStateException("the policy has no root tier"));
                    backend.create(repo, scratch, root);
                    emptyFirst = true;
                }
            }
            try (MigrationSession session = backend.openRun(
                    repo, scratch, RunLimits.deadline(policy.migrations().runDeadline()))) {
                if (emptyFirst) {
                    empty(session.connection());
                }
                if (!forward && seed != null) {
                    SeedLoader.load(session.connection(), new String(seed, StandardCharsets.UTF_8));
                }
                // moving forward, Flyway is given the new files alone: the shadow's history has the rest (applied
                // versions without a file are not refused), so it reads and checks a merge's few files, not all
                List<MigrationFile> toRun = forward
                        ? replay.stream()
                                .filter(f -> !had.files().containsKey(f.fileName()))
                                .toList()
                        : replay;
                if (!toRun.isEmpty()) {
                    backend.createExtensions(repo, scratch, policy.migrations().extensions());
                    MigrationRun run = FlywayRunner.migrate(session.connection(), toRun);
                    if (!run.ok()) {
                        throw new IllegalStateException("the tier's applied migrations do not build on a scratch"
                                + " database: " + DatabaseMigrations.failure(run));
                    }
                }
                SchemaSnapshot out = SchemaCatalog.readAll(session.connection());
                built.put(key, out);
                shadows.put(shadowKey, new Shadow(seedPrint, prints, newest));
                return out;
            }
        } catch (RuntimeException e) {
            backend.delete(repo, scratch); // never read half-built
            throw e;
        }
    }

    /**
     * Drops what a copy of the root holds (every schema but the system's, and with them the history), so the shadow
     * starts as an empty database does: as the migration role, which owns what migrations made.
     */
    private static void empty(BranchConnection db) {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                java.sql.Statement st = c.createStatement()) {
            List<String> schemas = new ArrayList<>();
            try (java.sql.ResultSet rs = st.executeQuery(
                    "select nspname from pg_namespace where nspname not in ('pg_catalog', 'information_schema')"
                            + " and nspname not like 'pg\\_%' and pg_has_role(nspowner, 'USAGE')")) {
                while (rs.next()) {
                    schemas.add(rs.getString(1));
                }
            }
            for (String schema : schemas) {
                st.execute("drop schema \"" + schema.replace("\"", "\"\"") + "\" cascade");
            }
            st.execute("create schema if not exists public");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot empty the shadow database: " + e.getMessage(), e);
        }
    }

    private byte[] seedOf(RepoRef repo, Policy policy, Tier tier, String head) {
        for (Optional<Tier> t = Optional.of(tier);
                t.isPresent();
                t = t.flatMap(x -> Optional.ofNullable(x.parent())).flatMap(policy::tier)) {
            if (t.get().seed() != null) {
                return forge.fileAt(repo, head, t.get().seed()).orElse(null);
            }
        }
        return null;
    }

    /** The seed's and the files' fingerprint (the files' as {@link DatabaseMigrations#fingerprint} takes it). */
    private static String fingerprint(byte[] seed, List<MigrationFile> files) {
        List<MigrationFile> all = new ArrayList<>(files);
        if (seed != null) {
            all.add(new MigrationFile("\u0000seed", seed)); // no file name can be this
        }
        return DatabaseMigrations.fingerprint(all);
    }
}
