package dev.tiergate.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.core.audit.AuditRecord;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.server.store.ApiTokenStore;
import dev.tiergate.server.support.MutableClock;
import dev.tiergate.server.support.ServerHarness;
import dev.tiergate.server.support.TestPostgres;
import dev.tiergate.testkit.GitHubPayloads;
import dev.tiergate.testkit.Pull;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code GET …/branches/<branch>} with an actor's token hands out that actor's own login, with exactly the privileges
 * the policy's database_access names for it there, or refuses with {@code permissions.no-access}; the admin token
 * keeps the branch's shared login. Real server, the GitHub stand-in, real PostgreSQL: tiers production (main) and
 * staging migrated with a table, alice's PR #1 from feature/F1 with its working branch and its copy ci-pr-1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiTokenCredentialsTest {
    static final String ADMIN = "admin-t0ken";
    static final String POLICY = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: staging, actors: [human, agent]}
            actors:
              - {id: alice, class: human}
              - {id: bob, class: human, roles: [dba]}
              - {id: claude, class: agent}
              - {id: ci-bot, class: bot}
            database_access:
              groups:
                - {name: app_read, privileges: [select], schemas: ["*"]}
                - {name: app_write, privileges: [select, insert, update, delete], schemas: ["*"]}
              tiers:
                - tier: production
                  grants:
                    - {group: app_read, classes: [human], roles: [dba]}
                - tier: staging
                  grants:
                    - {group: app_write, classes: [human]}
                    - {group: app_read, classes: [agent, bot]}
              working:
                - type: feature
                  grants:
                    - {group: app_write, author: true}
                    - {group: app_read, classes: [human, agent]}
                - type: ci
                  grants:
                    - {group: app_write, classes: [bot]}
                    - {group: app_read, author: true}
              credential_hours: 3
            """;
    static final String DIR = "db/migration/";
    static final String BASE_SQL = """
            -- refactoring: Introduce Table
            -- phase: expand
            create table inventory (id int primary key, code text);
            insert into inventory select g, 'A-' || g from generate_series(1, 10) g;
            """;
    static final String QTY_SQL = """
            -- refactoring: Introduce New Column
            -- phase: expand
            alter table inventory add column qty int not null default 0;
            """;
    static final String MAIN = "1111111111111111111111111111111111111111";
    static final String STAGING = "2222222222222222222222222222222222222222";
    static final String F1 = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
    static final List<String> ACTORS = List.of("alice", "bob", "claude", "ci-bot");
    static final List<String> BRANCHES = List.of("main", "staging", "feature/F1", "pull/1");
    static final Set<String> READ = Set.of("select");
    static final Set<String> WRITE = Set.of("select", "insert", "update", "delete");
    static final Set<String> NONE = Set.of();
    /** actor → branch → the table privileges its login must have exactly (none: refused). */
    static final Map<String, Map<String, Set<String>>> EXPECTED = Map.of(
            "alice", Map.of("main", NONE, "staging", WRITE, "feature/F1", WRITE, "pull/1", READ),
            "bob", Map.of("main", READ, "staging", WRITE, "feature/F1", READ, "pull/1", NONE),
            "claude", Map.of("main", NONE, "staging", READ, "feature/F1", READ, "pull/1", NONE),
            "ci-bot", Map.of("main", NONE, "staging", READ, "feature/F1", NONE, "pull/1", WRITE));

    static final ObjectMapper JSON = new ObjectMapper();

    final HttpClient http = HttpClient.newHttpClient();
    final Map<String, String> tokens = new LinkedHashMap<>();
    /** Everything the server and the libraries print while this class runs. */
    final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    PrintStream realOut;
    PrintStream realErr;
    ServerHarness h;

    @BeforeAll
    void start() throws Exception {
        realOut = System.out;
        realErr = System.err;
        System.setOut(new PrintStream(new Tee(realOut, printed), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(realErr, printed), true, StandardCharsets.UTF_8));
        h = new ServerHarness(Map.of("TIERGATE_API_TOKEN", ADMIN));
        for (String ref : List.of("main", MAIN, STAGING, F1)) {
            h.github.policy(ref, POLICY);
        }
        h.github.file(MAIN, DIR + "V20260101000000__inventory.sql", BASE_SQL);
        h.github.file(STAGING, DIR + "V20260101000000__inventory.sql", BASE_SQL);
        h.github.branch("main", MAIN);
        h.github.branch("staging", STAGING);
        h.github.copyFiles(STAGING, F1);
        h.github.file(F1, DIR + "V20260102000000__add_qty.sql", QTY_SQL);
        h.github.branch("feature/F1", F1);
        h.github.pull(1, "feature/F1", F1, "staging", STAGING, "alice", false, "open", false);
        assertEquals(
                202,
                h.deliver(
                        "pull_request",
                        GitHubPayloads.pullRequest(
                                h.repoPath,
                                "opened",
                                new Pull(1, "feature/F1", F1, "staging", STAGING, "alice", false, "open", false))));
        for (String branch : BRANCHES) {
            assertTrue(h.branch(branch).isPresent(), branch + " is tracked");
        }
        assertEquals(
                "alice",
                h.branch("feature/F1").orElseThrow().actorLogin(),
                "the PR made alice the working branch's author");
        for (String actor : ACTORS) {
            tokens.put(
                    actor,
                    h.server
                            .tokens()
                            .create(actor, h.repoPath, Duration.ofDays(1), "ops")
                            .secret());
        }
    }

    @AfterAll
    void stop() {
        System.setOut(realOut);
        System.setErr(realErr);
        if (h != null) {
            h.close();
        }
    }

    HttpResponse<String> ask(String branch, String bearer) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(h.baseUrl() + "/api/v1/repos/" + h.repoPath + "/branches/" + branch))
                        .header("Authorization", "Bearer " + bearer)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    JsonNode connection(String branch, String actor) throws Exception {
        HttpResponse<String> r = ask(branch, tokens.get(actor));
        assertEquals(200, r.statusCode(), actor + " on " + branch + ": " + r.body());
        assertEquals(List.of("no-store"), r.headers().allValues("Cache-Control"), "a password is not kept by a proxy");
        return JSON.readTree(r.body()).path("connection");
    }

    static String password(JsonNode connection) {
        String info = URI.create(connection.path("url").asText()).getRawUserInfo();
        return URLDecoder.decode(info.substring(info.indexOf(':') + 1), StandardCharsets.UTF_8);
    }

    static Connection connect(JsonNode connection) throws SQLException {
        URI url = URI.create(connection.path("url").asText());
        return DriverManager.getConnection(
                "jdbc:postgresql://" + url.getHost() + ":" + url.getPort() + url.getPath(),
                connection.path("user").asText(),
                password(connection));
    }

    /** The table privileges the login has on inventory, and "create" when it may create anything in the database or the schema. */
    static Set<String> privileges(Connection c) throws SQLException {
        Set<String> out = new TreeSet<>();
        for (String p : List.of("select", "insert", "update", "delete", "truncate", "references", "trigger")) {
            try (PreparedStatement ps = c.prepareStatement("select has_table_privilege('public.inventory', ?)")) {
                ps.setString(1, p);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        out.add(p);
                    }
                }
            }
        }
        try (ResultSet rs = c.createStatement()
                .executeQuery("select has_database_privilege(current_database(), 'CREATE'),"
                        + " has_schema_privilege('public', 'CREATE')")) {
            rs.next();
            if (rs.getBoolean(1) || rs.getBoolean(2)) {
                out.add("create");
            }
        }
        return out;
    }

    @Test
    void eachActorsLoginHasExactlyThePrivilegesThePolicyNamesOnEachBranch() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (String actor : ACTORS) {
            for (String branch : BRANCHES) {
                Set<String> expected = EXPECTED.get(actor).get(branch);
                HttpResponse<String> r = ask(branch, tokens.get(actor));
                if (expected.isEmpty()) {
                    JsonNode body = JSON.readTree(r.body());
                    if (r.statusCode() != 403 || !body.path("rule").asText().equals(Rule.PERMISSIONS_NO_ACCESS.id())) {
                        wrong.add(actor + " on " + branch + ": expected a refusal, got " + r.statusCode() + " "
                                + r.body());
                    }
                    continue;
                }
                if (r.statusCode() != 200) {
                    wrong.add(actor + " on " + branch + ": expected " + expected + ", got " + r.statusCode() + " "
                            + r.body());
                    continue;
                }
                JsonNode c = JSON.readTree(r.body()).path("connection");
                assertTrue(
                        c.path("user").asText().contains("_u_"),
                        "the actor's own login, not the branch's: " + c.path("user"));
                try (Connection conn = connect(c)) {
                    Set<String> has = privileges(conn);
                    if (!has.equals(new TreeSet<>(expected))) {
                        wrong.add(actor + " on " + branch + ": expected " + new TreeSet<>(expected) + ", has " + has
                                + " (groups " + c.path("groups") + ")");
                    }
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void anAgentAskingForProductionIsRefusedWithTheRuleAndTheRefusalIsAudited() throws Exception {
        HttpResponse<String> r = ask("main", tokens.get("claude"));
        assertEquals(403, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals(Rule.PERMISSIONS_NO_ACCESS.id(), body.path("rule").asText());
        assertEquals(
                "claude (agent) gets no login on main (tier production) of " + h.repoPath
                        + ": database_access gives there app_read to human" + " with role dba",
                body.path("message").asText());
        assertTrue(body.path("fix").asText().contains("database_access"), body.toString());
        assertFalse(body.has("connection"), "no connection at all, not even the branch's host");
        AuditRecord refused = h.server.audit().all().stream()
                .filter(a -> a.kind().equals("credential.refused")
                        && a.subject().equals("main")
                        && a.details().contains("\"actor\":\"claude\""))
                .reduce((a, b) -> b)
                .orElseThrow();
        assertTrue(
                refused.details().contains("\"rule\":\"" + Rule.PERMISSIONS_NO_ACCESS.id() + "\""), refused.details());
        assertTrue(refused.details().contains("\"groups\":[]"), refused.details());
    }

    @Test
    void aLoginLivesThePolicysHoursExceptABotsOnAPullRequestsCopyAndReachesItsBranchOnly() throws Exception {
        Instant before = Instant.now();
        JsonNode alice = connection("staging", "alice");
        Instant until = Instant.parse(alice.path("valid_until").asText());
        assertTrue(
                !until.isBefore(before.truncatedTo(ChronoUnit.SECONDS).plus(Duration.ofHours(3)))
                        && until.isBefore(
                                Instant.now().plus(Duration.ofHours(3)).plusSeconds(1)),
                alice.toString());
        assertEquals(List.of("app_write"), JSON.convertValue(alice.path("groups"), List.class));
        assertEquals(
                until, validUntil(alice.path("user").asText()), "PostgreSQL's VALID UNTIL is what the answer says");
        JsonNode bot = connection("pull/1", "ci-bot");
        assertTrue(bot.has("valid_until") && bot.path("valid_until").isNull(), "the PR's life: " + bot);
        assertEquals(Instant.MAX, validUntil(bot.path("user").asText()), "infinity: dropped with the PR's copy");
        SQLException elsewhere = assertThrows(
                SQLException.class,
                () -> DriverManager.getConnection(
                        "jdbc:postgresql://" + alice.path("host").asText() + ":"
                                + alice.path("port").asInt() + "/"
                                + h.server
                                        .backend()
                                        .connection(h.repo, "production")
                                        .database(),
                        alice.path("user").asText(),
                        password(alice)));
        assertTrue(elsewhere.getMessage().contains("permission denied for database"), elsewhere.getMessage());
    }

    @Test
    void aTokenForOneActorCannotGetAnothersLogin() throws Exception {
        JsonNode bob = connection("staging", "bob");
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(
                                URI.create(h.baseUrl() + "/api/v1/repos/" + h.repoPath + "/branches/staging?actor=bob"))
                        .header("Authorization", "Bearer " + tokens.get("claude"))
                        .header("X-Tiergate-Actor", "bob")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode claude = JSON.readTree(r.body()).path("connection");
        assertNotEquals(
                bob.path("user").asText(), claude.path("user").asText(), "the token's actor decides whose login it is");
        assertEquals(
                List.of("app_read"),
                JSON.convertValue(claude.path("groups"), List.class),
                "an agent's groups, whatever it asks for");
        try (Connection c = connect(bob)) {
            assertEquals(WRITE, privileges(c), "bob's login still works: claude's request did not touch it");
        }
        HttpResponse<String> authorsBranch = ask("feature/F1", tokens.get("bob"));
        assertEquals(
                List.of("app_read"),
                JSON.convertValue(
                        JSON.readTree(authorsBranch.body()).path("connection").path("groups"), List.class),
                "bob on alice's branch: a reader, not its author");
    }

    @Test
    void aRevokedOrExpiredTokenGetsNoLogin() throws Exception {
        var revoked = h.server.tokens().create("alice", h.repoPath, Duration.ofDays(1), "ops");
        assertEquals(200, ask("staging", revoked.secret()).statusCode());
        h.server.tokens().revoke(revoked.token().id(), "ops");
        assertEquals(401, ask("staging", revoked.secret()).statusCode());
        var expired = new ApiTokenStore(
                        h.db.dataSource(),
                        h.server.audit(),
                        new MutableClock(Instant.now().minus(Duration.ofHours(2))))
                .create("alice", null, Duration.ofHours(1), "ops");
        HttpResponse<String> r = ask("staging", expired.secret());
        assertEquals(401, r.statusCode());
        assertFalse(r.body().contains("url"), r.body());
    }

    @Test
    void theAdminTokenKeepsTheBranchsSharedLoginAndNoListShowsAPassword() throws Exception {
        HttpResponse<String> r = ask("pull/1", ADMIN);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode shared = JSON.readTree(r.body()).path("connection");
        assertTrue(shared.path("user").asText().endsWith("_login"), shared.toString());
        assertTrue(shared.path("url").asText().startsWith("postgresql://"), shared.toString());
        String sharedPassword = password(shared);
        List<String> passwords = new ArrayList<>(List.of(sharedPassword));
        for (String actor : ACTORS) {
            passwords.add(password(connection("staging", actor)));
        }
        for (String bearer : List.of(ADMIN, tokens.get("alice"), tokens.get("ci-bot"))) {
            HttpResponse<String> list = http.send(
                    HttpRequest.newBuilder(URI.create(h.baseUrl() + "/api/v1/repos/" + h.repoPath + "/branches"))
                            .header("Authorization", "Bearer " + bearer)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, list.statusCode());
            assertFalse(list.body().contains("\"url\"") || list.body().contains("connection"), list.body());
            for (String p : passwords) {
                assertFalse(list.body().contains(p), list.body());
            }
        }
    }

    @Test
    void noPasswordIsInAnyAuditRecordOrLogLine() throws Exception {
        List<String> passwords = new ArrayList<>();
        for (String actor : ACTORS) {
            for (String branch : BRANCHES) {
                HttpResponse<String> r = ask(branch, tokens.get(actor));
                if (r.statusCode() == 200) {
                    passwords.add(password(JSON.readTree(r.body()).path("connection")));
                }
            }
        }
        passwords.add(password(JSON.readTree(ask("staging", ADMIN).body()).path("connection")));
        assertEquals(
                1
                        + EXPECTED.values().stream()
                                .mapToLong(m -> m.values().stream()
                                        .filter(s -> !s.isEmpty())
                                        .count())
                                .sum(),
                passwords.size());
        List<AuditRecord> trail = h.server.audit().all();
        long issued =
                trail.stream().filter(a -> a.kind().equals("credential.issued")).count();
        assertTrue(issued >= passwords.size() - 1, "every login given is audited: " + issued);
        AuditRecord one = trail.stream()
                .filter(a -> a.kind().equals("credential.issued")
                        && a.details().contains("\"actor\":\"ci-bot\"")
                        && a.subject().equals("pull/1"))
                .reduce((a, b) -> b)
                .orElseThrow();
        assertTrue(
                one.details().contains("\"groups\":[\"app_write\"]")
                        && one.details().contains("\"until\":null"),
                one.details());
        String logs = printed.toString(StandardCharsets.UTF_8);
        assertTrue(
                logs.contains("Listening on http://127.0.0.1:" + h.server.port()),
                "the capture sees the server's log lines");
        for (String p : passwords) {
            for (AuditRecord a : trail) {
                assertFalse(
                        a.details().contains(p) || String.valueOf(a.subject()).contains(p),
                        a.kind() + " " + a.details());
            }
            assertFalse(logs.contains(p), "a password in the log");
        }
        for (String token : tokens.values()) {
            assertFalse(logs.contains(token.substring(3)), "a token in the log");
            trail.forEach(a -> assertFalse(a.details().contains(token.substring(3)), a.details()));
        }
        assertTrue(h.server.audit().verify().isEmpty());
    }

    private static Instant validUntil(String role) throws SQLException {
        try (Connection c = TestPostgres.branches().admin().getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select rolvaliduntil = 'infinity', rolvaliduntil from pg_roles where rolname = ?")) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), role);
                return rs.getBoolean(1) ? Instant.MAX : rs.getTimestamp(2).toInstant();
            }
        }
    }

    /** Writes to two streams: the real one, and the one this test reads. */
    static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws IOException {
            a.write(x);
            synchronized (b) {
                b.write(x);
            }
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws IOException {
            a.write(bytes, off, len);
            synchronized (b) {
                b.write(bytes, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            a.flush();
        }
    }
}
