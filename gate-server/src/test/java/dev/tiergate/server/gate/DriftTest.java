package dev.tiergate.server.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.core.state.JsonSchemas;
import dev.tiergate.server.backend.BranchConnection;
import dev.tiergate.server.backend.MigrationSession;
import dev.tiergate.server.backend.RunLimits;
import dev.tiergate.server.support.ServerHarness;
import dev.tiergate.testkit.GitHubPayloads;
import dev.tiergate.testkit.Pull;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Drift on embedded PostgreSQL through the GitHub stand-in: a tier changed by hand, a history the repository no longer
 * matches, a hotfix on the parent not carried down; a tier that holds on drift refuses PRs and is not migrated by a
 * merge until the drift is accepted or fixed; a pass that fails changes nothing.
 */
class DriftTest {
    static final String TOKEN = "admin-token-for-drift";
    static final String POLICY = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production, drift: hold}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: staging, actors: [human, agent]}
              - {name: hotfix, pattern: "hotfix/*", target: production, actors: [human], hotfix: true}
            edges:
              - {from: hotfix, to: production}
            """;
    static final String DIR = "db/migration/";
    static final String ORDERS = "V20260101000000__orders.sql";
    static final String ORDERS_SQL = """
            -- refactoring: Introduce Table
            -- phase: expand
            create table orders (id bigint primary key, code text);
            insert into orders select g, 'O-' || g from generate_series(1, 100) g;
            """;
    static final String NOTE = "V20260102000000__note.sql";
    static final String NOTE_SQL = """
            -- refactoring: Introduce New Column
            -- phase: expand
            alter table orders add column qty int;
            """;
    static final String MAIN = "1111111111111111111111111111111111111111";
    static final String MAIN_2 = "1212121212121212121212121212121212121212";
    static final String STAGING = "2222222222222222222222222222222222222222";
    static final String STAGING_2 = "2323232323232323232323232323232323232323";
    static final String F1 = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
    static final String H1 = "b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1";

    ServerHarness h;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        h = new ServerHarness(Map.of("TIERGATE_API_TOKEN", TOKEN));
        for (String ref : List.of("main", MAIN, STAGING)) {
            h.github.policy(ref, POLICY);
            h.github.file(ref, DIR + ORDERS, ORDERS_SQL);
        }
        h.github.branch("main", MAIN);
        h.github.branch("staging", STAGING);
        // the tiers are set up on the first event
        h.github.copyFiles(STAGING, F1);
        h.github.file(F1, DIR + NOTE, NOTE_SQL); // a pending migration: not drift
        h.github.branch("feature/F1", F1);
        Pull p = new Pull(1, "feature/F1", F1, "staging", STAGING, "alice", false, "open", false);
        h.github.pull(p);
        assertEquals(202, h.deliver("pull_request", GitHubPayloads.pullRequest(h.repoPath, "opened", p)));
    }

    @AfterEach
    void stop() {
        h.close();
    }

    JsonNode drift(String tier) throws Exception {
        HttpResponse<String> r = h.get("/api/v1/repos/" + h.repoPath + "/drift?tier=" + tier, TOKEN);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode report = new ObjectMapper().readTree(r.body());
        assertEquals(
                List.of(),
                JsonSchemas.validate(JsonSchemas.DRIFT_REPORT, report),
                "the answer is what state-schemas/drift-report.schema.json says: " + report);
        return report.path("tiers").get(0);
    }

    HttpResponse<String> accept(String tier, String reason) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(h.baseUrl() + "/api/v1/repos/" + h.repoPath + "/drift/accept?tier="
                                + tier + "&reason=" + reason))
                        .header("Authorization", "Bearer " + TOKEN)
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A change by hand, as the tier's owner (who a DBA at a console would be). */
    void onTier(String db, String sql) throws Exception {
        try (MigrationSession session =
                        h.server.backend().openRun(h.repo, db, RunLimits.deadline(java.time.Duration.ofMinutes(1)));
                Connection conn = DriverManager.getConnection(
                        session.connection().jdbcUrl(),
                        session.connection().user(),
                        session.connection().password());
                Statement st = conn.createStatement()) {
            st.execute(sql);
        }
    }

    boolean hasColumn(String db, String column) throws Exception {
        BranchConnection c = h.server.backend().connection(h.repo, db);
        try (Connection conn = DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
                ResultSet rs = conn.createStatement()
                        .executeQuery("select count(*) from information_schema.columns where table_name = 'orders'"
                                + " and column_name = '" + column + "'")) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }

    String workflow(String sha) {
        return h.github.lastPosted(sha).path("description").asText();
    }

    @Test
    void anUnchangedTierWithAPendingFileHasNoDrift() throws Exception {
        JsonNode d = drift("staging");
        assertFalse(d.path("drifted").asBoolean(), d.toString());
        assertEquals(0, d.path("findings").size(), d.toString());
    }

    @Test
    void anAlterTableByHandIsFoundWithItsDdlAndHoldsPrsUntilAccepted() throws Exception {
        onTier("staging", "alter table orders add column note text");
        JsonNode d = drift("staging");
        assertTrue(d.path("drifted").asBoolean(), d.toString());
        assertEquals(1, d.path("findings").size(), "the pending migration is not drift: " + d);
        JsonNode f = d.path("findings").get(0);
        assertEquals("schema", f.path("kind").asText());
        assertEquals("column public.orders.note", f.path("what").asText());
        assertEquals(
                "ALTER TABLE public.orders ADD COLUMN note text;", f.path("fix").asText());
        assertTrue(workflow(F1).endsWith("[migration.tier-drifted]"), workflow(F1));
        assertTrue(workflow(F1).startsWith("Tier staging drifted from its migrations (1 schema)"), workflow(F1));
        assertFalse(
                workflow(F1).contains("note"),
                "what was changed by hand on the tier is not published: " + workflow(F1));
        String page = h.get("/ui/" + h.repoPath + "/branches/staging").body();
        assertTrue(page.contains("id=schema-drift"), page);
        assertTrue(page.contains("ALTER TABLE public.orders ADD COLUMN note text;"), page);
        assertTrue(page.contains("--tier staging --reason"), "the command names the tier: " + page);
        String tree = h.get("/ui/" + h.repoPath).body();
        assertTrue(tree.contains("drifted from its migrations: 1 finding(s)"), tree);
        String metrics = h.get("/metrics", TOKEN).body();
        assertTrue(metrics.contains("tiergate_tier_drift_findings{tier=\"" + h.repoPath + ":staging\"} 1.0"), metrics);

        HttpResponse<String> accepted = accept("staging", "hotfix-column-kept");
        assertEquals(200, accepted.statusCode(), accepted.body());
        assertFalse(drift("staging").path("drifted").asBoolean(), "accepted: the live schema is the baseline");
        assertFalse(workflow(F1).endsWith("[migration.tier-drifted]"), workflow(F1));
        List<String> kinds = h.server.audit().all().stream().map(r -> r.kind()).toList();
        assertTrue(kinds.contains("drift.found") && kinds.contains("drift.accepted"), kinds.toString());

        // a different drift later is new drift
        onTier("staging", "alter table orders add column other int");
        assertTrue(drift("staging").path("drifted").asBoolean());
    }

    @Test
    void fixingTheTierClearsTheDrift() throws Exception {
        onTier("staging", "create index orders_code on orders (code)");
        assertTrue(drift("staging").path("drifted").asBoolean());
        onTier("staging", "drop index orders_code");
        assertFalse(drift("staging").path("drifted").asBoolean());
        assertTrue(h.server.audit().all().stream().anyMatch(r -> r.kind().equals("drift.cleared")));
    }

    @Test
    void anAppliedFileDeletedOrEditedOnTheTiersBranchIsFound() throws Exception {
        h.github.copyFiles(STAGING, STAGING_2);
        h.github.file(STAGING_2, DIR + ORDERS, ORDERS_SQL.replace("code text", "code varchar(10)"));
        h.github.branch("staging", STAGING_2);
        JsonNode edited = drift("staging");
        assertTrue(
                edited.toString().contains("V20260101000000__orders.sql was edited after it was applied"),
                edited.toString());

        h.github.copyFiles(STAGING, "2424242424242424242424242424242424242424");
        h.github.deleteFile("2424242424242424242424242424242424242424", DIR + ORDERS);
        h.github.branch("staging", "2424242424242424242424242424242424242424");
        JsonNode deleted = drift("staging");
        assertTrue(
                deleted.toString().contains("applied on the tier, but staging has no file of it"), deleted.toString());
    }

    @Test
    void aHotfixMergedIntoProductionShowsAsTierOrderDriftOnStaging() throws Exception {
        h.github.copyFiles(MAIN, H1);
        h.github.file(H1, DIR + "V20260103000000__hotfix.sql", """
                -- refactoring: Introduce New Column
                -- phase: expand
                alter table orders add column refunded boolean;
                """);
        h.github.branch("hotfix/h1", H1);
        h.deliver("push", GitHubPayloads.push(h.repoPath, "hotfix/h1", GitHubPayloads.ZERO, H1, "alice"));
        Pull open = new Pull(2, "hotfix/h1", H1, "main", MAIN, "alice", false, "open", false);
        h.github.pull(open);
        h.deliver("pull_request", GitHubPayloads.pullRequest(h.repoPath, "opened", open));
        h.github.copyFiles(H1, MAIN_2);
        h.github.branch("main", MAIN_2);
        Pull merged = new Pull(2, "hotfix/h1", H1, "main", MAIN, "alice", false, "closed", true);
        h.github.pull(merged);
        h.deliver("pull_request", GitHubPayloads.pullRequest(h.repoPath, "closed", merged));
        assertTrue(hasColumn("production", "refunded"), "the hotfix migrated production");
        JsonNode d = drift("staging");
        JsonNode order = null;
        for (JsonNode f : d.path("findings")) {
            if (f.path("kind").asText().equals("order")) {
                order = f;
            }
        }
        assertTrue(order != null, d.toString());
        assertEquals("version 20260103000000", order.path("what").asText());
        assertEquals(
                "open a pull request from main into staging (a back-merge)",
                order.path("fix").asText());
    }

    @Test
    void aMergeIntoADriftedTierThatHoldsDoesNotMigrateIt() throws Exception {
        onTier("staging", "alter table orders add column note text");
        h.github.copyFiles(F1, STAGING_2);
        h.github.branch("staging", STAGING_2);
        Pull merged = new Pull(1, "feature/F1", F1, "staging", STAGING, "alice", false, "closed", true);
        h.github.pull(merged);
        h.deliver("pull_request", GitHubPayloads.pullRequest(h.repoPath, "closed", merged));
        assertFalse(hasColumn("staging", "qty"), "the drifted tier was not migrated");
        assertTrue(
                h.server.audit().all().stream()
                        .anyMatch(r -> r.kind().equals("refusal") && r.details().contains("migration.tier-drifted")),
                "the refusal is audited");
    }

    @Test
    void aPassThatFailsHalfWayLeavesTheLastResultAndNoScratchDatabase() throws Exception {
        onTier("staging", "alter table orders add column note text");
        assertTrue(drift("staging").path("drifted").asBoolean());
        // the tier's applied migration no longer builds (its file edited into SQL that fails): the pass cannot finish
        h.github.copyFiles(STAGING, STAGING_2);
        h.github.file(STAGING_2, DIR + ORDERS, ORDERS_SQL + "select 1/0;\n");
        h.github.branch("staging", STAGING_2);
        HttpResponse<String> r = h.get("/api/v1/repos/" + h.repoPath + "/drift?tier=staging", TOKEN);
        assertEquals(500, r.statusCode(), r.body());
        assertFalse(h.dbBranchExists("ci-drift-staging"), "the scratch database is dropped");
        assertTrue(
                workflow(F1).endsWith("[migration.tier-drifted]"), "the last complete result stands: " + workflow(F1));
    }
}
