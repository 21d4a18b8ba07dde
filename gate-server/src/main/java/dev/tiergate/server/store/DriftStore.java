package dev.tiergate.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.core.drift.DriftFinding;
import dev.tiergate.server.repo.RepoRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Each tier's drift as the last pass found it, and the findings accepted as its baseline. A pass writes its result in
 * one statement, so a pass that dies half-way leaves the last complete result.
 */
public final class DriftStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<DriftFinding>> FINDINGS = new TypeReference<>() {};
    private final DataSource ds;

    public DriftStore(DataSource ds) {
        this.ds = ds;
    }

    /** The tier's drift as last recorded; empty when no pass found any (or none ran). */
    public List<DriftFinding> drift(RepoRef repo, String tier) {
        return one(repo, tier).orElse(List.of());
    }

    /** Every tier of the repository with a recorded drift. */
    public List<String> driftedTiers(RepoRef repo) {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select tier from tier_drift where forge = ? and repo = ? and findings <> '[]' order by tier")) {
            ps.setString(1, repo.forge());
            ps.setString(2, repo.path());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("reading tier drift", e);
        }
        return out;
    }

    /** Findings per drifted tier of every repository, keyed {@code repo:tier} (for /metrics). */
    public java.util.Map<String, Integer> counts() {
        java.util.Map<String, Integer> out = new java.util.TreeMap<>();
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement("select repo, tier, findings from tier_drift");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(
                        rs.getString(1) + ":" + rs.getString(2),
                        JSON.readValue(rs.getString(3), FINDINGS).size());
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new StoreException("reading tier drift", e);
        }
        return out;
    }

    /** Records the pass's findings; returns the findings recorded before (empty: none). */
    public List<DriftFinding> record(RepoRef repo, String tier, List<DriftFinding> findings) {
        List<DriftFinding> before = drift(repo, tier);
        if (findings.isEmpty()) {
            update("delete from tier_drift where forge = ? and repo = ? and tier = ?", repo.forge(), repo.path(), tier);
        } else if (!findings.equals(before)) {
            update("""
                    insert into tier_drift (forge, repo, tier, findings) values (?, ?, ?, ?)
                    on conflict (forge, repo, tier) do update set findings = excluded.findings, checked_at = now()""", repo.forge(), repo.path(), tier, json(findings));
        }
        return before;
    }

    /** The keys of the findings accepted as the tier's baseline. */
    public List<String> accepted(RepoRef repo, String tier) {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select finding from drift_accepted where forge = ? and repo = ? and tier = ?")) {
            ps.setString(1, repo.forge());
            ps.setString(2, repo.path());
            ps.setString(3, tier);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("reading accepted drift", e);
        }
        return out;
    }

    /** Accepts {@code findings} as the tier's baseline, in one transaction with clearing the tier's recorded drift. */
    public void accept(RepoRef repo, String tier, List<DriftFinding> findings, String reason, String by) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into drift_accepted (forge, repo, tier, finding, reason, accepted_by) values (?, ?, ?, ?, ?, ?)
                    on conflict do nothing""")) {
                for (DriftFinding f : findings) {
                    ps.setString(1, repo.forge());
                    ps.setString(2, repo.path());
                    ps.setString(3, tier);
                    ps.setString(4, f.key());
                    ps.setString(5, reason);
                    ps.setString(6, by);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps =
                    c.prepareStatement("delete from tier_drift where forge = ? and repo = ? and tier = ?")) {
                ps.setString(1, repo.forge());
                ps.setString(2, repo.path());
                ps.setString(3, tier);
                ps.executeUpdate();
            }
            c.commit();
        } catch (SQLException e) {
            throw new StoreException("accepting drift of " + tier, e);
        }
    }

    /** Forgets accepted findings that no longer occur (fixed since, or changed: a changed drift is new drift). */
    public void keepAccepted(RepoRef repo, String tier, List<String> stillFound) {
        for (String key : accepted(repo, tier)) {
            if (!stillFound.contains(key)) {
                update(
                        "delete from drift_accepted where forge = ? and repo = ? and tier = ? and finding = ?",
                        repo.forge(),
                        repo.path(),
                        tier,
                        key);
            }
        }
    }

    private Optional<List<DriftFinding>> one(RepoRef repo, String tier) {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select findings from tier_drift where forge = ? and repo = ? and tier = ?")) {
            ps.setString(1, repo.forge());
            ps.setString(2, repo.path());
            ps.setString(3, tier);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(JSON.readValue(rs.getString(1), FINDINGS)) : Optional.empty();
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new StoreException("reading tier drift", e);
        }
    }

    private static String json(List<DriftFinding> findings) {
        try {
            return JSON.writeValueAsString(findings);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void update(String sql, Object... args) {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("writing tier drift", e);
        }
    }
}
