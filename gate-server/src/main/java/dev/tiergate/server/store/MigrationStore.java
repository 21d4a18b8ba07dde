package dev.tiergate.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.core.gate.RehearsalEvidence;
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
 * What the server keeps about migrations: each open PR's last rehearsal and its evidence, the reviews asked for it,
 * held tiers, tier snapshots.
 */
public final class MigrationStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final DataSource ds;

    public MigrationStore(DataSource ds) {
        this.ds = ds;
    }

    /** A PR's last rehearsal; {@code detail}: a failure's whole text, for the dashboard only (may be null). */
    public record Rehearsal(
            long pr,
            String headSha,
            String baseSha,
            String baseTier,
            boolean ok,
            String rule,
            List<String> versions,
            String detail) {
        public Rehearsal(
                long pr,
                String headSha,
                String baseSha,
                String baseTier,
                boolean ok,
                String rule,
                List<String> versions) {
            this(pr, headSha, baseSha, baseTier, ok, rule, versions, null);
        }
    }

    public record Held(String tier, Long pr, String reason, String snapshot) {}

    public Optional<Rehearsal> rehearsal(RepoRef repo, long pr) {
        return rehearsals(repo, "and pr_number = ?", pr).stream().findFirst();
    }

    /** The last rehearsals of the other PRs into {@code baseTier}. */
    public List<Rehearsal> rehearsalsInto(RepoRef repo, String baseTier, long except) {
        return rehearsals(repo, "and base_tier = ? and pr_number <> ?", baseTier, except);
    }

    public void saveRehearsal(RepoRef repo, Rehearsal r) {
        saveRehearsal(repo, r, null);
    }

    /** The rehearsal and what it measured, in one row: evidence is never of another head than its rehearsal. */
    public void saveRehearsal(RepoRef repo, Rehearsal r, RehearsalEvidence evidence) {
        String json;
        try {
            json = evidence == null ? null : JSON.writeValueAsString(evidence);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        update(
                """
                insert into rehearsals (forge, repo, pr_number, head_sha, base_sha, base_tier, ok, rule, versions, detail, updated_at, evidence)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), ?)
                on conflict (forge, repo, pr_number) do update set head_sha = excluded.head_sha, base_sha = excluded.base_sha,
                  base_tier = excluded.base_tier, ok = excluded.ok, rule = excluded.rule, versions = excluded.versions,
                  detail = excluded.detail, updated_at = now(), evidence = excluded.evidence""",
                repo.forge(),
                repo.path(),
                r.pr(),
                r.headSha(),
                r.baseSha(),
                r.baseTier(),
                r.ok(),
                r.rule(),
                String.join(",", r.versions()),
                r.detail() == null
                        ? null
                        : r.detail().length() > 4000 ? r.detail().substring(0, 4000) : r.detail(),
                json);
    }

    /** What PR {@code pr}'s last rehearsal measured; empty before its first rehearsal. */
    public Optional<RehearsalEvidence> evidence(RepoRef repo, long pr) {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select evidence from rehearsals where forge = ? and repo = ? and pr_number = ?")) {
            ps.setString(1, repo.forge());
            ps.setString(2, repo.path());
            ps.setLong(3, pr);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getString(1) == null) {
                    return Optional.empty();
                }
                return Optional.of(JSON.readValue(rs.getString(1), RehearsalEvidence.class));
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new StoreException("reading the evidence of PR #" + pr, e);
        }
    }

    /**
     * Records that tiergate asked for {@code reviewers} on PR {@code pr}'s head {@code headSha}; false when it had
     * asked already (the forge is asked once per head).
     */
    public boolean reviewRequested(RepoRef repo, long pr, String headSha, String reviewers) {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        insert into review_requests (forge, repo, pr_number, head_sha, reviewers) values (?, ?, ?, ?, ?)
                        on conflict do nothing""")) {
            ps.setString(1, repo.forge());
            ps.setString(2, repo.path());
            ps.setLong(3, pr);
            ps.setString(4, headSha);
            ps.setString(5, reviewers);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException("recording a review request on PR #" + pr, e);
        }
    }

    /** Takes back {@link #reviewRequested}: the forge refused, so the next judgement asks again. */
    public void reviewNotRequested(RepoRef repo, long pr, String headSha, String reviewers) {
        update(
                "delete from review_requests where forge = ? and repo = ? and pr_number = ? and head_sha = ? and reviewers = ?",
                repo.forge(),
                repo.path(),
                pr,
                headSha,
                reviewers);
    }

    public void forgetRehearsal(RepoRef repo, long pr) {
        update("delete from rehearsals where forge = ? and repo = ? and pr_number = ?", repo.forge(), repo.path(), pr);
    }

    /** The PR ended: the reviews asked for it are history (the audit trail keeps them). */
    public void forgetReviewRequests(RepoRef repo, long pr) {
        update(
                "delete from review_requests where forge = ? and repo = ? and pr_number = ?",
                repo.forge(),
                repo.path(),
                pr);
    }

    public Optional<Held> held(RepoRef repo, String tier) {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select tier, pr_number, reason, snapshot from held_tiers where forge = ? and repo = ? and tier = ?")) {
            ps.setString(1, repo.forge());
            ps.setString(2, repo.path());
            ps.setString(3, tier);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                long pr = rs.getLong(2);
                return Optional.of(
                        new Held(rs.getString(1), rs.wasNull() ? null : pr, rs.getString(3), rs.getString(4)));
            }
        } catch (SQLException e) {
            throw new StoreException("reading held tier " + tier, e);
        }
    }

    public void hold(RepoRef repo, String tier, Long pr, String reason, String snapshot) {
        update("""
                insert into held_tiers (forge, repo, tier, pr_number, reason, snapshot) values (?, ?, ?, ?, ?, ?)
                on conflict (forge, repo, tier) do update set pr_number = excluded.pr_number, reason = excluded.reason,
                  snapshot = excluded.snapshot, held_at = now()""", repo.forge(), repo.path(), tier, pr, reason, snapshot);
    }

    public void release(RepoRef repo, String tier) {
        update("delete from held_tiers where forge = ? and repo = ? and tier = ?", repo.forge(), repo.path(), tier);
    }

    public void snapshotTaken(RepoRef repo, String tier, String release, String dbBranch) {
        update(
                "insert into tier_snapshots (forge, repo, tier, release, db_branch) values (?, ?, ?, ?, ?) on conflict do nothing",
                repo.forge(),
                repo.path(),
                tier,
                release,
                dbBranch);
    }

    public Optional<String> snapshot(RepoRef repo, String tier, String release) {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select db_branch from tier_snapshots where forge = ? and repo = ? and tier = ? and release = ?")) {
            ps.setString(1, repo.forge());
            ps.setString(2, repo.path());
            ps.setString(3, tier);
            ps.setString(4, release);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StoreException("reading snapshots of " + tier, e);
        }
    }

    private List<Rehearsal> rehearsals(RepoRef repo, String where, Object... args) {
        List<Rehearsal> out = new ArrayList<>();
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select pr_number, head_sha, base_sha, base_tier, ok, rule, versions, detail from rehearsals where forge = ? and repo = ? "
                                + where + " order by pr_number")) {
            ps.setString(1, repo.forge());
            ps.setString(2, repo.path());
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 3, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String v = rs.getString(7);
                    out.add(new Rehearsal(
                            rs.getLong(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getBoolean(5),
                            rs.getString(6),
                            v == null || v.isEmpty() ? List.of() : List.of(v.split(",")),
                            rs.getString(8)));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("reading rehearsals", e);
        }
        return out;
    }

    /** A tier held for a drift of its privileges: what drifted, in words. */
    public Optional<String> drifted(RepoRef repo, String tier) {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select detail from permission_drift where forge = ? and repo = ? and tier = ?")) {
            ps.setString(1, repo.forge());
            ps.setString(2, repo.path());
            ps.setString(3, tier);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StoreException("reading permission drift", e);
        }
    }

    /** Records (or updates) a tier's drift; true when it is new or changed. */
    public boolean drift(RepoRef repo, String tier, String detail) {
        if (drifted(repo, tier).filter(detail::equals).isPresent()) {
            return false;
        }
        update("""
                insert into permission_drift (forge, repo, tier, detail) values (?, ?, ?, ?)
                on conflict (forge, repo, tier) do update set detail = excluded.detail, found_at = now()""", repo.forge(), repo.path(), tier, detail);
        return true;
    }

    /** The tier's privileges are as the policy says again; true when a drift was recorded. */
    public boolean driftCleared(RepoRef repo, String tier) {
        if (drifted(repo, tier).isEmpty()) {
            return false;
        }
        update(
                "delete from permission_drift where forge = ? and repo = ? and tier = ?",
                repo.forge(),
                repo.path(),
                tier);
        return true;
    }

    /** What became of a merged PR's migrations on its tier (the one answer {@code tiergate wait} polls). */
    public record MergeOutcome(
            long pr, String headBranch, String headSha, String baseTier, String migration, String detail) {
        public static final String PENDING = "pending";
        public static final String APPLIED = "applied";
        public static final String NOTHING = "nothing";
        public static final String FAILED = "failed";
        public static final String HELD = "held";

        public boolean settled() {
            return !migration.equals(PENDING);
        }
    }

    /** A merge was seen: its migrations are pending on {@code baseTier} until the tier's run says otherwise. */
    public void merged(RepoRef repo, long pr, String headBranch, String headSha, String baseTier) {
        update("""
                insert into merge_outcomes (forge, repo, pr_number, head_branch, head_sha, base_tier, migration)
                values (?, ?, ?, ?, ?, ?, 'pending') on conflict (forge, repo, pr_number) do nothing""", repo.forge(), repo.path(), pr, headBranch, headSha, baseTier);
    }

    /** The tier's run for merged PR {@code pr} ended: {@code migration} is one of {@link MergeOutcome}'s words. */
    public void mergeMigrated(RepoRef repo, long pr, String migration, String detail) {
        // a run retried after it applied finds nothing pending: that never overwrites what it did
        update(
                "update merge_outcomes set migration = ?, detail = ?, updated_at = now() where forge = ? and repo = ?"
                        + " and pr_number = ? and (migration = 'pending' or ? <> 'nothing')",
                migration,
                detail,
                repo.forge(),
                repo.path(),
                pr,
                migration);
    }

    public Optional<MergeOutcome> mergeOutcome(RepoRef repo, long pr) {
        return mergeOutcomes(repo, "pr_number = ?", pr).stream().findFirst();
    }

    /** The merged PRs from {@code headBranch}, the newest first. */
    public List<MergeOutcome> mergeOutcomes(RepoRef repo, String headBranch) {
        return mergeOutcomes(repo, "head_branch = ?", headBranch);
    }

    private List<MergeOutcome> mergeOutcomes(RepoRef repo, String where, Object arg) {
        List<MergeOutcome> out = new ArrayList<>();
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select pr_number, head_branch, head_sha, base_tier, migration, detail from merge_outcomes"
                                + " where forge = ? and repo = ? and " + where + " order by pr_number desc")) {
            ps.setString(1, repo.forge());
            ps.setString(2, repo.path());
            ps.setObject(3, arg);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new MergeOutcome(
                            rs.getLong(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5),
                            rs.getString(6)));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("reading merge outcomes", e);
        }
        return out;
    }

    /**
     * A source tier's masked copy: the salt its masks are keyed by, the last good copy (null: none yet) and the rules
     * it was made with, and the last refresh that failed.
     */
    public record MaskedCopy(
            String sourceTier,
            String salt,
            String copyDb,
            String rulesFingerprint,
            java.time.Instant madeAt,
            java.time.Instant failedAt,
            String failure,
            String failedRules) {}

    /** The source tier's masked copy, its row made (with a new random salt) the first time it is asked for. */
    public MaskedCopy maskedCopy(RepoRef repo, String sourceTier) {
        byte[] salt = new byte[16];
        new java.security.SecureRandom().nextBytes(salt);
        update(
                "insert into masked_copies (forge, repo, source_tier, salt) values (?, ?, ?, ?) on conflict do nothing",
                repo.forge(),
                repo.path(),
                sourceTier,
                java.util.HexFormat.of().formatHex(salt));
        return maskedCopies(repo).stream()
                .filter(m -> m.sourceTier().equals(sourceTier))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("the masked copy of " + sourceTier + " vanished"));
    }

    public void maskedCopyMade(RepoRef repo, String sourceTier, String copyDb, String rulesFingerprint) {
        update(
                "update masked_copies set copy_db = ?, rules_fingerprint = ?, made_at = now(), failed_at = null,"
                        + " failure = null where forge = ? and repo = ? and source_tier = ?",
                copyDb,
                rulesFingerprint,
                repo.forge(),
                repo.path(),
                sourceTier);
    }

    public void maskedCopyFailed(RepoRef repo, String sourceTier, String failure, String rulesFingerprint) {
        update(
                "update masked_copies set failed_at = now(), failure = ?, failed_rules = ? where forge = ? and repo = ?"
                        + " and source_tier = ?",
                failure,
                rulesFingerprint,
                repo.forge(),
                repo.path(),
                sourceTier);
    }

    public List<MaskedCopy> maskedCopies(RepoRef repo) {
        List<MaskedCopy> out = new ArrayList<>();
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select source_tier, salt, copy_db, rules_fingerprint, made_at, failed_at, failure, failed_rules"
                                + " from masked_copies where forge = ? and repo = ? order by source_tier")) {
            ps.setString(1, repo.forge());
            ps.setString(2, repo.path());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    java.sql.Timestamp made = rs.getTimestamp(5);
                    java.sql.Timestamp failed = rs.getTimestamp(6);
                    out.add(new MaskedCopy(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            made == null ? null : made.toInstant(),
                            failed == null ? null : failed.toInstant(),
                            rs.getString(7),
                            rs.getString(8)));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("reading masked copies", e);
        }
        return out;
    }

    private void update(String sql, Object... args) {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("writing migration state", e);
        }
    }
}
