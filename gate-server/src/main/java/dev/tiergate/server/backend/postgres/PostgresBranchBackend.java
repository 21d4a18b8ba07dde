package dev.tiergate.server.backend.postgres;

import static dev.tiergate.server.backend.AccessSql.literal;
import static dev.tiergate.server.backend.AccessSql.quote;
import static dev.tiergate.server.backend.AccessSql.sha256;
import static dev.tiergate.server.backend.postgres.BranchRoles.dataRole;
import static dev.tiergate.server.backend.postgres.BranchRoles.loginRole;
import static dev.tiergate.server.backend.postgres.BranchRoles.migratorRole;
import static dev.tiergate.server.backend.postgres.BranchRoles.ownerRole;

import dev.tiergate.core.access.AccessSnapshot;
import dev.tiergate.core.access.Privilege;
import dev.tiergate.core.policy.DatabaseAccess;
import dev.tiergate.server.backend.AccessSql;
import dev.tiergate.server.backend.BackendException;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.backend.BranchConnection;
import dev.tiergate.server.backend.MigrationSession;
import dev.tiergate.server.backend.RunLimits;
import dev.tiergate.server.backend.RunWatchdog;
import dev.tiergate.server.repo.RepoRef;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A database branch is a PostgreSQL database cloned from its parent tier with {@code CREATE DATABASE … TEMPLATE}.
 * Cloning needs an idle source, and a tier is in use, so each tier keeps an idle template ({@code …__tpl__<tier>},
 * connections disallowed) that branches are cloned from; {@link #tierMoved} re-takes it after the tier changes.
 *
 * <p>Physical names carry a per-repository prefix {@code tg_<8 hex of SHA-256(forge:path)>_} so several
 * repositories can share one server; names over PostgreSQL's 63-byte limit are shortened with a hash suffix.
 * CREATE DATABASE is all-or-nothing, so a failed create leaves nothing behind.
 *
 * <p>Each branch's database carries its lineage as a comment ({@code tiergate parent=<name> protected=<bool>}), so
 * {@link #delete} can refuse a protected tier or a branch whose children still exist without a table of its own.
 *
 * <p><b>Who may do what</b> (the sandbox; README "Security model"). The admin login given to this backend creates,
 * renames, copies and drops databases and roles, and never runs a byte from a repository. Every database belongs to
 * it; PUBLIC may not connect to any of them, nor to the cluster's {@code postgres} and {@code template1}. Per
 * repository, a role {@code <prefix>_owner} (no login) owns every object in the repository's databases, and
 * {@code <prefix>_rw} (no login) may read and write their data. Per branch:
 * <ul>
 * <li>{@code <db>_migrator}: the login repository SQL runs as ({@link #openRun}). No attribute beyond LOGIN, member of
 * no predefined role; a member of the repository's owner role, whose sessions start as it ({@code SET role}), so what
 * a migration creates is the owner's and the next branch's migrator may change it. It may connect to its own
 * database only, so the owner's rights reach no further.</li>
 * <li>{@code <db>_login}: the branch's login for people and CI, a member of the repository's data role; reaches its
 * own database only and changes no schema.</li>
 * </ul>
 * A copy of a database keeps the ownership and grants of its objects, so a clone needs nothing but its own logins.
 */
public final class PostgresBranchBackend implements BranchBackend {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresBranchBackend.class);
    private static final int PG_NAME_MAX = 63;
    /** How far past the run's deadline the migration role's own timeouts fall (the watchdog acts at the deadline). */
    static final long ROLE_TIMEOUT_SLACK_MS = 5_000;
    /** Schemas that are PostgreSQL's, never a repository's. */
    private static final String SYSTEM_SCHEMAS = "nspname not like 'pg\\_%' and nspname <> 'information_schema'";

    private final DataSource admin;
    private final String jdbcBase;
    private final String host;
    private final int port;
    private final String adminUser;
    private final String adminPassword;
    private final AutoCloseable owned;
    private final ClonePool pool;
    /** The repository's and its branches' roles, and their passwords. */
    private final BranchRoles roles;

    private volatile boolean clusterClosed;

    /**
     * {@code admin} connects to the branch server as a role that may create databases and roles (a superuser on the
     * embedded cluster); {@code jdbcBase} e.g. jdbc:postgresql://host:5432/; {@code roleSecret} derives each branch
     * role's password (HMAC of the role's name), so servers sharing the secret agree without storing passwords.
     */
    public PostgresBranchBackend(
            DataSource admin, String jdbcBase, String adminUser, String adminPassword, byte[] roleSecret) {
        this(admin, jdbcBase, adminUser, adminPassword, roleSecret, null);
    }

    /** As above, closing {@code owned} (the admin pool it was given to keep) when the backend is closed. */
    public PostgresBranchBackend(
            DataSource admin,
            String jdbcBase,
            String adminUser,
            String adminPassword,
            byte[] roleSecret,
            AutoCloseable owned) {
        this(admin, jdbcBase, adminUser, adminPassword, roleSecret, owned, 0);
    }

    /**
     * As above, keeping {@code clonePool} ready clones of each tier (TIERGATE_CLONE_POOL; 0: none), so a new working
     * or CI branch is a rename of one instead of a copy of the tier.
     */
    public PostgresBranchBackend(
            DataSource admin,
            String jdbcBase,
            String adminUser,
            String adminPassword,
            byte[] roleSecret,
            AutoCloseable owned,
            int clonePool) {
        this.pool = new ClonePool(admin, clonePool);
        this.owned = owned;
        this.admin = admin;
        this.jdbcBase = jdbcBase.endsWith("/") ? jdbcBase : jdbcBase + "/";
        URI u = URI.create(this.jdbcBase.substring("jdbc:".length()));
        this.host = u.getHost();
        this.port = u.getPort() < 0 ? 5432 : u.getPort();
        this.adminUser = adminUser;
        this.adminPassword = adminPassword;
        this.roles = new BranchRoles(admin, roleSecret);
    }

    @Override
    public String id() {
        return "postgres";
    }

    @Override
    public void close() {
        pool.close();
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                // closing anyway
            }
        }
    }

    @Override
    public void create(RepoRef repo, String name, String parent) {
        createDatabase(repo, name, parent, false);
    }

    private void createDatabase(RepoRef repo, String name, String parent, boolean tier) {
        closeCluster();
        roles.makeRepositoryRoles(repo);
        String db = physical(repo, name);
        if (databaseExists(db)) {
            Lineage had = lineage(db);
            if (had == null && !tier) {
                describe(db, parent, false); // made by an attempt that stopped before its lineage was written
            }
            if (tier) {
                describe(db, parent, true); // a branch taken on as a tier becomes protected
            }
            roles.giveLogins(repo, db);
            open(db);
            return;
        }
        try (Connection c = admin.getConnection();
                Statement st = c.createStatement()) {
            if (parent == null) {
                // a root starts closed, and opens once PUBLIC may no longer connect: only the admin then can, to give
                // its schema to the repository's owner role
                st.execute("create database " + quote(db) + " allow_connections false");
                st.execute("revoke all on database " + quote(db) + " from public");
                st.execute("alter database " + quote(db) + " with allow_connections true");
                setUpRoot(repo, db);
            } else {
                String source = physical(repo, parent);
                if (!databaseExists(source)) {
                    throw new BackendException(
                            "cannot create database branch '" + name + "': its parent '" + parent
                                    + "' does not exist on the branch server",
                            null);
                }
                String template = ensureTemplate(st, repo, parent);
                pool.watch(repo.path() + ":" + parent, template);
                if (tier || !pool.claim(template, db, lineageComment(parent, false))) {
                    // not a ready clone: a copy, closed until its logins are given
                    st.execute("create database " + quote(db) + " template " + quote(template)
                            + " allow_connections false");
                    st.execute("revoke all on database " + quote(db) + " from public");
                }
            }
            describe(db, parent, tier);
        } catch (SQLException e) {
            if (!"42P04".equals(e.getSQLState())) { // 42P04: created meanwhile by another worker: same outcome
                throw new BackendException(
                        "cannot create database branch '" + name + "' from '" + parent + "': " + e.getMessage(), e);
            }
        }
        roles.giveLogins(repo, db);
        open(db);
    }

    @Override
    public void createTier(RepoRef repo, String name, String parent) {
        createDatabase(repo, name, parent, true);
        try (Connection c = admin.getConnection();
                Statement st = c.createStatement()) {
            pool.watch(repo.path() + ":" + name, ensureTemplate(st, repo, name));
        } catch (SQLException e) {
            throw new BackendException("cannot take the idle template of tier '" + name + "': " + e.getMessage(), e);
        }
    }

    /** Re-takes the idle template of a tier from the tier itself (after a migration reached the tier). */
    @Override
    public void tierMoved(RepoRef repo, String tier) {
        try (Connection c = admin.getConnection();
                Statement st = c.createStatement()) {
            synchronized (pool) { // not while the pool copies the old template
                dropTemplate(st, templateName(repo, tier));
                // the new template has a new oid: clones of the old one are never claimed and the refill drops them
                pool.watch(repo.path() + ":" + tier, ensureTemplate(st, repo, tier));
            }
        } catch (SQLException e) {
            throw new BackendException("cannot refresh the template of tier '" + tier + "': " + e.getMessage(), e);
        }
    }

    /** A tier's idle template: a copy no login may connect to, only copied from. */
    private String ensureTemplate(Statement st, RepoRef repo, String tier) throws SQLException {
        String tpl = templateName(repo, tier);
        if (databaseExists(tpl)) {
            return tpl;
        }
        try {
            st.execute("create database " + quote(tpl) + " template " + quote(physical(repo, tier))
                    + " allow_connections false is_template true");
        } catch (SQLException e) {
            if (!"42P04".equals(e.getSQLState())) {
                throw e;
            }
        }
        st.execute("revoke all on database " + quote(tpl) + " from public");
        return tpl;
    }

    @Override
    public void delete(RepoRef repo, String name) {
        String db = physical(repo, name);
        Lineage lineage = lineage(db);
        if (lineage != null && lineage.protectedTier()) {
            throw new BackendException(
                    "refused to delete database branch '" + name + "': it is a protected tier;"
                            + " tiergate never deletes a tier (drop " + db + " by hand if the tier is really gone)",
                    null);
        }
        List<String> children = children(repo, name);
        if (!children.isEmpty()) {
            throw new BackendException(
                    "refused to delete database branch '" + name + "': its children " + children
                            + " were cut from it; delete them first",
                    null);
        }
        try (Connection c = admin.getConnection();
                Statement st = c.createStatement()) {
            st.execute("drop database if exists " + quote(db) + " with (force)");
            synchronized (pool) {
                dropTemplate(st, templateName(repo, name));
                pool.dropAll(templateName(repo, name));
            }
            st.execute("drop role if exists " + quote(loginRole(db)));
            st.execute("drop role if exists " + quote(migratorRole(db)));
            for (String credential : credentialRoles(c, db)) {
                st.execute("drop role if exists " + quote(credential));
            }
        } catch (SQLException e) {
            throw new BackendException("cannot delete database branch '" + name + "': " + e.getMessage(), e);
        }
    }

    /**
     * A fresh copy of the parent under the branch's name (a PR's rehearsal, a rewritten working branch). With a ready
     * clone of the parent, the old database is swapped out for it and dropped in the background
     * ({@link ClonePool#swap}); the branch keeps its login. Otherwise, and for what {@link #delete} refuses, it is
     * dropped and copied.
     */
    @Override
    public void reset(RepoRef repo, String name, String parent) {
        String db = physical(repo, name);
        Lineage lineage = parent == null || !pool.enabled() ? null : lineage(db);
        if (lineage == null
                || lineage.protectedTier()
                || databaseExists(templateName(repo, name))
                || !databaseExists(physical(repo, parent))
                || !children(repo, name).isEmpty()) {
            BranchBackend.super.reset(repo, name, parent);
            return;
        }
        try (Connection c = admin.getConnection();
                Statement st = c.createStatement()) {
            String template = ensureTemplate(st, repo, parent);
            pool.watch(repo.path() + ":" + parent, template);
            if (!pool.swap(template, db, lineageComment(parent, false))) {
                BranchBackend.super.reset(repo, name, parent);
                return;
            }
        } catch (SQLException e) {
            throw new BackendException(
                    "cannot reset database branch '" + name + "' from '" + parent + "': " + e.getMessage(), e);
        }
        roles.giveLogins(repo, db);
    }

    private void dropTemplate(Statement st, String tpl) throws SQLException {
        if (databaseExists(tpl)) {
            st.execute("alter database " + quote(tpl) + " with is_template false");
            st.execute("drop database if exists " + quote(tpl) + " with (force)");
        }
    }

    @Override
    public boolean exists(RepoRef repo, String name) {
        return databaseExists(physical(repo, name));
    }

    @Override
    public boolean deletesInSteps() {
        return true;
    }

    /** The database, or one of its roles: {@link #delete} drops the database first, so a kill can leave the roles. */
    @Override
    public boolean leftOver(RepoRef repo, String name) {
        String db = physical(repo, name);
        if (databaseExists(db)) {
            return true;
        }
        try (Connection c = admin.getConnection();
                PreparedStatement ps = c.prepareStatement("select 1 from pg_roles where rolname in (?, ?)")) {
            ps.setString(1, loginRole(db));
            ps.setString(2, migratorRole(db));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new BackendException("cannot look for database branch " + db + "'s roles: " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> list(RepoRef repo) {
        String prefix = prefix(repo);
        List<String> out = new ArrayList<>();
        try (Connection c = admin.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select datname from pg_database where datname like ? and not datistemplate order by datname")) {
            ps.setString(1, prefix.replace("_", "\\_") + "%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1).substring(prefix.length());
                    if (!name.startsWith(
                            "_")) { // "_pool_…": a ready clone, not a branch (branch names never start with _)
                        out.add(name);
                    }
                }
            }
        } catch (SQLException e) {
            throw new BackendException("cannot list database branches: " + e.getMessage(), e);
        }
        return out;
    }

    /** {@code pg_database_size} of one branch database: a walk of its files only. */
    @Override
    public Optional<Long> size(RepoRef repo, String name) {
        try (Connection c = admin.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select pg_database_size(oid) from pg_database where datname = ? and not datistemplate and datallowconn")) {
            ps.setString(1, physical(repo, name));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new BackendException("cannot measure database branch '" + name + "': " + e.getMessage(), e);
        }
    }

    /** {@code pg_database_size} of each branch database, in one query. */
    @Override
    public Map<String, Long> sizes(RepoRef repo) {
        String prefix = prefix(repo);
        Map<String, Long> out = new LinkedHashMap<>();
        try (Connection c = admin.getConnection();
                PreparedStatement ps = c.prepareStatement("select datname, pg_database_size(oid) from pg_database"
                        + " where datname like ? and not datistemplate and datallowconn order by datname")) {
            ps.setString(1, prefix.replace("_", "\\_") + "%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1).substring(prefix.length()), rs.getLong(2));
                }
            }
        } catch (SQLException e) {
            throw new BackendException("cannot measure database branches: " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public BranchConnection connection(RepoRef repo, String name) {
        String db = physical(repo, name);
        return new BranchConnection(host, port, db, loginRole(db), roles.password(loginRole(db)));
    }

    @Override
    public BranchConnection migrationConnection(RepoRef repo, String name) {
        String db = physical(repo, name);
        return new BranchConnection(host, port, db, migratorRole(db), roles.password(migratorRole(db)));
    }

    /**
     * Before the run: the branch's migration role is made again as tiergate wants it (a run may have changed its own
     * password or session defaults, which a role may do), with the run's bounds as its session defaults (a migration
     * can SET the first three; {@code temp_file_limit} only a superuser can), and any session left by an earlier run
     * ended. The watchdog then watches as the admin, and closing the session gives back to the owner role anything the
     * run made under the migration role's own name and grants the data role on what it created.
     */
    @Override
    public MigrationSession openRun(RepoRef repo, String name, RunLimits limits) {
        String db = physical(repo, name);
        roles.makeRepositoryRoles(repo);
        String migrator = migratorRole(db);
        try (Connection c = admin.getConnection();
                Statement st = c.createStatement()) {
            boolean migratorExists;
            try (PreparedStatement ps =
                    c.prepareStatement("select exists (select 1 from pg_database where datname = ?),"
                            + " exists (select 1 from pg_roles where rolname = ?)")) {
                ps.setString(1, db);
                ps.setString(2, migrator);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        throw new BackendException(
                                "cannot run migrations on database branch '" + name + "': it does not exist", null);
                    }
                    migratorExists = rs.getBoolean(2);
                }
            }
            if (!migratorExists) {
                roles.giveLogins(repo, db); // a database made before the sandbox: its roles and rights, once
            }
        } catch (SQLException e) {
            throw new BackendException(
                    "cannot prepare the migration role of database branch '" + name + "': " + e.getMessage(), e);
        }
        // the watchdog first: it takes the database's run lock, so what follows never ends another run's sessions
        RunWatchdog watchdog = RunWatchdog.start(
                migrationConnection(repo, name), admin::getConnection, db, migrator, limits, () -> afterRun(repo, db));
        try (Connection c = admin.getConnection();
                Statement st = c.createStatement()) {
            // a few seconds past the deadline: the watchdog, which says why it stopped the run, comes first
            long ms = Math.max(1, limits.deadline().toMillis()) + ROLE_TIMEOUT_SLACK_MS;
            String m = quote(migrator);
            List<String> settings = new ArrayList<>(List.of(
                    "role=" + ownerRole(repo),
                    "statement_timeout=" + ms,
                    "lock_timeout=" + ms,
                    "idle_in_transaction_session_timeout=" + ms));
            if (limits.maxBytes() > 0) {
                settings.add("temp_file_limit=" + Math.max(1, limits.maxBytes() / 1024)); // kB
            }
            StringBuilder prepare = new StringBuilder()
                    // LOGIN for this run (its end takes it away), with tiergate's password whatever an earlier run set
                    .append("alter role ")
                    .append(m)
                    .append(" login nosuperuser nocreatedb nocreaterole noreplication nobypassrls noinherit")
                    .append(" connection limit ")
                    .append(BranchRoles.MIGRATOR_CONNECTIONS)
                    .append(" password ")
                    .append(literal(roles.derivedVerifier(migrator)))
                    .append(";\n");
            // the role's own settings, which a role may change for itself: set again only when they are not as they
            // should be (each ALTER ROLE makes every session of the cluster reload its role cache)
            BranchRoles.MigratorState now = BranchRoles.MigratorState.read(c, migrator, ownerRole(repo), db);
            if (!new HashSet<>(now.settings()).equals(new HashSet<>(settings))) {
                prepare.append("alter role ").append(m).append(" reset all;\n");
                for (String setting : settings) {
                    int eq = setting.indexOf('=');
                    String value = setting.substring(eq + 1);
                    prepare.append("alter role ")
                            .append(m)
                            .append(" set ")
                            .append(setting, 0, eq)
                            .append(" = ")
                            .append(setting.startsWith("role=") ? literal(value) : value)
                            .append(";\n");
                }
            }
            // a role made by an earlier version inherits the owner role through its membership (PostgreSQL 16+ keeps
            // INHERIT per membership, not only as the role's attribute); the owner role now has CONNECT on each of the
            // repository's databases, so it would reach them all: taken away before the role logs in
            if (now.inheritsOwner()) {
                prepare.append("grant ")
                        .append(quote(ownerRole(repo)))
                        .append(" to ")
                        .append(m)
                        .append(BranchRoles.ownerGrantOptions(c))
                        .append(";\n");
            }
            // a database made by an earlier version: its owner role lacks the CONNECT a parallel worker asks of it
            if (!now.ownerConnects()) {
                prepare.append("grant connect on database ")
                        .append(quote(db))
                        .append(" to ")
                        .append(quote(ownerRole(repo)))
                        .append(";\n");
            }
            // sessions an earlier run left (a server killed mid-run): ended before this one starts
            prepare.append("select pg_terminate_backend(pid) from pg_stat_activity where usename = ")
                    .append(literal(migrator));
            st.execute(prepare.toString()); // one round trip: every statement is tiergate's own, with quoted names
        } catch (SQLException e) {
            watchdog.close();
            throw new BackendException(
                    "cannot prepare the migration role of database branch '" + name + "': " + e.getMessage(), e);
        }
        return watchdog;
    }

    /** Where the admin creates the policy's extensions: a schema only it may write to. */
    static final String EXTENSIONS_SCHEMA = "extensions";

    /**
     * The policy's extensions, created by the admin (a migration then needs no right to create them) in schema
     * {@value #EXTENSIONS_SCHEMA}, which the admin owns and no one else may create in. Not in {@code public}: that
     * belongs to the repository's owner role, so the repository's SQL could have put functions or operators there for
     * an extension's script, run as the admin, to call (PostgreSQL's "security considerations for extensions"). The
     * database's {@code search_path} ends with the schema, so migrations name what the extensions give unqualified.
     */
    @Override
    public void createExtensions(RepoRef repo, String name, List<String> extensions) {
        if (extensions.isEmpty()) {
            return;
        }
        String db = physical(repo, name);
        try (Connection c = inDatabase(db);
                Statement st = c.createStatement()) {
            st.execute("create schema if not exists " + EXTENSIONS_SCHEMA + " authorization current_user");
            try (ResultSet rs =
                    st.executeQuery("select pg_get_userbyid(nspowner) = current_user from pg_namespace where nspname = "
                            + literal(EXTENSIONS_SCHEMA))) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    // the repository's SQL made a schema of that name first: it is not a place for the admin's scripts
                    throw new BackendException(
                            "cannot create the policy's extensions " + extensions + " on database branch '" + name
                                    + "': its schema " + EXTENSIONS_SCHEMA
                                    + " was made by the repository's SQL, not by tiergate;"
                                    + " rename or drop that schema in a migration",
                            null);
                }
            }
            st.execute("revoke all on schema " + EXTENSIONS_SCHEMA + " from public; grant usage on schema "
                    + EXTENSIONS_SCHEMA + " to public");
            for (String e : extensions) {
                st.execute("create extension if not exists " + quote(e) + " schema " + EXTENSIONS_SCHEMA);
            }
            st.execute("alter database " + quote(db) + " set search_path = \"$user\", public, " + EXTENSIONS_SCHEMA);
        } catch (SQLException e) {
            throw new BackendException(
                    "cannot create the policy's extensions " + extensions + " on database branch '" + name + "': "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * What a run may have left: objects made under the migration role's own name (a migration that did SET ROLE to it),
     * handed to the owner role, with the data role's rights on them. Usually there are none: one catalog query says so,
     * without a connection into the branch.
     */
    private void afterRun(RepoRef repo, String db) {
        String migrator = migratorRole(db);
        try (Connection c = admin.getConnection();
                Statement st = c.createStatement()) {
            // the run is over: its role logs in no more, and whatever session it still has (one it opened with a
            // password it set itself) ends
            st.execute("alter role " + quote(migrator) + " nologin;\n"
                    + "select pg_terminate_backend(pid) from pg_stat_activity where usename = " + literal(migrator));
        } catch (SQLException e) {
            LOG.warn("after a run on {}: cannot take the migration role's login: {}", db, e.getMessage());
        }
        try (Connection c = admin.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select exists (select 1 from pg_shdepend d"
                                + " join pg_database b on b.oid = d.dbid join pg_roles r on r.oid = d.refobjid where b.datname = ? and r.rolname = ? and d.deptype = 'o')")) {
            ps.setString(1, db);
            ps.setString(2, migratorRole(db));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return; // nothing owned by the migration role itself (the usual case): nothing to hand over
                }
            }
        } catch (SQLException e) {
            LOG.warn("after a run on {}: {}", db, e.getMessage());
            return;
        }
        try (Connection c = inDatabase(db);
                Statement st = c.createStatement()) {
            st.execute("reassign owned by " + quote(migratorRole(db)) + " to " + quote(ownerRole(repo)));
            grantData(c, st, repo); // what default privileges gave the owner role's objects, given to these too
        } catch (SQLException e) {
            LOG.warn("after a run on {}: {}", db, e.getMessage());
        }
    }

    /** The data role's rights on everything in the database's own schemas, as default privileges give them to what is new. */
    private void grantData(Connection c, Statement st, RepoRef repo) throws SQLException {
        String rw = quote(dataRole(repo));
        for (String schema : userSchemas(c)) {
            String q = quote(schema);
            st.execute("grant usage on schema " + q + " to " + rw);
            st.execute("grant select, insert, update, delete on all tables in schema " + q + " to " + rw);
            st.execute("grant usage, select, update on all sequences in schema " + q + " to " + rw);
        }
    }

    private static List<String> userSchemas(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select nspname from pg_namespace where " + SYSTEM_SCHEMAS)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /**
     * A copy of the branch as it is now, closed to every login. CREATE DATABASE … TEMPLATE needs the source idle, so
     * other sessions on it are ended first: on this backend a tier's clients are disconnected for the moment of the copy.
     */
    @Override
    public void snapshot(RepoRef repo, String name, String snapshot) {
        String source = physical(repo, name);
        String copy = physical(repo, snapshot);
        if (!databaseExists(source)) {
            throw new BackendException("cannot snapshot '" + name + "': it does not exist on the branch server", null);
        }
        if (databaseExists(copy)) {
            return;
        }
        copyIdle(source, copy);
        describe(copy, name, false);
    }

    @Override
    public void restore(RepoRef repo, String name, String snapshot) {
        String target = physical(repo, name);
        String copy = physical(repo, snapshot);
        if (!databaseExists(copy)) {
            throw new BackendException(
                    "cannot restore '" + name + "' from '" + snapshot + "': there is no such snapshot", null);
        }
        Lineage lineage = lineage(target);
        try (Connection c = admin.getConnection();
                Statement st = c.createStatement()) {
            st.execute("drop database if exists " + quote(target) + " with (force)");
        } catch (SQLException e) {
            throw new BackendException("cannot restore '" + name + "': " + e.getMessage(), e);
        }
        copyIdle(copy, target);
        if (lineage != null) {
            describe(target, lineage.parent(), lineage.protectedTier());
        }
        roles.giveLogins(repo, target);
        open(target);
        if (databaseExists(templateName(repo, name))) {
            tierMoved(repo, name);
        }
    }

    /** A copy of {@code source} as {@code target}, closed: no login may connect to it until it is opened. */
    private void copyIdle(String source, String target) {
        try (Connection c = admin.getConnection();
                Statement st = c.createStatement()) {
            for (int attempt = 0; ; attempt++) {
                try (PreparedStatement kick = c.prepareStatement(
                        "select pg_terminate_backend(pid) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()")) {
                    kick.setString(1, source);
                    kick.execute();
                }
                try {
                    st.execute("create database " + quote(target) + " template " + quote(source)
                            + " allow_connections false");
                    st.execute("revoke all on database " + quote(target) + " from public");
                    return;
                } catch (SQLException e) {
                    if (!"55006".equals(e.getSQLState()) || attempt >= 3) { // 55006: source in use by another session
                        throw e;
                    }
                }
            }
        } catch (SQLException e) {
            throw new BackendException(
                    "cannot copy database '" + source + "' to '" + target + "': " + e.getMessage(), e);
        }
    }

    /** What a branch's database comment says: the branch it was cut from (null: a root) and whether it is a tier. */
    private record Lineage(String parent, boolean protectedTier) {
        static Lineage parse(String comment) {
            if (comment == null || !comment.startsWith("tiergate ")) {
                return null;
            }
            String parent = null;
            boolean prot = false;
            for (String kv : comment.substring("tiergate ".length()).split(" ")) {
                if (kv.startsWith("parent=")) {
                    parent = kv.substring("parent=".length());
                    parent = parent.isEmpty() ? null : parent;
                } else if (kv.equals("protected=true")) {
                    prot = true;
                }
            }
            return new Lineage(parent, prot);
        }
    }

    private static String lineageComment(String parent, boolean tier) {
        return "tiergate parent=" + (parent == null ? "" : parent) + " protected=" + tier;
    }

    /** Ready clones per "repo:tier" this backend keeps a pool for. */
    @Override
    public Map<String, Integer> readyClones() {
        return pool.enabled() ? pool.ready() : Map.of();
    }

    private void describe(String db, String parent, boolean tier) {
        try (Connection c = admin.getConnection();
                Statement st = c.createStatement()) {
            String comment = lineageComment(parent, tier);
            st.execute("comment on database " + quote(db) + " is '" + comment.replace("'", "''") + "'");
        } catch (SQLException e) {
            throw new BackendException("cannot record the lineage of database branch " + db + ": " + e.getMessage(), e);
        }
    }

    private Lineage lineage(String db) {
        try (Connection c = admin.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select shobj_description(oid, 'pg_database') from pg_database where datname = ?")) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Lineage.parse(rs.getString(1)) : null;
            }
        } catch (SQLException e) {
            throw new BackendException("cannot reach the branch server: " + e.getMessage(), e);
        }
    }

    /** The repository's branches whose recorded parent is {@code name}. */
    private List<String> children(RepoRef repo, String name) {
        String prefix = prefix(repo);
        List<String> out = new ArrayList<>();
        try (Connection c = admin.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select datname, shobj_description(oid, 'pg_database') from pg_database where datname like ? and not datistemplate order by datname")) {
            ps.setString(1, prefix.replace("_", "\\_") + "%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Lineage l = Lineage.parse(rs.getString(2));
                    if (l != null && name.equals(l.parent())) {
                        out.add(rs.getString(1).substring(prefix.length()));
                    }
                }
            }
        } catch (SQLException e) {
            throw new BackendException("cannot list database branches: " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Once per process: PUBLIC may not connect to the cluster's own databases, so a branch's login reaches its branch
     * and nothing else (a cluster where tiergate's admin may not change them keeps them as they are; doctor says so).
     */
    private void closeCluster() {
        if (clusterClosed) {
            return;
        }
        try (Connection c = admin.getConnection();
                Statement st = c.createStatement()) {
            for (String db : List.of(
                    "postgres", "template1", "template0")) { // template0 takes no connection at all; said anyway
                if (databaseExists(db)) {
                    st.execute("revoke connect, temporary on database " + quote(db) + " from public");
                }
            }
            clusterClosed = true;
        } catch (SQLException e) {
            LOG.warn("cannot close the branch cluster's own databases to PUBLIC: {}", e.getMessage());
            clusterClosed = true; // said once; the doctor check says it again
        }
    }

    /**
     * A new root database: its {@code public} schema belongs to the repository's owner role, PUBLIC may not create in
     * it, the data role may use it, and what the owner role creates later is readable and writable by the data role.
     * Branches copied from it keep all of this.
     */
    private void setUpRoot(RepoRef repo, String db) throws SQLException {
        String owner = quote(ownerRole(repo));
        String rw = quote(dataRole(repo));
        try (Connection c = inDatabase(db);
                Statement st = c.createStatement()) {
            st.execute("alter schema public owner to " + owner);
            st.execute("revoke all on schema public from public");
            st.execute("grant usage on schema public to " + rw);
            st.execute("alter default privileges for role " + owner
                    + " grant select, insert, update, delete on tables to " + rw);
            st.execute("alter default privileges for role " + owner + " grant usage, select, update on sequences to "
                    + rw);
            st.execute("alter default privileges for role " + owner + " grant usage on schemas to " + rw);
        }
    }

    /** Lets logins connect to a database made closed (allow_connections false). */
    private void open(String db) {
        try (Connection c = admin.getConnection();
                Statement st = c.createStatement()) {
            st.execute("alter database " + quote(db) + " with allow_connections true");
        } catch (SQLException e) {
            throw new BackendException("cannot open database branch " + db + ": " + e.getMessage(), e);
        }
    }

    /**
     * The admin in one branch database, for tiergate's own statements there. Its search path is {@code pg_catalog}
     * alone, so no function or operator a migration created can stand in for PostgreSQL's own.
     */
    private Connection inDatabase(String db) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", adminUser);
        if (adminPassword != null) {
            p.setProperty("password", adminPassword);
        }
        p.setProperty("options", "-c search_path=pg_catalog");
        return DriverManager.getConnection(jdbcBase + db, p);
    }

    // ------------------------------------------------------------------ database access (the policy's groups)

    /** What marks an actor's login, as its role's comment: {@code tiergate credential db=<db> actor=<actor>}. */
    private static final String CREDENTIAL_MARK = "tiergate credential db=";

    /**
     * An actor's own login ({@code <db>_u_<actor>}): LOGIN and nothing else, a member of exactly {@code groups},
     * CONNECT on this database alone, a new random password each time (the one before stops working), valid until
     * {@code until} (null: until the branch is deleted, which drops it). Its comment names the database and the actor.
     */
    @Override
    public BranchConnection credential(RepoRef repo, String name, String actor, List<String> groups, Instant until) {
        String db = physical(repo, name);
        if (!databaseExists(db)) {
            throw new BackendException(
                    "cannot give a login on database branch '" + name + "': it does not exist", null);
        }
        roles.makeRepositoryRoles(repo);
        // roles are the cluster's: any database will do, and the admin pool has one ready
        AccessSql.Login login =
                access(repo, name, admin::getConnection, (sql, c) -> sql.credential(c, actor, groups, until));
        return new BranchConnection(host, port, db, login.role(), login.password());
    }

    /**
     * The policy's groups as roles of the repository ({@code <prefix>_g_<name>}, no login) and their privileges in the
     * database ({@link AccessSql#apply}), by default too on what the owner role creates later.
     */
    @Override
    public void applyAccess(RepoRef repo, String name, List<DatabaseAccess.Group> groups) {
        roles.makeRepositoryRoles(repo);
        String db = physical(repo, name);
        access(repo, name, () -> inDatabase(db), (sql, c) -> {
            sql.apply(c, ownerRole(repo), groups);
            return null;
        });
    }

    @Override
    public AccessSnapshot accessSnapshot(RepoRef repo, String name) {
        String db = physical(repo, name);
        return access(repo, name, () -> inDatabase(db), AccessSql::snapshot);
    }

    @Override
    public void revoke(RepoRef repo, String name, List<Privilege> extra) {
        String db = physical(repo, name);
        access(repo, name, () -> inDatabase(db), (sql, c) -> {
            sql.revoke(c, extra);
            return null;
        });
    }

    @Override
    public String statement(RepoRef repo, Privilege p, boolean grant) {
        return AccessSql.statement(p, grant, groupPrefix(repo));
    }

    private interface Opener {
        Connection open() throws SQLException;
    }

    private interface Work<T> {
        T run(AccessSql sql, Connection c);
    }

    /**
     * The shared SQL on one branch's database, as the admin: this backend's role names (tiergate's own roles labelled
     * as such; no service roles but superusers), passwords sent as SCRAM verifiers.
     */
    private <T> T access(RepoRef repo, String name, Opener opener, Work<T> work) {
        String db = physical(repo, name);
        Map<String, String> own = Map.of(
                ownerRole(repo),
                "tiergate:owner",
                dataRole(repo),
                "tiergate:rw",
                loginRole(db),
                "tiergate:login",
                migratorRole(db),
                "tiergate:migrator");
        AccessSql sql = new AccessSql(
                "database branch '" + name + "'",
                db,
                new AccessSql.Roles(
                        groupPrefix(repo),
                        actor -> credentialRole(db, actor),
                        CREDENTIAL_MARK + db + " actor=",
                        own,
                        role -> false),
                true);
        try (Connection c = opener.open()) {
            return work.run(sql, c);
        } catch (SQLException e) {
            throw new BackendException("cannot reach database branch '" + name + "': " + e.getMessage(), e);
        }
    }

    /** The actors' logins on database {@code db} (their roles' comments say so). */
    private static List<String> credentialRoles(Connection c, String db) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps =
                c.prepareStatement("select rolname from pg_roles where shobj_description(oid, 'pg_authid') like ?")) {
            ps.setString(
                    1,
                    (CREDENTIAL_MARK + db)
                                    .replace("\\", "\\\\")
                                    .replace("%", "\\%")
                                    .replace("_", "\\_") + " actor=%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** An actor's login on {@code db}: readable ({@code <db>_u_<actor's letters>}), and apart by a hash of the whole name. */
    static String credentialRole(String db, String actor) {
        String letters = actor.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        return fit(db + "_u_" + (letters.length() > 16 ? letters.substring(0, 16) : letters) + "_"
                + sha256(actor).substring(0, 6));
    }

    /** A group of the policy as a role of the repository (its name checked). */
    static String groupRole(RepoRef repo, String group) {
        return AccessSql.groupRole(groupPrefix(repo), group);
    }

    private static String groupPrefix(RepoRef repo) {
        return prefix(repo) + "_g_";
    }

    /** The physical database name of a branch. */
    public String physical(RepoRef repo, String name) {
        return fit(prefix(repo) + name);
    }

    private String templateName(RepoRef repo, String tier) {
        return fit(prefix(repo) + "_tpl_" + tier);
    }

    static String prefix(RepoRef repo) {
        return "tg_" + sha256(repo.forge() + ":" + repo.path()).substring(0, 8) + "_";
    }

    static String fit(String name) {
        if (name.length() <= PG_NAME_MAX) {
            return name;
        }
        return name.substring(0, PG_NAME_MAX - 9) + "_" + sha256(name).substring(0, 8);
    }

    private boolean databaseExists(String db) {
        try (Connection c = admin.getConnection();
                PreparedStatement ps = c.prepareStatement("select 1 from pg_database where datname = ?")) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new BackendException("cannot reach the branch server: " + e.getMessage(), e);
        }
    }
}
