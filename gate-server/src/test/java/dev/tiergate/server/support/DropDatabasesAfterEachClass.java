package dev.tiergate.server.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Every test class's databases go when the class is done: the branch clusters and the stores' server are shared by the
 * whole test JVM, and each database, copy, template, snapshot and store a class leaves costs 7.5 MB or more
 * (PostgreSQL's smallest database), so a run left about 1,000 branches and 160 stores, 9 GB, in the temporary folder
 * until the JVM exited (and a CI machine with less free disk failed on it). Registered for every
 * class (META-INF/services, junit-platform.properties); test classes run one after another in one JVM, so a database
 * made while a class ran is that class's. Runs after the class's own {@code @AfterAll}; starts no cluster.
 */
public final class DropDatabasesAfterEachClass implements BeforeAllCallback, AfterAllCallback {
    private static final Set<String> CLUSTER_OWN = Set.of("postgres", "template0", "template1");
    private final Map<String, Set<String>> before = new HashMap<>();

    @Override
    public void beforeAll(ExtensionContext context) {
        if (context.getRequiredTestClass().getEnclosingClass() != null) {
            return;
        }
        before.clear();
        for (Map.Entry<String, DataSource> c : servers().entrySet()) {
            before.put(c.getKey(), databases(c.getValue()));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (context.getRequiredTestClass().getEnclosingClass() != null) {
            return;
        }
        for (Map.Entry<String, DataSource> c : servers().entrySet()) {
            Set<String> keep = before.getOrDefault(c.getKey(), CLUSTER_OWN);
            List<String> made = new ArrayList<>(databases(c.getValue()));
            made.removeAll(keep);
            made.removeAll(CLUSTER_OWN);
            try (Connection conn = c.getValue().getConnection();
                    Statement st = conn.createStatement()) {
                for (String db : made) {
                    String q = "\"" + db.replace("\"", "\"\"") + "\"";
                    // a tier's template is marked one (a template cannot be dropped); FORCE ends what a stopped server
                    // left
                    try {
                        st.execute("alter database " + q + " is_template false");
                        st.execute("drop database if exists " + q + " with (force)");
                    } catch (SQLException e) {
                        System.err.println(
                                "could not drop " + db + " after " + context.getDisplayName() + ": " + e.getMessage());
                    }
                }
            } catch (SQLException e) {
                // the next class's run still works: only disk is at stake
                System.err.println(
                        "could not drop the databases of " + context.getDisplayName() + ": " + e.getMessage());
            }
        }
    }

    /** Each started server, by its URL, with an admin's connections. */
    private static Map<String, DataSource> servers() {
        Map<String, DataSource> all = new LinkedHashMap<>();
        TestPostgres.startedStoreServer()
                .ifPresent(pg -> all.put(pg.getJdbcUrl("postgres", "postgres"), pg.getPostgresDatabase()));
        for (TestPostgres.BranchCluster c : TestPostgres.startedBranchClusters()) {
            all.put(c.url(), c.admin());
        }
        return all;
    }

    private static Set<String> databases(DataSource admin) {
        Set<String> all = new HashSet<>();
        try (Connection conn = admin.getConnection();
                PreparedStatement ps = conn.prepareStatement("select datname from pg_database");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                all.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list the databases of a test server: " + e.getMessage(), e);
        }
        return all;
    }
}
