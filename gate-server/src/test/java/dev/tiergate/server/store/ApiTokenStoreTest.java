package dev.tiergate.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.audit.AuditRecord;
import dev.tiergate.server.audit.AuditLog;
import dev.tiergate.server.support.MutableClock;
import dev.tiergate.server.support.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Per-actor API tokens in the store: only a token's SHA-256 is kept, a token is found by it while neither revoked nor
 * expired, and each one made or revoked is an audit record naming the actor and who did it, never the token.
 */
class ApiTokenStoreTest {
    final Database db = TestPostgres.freshStore();
    final AuditLog audit = new AuditLog(db.dataSource());
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T12:00:00Z"));
    final ApiTokenStore tokens = new ApiTokenStore(db.dataSource(), audit, clock);

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aTokenIsShownOnceKeptAsItsHashAndFoundByIt() throws Exception {
        ApiTokenStore.Issued issued = tokens.create("alice", "acme/inv", Duration.ofDays(30), "ops");
        String secret = issued.secret();
        assertTrue(secret.matches("tg_[A-Za-z0-9_-]{43}"), secret);
        assertTrue(
                issued.token().id().matches("tok_[0-9a-f]{10}"), issued.token().id());
        assertFalse(issued.toString().contains(secret), "a printed Issued hides the token: " + issued);
        assertEquals(Instant.parse("2027-01-05T12:00:00Z"), issued.token().expiresAt());

        String table = dump("select * from api_tokens");
        assertFalse(table.contains(secret), table);
        assertFalse(table.contains(secret.substring(3)), "not even without its prefix: " + table);
        String hash = HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        assertTrue(table.contains(hash), "the SHA-256 of the token is what is kept: " + table);

        ApiTokenStore.ApiToken found = tokens.active(secret).orElseThrow();
        assertEquals("alice", found.actor());
        assertEquals("acme/inv", found.repo());
        assertEquals(issued.token().id(), found.id());
        assertTrue(tokens.active(secret + "x").isEmpty());
        assertTrue(tokens.active("").isEmpty());
        assertNotEquals(
                secret, tokens.create("alice", null, Duration.ofDays(1), "ops").secret(), "each token is new");
    }

    @Test
    void aRevokedTokenAndAnExpiredOneAreFoundNoMore() {
        ApiTokenStore.Issued a = tokens.create("alice", null, Duration.ofHours(1), "ops");
        clock.advance(Duration.ofMinutes(1));
        ApiTokenStore.Issued b = tokens.create("claude", null, Duration.ofDays(2), "ops");
        clock.advance(Duration.ofMinutes(58));
        assertTrue(tokens.active(a.secret()).isPresent());
        clock.advance(Duration.ofMinutes(2));
        assertTrue(tokens.active(a.secret()).isEmpty(), "expired");
        assertEquals("expired", tokens.list().get(0).stateAt(clock.instant()));

        ApiTokenStore.Revocation r =
                tokens.revoke(b.token().id(), "security-team").orElseThrow();
        assertTrue(r.now());
        assertTrue(tokens.active(b.secret()).isEmpty(), "revoked");
        ApiTokenStore.Revocation again =
                tokens.revoke(b.token().id(), "someone-else").orElseThrow();
        assertFalse(again.now(), "revoked once");
        assertEquals("security-team", again.token().revokedBy());
        assertTrue(tokens.revoke("tok_0000000000", "ops").isEmpty(), "no such token");

        List<ApiTokenStore.ApiToken> listed = tokens.list();
        assertEquals(
                List.of(a.token().id(), b.token().id()),
                listed.stream().map(ApiTokenStore.ApiToken::id).toList(),
                "oldest first");
        assertEquals("revoked", listed.get(1).stateAt(clock.instant()));
    }

    @Test
    void makingAndRevokingAreAuditedWithTheActorAndWhoDidItNeverTheToken() {
        ApiTokenStore.Issued issued = tokens.create("claude", "acme/inv", Duration.ofDays(7), "ops");
        tokens.revoke(issued.token().id(), "security-team");
        tokens.revoke(issued.token().id(), "security-team");
        List<AuditRecord> records = audit.all();
        assertEquals(
                List.of("token.created", "token.revoked"),
                records.stream().map(AuditRecord::kind).toList(),
                "a second revoke changes nothing");
        AuditRecord created = records.get(0);
        assertEquals(issued.token().id(), created.subject());
        assertTrue(created.details().contains("\"actor\":\"claude\""), created.details());
        assertTrue(created.details().contains("\"by\":\"ops\""), created.details());
        assertTrue(created.details().contains("\"repo\":\"acme/inv\""), created.details());
        assertTrue(created.details().contains("\"expires_at\":\"2026-12-13T12:00:00Z\""), created.details());
        assertTrue(
                records.get(1).details().contains("\"by\":\"security-team\""),
                records.get(1).details());
        assertTrue(
                records.get(1).details().contains("\"actor\":\"claude\""),
                records.get(1).details());
        for (AuditRecord r : records) {
            assertFalse(r.details().contains(issued.secret().substring(3)), r.details());
        }
        assertTrue(audit.verify().isEmpty(), "the chain holds");
    }

    @Test
    void whatATokenIsForIsCheckedBeforeItIsMade() {
        for (String actor : new String[] {"", " alice", "alice bob", "al'ice", "a;drop", "x".repeat(101)}) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> tokens.create(actor, null, Duration.ofDays(1), "ops"), actor);
            assertTrue(e.getMessage().startsWith("--actor must be a forge login"), e.getMessage());
        }
        tokens.create("dependabot[bot]", null, Duration.ofDays(1), "ops");
        tokens.create("Alice.Smith-2", null, Duration.ofDays(1), "ops");
        for (String repo : new String[] {"acme", "acme/", "acme/../x", "acme/x?y", "acme/x y"}) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> tokens.create("alice", repo, Duration.ofDays(1), "ops"),
                    repo);
            assertTrue(e.getMessage().startsWith("--repo must be a repository's path"), e.getMessage());
        }
        tokens.create("alice", "group/sub/name", Duration.ofDays(1), "ops");
        assertEquals(3, tokens.list().size(), "the three that are tokens");
    }

    @Test
    void aLifetimeIsHoursOrDaysUpToAYear() {
        assertEquals(Duration.ofDays(30), ApiTokenStore.lifetime("30d"));
        assertEquals(Duration.ofHours(12), ApiTokenStore.lifetime("12h"));
        assertEquals(Duration.ofDays(365), ApiTokenStore.lifetime("365d"));
        for (String bad : new String[] {"0d", "0h", "366d", "30", "1w", "-1d", "d", "never", "9999999999999999999d"}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> ApiTokenStore.lifetime(bad), bad);
            assertTrue(e.getMessage().contains("--expires"), e.getMessage());
        }
    }

    private String dump(String sql) throws Exception {
        StringBuilder b = new StringBuilder();
        try (Connection c = db.dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int i = 1; i <= n; i++) {
                    Object v = rs.getObject(i);
                    b.append(v instanceof byte[] bytes ? HexFormat.of().formatHex(bytes) : String.valueOf(v))
                            .append(' ');
                }
                b.append('\n');
            }
        }
        return b.toString();
    }
}
