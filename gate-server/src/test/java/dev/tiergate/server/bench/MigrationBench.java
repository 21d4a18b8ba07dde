package dev.tiergate.server.bench;

import dev.tiergate.core.schema.SchemaDiff;
import dev.tiergate.server.backend.BranchConnection;
import dev.tiergate.server.backend.MigrationSession;
import dev.tiergate.server.backend.RunLimits;
import dev.tiergate.server.backend.postgres.PostgresBranchBackend;
import dev.tiergate.server.migrate.FlywayRunner;
import dev.tiergate.server.migrate.MigrationFile;
import dev.tiergate.server.migrate.MigrationRun;
import dev.tiergate.server.migrate.SchemaCatalog;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.support.MigratorSql;
import dev.tiergate.server.support.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * Not a test (no *Test name, so the suite skips it): bench/migrations-bench.sh runs it. A 20-migration PR is
 * rehearsed (fresh copy of the tier + migrate with per-statement measurement + schema diff) and applied (snapshot +
 * migrate + template re-taken) on tiers of about 100 MB and 1 GB, and the peer, plain {@code flyway migrate} on a copy
 * of the same tier, runs in the same run. Sizes in MB from -Dtiergate.bench.sizes (default 100,1000).
 */
class MigrationBench {
    static final int MIGRATIONS = 20;

    @Test
    void rehearseAndApplyA20MigrationPr() throws Exception {
        StringBuilder report = new StringBuilder(
                "| tier size | rehearse (copy + migrate + measure + diff) | apply (snapshot + migrate + template) "
                        + "| peer: copy the tier | peer: plain flyway migrate on the copy |\n|---|---:|---:|---:|---:|\n");
        for (String size :
                System.getProperty("tiergate.bench.sizes", "100,1000").split(",")) {
            report.append(run(Integer.parseInt(size.strip()))).append('\n');
            System.out.println(report);
        }
        Path out = Path.of("target", "migration-bench.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report.toString(), StandardCharsets.UTF_8);
    }

    String run(int megabytes) throws Exception {
        PostgresBranchBackend backend = TestPostgres.branchBackend("bench");
        RepoRef repo = new RepoRef("github", null, "bench/" + UUID.randomUUID());
        MigrationSession tierRun = null;
        try {
            backend.createTier(repo, "staging", null);
            tierRun = MigratorSql.open(backend, repo, "staging");
            BranchConnection tier = tierRun.connection();
            MigrationFile base = baseMigration(megabytes);
            fill(tier, base);
            // measured by the admin: the migration role acts as the owner role, which has no CONNECT of its own to ask
            // with
            long actual = backend.size(repo, "staging").orElseThrow() / 1024 / 1024;
            backend.tierMoved(repo, "staging");
            List<MigrationFile> files = new ArrayList<>(List.of(base)); // a PR's head holds the tier's migrations too
            files.addAll(migrations());

            long t0 = System.nanoTime();
            backend.reset(repo, "ci-pr-1", "staging");
            MigrationRun rehearsal;
            List<SchemaDiff.Change> diff;
            try (MigrationSession run = backend.openRun(repo, "ci-pr-1", RunLimits.deadline(Duration.ofMinutes(30)))) {
                rehearsal = FlywayRunner.migrate(run.connection(), files);
                diff = SchemaDiff.between(SchemaCatalog.read(tier), SchemaCatalog.read(run.connection()));
            }
            long rehearse = ms(t0);
            check(rehearsal, diff);

            long t1 = System.nanoTime();
            backend.snapshot(repo, "staging", "staging-backup-pr1");
            MigrationRun applied = FlywayRunner.migrate(tier, files);
            backend.tierMoved(repo, "staging");
            long apply = ms(t1);
            check(applied, diff);

            // the peer on the tier as it was (the snapshot): copy it, then plain flyway migrate, no measurement
            long t2 = System.nanoTime();
            try (Connection c = TestPostgres.branches().admin().getConnection();
                    Statement st = c.createStatement()) {
                // what a user does by hand: one CREATE DATABASE ... TEMPLATE of the tier as it was
                st.execute("create database \"" + backend.physical(repo, "peer-copy") + "\" template \""
                        + backend.physical(repo, "staging-backup-pr1") + "\"");
            }
            long copy = ms(t2);
            Path dir = Files.createTempDirectory("peer");
            for (MigrationFile f : files) {
                Files.write(dir.resolve(f.fileName()), f.content());
            }
            // the peer as a user runs it by hand: as the cluster's admin
            TestPostgres.BranchCluster cluster = TestPostgres.branches();
            BranchConnection peer = new BranchConnection(
                    "localhost",
                    cluster.pg().getPort(),
                    backend.physical(repo, "peer-copy"),
                    cluster.user(),
                    cluster.password());
            long t3 = System.nanoTime();
            int peerApplied = Flyway.configure()
                    .dataSource(peer.jdbcUrl(), peer.user(), peer.password())
                    .locations("filesystem:" + dir)
                    .load()
                    .migrate()
                    .migrationsExecuted;
            long flyway = ms(t3);
            if (peerApplied != MIGRATIONS) {
                throw new AssertionError("the peer applied " + peerApplied);
            }
            return "| " + actual + " MB | " + rehearse + " ms | " + apply + " ms | " + copy + " ms | " + flyway
                    + " ms |";
        } finally {
            if (tierRun != null) {
                tierRun.close();
            }
            // tiers are protected from the seam's delete: the bench drops what it made by hand
            try (Connection c = TestPostgres.branches().admin().getConnection();
                    Statement st = c.createStatement();
                    ResultSet rs = c.createStatement()
                            .executeQuery("select datname from pg_database where datname like '"
                                    + backend.physical(repo, "") + "%'")) {
                List<String> names = new ArrayList<>();
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
                for (String n : names) {
                    st.execute("alter database \"" + n + "\" is_template false");
                    st.execute("drop database if exists \"" + n + "\" with (force)");
                }
            }
        }
    }

    /** A tier built as tiers are, by a migration: a table of about {@code megabytes}. Returns the database's size in MB. */
    static MigrationFile baseMigration(int megabytes) {
        long rows = megabytes * 6_500L;
        StringBuilder sql = new StringBuilder("-- refactoring: Introduce New Column\n-- phase: expand\n"
                + "create table inventory (id bigint primary key, code text not null, payload text not null);\n");
        for (long from = 1; from <= rows; from += 1_000_000) {
            sql.append("insert into inventory select g, 'SKU-' || g, repeat(md5(g::text), 3) from generate_series(")
                    .append(from)
                    .append(", ")
                    .append(Math.min(rows, from + 999_999))
                    .append(") g;\n");
        }
        return new MigrationFile(
                "db/migration/V20260101000000__inventory.sql", sql.toString().getBytes(StandardCharsets.UTF_8));
    }

    static void fill(BranchConnection db, MigrationFile baseMigration) throws Exception {
        MigrationRun base = FlywayRunner.migrate(db, List.of(baseMigration));
        if (!base.ok()) {
            throw new AssertionError(base.error());
        }
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement st = c.createStatement()) {
            st.execute("vacuum analyze inventory");
        }
    }

    /** 20 migrations of the kinds teams write: new tables, nullable and defaulted columns, an index, a view. */
    static List<MigrationFile> migrations() {
        List<MigrationFile> out = new ArrayList<>();
        for (int i = 0; i < MIGRATIONS; i++) {
            String sql = switch (i % 5) {
                case 0 ->
                    "create table audit_" + i
                            + " (id bigint generated always as identity primary key, at timestamptz not null default now());";
                case 1 -> "alter table inventory add column note_" + i + " text;";
                case 2 -> "alter table inventory add column qty_" + i + " int not null default 0;";
                case 3 ->
                    i == 3
                            ? "create index inventory_code_" + i + " on inventory (code);"
                            : "create view inventory_v" + i + " as select id, code from inventory;";
                default -> "comment on table inventory is 'step " + i + "';";
            };
            String name = String.format("V202606%02d000000__step_%d.sql", i + 1, i);
            out.add(new MigrationFile(
                    "db/migration/" + name,
                    ("-- refactoring: Introduce New Column\n-- phase: expand\n" + sql + "\n")
                            .getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    static void check(MigrationRun run, List<SchemaDiff.Change> diff) {
        if (!run.ok()
                || run.migrations().stream()
                                .filter(m -> m.outcome() == MigrationRun.Outcome.APPLIED)
                                .count()
                        != MIGRATIONS
                || diff.isEmpty()) {
            throw new AssertionError("run failed: " + run.error());
        }
    }

    static long ms(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
