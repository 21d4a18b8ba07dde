package dev.tiergate.server.store;

import dev.tiergate.server.audit.AuditKind;
import dev.tiergate.server.audit.AuditLog;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * API tokens per actor ({@code tiergate token create | list | revoke}): a token is {@code tg_} and 32 random bytes
 * (base64url), shown once when it is made; the store keeps its SHA-256 and what it is for (the actor, optionally one
 * repository, an expiry). A request's token is found by the hash of what it sent, among tokens neither revoked nor
 * expired: nothing compares the token's own bytes, and an unknown, a revoked and an expired token are all "none". Each
 * token made or revoked is an audit record, in the same transaction, naming the actor and who did it, never the token.
 */
public final class ApiTokenStore {
    public static final String PREFIX = "tg_";
    public static final Duration LONGEST = Duration.ofDays(365);
    private static final Pattern ACTOR = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+\\[\\]-]{0,99}");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_.-]{1,100}");
    private static final Pattern LIFETIME = Pattern.compile("([0-9]{1,4})([hd])");
    private static final String COLUMNS = "id, actor, repo, created_at, created_by, expires_at, revoked_at, revoked_by";
    private final DataSource ds;
    private final AuditLog audit;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public ApiTokenStore(DataSource ds, AuditLog audit, Clock clock) {
        this.ds = ds;
        this.audit = audit;
        this.clock = clock;
    }

    /** One token as the store knows it: never the token itself. {@code repo} null: every repository. */
    public record ApiToken(
            String id,
            String actor,
            String repo,
            Instant createdAt,
            String createdBy,
            Instant expiresAt,
            Instant revokedAt,
            String revokedBy) {
        /** {@code active}, {@code expired} or {@code revoked}. */
        public String stateAt(Instant now) {
            return revokedAt != null ? "revoked" : expiresAt.isAfter(now) ? "active" : "expired";
        }

        /** Whether the token may be used on {@code repoPath} (case-insensitive, as forges compare paths). */
        public boolean reaches(String repoPath) {
            return repo == null || repo.equalsIgnoreCase(repoPath);
        }
    }

    /** A token just made, with its secret: the only moment it exists outside its holder's hands. */
    public record Issued(ApiToken token, String secret) {
        @Override
        public String toString() {
            return "Issued[" + token + "]";
        }
    }

    /** What {@link #revoke} did: {@code now} false when the token was revoked already (by whom {@code token} says). */
    public record Revocation(ApiToken token, boolean now) {}

    /**
     * Makes a token for {@code actor}, reaching {@code repo} only (null: every repository), valid for {@code lifetime};
     * {@code by} names who made it. {@link IllegalArgumentException} when the actor or repository is not one.
     */
    public Issued create(String actor, String repo, Duration lifetime, String by) {
        if (actor == null || !ACTOR.matcher(actor).matches()) {
            throw new IllegalArgumentException(
                    "--actor must be a forge login as the policy's actors name it (letters, digits and . _ @ + - [ ],"
                            + " at most 100), e.g. alice or ci-bot[bot]");
        }
        if (repo != null && !isRepositoryPath(repo)) {
            throw new IllegalArgumentException(
                    "--repo must be a repository's path: owner/name (GitHub) or group/subgroup/name (GitLab),"
                            + " each part letters, digits, '.', '_' or '-'");
        }
        if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(LONGEST) > 0) {
            throw new IllegalArgumentException("--expires must be between 1h and 365d");
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        byte[] id = new byte[5];
        random.nextBytes(id);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        ApiToken token = new ApiToken(
                "tok_" + HexFormat.of().formatHex(id), actor, repo, now, by, now.plus(lifetime), null, null);
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into api_tokens (id, token_hash, actor, repo, created_at, created_by, expires_at)"
                            + " values (?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, token.id());
                ps.setBytes(2, hash(secret));
                ps.setString(3, actor);
                ps.setString(4, repo);
                ps.setTimestamp(5, Timestamp.from(now));
                ps.setString(6, by);
                ps.setTimestamp(7, Timestamp.from(token.expiresAt()));
                ps.executeUpdate();
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("actor", actor);
            details.put("repo", repo);
            details.put("expires_at", token.expiresAt().toString());
            details.put("by", by);
            audit.append(c, AuditKind.TOKEN_CREATED, null, token.id(), details);
            return null;
        });
        return new Issued(token, secret);
    }

    /** Every token the store has, oldest first: revoked and expired ones too, so the list shows what happened. */
    public List<ApiToken> list() {
        try (Connection c = ds.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("select " + COLUMNS + " from api_tokens order by created_at, id");
                ResultSet rs = ps.executeQuery()) {
            List<ApiToken> out = new ArrayList<>();
            while (rs.next()) {
                out.add(map(rs));
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("cannot list the API tokens: " + e.getMessage(), e);
        }
    }

    /** Revokes token {@code id} from now on; empty when there is no such token. */
    public Optional<Revocation> revoke(String id, String by) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        return inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "update api_tokens set revoked_at = ?, revoked_by = ? where id = ? and revoked_at is null"
                            + " returning " + COLUMNS)) {
                ps.setTimestamp(1, Timestamp.from(now));
                ps.setString(2, by);
                ps.setString(3, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        ApiToken t = map(rs);
                        audit.append(c, AuditKind.TOKEN_REVOKED, null, id, Map.of("actor", t.actor(), "by", by));
                        return Optional.of(new Revocation(t, true));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("select " + COLUMNS + " from api_tokens where id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new Revocation(map(rs), false)) : Optional.<Revocation>empty();
                }
            }
        });
    }

    /**
     * The token {@code secret} is, while it is neither revoked nor expired; empty otherwise, the same way for a token
     * never made, a revoked one and an expired one. One query by the secret's SHA-256 (the index holds tokens not revoked).
     */
    public Optional<ApiToken> active(String secret) {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement("select " + COLUMNS
                        + " from api_tokens where token_hash = ? and revoked_at is null and expires_at > ?")) {
            ps.setBytes(1, hash(secret));
            ps.setTimestamp(2, Timestamp.from(clock.instant()));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(map(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read the API tokens: " + e.getMessage(), e);
        }
    }

    /** {@code --expires}: hours or days, {@code 12h}, {@code 30d}, from 1h to 365d. */
    public static Duration lifetime(String text) {
        Matcher m = LIFETIME.matcher(text == null ? "" : text);
        Duration d = m.matches()
                ? (m.group(2).equals("h")
                        ? Duration.ofHours(Long.parseLong(m.group(1)))
                        : Duration.ofDays(Long.parseLong(m.group(1))))
                : null;
        if (d == null || d.isZero() || d.compareTo(LONGEST) > 0) {
            throw new IllegalArgumentException(
                    "--expires must be a number of hours or days from 1h to 365d, e.g. 12h or 30d (not '" + text
                            + "')");
        }
        return d;
    }

    /** The SHA-256 of a token's text: what the store keeps and looks a token up by. */
    static byte[] hash(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean isRepositoryPath(String repo) {
        String[] parts = repo.split("/", -1);
        if (parts.length < 2 || parts.length > 21) {
            return false;
        }
        for (String part : parts) {
            if (!SEGMENT.matcher(part).matches() || part.equals(".") || part.contains("..")) {
                return false;
            }
        }
        return true;
    }

    private static ApiToken map(ResultSet rs) throws SQLException {
        Timestamp revoked = rs.getTimestamp("revoked_at");
        return new ApiToken(
                rs.getString("id"),
                rs.getString("actor"),
                rs.getString("repo"),
                rs.getTimestamp("created_at").toInstant(),
                rs.getString("created_by"),
                rs.getTimestamp("expires_at").toInstant(),
                revoked == null ? null : revoked.toInstant(),
                rs.getString("revoked_by"));
    }

    @FunctionalInterface
    private interface Work<T> {
        T in(Connection c) throws SQLException;
    }

    private <T> T inTransaction(Work<T> work) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                T out = work.in(c);
                c.commit();
                return out;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot change the API tokens: " + e.getMessage(), e);
        }
    }
}
