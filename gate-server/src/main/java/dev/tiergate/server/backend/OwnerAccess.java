package dev.tiergate.server.backend;

import dev.tiergate.core.access.AccessSnapshot;
import dev.tiergate.core.access.Privilege;
import dev.tiergate.core.policy.DatabaseAccess;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy's database access on a cloud branch ({@code neon}, {@code lakebase}), carried out in SQL by the role that
 * owns the branch's database: on both services that role is no superuser but may create roles (CREATEROLE) and is a
 * member of the service's administrative role, and PostgreSQL gives a role that creates another the ADMIN OPTION on
 * it, so it may alter, grant and drop what it made. Neither service's role API fits an actor's login: a role made
 * through Neon's API is a member of {@code neon_superuser} (it reads and writes every table, creates roles and
 * bypasses row-level security) and creating one drops the connections to the branch's compute; Lakebase's API
 * generates a password it never returns. Both document roles made with SQL as holding only what they are granted
 * (https://neon.com/docs/manage/roles, "Manage roles with SQL"; https://docs.databricks.com/aws/en/oltp/projects/postgres-roles).
 *
 * <ul>
 * <li>A group of the policy is the role {@code tg_group_<name>} (no login).</li>
 * <li>An actor's login is {@code tg_login_<actor's letters>_<hash of branch, database and actor>}: LOGIN, INHERIT and
 * nothing more, a member of exactly the groups asked for, CONNECT on the branch's database, a password of 32 random
 * characters of four kinds (both services refuse passwords under 60 bits of entropy) and {@code VALID UNTIL}. Its
 * comment, {@code tiergate credential branch=<name> actor=<actor>}, says whose it is and where.</li>
 * <li>The database is closed to PUBLIC ({@code REVOKE ALL ON DATABASE … FROM PUBLIC}, as Neon's "Manage database
 * access" advises, and on schema {@code public}): a role reaches it through a grant of its own or not at all.</li>
 * </ul>
 *
 * <p>A branch is a copy of its parent's whole cluster, roles and passwords included: a login of the parent would reach
 * the child with the parent's password. So after a branch is made, {@link #forgetLogins} takes the reach of every other
 * branch's login away (and drops a login that reaches no database any more); after a restore, every login's.
 */
public final class OwnerAccess {
    private static final Logger LOG = LoggerFactory.getLogger(OwnerAccess.class);
    /** The start of an actor's login's comment. */
    static final String CREDENTIAL_MARK = "tiergate credential branch=";
    static final String GROUP_PREFIX = "tg_group_";
    /** Sessions an actor's login may hold at once. */
    static final int CREDENTIAL_CONNECTIONS = 10;
    private static final Pattern GROUP_NAME = DatabaseAccess.GROUP_NAME;
    private static final Set<String> OBJECT_PRIVILEGES = Set.of("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES",
            "TRIGGER", "USAGE", "CREATE", "CONNECT", "TEMPORARY", "MAINTAIN");
    private static final String SYSTEM_SCHEMA = "nspname like 'pg\\_%' or nspname = 'information_schema'";
    private static final String LOWER = "abcdefghijkmnopqrstuvwxyz";
    private static final String UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    private static final String DIGITS = "23456789";
    private static final String SYMBOLS = "-_.~";
    private final String service;
    private final Predicate<String> serviceRole;
    private final SecureRandom random = new SecureRandom();

    /**
     * {@code service} names the system in messages; {@code serviceRole} tells the service's own roles (its
     * administrative role and the internal ones it runs), whose privileges are the service's and never drift.
     */
    public OwnerAccess(String service, Predicate<String> serviceRole) {
        this.service = service;
        this.serviceRole = serviceRole;
    }

    /** A group of the policy as a role. */
    public static String groupRole(String group) {
        if (!GROUP_NAME.matcher(group).matches()) {
            throw new BackendException("group name '" + group + "' is not [a-z][a-z0-9_]{0,30}; fix database_access.groups in the policy", null);
        }
        return GROUP_PREFIX + group;
    }

    /** An actor's login on a branch's database: readable, and apart from every other by a hash of all three. */
    public static String loginRole(String branch, String database, String actor) {
        String letters = actor.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        return "tg_login_" + (letters.length() > 16 ? letters.substring(0, 16) : letters) + "_"
                + sha256(branch + "\n" + database + "\n" + actor).substring(0, 8);
    }

    /** See {@link BranchBackend#credential}; {@code owner} is the branch owner's login on the branch's database. */
    public BranchConnection credential(BranchConnection owner, String branch, String actor, List<String> groups, Instant until) {
        List<String> groupRoles = groups.stream().map(OwnerAccess::groupRole).toList();
        String role = loginRole(branch, owner.database(), actor);
        String password = password();
        String validUntil = until == null ? "infinity" : until.toString();
        for (int attempt = 1; ; attempt++) {
            try (Connection c = open(owner)) {
                c.setAutoCommit(false);
                try (Statement st = c.createStatement()) {
                    String options = " login inherit connection limit " + CREDENTIAL_CONNECTIONS + " password " + literal(password)
                            + " valid until " + literal(validUntil);
                    st.execute((roleExists(c, role) ? "alter role " : "create role ") + quote(role) + options);
                    refuseAttributesBeyondLogin(c, role);
                    st.execute("comment on role " + quote(role) + " is " + literal(CREDENTIAL_MARK + branch + " actor=" + actor));
                    for (String member : memberships(c, role)) {
                        if (!groupRoles.contains(member)) {
                            st.execute("revoke " + quote(member) + " from " + quote(role));
                        }
                    }
                    for (String g : groupRoles) {
                        if (!roleExists(c, g)) {
                            st.execute("create role " + quote(g) + " nologin");
                        }
                        st.execute("grant " + quote(g) + " to " + quote(role));
                    }
                    st.execute("grant connect on database " + quote(owner.database()) + " to " + quote(role));
                    c.commit();
                    return new BranchConnection(owner.host(), owner.port(), owner.database(), role, password);
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                }
            } catch (SQLException e) {
                if ("42710".equals(e.getSQLState()) && attempt < 3) {
                    continue; // made meanwhile by another worker: alter it instead
                }
                throw new BackendException("cannot give " + actor + " a login on " + service + " branch '" + branch + "': " + e.getMessage(), e);
            }
        }
    }

    /**
     * See {@link BranchBackend#applyAccess}: the database closed to PUBLIC; each group a role, with USAGE on the schemas
     * of its scope, its privileges on every table there (on sequences: SELECT, and USAGE and UPDATE for a group that
     * writes), and the same by default on what {@code owner}'s role (the one migrations run as) creates later, in any
     * schema for a group of every schema; a group of tables gets those that exist. Names and privileges from the policy
     * are checked again here: they reach SQL.
     */
    public void apply(BranchConnection owner, String branch, List<DatabaseAccess.Group> groups) {
        String creator = quote(owner.user());
        try (Connection c = open(owner)) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                List<String> schemas = userSchemas(c);
                st.execute("revoke all on database " + quote(owner.database()) + " from public");
                if (schemas.contains("public")) {
                    asOwnerOf(c, st, "public", "revoke all on schema public from public");
                }
                for (DatabaseAccess.Group g : groups) {
                    String r = quote(groupRole(g.name()));
                    if (!roleExists(c, groupRole(g.name()))) {
                        st.execute("create role " + r + " nologin");
                    }
                    List<String> allowed = g.privileges().stream().filter(DatabaseAccess.TABLE_PRIVILEGES::contains).toList();
                    if (allowed.isEmpty()) {
                        continue;
                    }
                    String privileges = String.join(", ", allowed);
                    String sequences = g.writes() ? "select, usage, update" : "select";
                    List<String> scope = g.everySchema() ? schemas : g.schemas().stream().filter(schemas::contains).toList();
                    for (String schema : scope) {
                        String s = quote(schema);
                        asOwnerOf(c, st, schema, "grant usage on schema " + s + " to " + r);
                        st.execute("grant " + privileges + " on all tables in schema " + s + " to " + r);
                        st.execute("grant " + sequences + " on all sequences in schema " + s + " to " + r);
                        st.execute("alter default privileges for role " + creator + " in schema " + s + " grant " + privileges + " on tables to " + r);
                        st.execute("alter default privileges for role " + creator + " in schema " + s + " grant " + sequences + " on sequences to " + r);
                    }
                    if (g.everySchema()) {
                        st.execute("alter default privileges for role " + creator + " grant usage on schemas to " + r);
                        st.execute("alter default privileges for role " + creator + " grant " + privileges + " on tables to " + r);
                        st.execute("alter default privileges for role " + creator + " grant " + sequences + " on sequences to " + r);
                    }
                    for (String table : g.tables()) {
                        int dot = table.indexOf('.');
                        if (dot < 0 || !schemas.contains(table.substring(0, dot)) || !relationExists(c, table.substring(0, dot), table.substring(dot + 1))) {
                            continue; // a table a later migration creates: granted after that run
                        }
                        asOwnerOf(c, st, table.substring(0, dot), "grant usage on schema " + quote(table.substring(0, dot)) + " to " + r);
                        st.execute("grant " + privileges + " on table " + quote(table.substring(0, dot)) + "." + quote(table.substring(dot + 1)) + " to " + r);
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new BackendException("cannot give " + service + " branch '" + branch + "' the policy's groups: " + e.getMessage(), e);
        }
    }

    /**
     * See {@link BranchBackend#accessSnapshot}. Grantees: the branch's owner login (and {@code pg_database_owner},
     * which stands for the database's owner), and any role on what it owns itself, {@code tiergate:owner}; a superuser and the service's own roles {@code tiergate:admin}; groups
     * {@code group:<name>}; this branch's logins {@code login:<actor>}; PUBLIC; any other role by its name (a login of
     * another branch copied here is such a role). Schemas that belong to a superuser or the service are not the
     * repository's and are left out.
     */
    public AccessSnapshot snapshot(BranchConnection owner, String branch) {
        Map<Long, String> who = new HashMap<>();
        Set<String> schemas = new TreeSet<>();
        Map<String, List<String>> tables = new TreeMap<>();
        Map<String, List<String>> sequences = new TreeMap<>();
        Set<Privilege> privileges = new TreeSet<>();
        String mine = CREDENTIAL_MARK + branch + " actor=";
        try (Connection c = open(owner); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("select oid, rolname, rolsuper, shobj_description(oid, 'pg_authid') from pg_roles")) {
                while (rs.next()) {
                    String name = rs.getString(2);
                    String comment = rs.getString(4);
                    String label;
                    if (rs.getBoolean(3) || serviceRole.test(name)) {
                        label = "tiergate:admin";
                    } else if (name.equals(owner.user()) || name.equals("pg_database_owner")) {
                        label = "tiergate:owner";
                    } else if (name.startsWith(GROUP_PREFIX)) {
                        label = Privilege.group(name.substring(GROUP_PREFIX.length()));
                    } else if (comment != null && comment.startsWith(mine)) {
                        label = "login:" + comment.substring(mine.length());
                    } else {
                        label = name;
                    }
                    who.put(rs.getLong(1), label);
                }
            }
            who.put(0L, Privilege.PUBLIC);
            schemas.addAll(userSchemas(c));
            try (ResultSet rs = st.executeQuery("select n.nspname, c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                    + " where c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')")) {
                while (rs.next()) {
                    if (schemas.contains(rs.getString(1))) {
                        (rs.getString(3).equals("S") ? sequences : tables).computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                    }
                }
            }
            try (ResultSet rs = st.executeQuery("""
                    select 'SCHEMA', n.nspname, n.nspname, x.grantee, x.privilege_type, n.nspowner
                      from pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) x
                    union all
                    select case c.relkind when 'S' then 'SEQUENCE' else 'TABLE' end, n.nspname, n.nspname || '.' || c.relname, x.grantee,
                           x.privilege_type, c.relowner
                      from pg_class c join pg_namespace n on n.oid = c.relnamespace,
                           aclexplode(coalesce(c.relacl, acldefault(case c.relkind when 'S' then 's'::"char" else 'r'::"char" end, c.relowner))) x
                     where c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
                    union all
                    select 'DATABASE', null, '', x.grantee, x.privilege_type, d.datdba
                      from pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) x
                     where d.datname = current_database()""")) {
                while (rs.next()) {
                    if (rs.getString(2) != null && !schemas.contains(rs.getString(2))) {
                        continue;
                    }
                    long grantee = rs.getLong(4);
                    String label = grantee == rs.getLong(6) && grantee != 0 ? "tiergate:owner" // an object's owner holds what it owns
                            : who.getOrDefault(grantee, "role " + grantee);
                    privileges.add(new Privilege(label, Privilege.Kind.valueOf(rs.getString(1)), rs.getString(3), rs.getString(5)));
                }
            }
        } catch (SQLException e) {
            throw new BackendException("cannot read the privileges of " + service + " branch '" + branch + "': " + e.getMessage(), e);
        }
        return new AccessSnapshot(schemas, tables, sequences, privileges);
    }

    /**
     * See {@link BranchBackend#revoke}: all or none, then checked: PostgreSQL takes away only what the revoking role
     * granted and says no more than a warning otherwise, so a privilege still held after the revoke (granted by a role
     * other than the owner) is an error that says so.
     */
    public void revoke(BranchConnection owner, String branch, List<Privilege> extra) {
        List<String> statements = extra.stream()
                .map(p -> sql(p, false, quote(owner.database()), actor -> quote(loginRole(branch, owner.database(), actor)))).toList();
        try (Connection c = open(owner)) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                for (int i = 0; i < extra.size(); i++) {
                    if (extra.get(i).kind() == Privilege.Kind.SCHEMA) {
                        asOwnerOf(c, st, extra.get(i).object(), statements.get(i));
                    } else {
                        st.execute(statements.get(i));
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new BackendException("cannot take privileges away on " + service + " branch '" + branch + "': " + e.getMessage(), e);
        }
        Set<Privilege> held = snapshot(owner, branch).privileges();
        List<Privilege> still = extra.stream().filter(held::contains).toList();
        if (!still.isEmpty()) {
            throw new BackendException("took privileges away on " + service + " branch '" + branch + "', but " + still + " are still held:"
                    + " they were granted by a role other than " + owner.user() + " (the role tiergate acts as there), and PostgreSQL lets"
                    + " only that role, the object's owner or a superuser take its grants away; revoke them as the object's owner once, or"
                    + " give tiergate the identity that owns the branch's database", null);
        }
    }

    /** See {@link BranchBackend#statement}: with no branch named, the database and an actor's login are named in words. */
    public String statement(Privilege p, boolean grant) {
        return sql(p, grant, "<the branch's database>", actor -> "<" + actor + "'s login on the branch>") + ";";
    }

    /**
     * After a branch was made from another (its copy of the parent's roles came with it), or restored ({@code all}):
     * every actor's login of another branch, or every one, loses what it held on this database, and one that then
     * holds nothing on any database of the catalog is dropped. Returns the logins that lost their reach.
     */
    public List<String> forgetLogins(BranchConnection owner, String branch, boolean all) {
        List<String> forgotten = new ArrayList<>();
        try (Connection c = open(owner); Statement st = c.createStatement()) {
            Map<String, String> logins = new TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement("select rolname, shobj_description(oid, 'pg_authid') from pg_roles"
                    + " where starts_with(coalesce(shobj_description(oid, 'pg_authid'), ''), ?)")) {
                ps.setString(1, CREDENTIAL_MARK);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        logins.put(rs.getString(1), rs.getString(2));
                    }
                }
            }
            for (Map.Entry<String, String> l : logins.entrySet()) {
                String of = l.getValue().substring(CREDENTIAL_MARK.length());
                int actor = of.indexOf(" actor=");
                if (!all && actor >= 0 && of.substring(0, actor).equals(branch)) {
                    continue;
                }
                String role = quote(l.getKey());
                st.execute("revoke all on database " + quote(owner.database()) + " from " + role);
                forgotten.add(l.getKey());
                if (!holdsAnyDatabase(c, l.getKey())) {
                    try {
                        st.execute("drop role " + role);
                    } catch (SQLException e) {
                        LOG.warn("{} branch '{}': the copied login {} reaches nothing here but could not be dropped: {}", service, branch, l.getKey(),
                                e.getMessage());
                    }
                }
            }
        } catch (SQLException e) {
            throw new BackendException("cannot take other branches' logins away on " + service + " branch '" + branch + "': " + e.getMessage(), e);
        }
        return forgotten;
    }

    // ------------------------------------------------------------------ SQL

    /** GRANT or REVOKE of one privilege as {@link Privilege} names it, every name quoted. */
    private static String sql(Privilege p, boolean grant, String database, Function<String, String> loginOf) {
        String privilege = p.privilege().toUpperCase(Locale.ROOT);
        if (!OBJECT_PRIVILEGES.contains(privilege)) {
            throw new BackendException("not a privilege: " + p.privilege(), null);
        }
        String on = switch (p.kind()) {
            case DATABASE -> "database " + database;
            case SCHEMA -> "schema " + quote(p.object());
            case TABLE, SEQUENCE -> {
                int dot = p.object().indexOf('.');
                if (dot < 0) {
                    throw new BackendException("not a qualified name: " + p.object(), null);
                }
                yield (p.kind() == Privilege.Kind.TABLE ? "table " : "sequence ") + quote(p.object().substring(0, dot)) + "."
                        + quote(p.object().substring(dot + 1));
            }
        };
        String g = p.grantee();
        String grantee;
        if (g.equals(Privilege.PUBLIC)) {
            grantee = "public";
        } else if (g.startsWith("group:")) {
            grantee = quote(groupRole(g.substring("group:".length())));
        } else if (g.startsWith("login:")) {
            grantee = loginOf.apply(g.substring("login:".length()));
        } else if (g.startsWith("tiergate:")) {
            throw new BackendException("refused to change what " + g + " holds: tiergate's and the service's own roles keep what they were given", null);
        } else {
            grantee = quote(g);
        }
        return (grant ? "grant " : "revoke ") + privilege.toLowerCase(Locale.ROOT) + " on " + on + (grant ? " to " : " from ") + grantee;
    }

    /**
     * Runs {@code sql} on {@code schema} as the schema's owner where the owner login may become it ({@code public}
     * belongs to {@code pg_database_owner}, which the database's owner is). Otherwise PostgreSQL may carry out a GRANT
     * or REVOKE as another role the login is a member of that holds grant options there (Lakebase's
     * {@code databricks_superuser} holds them on every schema), and a REVOKE then takes away only what that role granted.
     */
    private static void asOwnerOf(Connection c, Statement st, String schema, String sql) throws SQLException {
        String owner = null;
        try (PreparedStatement ps = c.prepareStatement("select nspowner::regrole::text from pg_namespace n where nspname = ?"
                + " and nspowner <> (select oid from pg_roles where rolname = current_user) and pg_has_role(current_user, nspowner, 'member')")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    owner = rs.getString(1);
                }
            }
        }
        if (owner == null) {
            st.execute(sql);
            return;
        }
        st.execute("set local role " + owner); // regrole's text is a quoted identifier
        try {
            st.execute(sql);
        } finally {
            st.execute("reset role");
        }
    }

    // ------------------------------------------------------------------ catalog reads

    private static boolean roleExists(Connection c, String role) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select 1 from pg_roles where rolname = ?")) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** A login tiergate hands out has LOGIN and INHERIT and nothing more; one that gained more (by hand) is refused. */
    private static void refuseAttributesBeyondLogin(Connection c, String role) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select rolsuper or rolcreaterole or rolcreatedb or rolreplication or rolbypassrls"
                + " from pg_roles where rolname = ?")) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getBoolean(1)) {
                    throw new SQLException("login " + role + " has attributes beyond LOGIN (given by hand?); drop it and ask again", "42501");
                }
            }
        }
    }

    private static List<String> memberships(Connection c, String role) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("select g.rolname from pg_auth_members m join pg_roles g on g.oid = m.roleid"
                + " join pg_roles u on u.oid = m.member where u.rolname = ?")) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** The repository's schemas: neither PostgreSQL's nor a superuser's nor the service's. */
    private List<String> userSchemas(Connection c) throws SQLException {
        Set<String> out = new LinkedHashSet<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select n.nspname, r.rolname, r.rolsuper from pg_namespace n"
                + " join pg_roles r on r.oid = n.nspowner where not (" + SYSTEM_SCHEMA + ") order by n.nspname")) {
            while (rs.next()) {
                if (!rs.getBoolean(3) && !serviceRole.test(rs.getString(2))) {
                    out.add(rs.getString(1));
                }
            }
        }
        return new ArrayList<>(out);
    }

    private static boolean relationExists(Connection c, String schema, String relation) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                + " where n.nspname = ? and c.relname = ?")) {
            ps.setString(1, schema);
            ps.setString(2, relation);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Whether {@code role} holds a privilege of its own on any database of the catalog. */
    private static boolean holdsAnyDatabase(Connection c, String role) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select 1 from pg_database d, aclexplode(d.datacl) x join pg_roles r on r.oid = x.grantee"
                + " where r.rolname = ?")) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static Connection open(BranchConnection login) throws SQLException {
        return DriverManager.getConnection(login.jdbcUrl(), login.user(), login.password());
    }

    /** 32 characters, at least one of each kind, no character three times in a row. */
    String password() {
        String all = LOWER + UPPER + DIGITS + SYMBOLS;
        while (true) {
            StringBuilder b = new StringBuilder(32);
            for (int i = 0; i < 32; i++) {
                b.append(all.charAt(random.nextInt(all.length())));
            }
            String p = b.toString();
            if (p.chars().anyMatch(ch -> LOWER.indexOf(ch) >= 0) && p.chars().anyMatch(ch -> UPPER.indexOf(ch) >= 0)
                    && p.chars().anyMatch(ch -> DIGITS.indexOf(ch) >= 0) && p.chars().anyMatch(ch -> SYMBOLS.indexOf(ch) >= 0)
                    && !p.matches(".*(.)\\1\\1.*")) {
                return p;
            }
        }
    }

    static String quote(String ident) {
        return "\"" + ident.replace("\"", "\"\"") + "\"";
    }

    /**
     * A string constant in the escape form ({@code E'…'}), which means the same whatever the server's
     * {@code standard_conforming_strings}: with that off, a backslash in a plain {@code '…'} would end it early.
     */
    private static String literal(String s) {
        return "E'" + s.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
