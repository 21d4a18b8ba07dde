package dev.tiergate.server.gate;

import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.PolicyReader;
import dev.tiergate.server.audit.AuditLog;
import dev.tiergate.server.backend.MigrationSession;
import dev.tiergate.server.backend.RunLimits;
import dev.tiergate.server.backend.postgres.PostgresBranchBackend;
import dev.tiergate.server.migrate.FlywayRunner;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.Database;
import dev.tiergate.server.store.MigrationStore;
import dev.tiergate.server.support.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Not a test (no *Test name, so the suite skips it): bench/masking-bench.sh runs it. A production tier of about 100 MB
 * and 1 GB (customers with e-mail, name, phone and a free-text note; the sizes from -Dtiergate.bench.sizes, in MB) is
 * masked once (copy + four rules + sampled verification); then a working branch is made from the masked copy and, for
 * comparison, from the tier itself: what a claim's branch costs with masking on and off.
 */
class MaskingBench {
    static final String POLICY = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            masking:
              rules:
                - {table: customers, column: email, method: fake_email}
                - {table: customers, column: full_name, method: fake_name}
                - {table: customers, column: phone, method: "partial(0, 2)"}
                - {table: customers, column: note, method: hash}
            """;

    @Test
    void maskingA100MbAnd1GbTier() throws Exception {
        StringBuilder report = new StringBuilder(
                "| tier | rows | masked copy made (copy + 4 rules + verify) | branch from"
                        + " the masked copy | branch from the tier itself (no masking) |\n|---:|---:|---:|---:|---:|\n");
        for (String mb : System.getProperty("tiergate.bench.sizes", "100,1000").split(",")) {
            report.append(run(Integer.parseInt(mb.strip()))).append('\n');
            System.out.println(report);
        }
        Path out = Path.of("target", "masking-bench.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report.toString(), StandardCharsets.UTF_8);
    }

    String run(int megabytes) throws Exception {
        PostgresBranchBackend backend = TestPostgres.branchBackend("bench-mask");
        RepoRef repo = new RepoRef("github", null, "bench/" + UUID.randomUUID());
        Policy policy = PolicyReader.read(POLICY, ".tiergate/policy.yaml");
        backend.create(repo, "production", null);
        // ~215 bytes a row on disk with its index
        long rows = megabytes * 1_000_000L / 215;
        try (MigrationSession session = backend.openRun(
                        repo, "production", new RunLimits(Duration.ofHours(1), 100L * 1024 * 1024 * 1024));
                Connection conn = FlywayRunner.connect(session.connection());
                Statement st = conn.createStatement()) {
            st.execute("create table customers (id bigint primary key, email text, full_name text, phone text,"
                    + " note text)");
            st.execute("insert into customers select g, 'person' || g || '@real.example', 'Real Person ' || g,"
                    + " '+44 7700 ' || lpad(g::text, 6, '0'), repeat(md5(g::text), 3) from generate_series(1, " + rows
                    + ") g");
            st.execute("vacuum analyze customers");
        }
        long size = backend.size(repo, "production").orElse(0L);
        try (Database store = TestPostgres.freshStore()) {
            MaskedCopies masked = new MaskedCopies(
                    backend,
                    new MigrationStore(store.dataSource()),
                    new AuditLog(store.dataSource()),
                    r -> java.util.Set.of());
            long t0 = System.nanoTime();
            String copy = masked.copyFrom(repo, policy, "production");
            long maskMs = (System.nanoTime() - t0) / 1_000_000;
            long t1 = System.nanoTime();
            backend.create(repo, "feature-a", copy);
            long fromCopy = (System.nanoTime() - t1) / 1_000_000;
            long t2 = System.nanoTime();
            backend.create(repo, "feature-b", "production");
            long fromTier = (System.nanoTime() - t2) / 1_000_000;
            long t3 = System.nanoTime();
            String again = masked.copyFrom(repo, policy, "production");
            long reuse = (System.nanoTime() - t3) / 1_000_000;
            return String.format(
                    Locale.ROOT,
                    "| %d MB | %,d | %,d ms | %,d ms (finding the copy: %d ms, %s) | %,d ms |",
                    size / 1_000_000,
                    rows,
                    maskMs,
                    fromCopy,
                    reuse,
                    again.equals(copy) ? "no masking again" : "masked again!",
                    fromTier);
        }
    }
}
