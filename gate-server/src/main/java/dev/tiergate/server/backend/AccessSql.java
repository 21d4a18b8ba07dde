package dev.tiergate.server.backend;

import dev.tiergate.core.access.AccessSnapshot;
import dev.tiergate.core.access.Privilege;
import dev.tiergate.core.policy.DatabaseAccess;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.postgresql.util.PasswordUtil;

/**
 * The SQL of the policy's database access on one branch's database, for every backend: an actor's login
 * ({@link #credential}), the groups' privileges ({@link #apply}), what is granted ({@link #snapshot}) and taking a
 * drift away ({@link #revoke}). A backend says how its roles are named ({@link Roles}: existing databases hold those
 * names, so each backend keeps its own) and hands over the connection to use: the branch owner's login on
 * {@code neon} and {@code lakebase} ({@link OwnerAccess}), the cluster's admin on {@code postgres}. Whatever the
 * connection, what changes anything runs in one transaction, so a failure leaves the database as it was.
 */
public final class AccessSql {
    /** Sessions an actor's login may hold at once. */
    public static final int CREDENTIAL_CONNECTIONS = 10;

    static final Set<String> OBJECT_PRIVILEGES = Set.of(
            "SELECT",
            "INSERT",
            "UPDATE",
            "DELETE",
            "TRUNCATE",
            "REFERENCES",
            "TRIGGER",
            "USAGE",
            "CREATE",
            "CONNECT",
            "TEMPORARY",
            "MAINTAIN");
    /** How a snapshot names a grantee whose oid is in no role: never a role's name to revoke from. */
    private static final Pattern UNKNOWN_ROLE = Pattern.compile("role \\d+");

    private static final String SYSTEM_SCHEMA = "nspname like 'pg\\_%' or nspname = 'information_schema'";
    /** duplicate_object; unique_violation (a role created by another session in the same instant). */
    private static final Set<String> MADE_MEANWHILE = Set.of("42710", "23505");

    private static final String LOWER = "abcdefghijkmnopqrstuvwxyz";
    private static final String UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    private static final String DIGITS = "23456789";
    private static final String SYMBOLS = "-_.~";
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * How a backend names roles on one branch's database.
     *
     * @param groupPrefix a group of the policy is the role of this prefix and the group's name
     * @param login       an actor's login on the branch's database
     * @param loginMark   how the comment of an actor's login on this branch starts, up to and with {@code " actor="}
     * @param own         tiergate's own roles there, each with its label ({@code tiergate:owner}, …)
     * @param service     the service's own roles, whose privileges are the service's: labelled {@code tiergate:admin},
     *                    as a superuser is, and their schemas are not the repository's
     */
    public record Roles(
            String groupPrefix,
            UnaryOperator<String> login,
            String loginMark,
            Map<String, String> own,
            Predicate<String> service) {}

    /** An actor's login: its role and its password, which only this answer carries. */
    public record Login(String role, String password) {}

    private final String where;
    private final String database;
    private final Roles roles;
    private final boolean verifiers;

    /**
     * {@code where} names the branch in messages ("Neon branch 'staging'"); {@code database} is its database;
     * {@code verifiers}: a password reaches the server as a SCRAM verifier made here rather than as itself. The cloud
     * services check a password's entropy, which needs the password itself (Neon's "Manage roles with SQL": "Passwords
     * must be supplied in plain text … Hashed passwords are not supported"), so only {@code postgres} sends verifiers.
     */
    public AccessSql(String where, String database, Roles roles, boolean verifiers) {
        this.where = where;
        this.database = database;
        this.roles = roles;
        this.verifiers = verifiers;
    }

    /** A group of the policy as a role: its name is checked here, since it reaches SQL. */
    public static String groupRole(String groupPrefix, String group) {
        if (!DatabaseAccess.GROUP_NAME.matcher(group).matches()) {
            throw new BackendException(
                    "group name '" + group + "' is not [a-z][a-z0-9_]{0,30}; fix database_access.groups in the policy",
                    null);
        }
        return groupPrefix + group;
    }

    /**
     * See {@link BranchBackend#credential}: the actor's login made or made again in one transaction: LOGIN, INHERIT
     * and nothing more, a member of exactly {@code groups} (made if missing), CONNECT on the branch's database, a new
     * password (the one before stops working) and {@code VALID UNTIL} ({@code until}; null: no end). Its comment says
     * whose it is and where.
     */
    public Login credential(Connection c, String actor, List<String> groups, Instant until) {
        List<String> groupRoles =
                groups.stream().map(g -> groupRole(roles.groupPrefix(), g)).toList();
        String role = roles.login().apply(actor);
        String password = password();
        String secret = verifiers ? verifier(password) : password;
        String validUntil = until == null ? "infinity" : until.toString();
        try {
            inTransaction(c, st -> {
                // a superuser may reset what was given by hand; a role that only has CREATEROLE may not name these
                // attributes at all, and refuses a login that has them instead (below)
                String reset = isSuperuser(c) ? " nosuperuser nocreatedb nocreaterole noreplication nobypassrls" : "";
                st.execute((roleExists(c, role) ? "alter role " : "create role ") + quote(role) + " login inherit"
                        + reset + " connection limit " + CREDENTIAL_CONNECTIONS + " password " + literal(secret)
                        + " valid until " + literal(validUntil));
                refuseAttributesBeyondLogin(c, role);
                st.execute("comment on role " + quote(role) + " is " + literal(roles.loginMark() + actor));
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
                st.execute("grant connect on database " + quote(database) + " to " + quote(role));
            });
        } catch (SQLException e) {
            throw new BackendException("cannot give " + actor + " a login on " + where + ": " + e.getMessage(), e);
        }
        return new Login(role, password);
    }

    /**
     * See {@link BranchBackend#applyAccess}, in one transaction: the database closed to PUBLIC (and schema
     * {@code public}); each group a role, with USAGE on the schemas of its scope, its privileges on every table there
     * (on sequences: SELECT, and USAGE and UPDATE for a group that writes), and the same by default on what
     * {@code creator} (the role migrations create as) creates later, in any schema for a group of every schema; a
     * group of tables gets those that exist. Names and privileges from the policy are checked again here: they reach SQL.
     */
    public void apply(Connection c, String creator, List<DatabaseAccess.Group> groups) {
        String by = quote(creator);
        try {
            inTransaction(c, st -> {
                List<String> schemas = repositorySchemas(c);
                st.execute("revoke all on database " + quote(database) + " from public");
                if (schemas.contains("public")) {
                    asOwnerOf(c, st, "public", "revoke all on schema public from public");
                }
                for (DatabaseAccess.Group g : groups) {
                    String role = groupRole(roles.groupPrefix(), g.name());
                    String r = quote(role);
                    if (!roleExists(c, role)) {
                        st.execute("create role " + r + " nologin");
                    }
                    List<String> allowed = g.privileges().stream()
                            .filter(DatabaseAccess.TABLE_PRIVILEGES::contains)
                            .toList();
                    if (allowed.isEmpty()) {
                        continue;
                    }
                    String privileges = String.join(", ", allowed);
                    String sequences = g.writes() ? "select, usage, update" : "select";
                    List<String> scope = g.everySchema()
                            ? schemas
                            : g.schemas().stream().filter(schemas::contains).toList();
                    for (String schema : scope) {
                        String s = quote(schema);
                        asOwnerOf(c, st, schema, "grant usage on schema " + s + " to " + r);
                        st.execute("grant " + privileges + " on all tables in schema " + s + " to " + r);
                        st.execute("grant " + sequences + " on all sequences in schema " + s + " to " + r);
                        st.execute("alter default privileges for role " + by + " in schema " + s + " grant "
                                + privileges + " on tables to " + r);
                        st.execute("alter default privileges for role " + by + " in schema " + s + " grant " + sequences
                                + " on sequences to " + r);
                    }
                    if (g.everySchema()) { // schemas a migration creates later, and what it creates in them
                        st.execute("alter default privileges for role " + by + " grant usage on schemas to " + r);
                        st.execute("alter default privileges for role " + by + " grant " + privileges + " on tables to "
                                + r);
                        st.execute("alter default privileges for role " + by + " grant " + sequences
                                + " on sequences to " + r);
                    }
                    for (String table : g.tables()) {
                        int dot = table.indexOf('.');
                        if (dot < 0
                                || !schemas.contains(table.substring(0, dot))
                                || !relationExists(c, table.substring(0, dot), table.substring(dot + 1))) {
                            continue; // a table a later migration creates: granted after that run
                        }
                        String s = quote(table.substring(0, dot));
                        asOwnerOf(c, st, table.substring(0, dot), "grant usage on schema " + s + " to " + r);
                        st.execute("grant " + privileges + " on table " + s + "." + quote(table.substring(dot + 1))
                                + " to " + r);
                    }
                }
            });
        } catch (SQLException e) {
            throw new BackendException("cannot give " + where + " the policy's groups: " + e.getMessage(), e);
        }
    }

    /**
     * See {@link BranchBackend#accessSnapshot}. Grantees: a superuser and the service's roles {@code tiergate:admin};
     * tiergate's own roles by their labels ({@link Roles#own}); any other role on what it owns itself
     * {@code tiergate:owner} (an owner holds what it owns: no drift); groups {@code group:<name>}; this branch's logins
     * {@code login:<actor>}; PUBLIC; any other role by its name (a login of another branch copied here is such a role).
     * Only the repository's schemas, and what is in them, are read.
     */
    public AccessSnapshot snapshot(Connection c) {
        try {
            return read(c);
        } catch (SQLException e) {
            throw new BackendException("cannot read the privileges of " + where + ": " + e.getMessage(), e);
        }
    }

    private AccessSnapshot read(Connection c) throws SQLException {
        Map<Long, String> who = new HashMap<>();
        Set<String> schemas = new TreeSet<>(repositorySchemas(c));
        Map<String, List<String>> tables = new TreeMap<>();
        Map<String, List<String>> sequences = new TreeMap<>();
        Set<Privilege> privileges = new TreeSet<>();
        try (Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery(
                    "select oid, rolname, rolsuper, shobj_description(oid, 'pg_authid') from pg_roles")) {
                while (rs.next()) {
                    String name = rs.getString(2);
                    String comment = rs.getString(4);
                    String label;
                    if (rs.getBoolean(3) || roles.service().test(name)) {
                        label = "tiergate:admin";
                    } else if (roles.own().containsKey(name)) {
                        label = roles.own().get(name);
                    } else if (name.startsWith(roles.groupPrefix())) {
                        label = Privilege.group(
                                name.substring(roles.groupPrefix().length()));
                    } else if (comment != null && comment.startsWith(roles.loginMark())) {
                        label = "login:" + comment.substring(roles.loginMark().length());
                    } else {
                        label = name;
                    }
                    who.put(rs.getLong(1), label);
                }
            }
            who.put(0L, Privilege.PUBLIC);
            try (ResultSet rs = st.executeQuery(
                    "select n.nspname, c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                            + " where c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')")) {
                while (rs.next()) {
                    if (schemas.contains(rs.getString(1))) {
                        (rs.getString(3).equals("S") ? sequences : tables)
                                .computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                                .add(rs.getString(2));
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
                    if (!who.containsKey(grantee)) {
                        // an oid no role has (its dependency lost, e.g. a catalog restored or cut short): it reaches
                        // no one, and no statement can revoke it by name. A role given that oid later shows by its
                        // name, and is drift then.
                        continue;
                    }
                    String label = who.get(grantee);
                    if (grantee == rs.getLong(6) && grantee != 0 && !label.startsWith("tiergate:")) {
                        label = "tiergate:owner"; // an object's owner holds what it owns; tiergate's own roles keep
                        // their labels
                    }
                    privileges.add(new Privilege(
                            label, Privilege.Kind.valueOf(rs.getString(1)), rs.getString(3), rs.getString(5)));
                }
            }
        }
        return new AccessSnapshot(schemas, tables, sequences, privileges);
    }

    /**
     * See {@link BranchBackend#revoke}: every statement made (and every name checked) before any runs, then all or
     * none, then checked: PostgreSQL takes away only what the revoking role granted (a superuser revokes as the
     * object's owner) and says no more than a warning otherwise, so a privilege still held after the revoke is an
     * error that says so.
     */
    public void revoke(Connection c, List<Privilege> extra) {
        List<String> statements = extra.stream()
                .map(p -> sql(
                        p,
                        false,
                        roles.groupPrefix(),
                        quote(database),
                        a -> quote(roles.login().apply(a)),
                        false))
                .toList();
        boolean superuser;
        try {
            inTransaction(c, st -> {
                for (int i = 0; i < extra.size(); i++) {
                    if (extra.get(i).kind() == Privilege.Kind.SCHEMA) {
                        asOwnerOf(c, st, extra.get(i).object(), statements.get(i));
                    } else {
                        st.execute(statements.get(i));
                    }
                }
            });
            superuser = isSuperuser(c);
        } catch (SQLException e) {
            throw new BackendException("cannot take privileges away on " + where + ": " + e.getMessage(), e);
        }
        Set<Privilege> held = snapshot(c).privileges();
        List<Privilege> still = extra.stream().filter(held::contains).toList();
        if (still.isEmpty()) {
            return;
        }
        if (superuser) {
            throw new BackendException(
                    "took privileges away on " + where + ", but " + still
                            + " are still held: tiergate revokes as a superuser,"
                            + " that is as the object's owner, and they were granted by another role holding a grant option; revoke them as that role"
                            + " (the grantor in the object's ACL) or take its grant option away with CASCADE",
                    null);
        }
        throw new BackendException(
                "took privileges away on " + where + ", but " + still + " are still held:"
                        + " they were granted by a role other than " + currentUser(c)
                        + " (the role tiergate acts as there), and PostgreSQL lets"
                        + " only that role, the object's owner or a superuser take its grants away; revoke them as the object's owner once, or"
                        + " give tiergate the identity that owns the branch's database",
                null);
    }

    /** See {@link BranchBackend#statement}: with no branch named, the database and an actor's login are named in words. */
    public static String statement(Privilege p, boolean grant, String groupPrefix) {
        return sql(
                        p,
                        grant,
                        groupPrefix,
                        "<the branch's database>",
                        actor -> "<" + actor + "'s login on the branch>",
                        true)
                + ";";
    }

    /**
     * GRANT or REVOKE of one privilege as {@link Privilege} names it, every name quoted. A grantee is a snapshot's
     * label, never taken for a role of that name: {@code group:} and {@code login:} become the backend's roles,
     * tiergate's own are refused, and so is a role known only by its oid ({@code forPeople}: said in words).
     */
    private static String sql(
            Privilege p,
            boolean grant,
            String groupPrefix,
            String database,
            UnaryOperator<String> loginOf,
            boolean forPeople) {
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
                    throw new BackendException(
                            "not a qualified name: " + p.object() + " (a "
                                    + p.kind().name().toLowerCase(Locale.ROOT) + " is named schema.name)",
                            null);
                }
                yield (p.kind() == Privilege.Kind.TABLE ? "table " : "sequence ")
                        + quote(p.object().substring(0, dot)) + "."
                        + quote(p.object().substring(dot + 1));
            }
        };
        String g = p.grantee();
        String grantee;
        if (g.equals(Privilege.PUBLIC)) {
            grantee = "public";
        } else if (g.startsWith("group:")) {
            grantee = quote(groupRole(groupPrefix, g.substring("group:".length())));
        } else if (g.startsWith("login:")) {
            grantee = loginOf.apply(g.substring("login:".length()));
        } else if (g.startsWith("tiergate:")) {
            throw new BackendException(
                    "refused to change what " + g
                            + " holds: tiergate's and the service's own roles keep what they were given",
                    null);
        } else if (UNKNOWN_ROLE.matcher(g).matches()) {
            if (!forPeople) {
                throw new BackendException(
                        "refused to change what " + g
                                + " holds: no role has that oid any more, so no name to revoke from",
                        null);
            }
            grantee = "<the " + g + ", which no longer exists>";
        } else {
            grantee = quote(g);
        }
        return (grant ? "grant " : "revoke ") + privilege.toLowerCase(Locale.ROOT) + " on " + on
                + (grant ? " to " : " from ") + grantee;
    }

    /**
     * Runs {@code sql} on {@code schema} as the schema's owner where the login may become it ({@code public} belongs to
     * {@code pg_database_owner}, which the database's owner is). Otherwise PostgreSQL may carry out a GRANT or REVOKE as
     * another role the login is a member of that holds grant options there (Lakebase's {@code databricks_superuser}
     * holds them on every schema), and a REVOKE then takes away only what that role granted. A superuser's already act
     * as the owner's.
     */
    private static void asOwnerOf(Connection c, Statement st, String schema, String sql) throws SQLException {
        String owner = null;
        try (PreparedStatement ps = c.prepareStatement("select nspowner::regrole::text from pg_namespace n, pg_roles me"
                + " where n.nspname = ? and me.rolname = current_user and not me.rolsuper and n.nspowner <> me.oid"
                + " and pg_has_role(current_user, n.nspowner, 'member')")) {
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
        st.execute(sql);
        st.execute("reset role"); // not after a failure: the rollback ends the SET LOCAL, and the aborted transaction
        // would hide the error
    }

    private interface Work {
        void run(Statement st) throws SQLException;
    }

    /**
     * {@code work} all or none, one at a time per database: the reconcile pass, a tier's set-up run and the grants API
     * may change one database's privileges at once, and PostgreSQL fails one of two concurrent GRANTs on the same
     * catalog row ("tuple concurrently updated", SQLSTATE XX000), so each takes the database's access lock first (an
     * advisory lock, which PostgreSQL keeps per database). Again, up to three times, where a role it creates was made
     * meanwhile by another worker or a catalog row was changed meanwhile by a run's preparation, which takes no such
     * lock.
     */
    private static void inTransaction(Connection c, Work work) throws SQLException {
        boolean auto = c.getAutoCommit();
        for (int attempt = 1; ; attempt++) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("select pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('tiergate.access'),"
                        + " pg_catalog.hashtext(pg_catalog.current_database()))");
                work.run(st);
                c.commit();
                return;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                if (!(e instanceof SQLException s && changedMeanwhile(s) && attempt < 3)) {
                    throw e;
                }
            } finally {
                c.setAutoCommit(auto); // a pooled connection goes back as it came
            }
            try {
                Thread.sleep(20L * attempt); // the other transaction commits within milliseconds
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting to change privileges again", e);
            }
        }
    }

    /** A role made, or a catalog row changed, by another session meanwhile: the same work again will get through. */
    static boolean changedMeanwhile(SQLException e) {
        return MADE_MEANWHILE.contains(e.getSQLState())
                || "XX000".equals(e.getSQLState())
                        && e.getMessage() != null
                        && e.getMessage().contains("tuple concurrently updated");
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

    private static boolean isSuperuser(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select rolsuper from pg_roles where rolname = current_user")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private static String currentUser(Connection c) {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select current_user")) {
            return rs.next() ? rs.getString(1) : "?";
        } catch (SQLException e) {
            return "?";
        }
    }

    /** A login tiergate hands out has LOGIN and INHERIT and nothing more; one that gained more (by hand) is refused. */
    private static void refuseAttributesBeyondLogin(Connection c, String role) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("select rolsuper or rolcreaterole or rolcreatedb or rolreplication or rolbypassrls"
                        + " from pg_roles where rolname = ?")) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getBoolean(1)) {
                    throw new SQLException(
                            "login " + role + " has attributes beyond LOGIN (given by hand?); drop it and ask again",
                            "42501");
                }
            }
        }
    }

    /** The roles {@code role} is a member of. */
    private static List<String> memberships(Connection c, String role) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps =
                c.prepareStatement("select g.rolname from pg_auth_members m join pg_roles g on g.oid = m.roleid"
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

    /**
     * The repository's schemas: neither PostgreSQL's nor a superuser's nor the service's (on {@code postgres}, the
     * admin's schema of the policy's extensions is tiergate's, not the repository's).
     */
    private List<String> repositorySchemas(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select n.nspname, r.rolname, r.rolsuper from pg_namespace n"
                        + " join pg_roles r on r.oid = n.nspowner where not (" + SYSTEM_SCHEMA
                        + ") order by n.nspname")) {
            while (rs.next()) {
                if (!rs.getBoolean(3) && !roles.service().test(rs.getString(2))) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static boolean relationExists(Connection c, String schema, String relation) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                        + " where n.nspname = ? and c.relname = ?")) {
            ps.setString(1, schema);
            ps.setString(2, relation);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    // ------------------------------------------------------------------ values

    /**
     * 32 characters, at least one of each kind, no character three times in a row: what Neon's and Lakebase's check of
     * a password's entropy (60 bits at least) takes, and more than enough anywhere else.
     */
    static String password() {
        String all = LOWER + UPPER + DIGITS + SYMBOLS;
        while (true) {
            StringBuilder b = new StringBuilder(32);
            for (int i = 0; i < 32; i++) {
                b.append(all.charAt(RANDOM.nextInt(all.length())));
            }
            String p = b.toString();
            if (p.chars().anyMatch(ch -> LOWER.indexOf(ch) >= 0)
                    && p.chars().anyMatch(ch -> UPPER.indexOf(ch) >= 0)
                    && p.chars().anyMatch(ch -> DIGITS.indexOf(ch) >= 0)
                    && p.chars().anyMatch(ch -> SYMBOLS.indexOf(ch) >= 0)
                    && !p.matches(".*(.)\\1\\1.*")) {
                return p;
            }
        }
    }

    /**
     * The SCRAM-SHA-256 verifier of a password, made here (pgjdbc's {@code PasswordUtil}): the server stores it as it
     * is, and the password itself never reaches the server, so no server log of a failed statement can show it.
     */
    public static String verifier(String password) {
        return PasswordUtil.encodeScramSha256(password.toCharArray());
    }

    public static String quote(String ident) {
        return "\"" + ident.replace("\"", "\"\"") + "\"";
    }

    /**
     * A string constant in the escape form ({@code E'…'}), which means the same whatever the server's
     * {@code standard_conforming_strings}: with that off, a backslash in a plain {@code '…'} would end it early.
     */
    public static String literal(String s) {
        return "E'" + s.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    public static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
