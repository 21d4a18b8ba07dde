package dev.tiergate.server.security;

import dev.tiergate.server.backend.BranchConnection;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * What one login tiergate hands out can reach on the branch cluster, against what it should: its own database and
 * nothing else, no role attribute beyond LOGIN, and no membership in the built-in roles that read or write every
 * database, the server's files or programs, or signal other sessions. Read through the catalog
 * ({@code has_database_privilege} over every database of the cluster, {@code pg_has_role}) and tried for real with
 * JDBC: the login connects to its own database, and to every database the catalog says it may, and to a sample the
 * catalog says it may not (the cluster's {@code postgres} and {@code template1}, tiergate's store where it lives on this
 * cluster, the repository's other branches, another repository's tier).
 */
final class LoginMatrix {
    /** Built-in roles no branch login may be a member of. */
    static final List<String> FORBIDDEN_ROLES = List.of(
            "pg_read_all_data",
            "pg_write_all_data",
            "pg_read_server_files",
            "pg_write_server_files",
            "pg_execute_server_program",
            "pg_signal_backend");
    /** At most this many connection attempts to databases the catalog says the login may reach (each one is a finding already). */
    static final int ATTEMPTS = 25;

    private LoginMatrix() {}

    /**
     * Everything {@code login} (for database branch {@code name}) reaches beyond its own database, in words; empty when
     * it reaches its own database and nothing else. {@code alsoTry} names databases to try connecting to besides.
     */
    static List<String> problems(Scene s, String name, BranchConnection login, Set<String> alsoTry) throws Exception {
        List<String> out = new ArrayList<>();
        String own = login.database();
        String who = "login " + login.user() + " of " + name;
        try (Connection c = connect(login, own)) {
            if (!c.isValid(5)) {
                out.add(who + " cannot use its own database " + own);
            }
        } catch (SQLException e) {
            out.add(who + " cannot connect to its own database " + own + ": " + e.getMessage());
        }
        Map<String, Boolean> mayConnect = new LinkedHashMap<>();
        try (Connection c = s.branchCluster();
                PreparedStatement ps = c.prepareStatement(
                        "select datname, has_database_privilege(?, oid, 'CONNECT') from pg_database order by datname")) {
            ps.setString(1, login.user());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    mayConnect.put(rs.getString(1), rs.getBoolean(2));
                }
            }
        }
        List<String> granted = mayConnect.entrySet().stream()
                .filter(e -> e.getValue() && !e.getKey().equals(own))
                .map(Map.Entry::getKey)
                .toList();
        if (!granted.isEmpty()) {
            out.add(who + " has CONNECT on " + granted.size() + " other database(s) of the cluster: "
                    + (granted.size() > 12 ? granted.subList(0, 12) + " …" : granted));
        }
        if (!mayConnect.getOrDefault(own, false)) {
            out.add(who + " has no CONNECT on its own database " + own);
        }
        Set<String> tryThese = new LinkedHashSet<>(List.of("postgres", "template1"));
        tryThese.addAll(alsoTry);
        if (mayConnect.containsKey(s.storeDatabase())) {
            tryThese.add(s.storeDatabase());
        }
        granted.stream().limit(ATTEMPTS).forEach(tryThese::add);
        tryThese.remove(own);
        List<String> reached = new ArrayList<>();
        for (String db : tryThese) {
            if (!mayConnect.containsKey(db)) {
                continue; // not a database of this cluster
            }
            try (Connection c = connect(login, db)) {
                reached.add(db);
            } catch (SQLException e) {
                // refused: as it should be
            }
        }
        if (!reached.isEmpty()) {
            out.add(who + " connected to " + reached);
        }
        try (Connection c = s.branchCluster();
                PreparedStatement ps = c.prepareStatement(
                        "select rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls from pg_roles where rolname = ?")) {
            ps.setString(1, login.user());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    out.add(who + " is no role of the branch cluster");
                } else {
                    String[] attrs = {"SUPERUSER", "CREATEDB", "CREATEROLE", "REPLICATION", "BYPASSRLS"};
                    for (int i = 0; i < attrs.length; i++) {
                        if (rs.getBoolean(i + 1)) {
                            out.add(who + " has " + attrs[i]);
                        }
                    }
                }
            }
        }
        try (Connection c = s.branchCluster();
                PreparedStatement ps = c.prepareStatement("select pg_has_role(?, ?, 'MEMBER')")) {
            for (String role : FORBIDDEN_ROLES) {
                ps.setString(1, login.user());
                ps.setString(2, role);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        out.add(who + " is a member of " + role);
                    }
                }
            }
        }
        return out;
    }

    /**
     * The databases beside a login's own that it must not reach, tried for real: the repository's branches of the
     * scene made by {@code PrivilegeMatrixTest}'s setup (production, staging, feature-p1, ci-pr-1) and another repository's tier.
     */
    static Set<String> neighbours(Scene s) throws Exception {
        Set<String> out = new LinkedHashSet<>();
        for (String b : List.of("production", "staging", "feature-p1", "ci-pr-1")) {
            out.add(s.h.server.backend().connection(s.repo, b).database());
        }
        out.add(s.otherTierDatabase());
        return out;
    }

    /** The databases a login owns on the branch cluster. */
    static List<String> owned(Scene s, BranchConnection login) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = s.branchCluster();
                PreparedStatement ps = c.prepareStatement(
                        "select datname from pg_database where datdba = (select oid from pg_roles where rolname = ?) order by datname")) {
            ps.setString(1, login.user());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static Connection connect(BranchConnection login, String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", login.user());
        if (login.password() != null) {
            p.setProperty("password", login.password());
        }
        p.setProperty("connectTimeout", "10");
        return DriverManager.getConnection(
                new BranchConnection(login.host(), login.port(), database, login.user(), login.password()).jdbcUrl(),
                p);
    }
}
