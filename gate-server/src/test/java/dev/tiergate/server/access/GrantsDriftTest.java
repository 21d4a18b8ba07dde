package dev.tiergate.server.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.server.support.ServerHarness;
import dev.tiergate.server.support.TestPostgres;
import dev.tiergate.testkit.GitHubPayloads;
import dev.tiergate.testkit.Pull;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A hand-run GRANT on a tier is drift from the policy's database_access: found by the reconcile pass, repaired where
 * the policy says nothing more, held where it says {@code drift: hold} (PRs into the tier refused with
 * permissions.drifted) until the operator applies the policy; both audited. Real server, real PostgreSQL.
 */
class GrantsDriftTest {
    static final String TOKEN = "admin-t0ken";
    static final String POLICY = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: staging, actors: [human, agent]}
            database_access:
              groups:
                - {name: app_read, privileges: [select], schemas: [public]}
                - {name: app_write, privileges: [select, insert, update, delete], schemas: [public]}
              tiers:
                - {tier: production, grants: [{group: app_read, classes: [human]}]}
                - {tier: staging, drift: hold, grants: [{group: app_write, classes: [human]}, {group: app_read, classes: [agent]}]}
            """;
    static final String MAIN = "1111111111111111111111111111111111111111";
    static final String STAGING = "2222222222222222222222222222222222222222";
    static final String F1 = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
    static final String BASE = """
            -- refactoring: Introduce New Table
            -- phase: expand
            create table orders (id bigserial primary key, card text);
            """;
    static final ObjectMapper JSON = new ObjectMapper();
    ServerHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new ServerHarness(Map.of("TIERGATE_API_TOKEN", TOKEN, "TIERGATE_RECONCILE_SECONDS", "600"));
        for (String ref : List.of("main", MAIN, STAGING, F1)) {
            h.github.policy(ref, POLICY);
        }
        for (String ref : List.of(MAIN, STAGING, F1)) {
            h.github.file(ref, "db/migration/V20260101000000__orders.sql", BASE);
        }
        h.github.branch("main", MAIN);
        h.github.branch("staging", STAGING);
        h.deliver("push", GitHubPayloads.push(h.repoPath, "staging", GitHubPayloads.ZERO, STAGING, "alice"));
    }

    @AfterEach
    void stop() {
        h.close();
    }

    /** A statement on a tier as the branch cluster's admin: what an operator does by hand. */
    void byHand(String tier, String sql) throws Exception {
        String db = h.server.backend().migrationConnection(h.repo, tier).database();
        try (Connection c = DriverManager.getConnection(
                        TestPostgres.branches().jdbcBase() + db,
                        TestPostgres.branches().user(),
                        TestPostgres.branches().password());
                Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    HttpResponse<String> api(String method, String path) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(h.baseUrl() + path)).header("Authorization", "Bearer " + TOKEN);
        b = method.equals("POST") ? b.POST(HttpRequest.BodyPublishers.noBody()) : b.GET();
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    boolean audited(String kind, String text) {
        return h.server.audit().all().stream()
                .anyMatch(r -> r.kind().equals(kind) && r.details().contains(text));
    }

    @Test
    void aGrantByHandOnAHeldTierRefusesPrsIntoItUntilTheOperatorAppliesThePolicy() throws Exception {
        JsonNode clean = JSON.readTree(
                api("GET", "/api/v1/repos/" + h.repoPath + "/grants").body());
        assertEquals(2, clean.path("branches").size(), clean.toString());
        clean.path("branches")
                .forEach(b -> assertEquals(
                        0, b.path("extra").size() + b.path("missing").size(), "no drift yet: " + clean));

        byHand("staging", "grant select on orders to public");
        JsonNode diff = JSON.readTree(api("GET", "/api/v1/repos/" + h.repoPath + "/grants?branch=staging")
                .body());
        JsonNode extra = diff.path("branches").get(0).path("extra");
        assertEquals(1, extra.size(), diff.toString());
        assertEquals(
                "PUBLIC SELECT on table public.orders",
                extra.get(0).path("privilege").asText());
        assertEquals(
                "revoke select on table \"public\".\"orders\" from public;",
                extra.get(0).path("fix").asText());

        h.server.reconcileAll();
        h.awaitIdle();
        assertTrue(audited("grants.drifted", "PUBLIC SELECT on table public.orders"), "the drift is audited");
        h.github.copyFiles(STAGING, F1);
        h.github.branch("feature/F1", F1);
        h.github.pull(1, "feature/F1", F1, "staging", STAGING, "alice", false, "open", false);
        h.deliver(
                "pull_request",
                GitHubPayloads.pullRequest(
                        h.repoPath,
                        "opened",
                        new Pull(1, "feature/F1", F1, "staging", STAGING, "alice", false, "open", false)));
        JsonNode workflow = h.github.lastPosted(F1);
        assertEquals("failure", workflow.path("state").asText(), workflow.toString());
        assertTrue(workflow.path("description").asText().endsWith("[permissions.drifted]"), workflow.toString());
        assertTrue(
                workflow.path("description").asText().contains("tiergate grants apply --tier staging"),
                workflow.toString());
        String page = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(h.baseUrl() + "/ui/" + h.repoPath + "/branches/staging"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        assertTrue(
                page.contains("id=drift")
                        && page.contains("PUBLIC SELECT on table public.orders")
                        && page.contains("tiergate grants apply --repo " + h.repoPath + " --tier staging"),
                "the tier's page does not show the drift: " + page);

        JsonNode applied = JSON.readTree(api("POST", "/api/v1/repos/" + h.repoPath + "/grants/apply?tier=staging")
                .body());
        assertEquals(
                List.of("PUBLIC SELECT on table public.orders"),
                List.of(applied.path("revoked").get(0).asText()),
                applied.toString());
        assertTrue(audited("grants.applied", "admin token"), "applying is audited with who asked");
        JsonNode released = h.github.lastPosted(F1);
        assertFalse(
                released.path("description").asText().endsWith("[permissions.drifted]"),
                "the PR is judged again: " + released);
        JsonNode after = JSON.readTree(api("GET", "/api/v1/repos/" + h.repoPath + "/grants?branch=staging")
                .body());
        assertEquals(0, after.path("branches").get(0).path("extra").size(), after.toString());
        assertFalse(
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(h.baseUrl() + "/ui/" + h.repoPath + "/branches/staging"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body()
                        .contains("id=drift"),
                "the drift is still shown after the policy was applied");
    }

    @Test
    void aGrantByHandOnATierThatRepairsIsTakenAwayByTheNextPassAndAudited() throws Exception {
        byHand("production", "grant insert on orders to public");
        h.server.reconcileAll();
        h.awaitIdle();
        assertTrue(audited("grants.repaired", "PUBLIC INSERT on table public.orders"), "repaired and audited");
        JsonNode after = JSON.readTree(api("GET", "/api/v1/repos/" + h.repoPath + "/grants?branch=production")
                .body());
        assertEquals(0, after.path("branches").get(0).path("extra").size(), after.toString());
    }

    @Test
    void theGrantsApiIsTheAdminsAndNamesWhatItLacks() throws Exception {
        HttpResponse<String> none = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(h.baseUrl() + "/api/v1/repos/" + h.repoPath + "/grants"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(401, none.statusCode());
        HttpResponse<String> noTier = api("POST", "/api/v1/repos/" + h.repoPath + "/grants/apply");
        assertEquals(400, noTier.statusCode());
        assertTrue(noTier.body().contains("?tier="), noTier.body());
        HttpResponse<String> unknown = api("POST", "/api/v1/repos/" + h.repoPath + "/grants/apply?tier=qa");
        assertEquals(404, unknown.statusCode());
        assertTrue(unknown.body().contains("the policy has no tier 'qa'"), unknown.body());
    }
}
