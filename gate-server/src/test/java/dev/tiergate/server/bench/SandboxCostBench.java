package dev.tiergate.server.bench;

import dev.tiergate.server.backend.BranchConnection;
import dev.tiergate.server.backend.MigrationSession;
import dev.tiergate.server.backend.RunLimits;
import dev.tiergate.server.backend.postgres.PostgresBranchBackend;
import dev.tiergate.server.migrate.FlywayRunner;
import dev.tiergate.server.migrate.MigrationFile;
import dev.tiergate.server.migrate.MigrationRun;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.support.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Not a test (no *Test name, so the suite skips it): bench/sandbox-cost.sh runs it. What the sandbox adds to one
 * rehearsal, measured against running as before in the same run, interleaved: a fresh copy of a tier ({@code reset},
 * as every rehearsal makes), then one migration run on it,
 * <ul>
 * <li>as before the sandbox: Flyway on the branch cluster's admin login, nothing around it;</li>
 * <li>sandboxed: {@code openRun} (the migration role's settings reset, its leftover sessions ended, a watchdog
 * thread on an admin connection of its own), Flyway as the migration login, and closing the session (REASSIGN OWNED
 * and the data role's grants).</li>
 * </ul>
 * Rounds from -Dtiergate.bench.rounds (default 30); the report gives the median and the 10th and 90th percentiles.
 */
class SandboxCostBench {
    @Test
    void oneRehearsalAsBeforeAndSandboxed() throws Exception {
        int rounds = Integer.getInteger("tiergate.bench.rounds", 30);
        PostgresBranchBackend backend = TestPostgres.branchBackend("bench");
        RepoRef repo = new RepoRef("github", null, "bench/" + UUID.randomUUID());
        TestPostgres.BranchCluster cluster = TestPostgres.branches();
        List<Long> before = new ArrayList<>();
        List<Long> sandboxed = new ArrayList<>();
        List<Long> openAndClose = new ArrayList<>();
        try {
            backend.createTier(repo, "staging", null);
            try (MigrationSession s = backend.openRun(repo, "staging", RunLimits.deadline(Duration.ofMinutes(5)))) {
                MigrationRun base = FlywayRunner.migrate(
                        s.connection(),
                        List.of(new MigrationFile(
                                "db/migration/V20250101000000__inventory.sql",
                                ("-- refactoring: Introduce New Table\n-- phase: expand\ncreate table inventory (id bigint primary key, code text);\n"
                                                + "insert into inventory select g, 'A-' || g from generate_series(1, 10000) g;\n")
                                        .getBytes(StandardCharsets.UTF_8))));
                if (!base.ok()) {
                    throw new AssertionError("the tier's base migration failed: " + base.error());
                }
            }
            backend.tierMoved(repo, "staging");
            for (int i = 0; i < rounds + 3; i++) { // 3 rounds to warm up, not counted
                List<MigrationFile> files = List.of(migration(i));
                boolean sandboxFirst = i % 2 == 0; // interleaved, each order half the time
                for (int k = 0; k < 2; k++) {
                    boolean sandbox = (k == 0) == sandboxFirst;
                    backend.reset(repo, "ci-pr-1", "staging");
                    long t0 = System.nanoTime();
                    MigrationRun run;
                    if (sandbox) {
                        long o0 = System.nanoTime();
                        MigrationSession s =
                                backend.openRun(repo, "ci-pr-1", new RunLimits(Duration.ofMinutes(10), 1L << 34));
                        long opened = System.nanoTime() - o0;
                        run = FlywayRunner.migrate(s.connection(), files);
                        long c0 = System.nanoTime();
                        s.stopped();
                        s.close();
                        if (i >= 3) {
                            openAndClose.add(opened + System.nanoTime() - c0);
                        }
                    } else {
                        BranchConnection admin = new BranchConnection(
                                "localhost",
                                cluster.pg().getPort(),
                                backend.physical(repo, "ci-pr-1"),
                                cluster.user(),
                                cluster.password());
                        run = FlywayRunner.migrate(admin, files);
                    }
                    long took = System.nanoTime() - t0;
                    if (!run.ok()) {
                        throw new AssertionError("the migration failed: " + run.error());
                    }
                    if (i >= 3) {
                        (sandbox ? sandboxed : before).add(took);
                    }
                }
            }
        } finally {
            try (Connection c = cluster.admin().getConnection();
                    Statement st = c.createStatement()) {
                for (String db : backend.list(repo)) {
                    st.execute("drop database if exists \"" + backend.physical(repo, db) + "\" with (force)");
                }
            }
            backend.close();
        }
        String report =
                "| run (fresh copy of a 10,000-row tier, one migration) | median | p10 | p90 |\n|---|---:|---:|---:|\n"
                        + row("as before: Flyway as the cluster's admin", before)
                        + row("sandboxed: openRun + Flyway as the migration login + close", sandboxed)
                        + row("of which openRun and close", openAndClose)
                        + "\n" + rounds
                        + " rounds each, interleaved (3 more to warm up, not counted). Median difference: "
                        + String.format("%.1f ms", (pct(sandboxed, 50) - pct(before, 50)) / 1e6) + "\n";
        System.out.println(report);
        Path out = Path.of("target", "sandbox-cost.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report, StandardCharsets.UTF_8);
    }

    private static MigrationFile migration(int i) {
        String name = String.format("V2026010100%04d__add_col_%d.sql", i, i);
        String sql = "-- refactoring: Introduce New Column\n-- phase: expand\nalter table inventory add column c" + i
                + " int;\n";
        return new MigrationFile("db/migration/" + name, sql.getBytes(StandardCharsets.UTF_8));
    }

    private static String row(String what, List<Long> nanos) {
        return String.format(
                "| %s | %.1f ms | %.1f ms | %.1f ms |%n",
                what, pct(nanos, 50) / 1e6, pct(nanos, 10) / 1e6, pct(nanos, 90) / 1e6);
    }

    private static double pct(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.round(p / 100.0 * (sorted.size() - 1))));
    }
}
