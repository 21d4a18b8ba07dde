package dev.tiergate.server.gate;

import dev.tiergate.core.drift.DriftFinding;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.PolicyReader;
import dev.tiergate.core.schema.SchemaDiff;
import dev.tiergate.server.audit.AuditLog;
import dev.tiergate.server.backend.MigrationSession;
import dev.tiergate.server.backend.RunLimits;
import dev.tiergate.server.backend.postgres.PostgresBranchBackend;
import dev.tiergate.server.forge.RepoFile;
import dev.tiergate.server.migrate.FlywayRunner;
import dev.tiergate.server.migrate.MigrationFile;
import dev.tiergate.server.migrate.MigrationRun;
import dev.tiergate.server.migrate.SchemaCatalog;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.Database;
import dev.tiergate.server.store.DriftStore;
import dev.tiergate.server.store.MigrationStore;
import dev.tiergate.server.support.InMemoryForge;
import dev.tiergate.server.support.MigratorSql;
import dev.tiergate.server.support.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Not a test (no *Test name, so the suite skips it): bench/drift-bench.sh runs it. A tier with a history of N
 * migrations (tables, columns, indexes, views, as teams write them) is checked for drift twice: the first pass builds
 * the history's schema on a scratch database, the second finds the history unchanged and builds nothing. Beside them,
 * what the issue compares a pass with: a rehearsal on the same tier (a fresh copy, one new migration, the schema diff).
 * Wall time, and CPU of every process on the machine (PostgreSQL's included) from /proc/stat, in core-seconds.
 * Histories from -Dtiergate.bench.histories (default 100,1000).
 */
class DriftBench {
    static final String POLICY = """
            version: 1
            tiers:
              - {name: staging, branch: staging}
            """;

    @Test
    void aDriftPassOverAHistoryOf100And1000Migrations() throws Exception {
        StringBuilder report = new StringBuilder("| history | first pass (builds the shadow from nothing) | second pass"
                + " (history unchanged) | pass after a merge (shadow moved forward by 1 migration) | a rehearsal on the"
                + " same tier (copy + 1 migration + diff) |\n|---:|---:|---:|---:|---:|\n");
        for (String n :
                System.getProperty("tiergate.bench.histories", "100,1000").split(",")) {
            report.append(run(Integer.parseInt(n.strip()))).append('\n');
            System.out.println(report);
        }
        Path out = Path.of("target", "drift-bench.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report.toString(), StandardCharsets.UTF_8);
    }

    String run(int migrations) throws Exception {
        PostgresBranchBackend backend = TestPostgres.branchBackend("bench-drift");
        RepoRef repo = new RepoRef("github", null, "bench/" + UUID.randomUUID());
        List<MigrationFile> files = new ArrayList<>(history(migrations));
        Map<String, byte[]> blobs = new LinkedHashMap<>();
        List<RepoFile> listing = new ArrayList<>();
        for (MigrationFile f : files) {
            String sha = HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-1").digest(f.content()));
            blobs.put(sha, f.content());
            listing.add(new RepoFile(f.path(), sha));
        }
        InMemoryForge forge = new InMemoryForge() {
            @Override
            public Optional<String> branchHead(RepoRef r, String branch) {
                return Optional.of("a".repeat(40));
            }

            @Override
            public List<RepoFile> listDirectory(RepoRef r, String sha, String dir) {
                return listing;
            }

            @Override
            public byte[] blob(RepoRef r, String blobSha) {
                return blobs.get(blobSha);
            }
        };
        Policy policy = PolicyReader.read(POLICY, "bench");
        try (Database store = TestPostgres.freshStore()) {
            backend.createTier(repo, "staging", null);
            try (MigrationSession tier = MigratorSql.open(backend, repo, "staging")) {
                MigrationRun applied = FlywayRunner.migrate(tier.connection(), files);
                if (!applied.ok()) {
                    throw new AssertionError(applied.error());
                }
            }
            backend.tierMoved(repo, "staging");
            DriftCheck check = new DriftCheck(
                    forge,
                    backend,
                    new DriftStore(store.dataSource()),
                    new MigrationStore(store.dataSource()),
                    new AuditLog(store.dataSource()));
            Measured first =
                    measure(() -> check.check(repo, policy, policy.tiers().get(0)));
            Measured second =
                    measure(() -> check.check(repo, policy, policy.tiers().get(0)));
            // a merge applies one migration to the tier: the next pass moves the shadow forward by it
            MigrationFile merged = file(migrations + 2, "alter table t1 add column merged_later text;");
            files.add(merged);
            listing.add(new RepoFile(merged.path(), "m".repeat(40)));
            blobs.put("m".repeat(40), merged.content());
            try (MigrationSession tier = MigratorSql.open(backend, repo, "staging")) {
                if (!FlywayRunner.migrate(tier.connection(), files).ok()) {
                    throw new AssertionError("the merge's migration");
                }
            }
            backend.tierMoved(repo, "staging");
            Measured afterMerge =
                    measure(() -> check.check(repo, policy, policy.tiers().get(0)));
            Measured rehearsal = measure(() -> {
                backend.reset(repo, "ci-pr-1", "staging");
                try (MigrationSession run =
                        backend.openRun(repo, "ci-pr-1", RunLimits.deadline(Duration.ofMinutes(30)))) {
                    var before = SchemaCatalog.read(run.connection());
                    List<MigrationFile> head = new ArrayList<>(files);
                    head.add(file(migrations + 3, "alter table t1 add column added_by_the_pr text;"));
                    MigrationRun r = FlywayRunner.migrate(run.connection(), head);
                    SchemaDiff.between(before, SchemaCatalog.read(run.connection()));
                    if (!r.ok()) {
                        throw new AssertionError(r.error());
                    }
                }
                return List.of();
            });
            return "| " + migrations + " migrations | " + first + " | " + second + " | " + afterMerge + " | "
                    + rehearsal + " |";
        } // the databases go with the class (DropDatabasesAfterEachClass), as every test class's do
    }

    record Measured(long millis, double cpuSeconds, int findings) {
        @Override
        public String toString() {
            return millis + " ms, " + String.format(java.util.Locale.ROOT, "%.1f", cpuSeconds) + " CPU-s"
                    + (findings > 0 ? " (" + findings + " findings!)" : "");
        }
    }

    interface Work {
        List<DriftFinding> run() throws Exception;
    }

    static Measured measure(Work w) throws Exception {
        long cpu0 = busyJiffies();
        long t0 = System.nanoTime();
        List<DriftFinding> found = w.run();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        return new Measured(ms, (busyJiffies() - cpu0) / 100.0, found.size());
    }

    /** Busy time of the whole machine (user + nice + system + irq + softirq) in jiffies, from /proc/stat. */
    static long busyJiffies() throws Exception {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        return Long.parseLong(f[1])
                + Long.parseLong(f[2])
                + Long.parseLong(f[3])
                + Long.parseLong(f[6])
                + Long.parseLong(f[7]);
    }

    /** A history as teams write it: tables, then columns, indexes and views on them. */
    static List<MigrationFile> history(int n) {
        List<MigrationFile> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            int t = Math.max(1, i / 5 * 5);
            String sql = switch (i % 5) {
                case 0, 1 -> "create table t" + i + " (id bigint primary key, code text not null);";
                case 2 -> "alter table t" + t + " add column note_" + i + " text;";
                case 3 -> "create index t" + t + "_code_" + i + " on t" + t + " (code);";
                default -> "create view v" + i + " as select id, code from t" + t + ";";
            };
            out.add(file(i, sql));
        }
        return out;
    }

    static MigrationFile file(int i, String sql) {
        return new MigrationFile(
                "db/migration/V"
                        + java.time.LocalDateTime.of(2026, 1, 1, 0, 0)
                                .plusMinutes(i)
                                .format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHHmmss"))
                        + "__m" + i + ".sql",
                ("-- refactoring: Introduce Table\n-- phase: expand\n" + sql + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
