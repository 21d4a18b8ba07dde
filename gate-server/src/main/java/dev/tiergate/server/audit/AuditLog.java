package dev.tiergate.server.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.core.audit.AuditChain;
import dev.tiergate.core.audit.AuditRecord;
import dev.tiergate.server.repo.RepoRef;
import java.io.IOException;
import java.io.Writer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * The append-only, hash-chained audit trail: every delivery, transition, refusal, violation and database-branch
 * action. Appends are serialised with a transaction-scoped advisory lock so the chain has no forks even when
 * several server processes share one database.
 */
public final class AuditLog implements AuditTrail {
    private static final long CHAIN_LOCK = 0x7469657267617465L; // "tiergate"
    private static final ObjectMapper CANONICAL =
            new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    private final DataSource ds;

    public AuditLog(DataSource ds) {
        this.ds = ds;
    }

    @Override
    public void append(AuditKind kind, RepoRef repo, String subject, Map<String, ?> details) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                append(c, kind, repo, subject, details);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot append to the audit trail: " + e.getMessage(), e);
        }
    }

    /**
     * Appends inside the caller's transaction (auto-commit off), so the record is stored together with what it
     * records, or neither is. The chain lock is held until that transaction ends.
     */
    public AuditRecord append(Connection c, AuditKind kind, RepoRef repo, String subject, Map<String, ?> details)
            throws SQLException {
        String json;
        try {
            json = CANONICAL.writeValueAsString(new TreeMap<>(details));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit details must be JSON-serialisable", e);
        }
        String repoName = repo == null ? null : repo.forge() + ":" + repo.path();
        try (PreparedStatement lock = c.prepareStatement("select pg_advisory_xact_lock(?)")) {
            lock.setLong(1, CHAIN_LOCK);
            lock.execute();
        }
        AuditRecord last = null;
        try (PreparedStatement ps = c.prepareStatement("select * from audit order by seq desc limit 1");
                ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                last = map(rs);
            }
        }
        // PostgreSQL keeps microseconds: hash exactly what is stored
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        AuditRecord r =
                AuditChain.seal(last, last == null ? 1 : last.seq() + 1, at, kind.wireName(), repoName, subject, json);
        try (PreparedStatement ps = c.prepareStatement(
                "insert into audit (seq, at, kind, repo, subject, details, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, r.seq());
            ps.setTimestamp(2, Timestamp.from(r.at()));
            ps.setString(3, r.kind());
            ps.setString(4, r.repo());
            ps.setString(5, r.subject());
            ps.setString(6, r.details());
            ps.setString(7, r.prevHash());
            ps.setString(8, r.hash());
            ps.executeUpdate();
        }
        return r;
    }

    /** One record to append, for {@link #appendAll}. */
    public record Entry(AuditKind kind, RepoRef repo, String subject, Map<String, ?> details) {}

    /**
     * Appends several records inside the caller's transaction with one chain lock, one read of the head and one
     * batch of inserts (the inbox's group commit: the round trips no longer grow with the group).
     */
    public List<AuditRecord> appendAll(Connection c, List<Entry> entries) throws SQLException {
        List<AuditRecord> out = new ArrayList<>(entries.size());
        if (entries.isEmpty()) {
            return out;
        }
        try (PreparedStatement lock = c.prepareStatement("select pg_advisory_xact_lock(?)")) {
            lock.setLong(1, CHAIN_LOCK);
            lock.execute();
        }
        AuditRecord last = null;
        try (PreparedStatement ps = c.prepareStatement("select * from audit order by seq desc limit 1");
                ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                last = map(rs);
            }
        }
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        try (PreparedStatement ps = c.prepareStatement(
                "insert into audit (seq, at, kind, repo, subject, details, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (Entry e : entries) {
                String json;
                try {
                    json = CANONICAL.writeValueAsString(new TreeMap<>(e.details()));
                } catch (JsonProcessingException x) {
                    throw new IllegalArgumentException("audit details must be JSON-serialisable", x);
                }
                String repoName = e.repo() == null
                        ? null
                        : e.repo().forge() + ":" + e.repo().path();
                AuditRecord r = AuditChain.seal(
                        last, last == null ? 1 : last.seq() + 1, at, e.kind().wireName(), repoName, e.subject(), json);
                ps.setLong(1, r.seq());
                ps.setTimestamp(2, Timestamp.from(r.at()));
                ps.setString(3, r.kind());
                ps.setString(4, r.repo());
                ps.setString(5, r.subject());
                ps.setString(6, r.details());
                ps.setString(7, r.prevHash());
                ps.setString(8, r.hash());
                ps.addBatch();
                out.add(r);
                last = r;
            }
            ps.executeBatch();
        }
        return out;
    }

    /** seq and hash of the last record, or empty for an empty trail. */
    public Optional<String[]> head() {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement("select seq, hash from audit order by seq desc limit 1");
                ResultSet rs = ps.executeQuery()) {
            return rs.next()
                    ? Optional.of(new String[] {Long.toString(rs.getLong(1)), rs.getString(2)})
                    : Optional.empty();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the audit trail: " + e.getMessage(), e);
        }
    }

    /** False on a database tiergate's server never migrated (a wrong TIERGATE_DB_URL). */
    public boolean hasTable() {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement("select to_regclass('audit') is not null");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the audit trail: " + e.getMessage(), e);
        }
    }

    public List<AuditRecord> all() {
        List<AuditRecord> out = new ArrayList<>();
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement("select * from audit order by seq");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(map(rs));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the audit trail: " + e.getMessage(), e);
        }
        return out;
    }

    /** The first broken record, named, or empty when every record is intact. */
    public Optional<String> verify() {
        return AuditChain.firstBreak(all());
    }

    /** Writes one JSON object per line, oldest first. Returns the number of records. */
    public int exportJsonLines(Writer out) throws IOException {
        int n = 0;
        for (AuditRecord r : all()) {
            ObjectNode o = CANONICAL.createObjectNode();
            o.put("seq", r.seq());
            o.put("at", r.at().toString());
            o.put("kind", r.kind());
            o.put("repo", r.repo());
            o.put("subject", r.subject());
            o.set("details", CANONICAL.readTree(r.details()));
            o.put("prev_hash", r.prevHash());
            o.put("hash", r.hash());
            out.write(CANONICAL.writeValueAsString(o));
            out.write('\n');
            n++;
        }
        out.flush();
        return n;
    }

    private static AuditRecord map(ResultSet rs) throws SQLException {
        return new AuditRecord(
                rs.getLong("seq"),
                rs.getTimestamp("at").toInstant(),
                rs.getString("kind"),
                rs.getString("repo"),
                rs.getString("subject"),
                rs.getString("details"),
                rs.getString("prev_hash"),
                rs.getString("hash"));
    }
}
