package dev.tiergate.server.backend.postgres;

import dev.tiergate.server.backend.BackendException;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.backend.BranchConnection;
import dev.tiergate.server.forge.RepoRef;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.sql.DataSource;

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
 */
public final class PostgresBranchBackend implements BranchBackend {
    private static final int PG_NAME_MAX = 63;
    private final DataSource admin;
    private final String jdbcBase;
    private final String host;
    private final int port;
    private final String adminUser;
    private final String adminPassword;
    private final byte[] roleSecret;
    private final AutoCloseable owned;
    /** Whether the server has pg_read_all_data and pg_write_all_data (PostgreSQL 14+); null until asked. */
    private volatile Boolean dataRoles;
    private final ClonePool pool;

    /**
     * {@code admin} connects to the branch server as a superuser (it creates databases and roles); {@code jdbcBase}
     * e.g. jdbc:postgresql://host:5432/; {@code roleSecret} derives each branch role's password (HMAC of the
     * branch's database name), so servers sharing the secret agree without storing passwords.
     */
    public PostgresBranchBackend(DataSource admin, String jdbcBase, String adminUser, String adminPassword, byte[] roleSecret) {
        this(admin, jdbcBase, adminUser, adminPassword, roleSecret, null);
    }

    /** As above, closing {@code owned} (the admin pool it was given to keep) when the backend is closed. */
    public PostgresBranchBackend(DataSource admin, String jdbcBase, String adminUser, String adminPassword, byte[] roleSecret,
                                 AutoCloseable owned) {
        this(admin, jdbcBase, adminUser, adminPassword, roleSecret, owned, 0);
    }

    /**
     * As above, keeping {@code clonePool} ready clones of each tier (TIERGATE_CLONE_POOL; 0: none), so a new working
     * or CI branch is a rename of one instead of a copy of the tier.
     */
    public PostgresBranchBackend(DataSource admin, String jdbcBase, String adminUser, String adminPassword, byte[] roleSecret,
                                 AutoCloseable owned, int clonePool) {
        this.pool = new ClonePool(admin, clonePool);
        this.owned = owned;
        this.admin = admin;
        this.jdbcBase = jdbcBase.endsWith("/") ? jdbcBase : jdbcBase + "/";
        java.net.URI u = java.net.URI.create(this.jdbcBase.substring("jdbc:".length()));
        this.host = u.getHost();
        this.port = u.getPort() < 0 ? 5432 : u.getPort();
        this.adminUser = adminUser;
        this.adminPassword = adminPassword;
        this.roleSecret = roleSecret.clone();
    }

    @Override
    public String id() {
        return "postgres";
    }

    /** For tests on a newer server: grant as on PostgreSQL 13 (inside each database, by default privileges). */
    void grantAsBefore14() {
        this.dataRoles = false;
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
        grantLogin(physical(repo, name));
    }

    private void createDatabase(RepoRef repo, String name, String parent, boolean tier) {
        String db = physical(repo, name);
        if (databaseExists(db)) {
            Lineage had = lineage(db);
            if (had == null && !tier) {
                describe(db, parent, false); // made by an attempt that stopped before its lineage was written
            }
            if (tier) {
                describe(db, parent, true); // a branch taken on as a tier becomes protected
            }
            return;
        }
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            if (parent == null) {
                st.execute("create database " + quote(db));
            } else {
                String source = physical(repo, parent);
                if (!databaseExists(source)) {
                    throw new BackendException("cannot create database branch '" + name + "': its parent '" + parent
                            + "' does not exist on the branch server", null);
                }
                String template = ensureTemplate(st, repo, parent);
                pool.watch(repo.path() + ":" + parent, template);
                if (!tier && pool.claim(template, db, lineageComment(parent, false))) {
                    return; // a ready clone renamed: constant time whatever the tier's size
                }
                st.execute("create database " + quote(db) + " template " + quote(template));
            }
            describe(db, parent, tier);
        } catch (SQLException e) {
            if ("42P04".equals(e.getSQLState())) {
                return; // created meanwhile by another worker: same outcome
            }
            throw new BackendException("cannot create database branch '" + name + "' from '" + parent + "': " + e.getMessage(), e);
        }
    }

    @Override
    public void createTier(RepoRef repo, String name, String parent) {
        createDatabase(repo, name, parent, true);
        grantLogin(physical(repo, name));
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            pool.watch(repo.path() + ":" + name, ensureTemplate(st, repo, name));
        } catch (SQLException e) {
            throw new BackendException("cannot take the idle template of tier '" + name + "': " + e.getMessage(), e);
        }
    }

    /** Re-takes the idle template of a tier from the tier itself (after a migration reached the tier). */
    @Override
    public void tierMoved(RepoRef repo, String tier) {
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            synchronized (pool) { // not while the pool copies the old template
                dropTemplate(st, templateName(repo, tier));
                // the new template has a new oid: clones of the old one are never claimed and the refill drops them
                pool.watch(repo.path() + ":" + tier, ensureTemplate(st, repo, tier));
            }
        } catch (SQLException e) {
            throw new BackendException("cannot refresh the template of tier '" + tier + "': " + e.getMessage(), e);
        }
    }

    private String ensureTemplate(Statement st, RepoRef repo, String tier) throws SQLException {
        String tpl = templateName(repo, tier);
        if (databaseExists(tpl)) {
            return tpl;
        }
        try {
            st.execute("create database " + quote(tpl) + " template " + quote(physical(repo, tier)));
        } catch (SQLException e) {
            if (!"42P04".equals(e.getSQLState())) {
                throw e;
            }
        }
        st.execute("alter database " + quote(tpl) + " with allow_connections false is_template true");
        return tpl;
    }

    @Override
    public void delete(RepoRef repo, String name) {
        String db = physical(repo, name);
        Lineage lineage = lineage(db);
        if (lineage != null && lineage.protectedTier()) {
            throw new BackendException("refused to delete database branch '" + name + "': it is a protected tier;"
                    + " tiergate never deletes a tier (drop " + db + " by hand if the tier is really gone)", null);
        }
        List<String> children = children(repo, name);
        if (!children.isEmpty()) {
            throw new BackendException("refused to delete database branch '" + name + "': its children " + children
                    + " were cut from it; delete them first", null);
        }
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            st.execute("drop database if exists " + quote(db) + " with (force)");
            synchronized (pool) {
                dropTemplate(st, templateName(repo, name));
                pool.dropAll(templateName(repo, name));
            }
            st.execute("drop role if exists " + quote(roleName(db)));
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
        if (lineage == null || lineage.protectedTier() || databaseExists(templateName(repo, name)) || !databaseExists(physical(repo, parent))
                || !children(repo, name).isEmpty()) {
            BranchBackend.super.reset(repo, name, parent);
            return;
        }
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            String template = ensureTemplate(st, repo, parent);
            pool.watch(repo.path() + ":" + parent, template);
            if (!pool.swap(template, db, lineageComment(parent, false))) {
                BranchBackend.super.reset(repo, name, parent);
                return;
            }
        } catch (SQLException e) {
            throw new BackendException("cannot reset database branch '" + name + "' from '" + parent + "': " + e.getMessage(), e);
        }
        grantLogin(db);
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

    /** The database, or its login role: {@link #delete} drops the database first, so a kill can leave the role. */
    @Override
    public boolean leftOver(RepoRef repo, String name) {
        String db = physical(repo, name);
        if (databaseExists(db)) {
            return true;
        }
        try (Connection c = admin.getConnection(); PreparedStatement ps = c.prepareStatement("select 1 from pg_roles where rolname = ?")) {
            ps.setString(1, roleName(db));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new BackendException("cannot look for database branch " + db + "'s login: " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> list(RepoRef repo) {
        String prefix = prefix(repo);
        List<String> out = new ArrayList<>();
        try (Connection c = admin.getConnection();
             PreparedStatement ps = c.prepareStatement("select datname from pg_database where datname like ? and not datistemplate order by datname")) {
            ps.setString(1, prefix.replace("_", "\\_") + "%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1).substring(prefix.length());
                    if (!name.startsWith("_")) { // "_pool_…": a ready clone, not a branch (branch names never start with _)
                        out.add(name);
                    }
                }
            }
        } catch (SQLException e) {
            throw new BackendException("cannot list database branches: " + e.getMessage(), e);
        }
        return out;
    }

    /** {@code pg_database_size} of each branch database, in one query. */
    @Override
    public java.util.Map<String, Long> sizes(RepoRef repo) {
        String prefix = prefix(repo);
        java.util.Map<String, Long> out = new java.util.LinkedHashMap<>();
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
        return new BranchConnection(host, port, db, roleName(db), rolePassword(db));
    }

    @Override
    public BranchConnection adminConnection(RepoRef repo, String name) {
        return new BranchConnection(host, port, physical(repo, name), adminUser, adminPassword);
    }

    /**
     * A copy of the branch as it is now. CREATE DATABASE … TEMPLATE needs the source idle, so other sessions on it
     * are ended first: on this backend a tier's clients are disconnected for the moment of the copy.
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
            throw new BackendException("cannot restore '" + name + "' from '" + snapshot + "': there is no such snapshot", null);
        }
        Lineage lineage = lineage(target);
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            st.execute("drop database if exists " + quote(target) + " with (force)");
        } catch (SQLException e) {
            throw new BackendException("cannot restore '" + name + "': " + e.getMessage(), e);
        }
        copyIdle(copy, target);
        if (lineage != null) {
            describe(target, lineage.parent(), lineage.protectedTier());
        }
        grantLogin(target);
        if (databaseExists(templateName(repo, name))) {
            tierMoved(repo, name);
        }
    }

    private void copyIdle(String source, String target) {
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            for (int attempt = 0; ; attempt++) {
                try (PreparedStatement kick = c.prepareStatement(
                        "select pg_terminate_backend(pid) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()")) {
                    kick.setString(1, source);
                    kick.execute();
                }
                try {
                    st.execute("create database " + quote(target) + " template " + quote(source));
                    return;
                } catch (SQLException e) {
                    if (!"55006".equals(e.getSQLState()) || attempt >= 3) { // 55006: source in use by another session
                        throw e;
                    }
                }
            }
        } catch (SQLException e) {
            throw new BackendException("cannot copy database '" + source + "' to '" + target + "': " + e.getMessage(), e);
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
    public java.util.Map<String, Integer> readyClones() {
        return pool.enabled() ? pool.ready() : java.util.Map.of();
    }

    private void describe(String db, String parent, boolean tier) {
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            String comment = lineageComment(parent, tier);
            st.execute("comment on database " + quote(db) + " is '" + comment.replace("'", "''") + "'");
        } catch (SQLException e) {
            throw new BackendException("cannot record the lineage of database branch " + db + ": " + e.getMessage(), e);
        }
    }

    private Lineage lineage(String db) {
        try (Connection c = admin.getConnection();
             PreparedStatement ps = c.prepareStatement("select shobj_description(oid, 'pg_database') from pg_database where datname = ?")) {
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
        try (Connection c = admin.getConnection(); PreparedStatement ps = c.prepareStatement(
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
     * The branch's own login: may connect to this database only (CONNECT is taken from PUBLIC), and read and write
     * its data (pg_read_all_data, pg_write_all_data); schema changes are tiergate's, through migrations.
     */
    private void grantLogin(String db) {
        String role = roleName(db);
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            String password = rolePassword(db).replace("'", "''");
            try {
                st.execute("create role " + quote(role) + " login password '" + password + "'");
            } catch (SQLException e) {
                if (!"42710".equals(e.getSQLState())) { // duplicate_object: made by an earlier attempt
                    throw e;
                }
                st.execute("alter role " + quote(role) + " login password '" + password + "'");
            }
            st.execute("revoke connect, temporary on database " + quote(db) + " from public");
            st.execute("grant connect, temporary on database " + quote(db) + " to " + quote(role));
            if (dataRoles == null) {
                try (ResultSet rs = st.executeQuery("select current_setting('server_version_num')::int >= 140000")) {
                    rs.next();
                    dataRoles = rs.getBoolean(1);
                }
            }
            if (dataRoles) {
                st.execute("grant pg_read_all_data, pg_write_all_data to " + quote(role));
            } else {
                grantInside(db, role);
            }
        } catch (SQLException e) {
            throw new BackendException("cannot give database branch " + db + " its login: " + e.getMessage(), e);
        }
    }

    /**
     * Before PostgreSQL 14 there are no pg_read_all_data / pg_write_all_data roles: the same rights granted inside the
     * branch's database on what is there, and, by default privileges, on what tiergate's migrations create later.
     */
    private void grantInside(String db, String role) throws SQLException {
        try (Connection c = java.sql.DriverManager.getConnection(jdbcBase + db, adminUser, adminPassword); Statement st = c.createStatement();
             ResultSet schemas = c.createStatement().executeQuery(
                     "select nspname from pg_namespace where nspname not like 'pg\\_%' and nspname <> 'information_schema'")) {
            java.util.List<String> names = new java.util.ArrayList<>();
            while (schemas.next()) {
                names.add(schemas.getString(1));
            }
            for (String schema : names) {
                String q = quote(schema);
                st.execute("grant usage on schema " + q + " to " + quote(role));
                st.execute("grant select, insert, update, delete on all tables in schema " + q + " to " + quote(role));
                st.execute("grant usage, select, update on all sequences in schema " + q + " to " + quote(role));
                st.execute("alter default privileges in schema " + q + " grant select, insert, update, delete on tables to " + quote(role));
                st.execute("alter default privileges in schema " + q + " grant usage, select, update on sequences to " + quote(role));
            }
        }
    }

    private static String roleName(String db) {
        return fit(db + "_login");
    }

    private String rolePassword(String db) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(roleSecret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(db.getBytes(StandardCharsets.UTF_8))).substring(0, 32);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
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

    private static String quote(String ident) {
        return "\"" + ident.replace("\"", "\"\"") + "\"";
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
