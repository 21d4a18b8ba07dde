package dev.tiergate.server.backend.postgres;

import static dev.tiergate.server.backend.AccessSql.literal;
import static dev.tiergate.server.backend.AccessSql.quote;
import static dev.tiergate.server.backend.AccessSql.verifier;

import dev.tiergate.server.backend.BackendException;
import dev.tiergate.server.repo.RepoRef;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;

/**
 * The roles through which a repository's branch databases are reached on the branch server, and their passwords (the
 * sandbox's half that is about roles; {@link PostgresBranchBackend} says who may do what). Per repository an owner role
 * and a data role, neither with LOGIN; per branch database a login for people and CI and a migration role for
 * repository SQL, each with no attribute but LOGIN (the migration role only while a run is open), member of no
 * predefined role, their passwords derived from the branch secret so that every server sharing it agrees without
 * storing one.
 */
final class BranchRoles {
    /** Sessions a branch's login may hold at once: one login cannot take the cluster's connections from the others. */
    static final int LOGIN_CONNECTIONS = 20;
    /** Sessions a migration role may hold: Flyway's, the measure's and a spare; a run opens no more. */
    static final int MIGRATOR_CONNECTIONS = 4;

    private final DataSource admin;
    private final byte[] roleSecret;
    /** Repositories whose owner and data roles are known to exist (made once per process). */
    private final Set<String> rolesMade = ConcurrentHashMap.newKeySet();
    /** Derived passwords' verifiers, by role ({@link #derivedVerifier}). */
    private final Map<String, String> verifiers = new ConcurrentHashMap<>();

    /** {@code admin} may create roles; {@code roleSecret} derives each role's password (HMAC of its name). */
    BranchRoles(DataSource admin, byte[] roleSecret) {
        this.admin = admin;
        this.roleSecret = roleSecret.clone();
    }

    /** The repository's owner role (owns every object) and data role (reads and writes data), both without login. */
    void makeRepositoryRoles(RepoRef repo) {
        String key = PostgresBranchBackend.prefix(repo);
        if (rolesMade.contains(key)) {
            return;
        }
        try (Connection c = admin.getConnection();
                Statement st = c.createStatement()) {
            for (String role : List.of(ownerRole(repo), dataRole(repo))) {
                createRole(st, role, "nologin");
                st.execute("alter role " + quote(role)
                        + " nologin nosuperuser nocreatedb nocreaterole noreplication nobypassrls");
            }
            rolesMade.add(key);
        } catch (SQLException e) {
            throw new BackendException(
                    "cannot make the roles of " + repo.path() + " on the branch server: " + e.getMessage(), e);
        }
    }

    /** Creates a role; one that exists already (an earlier attempt, another server) is the same outcome. */
    private static void createRole(Statement st, String role, String attributes) throws SQLException {
        try {
            st.execute("create role " + quote(role) + " " + attributes);
        } catch (SQLException e) {
            if (!"42710".equals(e.getSQLState())
                    && !"23505".equals(e.getSQLState())) { // duplicate_object; a concurrent create
                throw e;
            }
        }
    }

    /**
     * The branch's two logins ({@code _login} for people and CI, {@code _migrator} for repository SQL) and the only
     * rights anyone has on the database: CONNECT for both, TEMPORARY for the login, CREATE and TEMPORARY for the owner
     * role the migrator acts as. A login of a database made before the sandbox loses the cluster-wide data roles.
     */
    void giveLogins(RepoRef repo, String db) {
        String login = loginRole(db);
        try (Connection c = admin.getConnection();
                Statement st = c.createStatement()) {
            String loginVerifier = derivedVerifier(login);
            Map<String, String> stored = storedPasswords(c, login, migratorRole(db));
            if (!stored.containsKey(login) || !stored.containsKey(migratorRole(db))) {
                // the first time for this database name: its roles, made once (a reset keeps them, and no migration
                // can alter a role but its own password and settings, which are set again below and before each run)
                createRole(st, login, "login");
                st.execute("alter role " + quote(login)
                        + " login nosuperuser nocreatedb nocreaterole noreplication nobypassrls inherit"
                        + " connection limit " + LOGIN_CONNECTIONS + " password " + literal(loginVerifier));
                st.execute("grant " + quote(dataRole(repo)) + " to " + quote(login));
                revokeDataRoles(st, login);
                makeMigrator(st, repo, db);
            } else if (!loginVerifier.equals(stored.get(login))) {
                // the login set its own password (any role may): tiergate's is the one it hands out
                st.execute("alter role " + quote(login) + " password " + literal(loginVerifier));
            }
            // a new database (every reset is one) has an ACL of its own: one round trip
            st.execute("revoke all on database " + quote(db) + " from public;\n"
                    + "grant connect, temporary on database " + quote(db) + " to " + quote(login) + ";\n"
                    + "grant connect on database " + quote(db) + " to " + quote(migratorRole(db)) + ";\n"
                    // CONNECT too: a parallel worker checks it for the role the session acts as (PostgreSQL 16.6 and
                    // others of late 2024), which is the owner role; no login inherits it
                    + "grant connect, create, temporary on database " + quote(db) + " to " + quote(ownerRole(repo)));
        } catch (SQLException e) {
            throw new BackendException("cannot give database branch " + db + " its logins: " + e.getMessage(), e);
        }
    }

    /**
     * What a run's preparation reads of its migration role, in one round trip: the role's own settings (ALTER ROLE
     * ... SET, as {@code name=value}), whether its membership in the owner role says INHERIT (PostgreSQL 16+ keeps it
     * per membership; a role made by an earlier version may still), and whether the owner role may connect to the
     * database (a database made by an earlier version lacks it).
     */
    record MigratorState(List<String> settings, boolean inheritsOwner, boolean ownerConnects) {
        static MigratorState read(Connection c, String migrator, String owner, String db) throws SQLException {
            boolean membershipOptions = c.getMetaData().getDatabaseMajorVersion() >= 16;
            try (PreparedStatement ps = c.prepareStatement("select array(select unnest(s.setconfig)"
                    + " from pg_db_role_setting s join pg_roles r on r.oid = s.setrole"
                    + " where r.rolname = ? and s.setdatabase = 0),"
                    + (membershipOptions
                            ? " exists(select 1 from pg_auth_members m join pg_roles g on g.oid = m.roleid"
                                    + " join pg_roles r on r.oid = m.member"
                                    + " where g.rolname = ? and r.rolname = ? and m.inherit_option),"
                            // before 16 the role's NOINHERIT attribute decides (set at every run): false, same
                            // parameters
                            : " ? is null and ? is null,")
                    + " has_database_privilege(?, ?, 'CONNECT')")) {
                ps.setString(1, migrator);
                ps.setString(2, owner);
                ps.setString(3, migrator);
                ps.setString(4, owner);
                ps.setString(5, db);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    List<String> settings =
                            new ArrayList<>(List.of((String[]) rs.getArray(1).getArray()));
                    return new MigratorState(settings, rs.getBoolean(2), rs.getBoolean(3));
                }
            }
        }
    }

    /**
     * The SCRAM verifiers of {@code roles} as the catalog holds them, for those that exist (null: no password, or an
     * admin that is not a superuser and may not read {@code pg_authid}, which then sets the password every time).
     */
    private static Map<String, String> storedPasswords(Connection c, String... roles) throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("select rolname from pg_roles where rolname = any (?)")) {
            ps.setArray(1, c.createArrayOf("text", roles));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), null);
                }
            }
        }
        try (PreparedStatement ps =
                c.prepareStatement("select rolname, rolpassword from pg_authid where rolname = any (?)")) {
            ps.setArray(1, c.createArrayOf("text", roles));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        } catch (SQLException e) {
            if (!"42501".equals(e.getSQLState())) { // insufficient_privilege: not a superuser
                throw e;
            }
        }
        return out;
    }

    /**
     * The SCRAM verifier of a role's derived password, made once per role and kept: making one is 4,096 rounds of
     * PBKDF2 here, and a verifier the catalog already holds need not be sent again.
     */
    String derivedVerifier(String role) {
        return verifiers.computeIfAbsent(role, r -> verifier(password(r)));
    }

    /** The migration role: LOGIN and nothing else, a member of the owner role only, its password derived anew. */
    private void makeMigrator(Statement st, RepoRef repo, String db) throws SQLException {
        String migrator = migratorRole(db);
        createRole(st, migrator, "nologin");
        // LOGIN only while a run is open (openRun gives it, the run's end takes it): a run that changed its own
        // password cannot come back through it later
        // NOINHERIT: the role acts as the owner role by SET ROLE (its default), never by inheriting it, so the owner
        // role's CONNECT on every database of the repository (which parallel workers ask of the current role) is not
        // the migration role's: it connects to its own database alone
        st.execute("alter role " + quote(migrator)
                + " nologin nosuperuser nocreatedb nocreaterole noreplication nobypassrls noinherit"
                + " connection limit " + MIGRATOR_CONNECTIONS);
        st.execute(
                "grant " + quote(ownerRole(repo)) + " to " + quote(migrator) + ownerGrantOptions(st.getConnection()));
        st.execute("alter role " + quote(migrator) + " set role = " + literal(ownerRole(repo)));
        revokeDataRoles(st, migrator);
    }

    /**
     * The options of the migration role's membership in the owner role: on PostgreSQL 16+ a membership carries its own
     * INHERIT (set from the member's attribute when granted, and kept after), so it is said: SET, not INHERIT.
     */
    static String ownerGrantOptions(Connection c) throws SQLException {
        return c.getMetaData().getDatabaseMajorVersion() >= 16 ? " with inherit false, set true" : "";
    }

    /** Earlier versions gave branch logins the cluster-wide pg_read_all_data and pg_write_all_data (PostgreSQL 14+). */
    private static void revokeDataRoles(Statement st, String role) throws SQLException {
        try (ResultSet rs =
                st.executeQuery("select r.rolname from pg_auth_members m join pg_roles r on r.oid = m.roleid"
                        + " join pg_roles u on u.oid = m.member where u.rolname = " + literal(role)
                        + " and r.rolname like 'pg\\_%'")) {
            List<String> predefined = new ArrayList<>();
            while (rs.next()) {
                predefined.add(rs.getString(1));
            }
            for (String p : predefined) {
                st.execute("revoke " + quote(p) + " from " + quote(role));
            }
        }
    }

    static String loginRole(String db) {
        return PostgresBranchBackend.fit(db + "_login");
    }

    static String migratorRole(String db) {
        return PostgresBranchBackend.fit(db + "_migrator");
    }

    /** The role that owns every object of the repository's databases (a double underscore: no branch name has one). */
    static String ownerRole(RepoRef repo) {
        return PostgresBranchBackend.prefix(repo) + "_owner";
    }

    /** The role that may read and write the data of the repository's databases. */
    static String dataRole(RepoRef repo) {
        return PostgresBranchBackend.prefix(repo) + "_rw";
    }

    /** A role's password: the HMAC of its name under the branch secret, so every server sharing the secret agrees. */
    String password(String role) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(roleSecret, "HmacSHA256"));
            return HexFormat.of()
                    .formatHex(mac.doFinal(role.getBytes(StandardCharsets.UTF_8)))
                    .substring(0, 32);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
