package dev.tiergate.server.backend;

import static dev.tiergate.server.backend.AccessSql.quote;
import static dev.tiergate.server.backend.AccessSql.sha256;

import dev.tiergate.core.access.AccessSnapshot;
import dev.tiergate.core.access.Privilege;
import dev.tiergate.core.policy.DatabaseAccess;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
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
 * The SQL is {@link AccessSql}'s, which the {@code postgres} backend shares; this class names the roles, connects as the
 * owner and takes other branches' logins away.
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
    private final String service;
    private final Predicate<String> serviceRole;

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
        return AccessSql.groupRole(GROUP_PREFIX, group);
    }

    /** An actor's login on a branch's database: readable, and apart from every other by a hash of all three. */
    public static String loginRole(String branch, String database, String actor) {
        String letters = actor.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        return "tg_login_" + (letters.length() > 16 ? letters.substring(0, 16) : letters) + "_"
                + sha256(branch + "\n" + database + "\n" + actor).substring(0, 8);
    }

    /** See {@link BranchBackend#credential}; {@code owner} is the branch owner's login on the branch's database. */
    public BranchConnection credential(
            BranchConnection owner, String branch, String actor, List<String> groups, Instant until) {
        AccessSql.Login login = as(owner, branch, (sql, c) -> sql.credential(c, actor, groups, until));
        return new BranchConnection(owner.host(), owner.port(), owner.database(), login.role(), login.password());
    }

    /** See {@link BranchBackend#applyAccess}, with default privileges for what {@code owner}'s role (the one migrations run as) creates. */
    public void apply(BranchConnection owner, String branch, List<DatabaseAccess.Group> groups) {
        as(owner, branch, (sql, c) -> {
            sql.apply(c, owner.user(), groups);
            return null;
        });
    }

    /**
     * See {@link BranchBackend#accessSnapshot}: the branch's owner login (and {@code pg_database_owner}, which stands for
     * the database's owner) is {@code tiergate:owner}; the service's roles are {@code tiergate:admin}, and their
     * schemas are not the repository's.
     */
    public AccessSnapshot snapshot(BranchConnection owner, String branch) {
        return as(owner, branch, AccessSql::snapshot);
    }

    /** See {@link BranchBackend#revoke}: as the owner's login, all or none, then checked. */
    public void revoke(BranchConnection owner, String branch, List<Privilege> extra) {
        as(owner, branch, (sql, c) -> {
            sql.revoke(c, extra);
            return null;
        });
    }

    /** See {@link BranchBackend#statement}. */
    public String statement(Privilege p, boolean grant) {
        return AccessSql.statement(p, grant, GROUP_PREFIX);
    }

    private interface Work<T> {
        T run(AccessSql sql, Connection c);
    }

    /** The shared SQL on one branch, on a connection as its owner's login: this backend's names, passwords sent as they are. */
    private <T> T as(BranchConnection owner, String branch, Work<T> work) {
        String where = service + " branch '" + branch + "'";
        String db = owner.database();
        AccessSql sql = new AccessSql(
                where,
                db,
                new AccessSql.Roles(
                        GROUP_PREFIX,
                        actor -> loginRole(branch, db, actor),
                        CREDENTIAL_MARK + branch + " actor=",
                        Map.of(owner.user(), "tiergate:owner", "pg_database_owner", "tiergate:owner"),
                        serviceRole),
                false);
        try (Connection c = open(owner)) {
            return work.run(sql, c);
        } catch (SQLException e) {
            throw new BackendException("cannot reach " + where + " as " + owner.user() + ": " + e.getMessage(), e);
        }
    }

    /**
     * After a branch was made from another (its copy of the parent's roles came with it), or restored ({@code all}):
     * every actor's login of another branch, or every one, loses what it held on this database, and one that then
     * holds nothing on any database of the catalog is dropped. Returns the logins that lost their reach.
     */
    public List<String> forgetLogins(BranchConnection owner, String branch, boolean all) {
        List<String> forgotten = new ArrayList<>();
        try (Connection c = open(owner);
                Statement st = c.createStatement()) {
            Map<String, String> logins = new TreeMap<>();
            try (PreparedStatement ps =
                    c.prepareStatement("select rolname, shobj_description(oid, 'pg_authid') from pg_roles"
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
                        LOG.warn(
                                "{} branch '{}': the copied login {} reaches nothing here but could not be dropped: {}",
                                service,
                                branch,
                                l.getKey(),
                                e.getMessage());
                    }
                }
            }
        } catch (SQLException e) {
            throw new BackendException(
                    "cannot take other branches' logins away on " + service + " branch '" + branch + "': "
                            + e.getMessage(),
                    e);
        }
        return forgotten;
    }

    /** Whether {@code role} holds a privilege of its own on any database of the catalog. */
    private static boolean holdsAnyDatabase(Connection c, String role) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select 1 from pg_database d, aclexplode(d.datacl) x join pg_roles r on r.oid = x.grantee"
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
}
