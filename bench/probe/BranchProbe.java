import dev.tiergate.server.backend.postgres.PostgresBranchBackend;
import dev.tiergate.server.repo.RepoRef;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * How long a new database branch takes against the tier's size, on one PostgreSQL: the postgres backend claiming a
 * ready clone (pool of 2), the same backend with the pool off (CREATE DATABASE … TEMPLATE and the login), plain
 * CREATE DATABASE … TEMPLATE with STRATEGY WAL_LOG and FILE_COPY, and pg_dump | pg_restore of the tier.
 * Run by bench/branch-create.sh, which starts the PostgreSQL and removes it afterwards.
 *   java -cp <gate-server jar and lib> bench/probe/BranchProbe.java PORT PG_BIN RUNS SIZE_MB...
 */
public class BranchProbe {
    static String base;

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String bin = args[1];
        int runs = Integer.parseInt(args[2]);
        base = "jdbc:postgresql://127.0.0.1:" + port + "/";
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(base + "postgres");
        ds.setUser("postgres");
        System.out.println("| tier size | pool claim (backend.create) | backend.create, pool off | CREATE DATABASE … STRATEGY WAL_LOG | … STRATEGY FILE_COPY | pg_dump -Fc \\| pg_restore |");
        System.out.println("|---|---|---|---|---|---|");
        for (String mbArg : Arrays.copyOfRange(args, 3, args.length)) {
            int mb = Integer.parseInt(mbArg);
            RepoRef repo = new RepoRef("github", null, "bench/size-" + mb);
            try (PostgresBranchBackend pooled = new PostgresBranchBackend(ds, base, "postgres", null, "bench".getBytes(StandardCharsets.UTF_8), null, 2);
                 PostgresBranchBackend cold = new PostgresBranchBackend(ds, base, "postgres", null, "bench".getBytes(StandardCharsets.UTF_8), null, 0)) {
                pooled.createTier(repo, "production", null);
                String tier = pooled.physical(repo, "production");
                long rows = Math.max(1000, mb * 1024L * 1024 / 165);
                sql(tier, "create table payload as select g as id, repeat(md5(g::text), 4) as pad from generate_series(1, " + rows + ") g");
                sql(tier, "checkpoint");
                long bytes = query(tier, "select pg_database_size(current_database())");
                pooled.tierMoved(repo, "production");
                String template = firstRow("select datname from pg_database where datistemplate and datname like '"
                        + tier.substring(0, 12).replace("_", "\\_") + "\\_tpl\\_production%'");
                List<Double> claim = new ArrayList<>(), off = new ArrayList<>(), wal = new ArrayList<>(), file = new ArrayList<>();
                for (int i = 0; i < runs; i++) {
                    awaitReady(pooled, repo.path() + ":production", 2);
                    long t = System.nanoTime();
                    pooled.create(repo, "feature-w" + i, "production");
                    claim.add((System.nanoTime() - t) / 1e6);
                    t = System.nanoTime();
                    cold.create(repo, "feature-c" + i, "production");
                    off.add((System.nanoTime() - t) / 1e6);
                    wal.add(timed("create database bench_wal_" + i + " template " + template + " strategy wal_log"));
                    file.add(timed("create database bench_file_" + i + " template " + template + " strategy file_copy"));
                    sql("postgres", "drop database bench_wal_" + i);
                    sql("postgres", "drop database bench_file_" + i);
                    pooled.delete(repo, "feature-w" + i);
                    cold.delete(repo, "feature-c" + i);
                }
                sql("postgres", "create database bench_restore");
                long t = System.nanoTime();
                Process p = new ProcessBuilder("bash", "-c", "set -o pipefail; " + bin + "/pg_dump -Fc -h 127.0.0.1 -p " + port + " -U postgres " + tier
                        + " | " + bin + "/pg_restore -h 127.0.0.1 -p " + port + " -U postgres -d bench_restore").inheritIO().start();
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("pg_dump | pg_restore failed");
                }
                double dump = (System.nanoTime() - t) / 1e6;
                sql("postgres", "drop database bench_restore");
                System.out.printf("| %d MB | %s | %s | %s | %s | %.0f ms |%n", bytes / (1024 * 1024), med(claim), med(off), med(wal), med(file), dump);
            }
        }
    }

    static String med(List<Double> ms) {
        double[] a = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return String.format("%.0f ms (%.0f–%.0f)", a[a.length / 2], a[0], a[a.length - 1]);
    }

    static void awaitReady(PostgresBranchBackend b, String key, int n) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 600_000;
        while (b.readyClones().getOrDefault(key, 0) < n) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("pool of " + key + " not refilled within 10 minutes");
            }
            Thread.sleep(50);
        }
    }

    static double timed(String statement) throws Exception {
        long t = System.nanoTime();
        sql("postgres", statement);
        return (System.nanoTime() - t) / 1e6;
    }

    static void sql(String db, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(base + db, "postgres", null); Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    static long query(String db, String q) throws Exception {
        try (Connection c = DriverManager.getConnection(base + db, "postgres", null); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(q)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static String firstRow(String q) throws Exception {
        try (Connection c = DriverManager.getConnection(base + "postgres", "postgres", null); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(q)) {
            if (!rs.next()) {
                throw new IllegalStateException("no row: " + q);
            }
            return "\"" + rs.getString(1) + "\"";
        }
    }
}
