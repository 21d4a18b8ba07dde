package dev.tiergate.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.audit.AuditRecord;
import dev.tiergate.server.support.ServerHarness;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code tiergate token create | list | revoke}, run by the operator against the server's store through the real
 * command line (ServerMain.run), while a server uses that store: the token is printed once, on standard output alone,
 * works at once, is listed without itself, and stops working when revoked. Every create and revoke is audited.
 */
class ApiTokenCommandsTest {
    ServerHarness h;
    Path config;

    @BeforeEach
    void start() throws Exception {
        h = new ServerHarness(Map.of("TIERGATE_API_TOKEN", "admin-t0ken"));
        config = h.home.resolve("tokens.properties");
        Files.writeString(
                config,
                "TIERGATE_HOME=" + h.home + "\nTIERGATE_DB_URL=" + h.db.jdbcUrl() + "\nTIERGATE_DB_USER=" + h.db.user()
                        + "\n" + (h.db.password() == null ? "" : "TIERGATE_DB_PASSWORD=" + h.db.password() + "\n"));
    }

    @AfterEach
    void stop() {
        h.close();
    }

    record Run(int code, String out, String err) {}

    Run tiergate(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--config";
        all[args.length + 1] = config.toString();
        int code = ServerMain.run(
                all,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void createPrintsTheTokenOnceListShowsItWithoutItAndRevokeEndsIt() throws Exception {
        Run created = tiergate("token", "create", "--actor", "claude", "--expires", "7d", "--repo", h.repoPath);
        assertEquals(0, created.code(), created.err());
        String token = created.out().strip();
        assertTrue(
                token.matches("tg_[A-Za-z0-9_-]{43}"),
                "standard output is the token alone, for $(...): " + created.out());
        assertTrue(created.err().contains("for claude"), created.err());
        assertTrue(created.err().contains("only " + h.repoPath), created.err());
        assertTrue(created.err().contains("shown this once"), created.err());
        assertFalse(created.err().contains(token), created.err());
        String id = created.err().replaceAll("(?s).*(tok_[0-9a-f]{10}).*", "$1");
        assertTrue(id.matches("tok_[0-9a-f]{10}"), created.err());

        String branches = "/api/v1/repos/" + h.repoPath + "/branches";
        assertEquals(200, h.get(branches, token).statusCode(), "the server takes it at once");

        Run listed = tiergate("token", "list");
        assertEquals(0, listed.code(), listed.err());
        assertTrue(listed.out().startsWith("ID"), listed.out());
        String row = listed.out()
                .lines()
                .filter(l -> l.startsWith(id))
                .findFirst()
                .orElseThrow(() -> new AssertionError(listed.out()));
        assertTrue(
                row.contains("claude")
                        && row.contains(h.repoPath)
                        && row.contains("active")
                        && row.contains(System.getProperty("user.name")),
                row);
        assertFalse(listed.out().contains(token.substring(3)), "never the token again: " + listed.out());

        Run revoked = tiergate("token", "revoke", id);
        assertEquals(0, revoked.code(), revoked.err());
        assertEquals(
                "token " + id + " of claude revoked: requests with it are refused from now on",
                revoked.out().strip());
        assertEquals(401, h.get(branches, token).statusCode(), "refused at once");
        assertTrue(tiergate("token", "list").out().lines().anyMatch(l -> l.startsWith(id) && l.contains("revoked")));
        Run again = tiergate("token", "revoke", id);
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().startsWith("token " + id + " of claude was already revoked at "), again.out());

        List<AuditRecord> records = h.server.audit().all().stream()
                .filter(r -> r.kind().startsWith("token."))
                .toList();
        assertEquals(
                List.of("token.created", "token.revoked"),
                records.stream().map(AuditRecord::kind).toList());
        for (AuditRecord r : records) {
            assertEquals(id, r.subject());
            assertTrue(r.details().contains("\"actor\":\"claude\""), r.details());
            assertTrue(r.details().contains("\"by\":\"" + System.getProperty("user.name") + "\""), r.details());
            assertFalse(r.details().contains(token.substring(3)), r.details());
        }
    }

    @Test
    void whatIsWrongWithARequestIsSaidAndNothingIsMade() {
        Run badExpiry = tiergate("token", "create", "--actor", "alice", "--expires", "forever");
        assertEquals(2, badExpiry.code(), badExpiry.err());
        assertTrue(
                badExpiry.err().contains("--expires must be a number of hours or days from 1h to 365d"),
                badExpiry.err());
        assertEquals("", badExpiry.out());
        Run badActor = tiergate("token", "create", "--actor", "alice; drop table api_tokens");
        assertEquals(2, badActor.code(), badActor.err());
        assertTrue(badActor.err().contains("--actor must be a forge login"), badActor.err());
        Run noActor = tiergate("token", "create");
        assertEquals(2, noActor.code(), noActor.err());
        assertTrue(noActor.err().contains("--actor"), noActor.err());
        Run unknown = tiergate("token", "revoke", "tok_0000000000");
        assertEquals(1, unknown.code(), unknown.err());
        assertTrue(
                unknown.err().contains("no token tok_0000000000 in this store (tiergate token list shows them)"),
                unknown.err());
        Run none = tiergate("token", "list");
        assertEquals(0, none.code(), none.err());
        assertEquals(
                "no API tokens; tiergate token create --actor LOGIN makes one",
                none.out().strip());
        assertTrue(
                h.server.audit().all().stream().noneMatch(r -> r.kind().startsWith("token.")),
                "nothing made, nothing audited");
    }

    @Test
    void aTokenLivesThirtyDaysUnlessToldAndReachesEveryRepositoryUnlessLimited() {
        Run created = tiergate("token", "create", "--actor", "alice");
        assertEquals(0, created.code(), created.err());
        assertTrue(created.err().contains("every repository"), created.err());
        String expires = created.err().replaceAll("(?s).*valid until (\\S+?Z).*", "$1");
        long days = Duration.between(Instant.now(), Instant.parse(expires)).toHours();
        assertTrue(days > 29 * 24 && days <= 30 * 24, created.err());
    }
}
