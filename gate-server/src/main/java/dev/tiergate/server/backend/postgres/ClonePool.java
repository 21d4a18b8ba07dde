package dev.tiergate.server.backend.postgres;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ready clones of each tier's idle template, made in the background, so a new branch is a rename (constant time)
 * rather than a copy (time that grows with the tier). A clone says in its database comment which template it was
 * copied from and that template's oid: a template re-taken after the tier moved has a new oid, so older clones are
 * never handed out and are dropped by the next refill. Clones are closed to connections until claimed; the claim
 * renames the clone, opens it and records its lineage in one transaction, so a crash leaves either a pool clone or
 * a finished branch. Several servers may share one branch server: a clone two of them try to claim goes to one
 * (the other's rename finds no such database and it takes the next).
 */
final class ClonePool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClonePool.class);
    static final String MARK = "tiergate pool ";
    private final DataSource admin;
    private final int size;
    private final ExecutorService refiller;
    /** "repo:tier" → template database, for what {@link #ready()} reports. */
    private final Map<String, String> watched = new ConcurrentHashMap<>();

    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final SecureRandom random = new SecureRandom();

    ClonePool(DataSource admin, int size) {
        this.admin = admin;
        this.size = size;
        this.refiller = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tiergate-clone-pool");
            t.setDaemon(true);
            return t;
        });
    }

    boolean enabled() {
        return size > 0;
    }

    /** Keeps {@code size} clones of {@code template} ready from now on, refilled in the background. */
    void watch(String key, String template) {
        if (!enabled()) {
            return;
        }
        watched.put(key, template);
        refillSoon(template);
    }

    void refillSoon(String template) {
        if (enabled() && queued.add(template)) {
            try {
                refiller.execute(() -> {
                    queued.remove(template);
                    try {
                        refill(template);
                    } catch (SQLException | RuntimeException e) {
                        LOG.warn(
                                "clone pool of {}: {} (tried again at the next claim or tier change)",
                                template,
                                e.getMessage());
                    }
                });
            } catch (RejectedExecutionException e) {
                queued.remove(template); // closing
            }
        }
    }

    /**
     * Makes a ready clone of {@code template} the database {@code target}, with {@code lineage} as its comment.
     * False when no clone is ready (the caller copies the template instead).
     */
    boolean claim(String template, String target, String lineage) throws SQLException {
        if (!enabled()) {
            return false;
        }
        try (Connection c = admin.getConnection()) {
            for (String clone : ready(c, template)) {
                c.setAutoCommit(false);
                try (Statement st = c.createStatement()) {
                    open(st, clone, target, lineage);
                    c.commit();
                    refillSoon(template);
                    return true;
                } catch (SQLException e) {
                    c.rollback();
                    if (!"3D000".equals(e.getSQLState())) { // another server claimed this one first: take the next
                        throw e;
                    }
                } finally {
                    c.setAutoCommit(true);
                }
            }
        }
        refillSoon(template);
        return false;
    }

    /**
     * Replaces the database {@code target} with a ready clone of {@code template}, in one transaction: {@code target}
     * is renamed into a clone of no current template (a stale one, which the refill started here drops in the
     * background) and the clone takes its name, opened, with {@code lineage} as its comment. A crash leaves either
     * {@code target} as it was or the swap done. The caller waits for two renames rather than a DROP DATABASE. False
     * when no clone is ready (the caller drops and copies instead).
     */
    boolean swap(String template, String target, String lineage) throws SQLException {
        if (!enabled()) {
            return false;
        }
        try (Connection c = admin.getConnection()) {
            for (String clone : ready(c, template)) {
                String trash = PostgresBranchBackend.fit(
                        prefixOf(template) + "_pool_" + HexFormat.of().formatHex(randomBytes(6)));
                for (int attempt = 0; ; attempt++) {
                    try (PreparedStatement kick = c.prepareStatement(
                            "select pg_terminate_backend(pid) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()")) {
                        kick.setString(1, target);
                        kick.execute();
                    }
                    c.setAutoCommit(false);
                    try (Statement st = c.createStatement()) {
                        st.execute("alter database " + quote(target) + " rename to " + quote(trash));
                        st.execute("alter database " + quote(trash) + " with allow_connections false");
                        st.execute("comment on database " + quote(trash) + " is '" + MARK + "template=" + template
                                + " oid=0'");
                        open(st, clone, target, lineage);
                        c.commit();
                        refillSoon(template);
                        return true;
                    } catch (SQLException e) {
                        c.rollback();
                        if ("3D000".equals(e.getSQLState())) {
                            break; // another server claimed this clone first: take the next
                        }
                        if (!"55006".equals(e.getSQLState()) || attempt >= 3) { // 55006: a session came back to target
                            throw e;
                        }
                    } finally {
                        c.setAutoCommit(true);
                    }
                }
            }
        }
        refillSoon(template);
        return false;
    }

    /**
     * In the caller's transaction: the clone takes {@code target}'s name and opens, with {@code lineage} as its
     * comment. It was closed to PUBLIC when it was made and is again here (a clone made by an earlier version), so a
     * crash before the caller's grants leaves it open to no login.
     */
    private static void open(Statement st, String clone, String target, String lineage) throws SQLException {
        st.execute("alter database " + quote(clone) + " rename to " + quote(target));
        st.execute("revoke connect, temporary on database " + quote(target) + " from public");
        st.execute("alter database " + quote(target) + " with allow_connections true");
        st.execute("comment on database " + quote(target) + " is '" + lineage.replace("'", "''") + "'");
    }

    /** Ready clones per watched "repo:tier". */
    Map<String, Integer> ready() {
        Map<String, Integer> out = new LinkedHashMap<>();
        try (Connection c = admin.getConnection()) {
            for (Map.Entry<String, String> w : watched.entrySet()) {
                out.put(w.getKey(), ready(c, w.getValue()).size());
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot count ready clones: " + e.getMessage(), e);
        }
        return out;
    }

    /** Drops every clone of {@code template}, current or stale (the template itself is going away). */
    synchronized void dropAll(String template) throws SQLException {
        try (Connection c = admin.getConnection();
                Statement st = c.createStatement()) {
            for (String clone : clonesOf(c, template, null)) {
                st.execute("drop database if exists " + quote(clone) + " with (force)");
            }
        }
    }

    /** Drops clones of an earlier copy of the template, then copies it until {@code size} are ready. */
    synchronized void refill(String template) throws SQLException {
        try (Connection c = admin.getConnection();
                Statement st = c.createStatement()) {
            long oid = templateOid(c, template);
            if (oid < 0) {
                return;
            }
            List<String> current = new ArrayList<>();
            for (String clone : clonesOf(c, template, null)) {
                if (clone.endsWith("\n" + oid)) {
                    current.add(clone);
                } else {
                    st.execute("drop database if exists " + quote(clone.substring(0, clone.indexOf('\n')))
                            + " with (force)");
                }
            }
            for (int n = current.size(); n < size; n++) {
                String clone = PostgresBranchBackend.fit(
                        prefixOf(template) + "_pool_" + HexFormat.of().formatHex(randomBytes(6)));
                st.execute("create database " + quote(clone) + " template " + quote(template)
                        + " allow_connections false");
                st.execute("revoke all on database " + quote(clone) + " from public");
                st.execute("comment on database " + quote(clone) + " is '" + MARK + "template=" + template + " oid="
                        + oid + "'");
            }
        }
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** Ready clones of the template as it is now, by name. */
    private static List<String> ready(Connection c, String template) throws SQLException {
        long oid = templateOid(c, template);
        List<String> out = new ArrayList<>();
        if (oid < 0) {
            return out;
        }
        for (String clone : clonesOf(c, template, oid)) {
            out.add(clone);
        }
        return out;
    }

    /** Clones of the template: with {@code oid}, names of those of that copy; without, "name\noid" of all of them. */
    private static List<String> clonesOf(Connection c, String template, Long oid) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "select datname, shobj_description(oid, 'pg_database') from pg_database where datname like ? order by datname")) {
            ps.setString(1, prefixOf(template).replace("_", "\\_") + "\\_pool\\_%");
            try (ResultSet rs = ps.executeQuery()) {
                String mark = MARK + "template=" + template + " oid=";
                while (rs.next()) {
                    String comment = rs.getString(2);
                    if (comment == null || !comment.startsWith(mark)) {
                        continue;
                    }
                    String cloneOid = comment.substring(mark.length());
                    if (oid == null) {
                        out.add(rs.getString(1) + "\n" + cloneOid);
                    } else if (cloneOid.equals(Long.toString(oid))) {
                        out.add(rs.getString(1));
                    }
                }
            }
        }
        return out;
    }

    private static long templateOid(Connection c, String template) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("select oid from pg_database where datname = ? and datistemplate")) {
            ps.setString(1, template);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    /** The repository prefix a template's name starts with ({@code tg_<8 hex>_}). */
    static String prefixOf(String template) {
        return template.substring(0, "tg_".length() + 8 + 1);
    }

    private static String quote(String ident) {
        return "\"" + ident.replace("\"", "\"\"") + "\"";
    }

    @Override
    public void close() {
        refiller.shutdownNow();
        try {
            refiller.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
