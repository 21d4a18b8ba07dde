package dev.tiergate.server.security;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * What a migration must never change on a cluster, read as its administrator: every role (attributes and password
 * hash), every role membership, every database (owner, ACL, connection limit), the per-database and per-role
 * settings, and the server settings in postgresql.auto.conf (what ALTER SYSTEM writes). {@link #changesSince} lists
 * the differences, leaving out what the server itself does to the attacked repository's own databases and logins
 * while it works (creating ci-pr and working branch databases and their logins).
 */
record ClusterCatalog(
        Map<String, String> roles,
        Set<String> memberships,
        Map<String, String> databases,
        Set<String> settings,
        Map<String, String> autoConf) {
    /** Built-in roles a branch login must never be made a member of. */
    static final Set<String> DANGEROUS_ROLES = Set.of(
            "pg_execute_server_program",
            "pg_read_server_files",
            "pg_write_server_files",
            "pg_signal_backend",
            "pg_read_all_settings",
            "pg_checkpoint",
            "pg_create_subscription",
            "pg_use_reserved_connections");

    static ClusterCatalog of(Connection c) throws SQLException {
        Map<String, String> roles = new TreeMap<>();
        Set<String> memberships = new TreeSet<>();
        Map<String, String> databases = new TreeMap<>();
        Set<String> settings = new TreeSet<>();
        Map<String, String> autoConf = new TreeMap<>();
        try (Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery(
                    "select rolname, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolcanlogin,"
                            + " rolinherit, md5(coalesce(rolpassword, '')) from pg_authid")) {
                while (rs.next()) {
                    roles.put(
                            rs.getString(1),
                            "super=" + rs.getBoolean(2) + " createrole=" + rs.getBoolean(3) + " createdb="
                                    + rs.getBoolean(4)
                                    + " replication=" + rs.getBoolean(5) + " bypassrls=" + rs.getBoolean(6) + " login="
                                    + rs.getBoolean(7)
                                    + " inherit=" + rs.getBoolean(8) + " password#" + rs.getString(9));
                }
            }
            try (ResultSet rs = st.executeQuery(
                    "select m.rolname, r.rolname from pg_auth_members a join pg_roles r on r.oid = a.roleid"
                            + " join pg_roles m on m.oid = a.member")) {
                while (rs.next()) {
                    memberships.add(rs.getString(1) + " in " + rs.getString(2));
                }
            }
            try (ResultSet rs = st.executeQuery(
                    "select d.datname, pg_get_userbyid(d.datdba), coalesce(d.datacl::text, '(default)'), d.datconnlimit,"
                            + " d.datallowconn, d.datistemplate from pg_database d")) {
                while (rs.next()) {
                    databases.put(
                            rs.getString(1),
                            "owner=" + rs.getString(2) + " acl=" + rs.getString(3) + " connlimit=" + rs.getInt(4)
                                    + " allowconn=" + rs.getBoolean(5) + " template=" + rs.getBoolean(6));
                }
            }
            try (ResultSet rs = st.executeQuery(
                    "select coalesce(d.datname, '*'), coalesce(r.rolname, '*'), s.setconfig::text from pg_db_role_setting s"
                            + " left join pg_database d on d.oid = s.setdatabase left join pg_roles r on r.oid = s.setrole")) {
                while (rs.next()) {
                    settings.add("database " + rs.getString(1) + " role " + rs.getString(2) + ": " + rs.getString(3));
                }
            }
            try (ResultSet rs = st.executeQuery(
                    "select name, setting from pg_file_settings where sourcefile like '%postgresql.auto.conf'")) {
                while (rs.next()) {
                    autoConf.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return new ClusterCatalog(roles, memberships, databases, settings, autoConf);
    }

    /**
     * What changed since {@code before}, in words. {@code ownPrefix} names the attacked repository's own databases and
     * logins (tiergate makes and drops them as it works; their privileges are PrivilegeMatrixTest's to judge): they
     * may come and go; nothing else may change, and no role at all may become privileged.
     */
    List<String> changesSince(ClusterCatalog before, String ownPrefix) {
        List<String> out = new ArrayList<>();
        roles.forEach((name, now) -> {
            String was = before.roles.get(name);
            boolean privileged = now.contains("super=true")
                    || now.contains("createrole=true")
                    || now.contains("createdb=true")
                    || now.contains("replication=true")
                    || now.contains("bypassrls=true");
            if (was == null && (!name.startsWith(ownPrefix) || privileged)) {
                out.add("new role " + name + " (" + now + ")");
            } else if (was != null && !was.equals(now) && (!name.startsWith(ownPrefix) || privileged)) {
                out.add("role " + name + " changed: " + was + " → " + now);
            }
        });
        before.roles.keySet().stream()
                .filter(r -> !roles.containsKey(r) && !r.startsWith(ownPrefix))
                .forEach(r -> out.add("role " + r + " dropped"));
        for (String m : memberships) {
            if (before.memberships.contains(m)) {
                continue;
            }
            String member = m.substring(0, m.indexOf(" in "));
            String role = m.substring(m.indexOf(" in ") + 4);
            if (!member.startsWith(ownPrefix) || DANGEROUS_ROLES.contains(role)) {
                out.add("new membership: " + m);
            }
        }
        before.memberships.stream()
                .filter(m -> !memberships.contains(m) && !m.startsWith(ownPrefix))
                .forEach(m -> out.add("membership gone: " + m));
        databases.forEach((name, now) -> {
            String was = before.databases.get(name);
            if (name.startsWith(ownPrefix)) {
                return;
            }
            if (was == null) {
                out.add("new database " + name + " (" + now + ")");
            } else if (!was.equals(now)) {
                out.add("database " + name + " changed: " + was + " → " + now);
            }
        });
        before.databases.keySet().stream()
                .filter(d -> !databases.containsKey(d) && !d.startsWith(ownPrefix))
                .forEach(d -> out.add("database " + d + " dropped"));
        // the repository's own databases' settings, and its own roles' (tiergate sets its migration roles' run bounds)
        Predicate<String> own = s -> s.startsWith("database " + ownPrefix)
                || s.matches("database \\S+ role " + Pattern.quote(ownPrefix) + ".*");
        settings.stream()
                .filter(s -> !before.settings.contains(s) && !own.test(s))
                .forEach(s -> out.add("new setting: " + s));
        before.settings.stream()
                .filter(s -> !settings.contains(s) && !own.test(s))
                .forEach(s -> out.add("setting gone: " + s));
        if (!autoConf.equals(before.autoConf)) {
            out.add("postgresql.auto.conf changed: " + before.autoConf + " → " + autoConf);
        }
        return out;
    }
}
