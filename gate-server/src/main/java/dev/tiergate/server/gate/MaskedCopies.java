package dev.tiergate.server.gate;

import dev.tiergate.core.masking.MaskingMethod;
import dev.tiergate.core.masking.MaskingSql;
import dev.tiergate.core.naming.DbBranchName;
import dev.tiergate.core.policy.Masking;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.server.audit.AuditKind;
import dev.tiergate.server.audit.AuditTrail;
import dev.tiergate.server.backend.BackendException;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.backend.MigrationSession;
import dev.tiergate.server.backend.RunLimits;
import dev.tiergate.server.migrate.FlywayRunner;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.MigrationStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Production-like data without personal data. A tier the policy's {@code masking} names as a source (the root tier
 * by default) is never copied for anyone else: a child tier, a working branch, a PR's {@code ci-pr-<N>} is made from
 * the source's masked copy, {@code <tier>-masked-<n>}. The copy is made once per refresh — when first
 * needed, when the rules change, after a merge moved the source — by copying the tier, masking every ruled column in
 * SQL (or by the backend itself, Neon's anonymized branches), and verifying each rule with a sample; only then is it
 * used. A refresh that fails keeps the last good copy in use; with none, no copy is handed out ({@code
 * masking.failed}, naming the rule and the column). Nothing but tiergate reaches a masked copy.
 */
final class MaskedCopies {
    /** How long masking one copy may run. */
    static final Duration DEADLINE = Duration.ofMinutes(30);
    /** Originals sampled per rule before masking, none of which may remain after it. */
    static final int SAMPLE = 20;

    private final BranchBackend backend;
    private final MigrationStore store;
    private final AuditTrail audit;
    /** The database branch names the repository's tracked branches hold: a masked copy never takes or drops one. */
    private final java.util.function.Function<RepoRef, java.util.Set<String>> inUse;

    MaskedCopies(
            BranchBackend backend,
            MigrationStore store,
            AuditTrail audit,
            java.util.function.Function<RepoRef, java.util.Set<String>> inUse) {
        this.inUse = inUse;
        this.backend = backend;
        this.store = store;
        this.audit = audit;
    }

    /** No masked copy of a source tier can be handed out: why, with the rule and the column. */
    static final class Unavailable extends BackendException {
        private static final long serialVersionUID = 1L;
        private final String failure;

        Unavailable(String tier, String failure) {
            super(
                    "tier " + tier + " is masked (masking in .tiergate/policy.yaml) and has no good masked copy, so no"
                            + " copy of it is handed out: " + failure + " [" + Rule.MASKING_FAILED.id() + "]",
                    null);
            this.failure = failure;
        }

        /** What failed: the rule and the column, or that the first masking has not finished. */
        String failure() {
            return failure;
        }
    }

    /**
     * What to copy when a branch is made from {@code parentDb}: {@code parentDb} itself, or, when the policy masks
     * it, its masked copy (made first when there is none, or the rules changed).
     *
     * @throws Unavailable when the tier is masked and no good copy can be had
     */
    String copyFrom(RepoRef repo, Policy policy, String parentDb) {
        Optional<Tier> source = source(policy, parentDb);
        if (source.isEmpty()) {
            waitingForItsSource(repo, policy, parentDb);
            return parentDb;
        }
        MigrationStore.MaskedCopy m = store.maskedCopy(repo, parentDb);
        String wanted = fingerprint(policy.masking().rules());
        boolean current = m.copyDb() != null && wanted.equals(m.rulesFingerprint()) && backend.exists(repo, m.copyDb());
        // a refresh that failed with these very rules is not tried again on every branch made; new rules, or a merge
        // that moved the tier (sourceMoved), try again
        boolean failedAlready = m.failedAt() != null
                && wanted.equals(m.failedRules())
                && (m.madeAt() == null || m.failedAt().isAfter(m.madeAt()));
        if (!current && !failedAlready) {
            refresh(repo, policy, source.get());
            m = store.maskedCopy(repo, parentDb);
        }
        if (m.copyDb() == null || !backend.exists(repo, m.copyDb())) {
            throw new Unavailable(
                    source.get().name(), m.failure() == null ? "its first masking has not finished" : m.failure());
        }
        return m.copyDb();
    }

    /**
     * A tier below a masked source that does not exist yet was not made for want of a masked copy: a branch of it
     * cannot be made either, and says why (rather than that its parent is missing).
     */
    private void waitingForItsSource(RepoRef repo, Policy policy, String db) {
        Optional<Tier> tier = policy.tiers().stream()
                .filter(t -> DbBranchName.of(t.name()).equals(db))
                .findFirst();
        if (tier.isEmpty() || !masksDataOf(policy, tier.get()) || backend.exists(repo, db)) {
            return;
        }
        for (Optional<Tier> t = tier;
                t.isPresent();
                t = t.get().parent() == null
                        ? Optional.empty()
                        : policy.tier(t.get().parent())) {
            if (policy.masksCopiesOf(t.get().name())) {
                MigrationStore.MaskedCopy m =
                        store.maskedCopy(repo, DbBranchName.of(t.get().name()));
                if (m.copyDb() == null) {
                    throw new Unavailable(
                            t.get().name(), m.failure() == null ? "its first masking has not finished" : m.failure());
                }
                return;
            }
        }
    }

    /** Whether PRs into {@code tier} touch masked data: the tier is a masking source or descends from one. */
    boolean masksDataOf(Policy policy, Tier tier) {
        if (policy.masking() == null) {
            return false;
        }
        for (Optional<Tier> t = Optional.of(tier);
                t.isPresent();
                t = t.get().parent() == null
                        ? Optional.empty()
                        : policy.tier(t.get().parent())) {
            if (policy.masksCopiesOf(t.get().name())) {
                return true;
            }
        }
        return false;
    }

    /** After a merge moved {@code tier}: its masked copy is made again, when the policy masks it. */
    void sourceMoved(RepoRef repo, Policy policy, Tier tier) {
        if (policy.masksCopiesOf(tier.name())) {
            refresh(repo, policy, tier);
        }
    }

    private static Optional<Tier> source(Policy policy, String db) {
        if (db == null || policy.masking() == null) {
            return Optional.empty();
        }
        return policy.tiers().stream()
                .filter(t -> DbBranchName.of(t.name()).equals(db) && policy.masksCopiesOf(t.name()))
                .findFirst();
    }

    /**
     * Makes the source tier's masked copy again into the slot not in use, and switches to it once every rule is
     * verified; a failure removes the attempt, keeps the last good copy, and is recorded with the rule and column.
     */
    void refresh(RepoRef repo, Policy policy, Tier tier) {
        String sourceDb = DbBranchName.of(tier.name());
        MigrationStore.MaskedCopy m = store.maskedCopy(repo, sourceDb);
        // a git branch may map to a name of this form (a type whose pattern is "*"): its database is never taken
        java.util.Set<String> taken = inUse.apply(repo);
        long n = number(m.copyDb(), sourceDb) + 1;
        while (taken.contains(sourceDb + "-masked-" + n)) {
            n++;
        }
        String attempt = sourceDb + "-masked-" + n;
        List<Masking.Rule> rules = policy.masking().rules();
        long started = System.nanoTime();
        try {
            backend.delete(repo, attempt);
            if (backend.masksCopies()) {
                backend.createMaskedCopy(repo, attempt, sourceDb, rules);
            } else {
                backend.create(repo, attempt, sourceDb);
                // bounded as a migration on the tier is: its deadline-free masking takes DEADLINE, its size the tier's
                // bound
                RunLimits limits = new RunLimits(
                        DEADLINE,
                        policy.migrations()
                                .branchSizeLimitBytes(
                                        backend.size(repo, sourceDb).orElse(0L)));
                maskInSql(repo, attempt, rules, m.salt(), limits);
            }
        } catch (RuntimeException e) {
            String why =
                    e instanceof Failed f ? f.getMessage() : "masking " + tier.name() + " failed: " + e.getMessage();
            try {
                backend.delete(repo, attempt);
            } catch (RuntimeException cleanup) {
                why += "; removing the attempt " + attempt + " failed too: " + cleanup.getMessage();
            }
            store.maskedCopyFailed(repo, sourceDb, why, fingerprint(rules));
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("tier", tier.name());
            d.put("rule", Rule.MASKING_FAILED.id());
            d.put("message", why);
            d.put("kept", m.copyDb() == null ? "" : m.copyDb());
            audit.append(AuditKind.MASKING_FAILED, repo, tier.branch(), d);
            return;
        }
        store.maskedCopyMade(repo, sourceDb, attempt, fingerprint(rules));
        for (String older : backend.list(repo)) {
            if (number(older, sourceDb) > 0 && !older.equals(attempt) && !taken.contains(older)) {
                try {
                    backend.delete(repo, older);
                } catch (RuntimeException e) {
                    // branches were cut from it: it goes with a later refresh, once they are gone
                }
            }
        }
        audit.append(
                AuditKind.MASKING_RUN,
                repo,
                tier.branch(),
                Map.of(
                        "tier",
                        tier.name(),
                        "copy",
                        attempt,
                        "rules",
                        rules.size(),
                        "ms",
                        (System.nanoTime() - started) / 1_000_000));
    }

    /** The number of masked copy {@code copyDb} of {@code sourceDb} ({@code <tier>-masked-<n>}); 0 for none. */
    static long number(String copyDb, String sourceDb) {
        String prefix = sourceDb + "-masked-";
        if (copyDb == null
                || !copyDb.startsWith(prefix)
                || !copyDb.substring(prefix.length()).matches("\\d{1,12}")) {
            return 0;
        }
        return Long.parseLong(copyDb.substring(prefix.length()));
    }

    /** A rule that could not be applied or verified: the message names it. */
    static final class Failed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failed(Masking.Rule rule, String what) {
            super("masking rule " + rule.where() + " (" + rule.method() + "): " + what);
        }

        Failed(String what) {
            super(what);
        }
    }

    /**
     * Masks the copy in one bounded run as its migration login (the same sandbox as a migration): every ruled column
     * is checked to exist, sampled, masked and checked again; the foreign keys on masked columns are taken off first
     * and put back after — put back and validated, they prove the masks still join.
     */
    private void maskInSql(RepoRef repo, String copy, List<Masking.Rule> rules, String salt, RunLimits limits) {
        try (MigrationSession session = backend.openRun(repo, copy, limits);
                Connection c = FlywayRunner.connect(session.connection())) {
            c.setAutoCommit(false);
            Map<Masking.Rule, MaskingMethod> methods = new LinkedHashMap<>();
            for (Masking.Rule r : rules) {
                MaskingMethod method = r.parsed().orElseThrow(() -> new Failed(r, "no such method"));
                columnType(c, r).orElseThrow(() -> new Failed(r, "the tier has no such column"));
                methods.put(r, method);
            }
            List<String[]> keys = foreignKeys(c, rules);
            try (Statement st = c.createStatement()) {
                for (String[] k : keys) {
                    st.execute("alter table " + k[0] + " drop constraint " + MaskingSql.ident(k[1]));
                }
            }
            Map<Masking.Rule, List<String>> samples = new LinkedHashMap<>();
            for (Masking.Rule r : rules) {
                samples.put(r, sample(c, r));
            }
            mask(c, methods, salt);
            for (Map.Entry<Masking.Rule, MaskingMethod> e : methods.entrySet()) {
                verify(c, e.getKey(), e.getValue(), samples.get(e.getKey()));
            }
            try (Statement st = c.createStatement()) {
                for (String[] k : keys) {
                    try {
                        st.execute("alter table " + k[0] + " add constraint " + MaskingSql.ident(k[1]) + " " + k[2]);
                    } catch (SQLException x) {
                        throw new Failed("foreign key " + k[1] + " on " + k[0] + " no longer holds after masking"
                                + " (SQLSTATE " + x.getSQLState() + "): mask both of its columns with the same"
                                + " deterministic method");
                    }
                }
            }
            c.commit();
            // the masked tables hold each row twice now (its old version dead): rewritten compact, every copy made
            // from this one is as cheap as a copy of the tier itself
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                for (String table : rules.stream()
                        .map(r -> MaskingSql.table(r.table()))
                        .distinct()
                        .toList()) {
                    st.execute("vacuum (full, analyze) " + table);
                }
            }
            if (session.stopped().isPresent()) {
                throw new Failed("masking the copy " + copy + " was stopped: "
                        + session.stopped().get());
            }
        } catch (SQLException e) {
            throw new Failed("masking the copy " + copy + " failed (SQLSTATE " + e.getSQLState() + ")");
        }
    }

    /**
     * Every table's ruled columns in one statement (each row written once: the copy grows by one version of the
     * table, not one per rule), then the shuffles. When a table's statement fails, its rules are tried one by one to
     * name the one PostgreSQL refuses. Only the SQLSTATE is kept: PostgreSQL's words may quote a row (a duplicate key).
     */
    private static void mask(Connection c, Map<Masking.Rule, MaskingMethod> methods, String salt) throws SQLException {
        Map<String, List<Masking.Rule>> byTable = new LinkedHashMap<>();
        methods.keySet().stream()
                .filter(r -> !(methods.get(r) instanceof MaskingMethod.Shuffle))
                .forEach(r -> byTable.computeIfAbsent(Masking.qualified(r.table()), k -> new ArrayList<>())
                        .add(r));
        for (List<Masking.Rule> rules : byTable.values()) {
            String sql = MaskingSql.updateTable(
                    rules.get(0).table(),
                    rules,
                    rules.stream().map(methods::get).toList(),
                    salt);
            try (Statement st = c.createStatement()) {
                st.execute("savepoint masking");
                st.executeUpdate(sql);
                st.execute("release savepoint masking");
            } catch (SQLException x) {
                try (Statement st = c.createStatement()) {
                    st.execute("rollback to savepoint masking");
                }
                for (Masking.Rule r : rules) {
                    one(c, r, MaskingSql.update(r, methods.get(r), salt));
                }
                throw new Failed(
                        "masking table " + rules.get(0).table() + " failed (SQLSTATE " + x.getSQLState() + ")");
            }
        }
        for (Map.Entry<Masking.Rule, MaskingMethod> e : methods.entrySet()) {
            if (e.getValue() instanceof MaskingMethod.Shuffle) {
                one(c, e.getKey(), MaskingSql.update(e.getKey(), e.getValue(), salt));
            }
        }
    }

    private static void one(Connection c, Masking.Rule r, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("savepoint rule");
            st.executeUpdate(sql);
            st.execute("release savepoint rule");
        } catch (SQLException x) {
            throw new Failed(r, "PostgreSQL refused it (SQLSTATE " + x.getSQLState() + ")");
        }
    }

    private static Optional<String> columnType(Connection c, Masking.Rule r) throws SQLException {
        String q = Masking.qualified(r.table());
        try (PreparedStatement ps = c.prepareStatement(
                "select data_type from information_schema.columns where table_schema = ? and table_name = ?"
                        + " and column_name = ?")) {
            ps.setString(1, q.substring(0, q.indexOf('.')));
            ps.setString(
                    2, r.table().contains(".") ? r.table().substring(r.table().indexOf('.') + 1) : r.table());
            ps.setString(3, r.column());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    /** The foreign keys on or to a masked column: table, name, definition. */
    private static List<String[]> foreignKeys(Connection c, List<Masking.Rule> rules) throws SQLException {
        List<String[]> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                select distinct format('%I.%I', n.nspname, t.relname), k.conname, pg_get_constraintdef(k.oid)
                from pg_constraint k
                join pg_class t on t.oid = k.conrelid
                join pg_namespace n on n.oid = t.relnamespace
                join pg_class ft on ft.oid = k.confrelid
                join pg_namespace fn on fn.oid = ft.relnamespace
                where k.contype = 'f' and (
                  exists (select 1 from unnest(k.conkey) a join pg_attribute at on at.attrelid = k.conrelid
                          and at.attnum = a where (n.nspname || '.' || t.relname || '.' || at.attname) = any(?))
                  or exists (select 1 from unnest(k.confkey) a join pg_attribute at on at.attrelid = k.confrelid
                          and at.attnum = a where (fn.nspname || '.' || ft.relname || '.' || at.attname) = any(?)))
                """)) {
            String[] columns = rules.stream().map(Masking.Rule::where).toArray(String[]::new);
            Array arr = c.createArrayOf("text", columns);
            ps.setArray(1, arr);
            ps.setArray(2, arr);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
                }
            }
        }
        return out;
    }

    private static List<String> sample(Connection c, Masking.Rule r) throws SQLException {
        List<String> out = new ArrayList<>();
        String col = MaskingSql.ident(r.column());
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select distinct " + col + "::text from " + MaskingSql.table(r.table())
                        + " where " + col + " is not null limit " + SAMPLE)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Each rule checked with a sample query: no sampled original left (or, for null and constant, only the mask). */
    private static void verify(Connection c, Masking.Rule r, MaskingMethod method, List<String> originals)
            throws SQLException {
        String col = MaskingSql.ident(r.column());
        String t = MaskingSql.table(r.table());
        if (method instanceof MaskingMethod.Null) {
            if (count(c, "select count(*) from " + t + " where " + col + " is not null", null) > 0) {
                throw new Failed(r, "values are left after masking to null");
            }
            return;
        }
        if (method instanceof MaskingMethod.Constant k) {
            if (count(
                            c,
                            "select count(*) from " + t + " where " + col + "::text <> "
                                    + MaskingSql.literal(k.value()),
                            null)
                    > 0) {
                throw new Failed(r, "values other than the constant are left");
            }
            return;
        }
        if (MaskingSql.originalsMayRemain(method) || originals.isEmpty()) {
            return;
        }
        long left = count(c, "select count(*) from " + t + " where " + col + "::text = any(?)", originals);
        if (left > 0) {
            throw new Failed(r, left + " of " + originals.size() + " sampled original values are still there");
        }
    }

    private static long count(Connection c, String sql, List<String> values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (values != null) {
                ps.setArray(1, c.createArrayOf("text", values.toArray()));
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The rules as the copy was made with them: a change of rules makes the copy again. */
    static String fingerprint(List<Masking.Rule> rules) {
        StringBuilder b = new StringBuilder();
        rules.forEach(r -> b.append(r.where()).append('=').append(r.method()).append('\n'));
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256")
                            .digest(b.toString().getBytes(StandardCharsets.UTF_8)))
                    .substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
