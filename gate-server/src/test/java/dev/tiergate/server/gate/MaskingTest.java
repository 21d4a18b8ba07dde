package dev.tiergate.server.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.server.backend.BranchConnection;
import dev.tiergate.server.support.ServerHarness;
import dev.tiergate.testkit.GitHubPayloads;
import dev.tiergate.testkit.Pull;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Masking on embedded PostgreSQL through the GitHub stand-in: production holds synthetic personal data; staging, every
 * working branch and every PR's copy are made from production's masked copy, which holds no original value of a ruled
 * column, masks the same input to the same output everywhere and keeps a foreign key between masked columns; a
 * branch's login cannot reach production; a rule that cannot be applied fails closed; and a PR that adds a
 * personal-looking column needs a rule or a waiver.
 */
class MaskingTest {
    static final String MASKING = """
            masking:
              rules:
                - {table: customers, column: email, method: fake_email}
                - {table: customers, column: full_name, method: fake_name}
                - {table: customers, column: phone, method: "partial(0, 2)"}
                - {table: orders, column: customer_email, method: fake_email}
            """;
    static final String POLICY = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: staging, actors: [human, agent]}
              - {name: hotfix, pattern: "hotfix/*", target: production, hotfix: true, actors: [human]}
              - {name: scratch, pattern: "production-masked-*", target: staging, actors: [human]}
            """;
    static final String DIR = "db/migration/";
    static final String PEOPLE = "V20260101000000__people.sql";
    static final String PEOPLE_SQL = """
            -- refactoring: Introduce New Table
            -- phase: expand
            create table customers (id int primary key, email text not null unique, full_name text, phone text);
            create table orders (id int primary key, customer_email text references customers (email), total int);
            insert into customers
              select g, 'person' || g || '@real.example', 'Real Person ' || g, '+44 7700 9' || lpad(g::text, 5, '0')
              from generate_series(1, 300) g;
            insert into orders select g, 'person' || (g % 300 + 1) || '@real.example', g from generate_series(1, 900) g;
            """;
    static final String MAIN = "1111111111111111111111111111111111111111";
    static final String STAGING = "2222222222222222222222222222222222222222";
    static final String F1 = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
    static final String F2 = "a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2";
    static final String H1 = "b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1";

    ServerHarness h;

    void start(String masking) throws Exception {
        h = new ServerHarness(Map.of());
        for (String ref : List.of("main", MAIN, STAGING, "staging", F1, F2, H1)) {
            h.github.policy(ref, POLICY + masking);
            h.github.file(ref, DIR + PEOPLE, PEOPLE_SQL);
        }
        h.github.branch("main", MAIN);
        h.github.branch("staging", STAGING);
    }

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    void pushFeature(String branch, String sha) throws Exception {
        h.github.branch(branch, sha);
        h.deliver("push", GitHubPayloads.push(h.repoPath, branch, GitHubPayloads.ZERO, sha, "alice"));
    }

    String one(String dbBranch, String sql) throws SQLException {
        BranchConnection c = h.server.backend().connection(h.repo, dbBranch);
        try (Connection conn = DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
                ResultSet rs = conn.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    String audit() {
        StringBuilder b = new StringBuilder();
        h.server
                .audit()
                .all()
                .forEach(r -> b.append('\n').append(r.kind()).append(' ').append(r.details()));
        return b.toString();
    }

    @Test
    void branchesOfAMaskedTierHoldNoOriginalValueMaskAlikeKeepTheForeignKeyAndCannotReachProduction() throws Exception {
        start(MASKING);
        pushFeature("feature/F1", F1);
        pushFeature("feature/F2", F2);
        assertEquals(
                "300",
                one("production", "select count(*) from customers where email like '%@real.example'"),
                "production keeps its real data");
        assertTrue(h.dbBranchExists("staging"), "staging is made from the masked copy: " + audit());
        for (String db : List.of("staging", "feature-f1", "feature-f2")) {
            assertEquals(
                    "0",
                    one(
                            db,
                            "select count(*) from customers where email like '%@real.example'"
                                    + " or full_name like 'Real Person%' or phone like '+44%'"),
                    db + " holds no original value");
            assertEquals("0", one(db, "select count(*) from orders where customer_email like '%@real.example'"), db);
            assertEquals(
                    "900",
                    one(db, "select count(*) from orders o join customers c on c.email = o.customer_email"),
                    db + ": every order still joins its customer across the masked foreign key");
        }
        String email7 = one("staging", "select email from customers where id = 7");
        assertTrue(email7.matches("user_[0-9a-f]{12}@example\\.invalid"), email7);
        assertEquals(email7, one("feature-f1", "select email from customers where id = 7"), "alike in two branches");
        assertEquals(email7, one("feature-f2", "select email from customers where id = 7"));
        assertEquals("*************08", one("staging", "select phone from customers where id = 8"));
        assertTrue(
                one("staging", "select full_name from customers where id = 1").matches("[A-Z][a-z]+ [A-Z][a-z]+"));

        // a branch's login reaches its own database only: not production, not the masked copy
        BranchConnection feature = h.server.backend().connection(h.repo, "feature-f1");
        BranchConnection production = h.server.backend().connection(h.repo, "production");
        String productionUrl = feature.jdbcUrl().replace(feature.database(), production.database());
        SQLException refused = assertThrows(
                SQLException.class,
                () -> DriverManager.getConnection(productionUrl, feature.user(), feature.password())
                        .close());
        assertTrue(
                refused.getMessage().contains("permission denied")
                        || refused.getMessage().contains("not permitted"),
                refused.getMessage());

        assertTrue(h.server.audit().all().stream().anyMatch(r -> r.kind().equals("masking.run")));
        String page = h.get("/ui/" + h.repoPath).body();
        assertTrue(
                page.contains(
                        "masked source (real data): copies for others come from its masked copy production-masked-1"),
                page);
    }

    @Test
    void aRefreshThatFailsKeepsTheLastGoodCopyInUse() throws Exception {
        start(MASKING);
        pushFeature("feature/F1", F1);
        assertTrue(h.dbBranchExists("production-masked-1"), audit());
        // new rules on the default branch, one of them broken: the refresh fails, the last good copy stays in use
        h.github.policy("main", POLICY + MASKING + "    - {table: customers, column: nickname, method: hash}\n");
        pushFeature("hotfix/H1", H1);
        assertTrue(
                h.server.audit().all().stream()
                        .anyMatch(r -> r.kind().equals("masking.run-failed")
                                && r.details().contains("public.customers.nickname")
                                && r.details().contains("production-masked-1")),
                audit());
        assertTrue(h.dbBranchExists("hotfix-h1"), "a branch of production is still handed out: " + audit());
        assertEquals("0", one("hotfix-h1", "select count(*) from customers where email like '%@real.example'"));
        String page = h.get("/ui/" + h.repoPath).body();
        assertTrue(page.contains("masking failed"), page);
        assertTrue(page.contains("production-masked-1"), page);
    }

    @Test
    void aGitBranchNamedLikeAMaskedCopyIsNeitherTakenNorDropped() throws Exception {
        start(MASKING);
        pushFeature("feature/F1", F1);
        pushFeature("production-masked-2", F2); // a working branch whose database is named like the next copy
        assertTrue(h.dbBranchExists("production-masked-2"), audit());
        String marker = one("production-masked-2", "select email from customers where id = 3");
        // new rules: the next refresh must not take that name, nor drop that branch as an older copy
        h.github.policy("main", POLICY + MASKING + "    - {table: orders, column: total, method: \"null\"}\n");
        pushFeature("hotfix/H1", H1);
        assertTrue(h.dbBranchExists("production-masked-3"), audit());
        assertTrue(h.dbBranchExists("production-masked-2"), "the working branch's database is still there");
        assertEquals(marker, one("production-masked-2", "select email from customers where id = 3"));
        assertEquals("0", one("hotfix-h1", "select count(*) from orders where total is not null"), "the new rule");
    }

    @Test
    void aRuleThatCannotBeAppliedFailsClosedNamingTheRule() throws Exception {
        start(MASKING.replace("column: phone,", "column: phon,"));
        h.github.copyFiles(STAGING, F1);
        h.github.branch("feature/F1", F1);
        Pull p = new Pull(1, "feature/F1", F1, "staging", STAGING, "alice", false, "open", false);
        h.github.pull(p);
        h.deliver("pull_request", GitHubPayloads.pullRequest(h.repoPath, "opened", p));
        assertFalse(h.dbBranchExists("staging"), "no copy of production is handed out");
        assertFalse(h.dbBranchExists("ci-pr-1"));
        JsonNode migrations = h.github.posted(F1, "tiergate/migrations").stream()
                .reduce((a, b) -> b)
                .orElseThrow();
        assertEquals("failure", migrations.path("state").asText(), migrations.toString());
        String d = migrations.path("description").asText();
        assertTrue(d.contains("public.customers.phon") && d.endsWith("[masking.failed]"), d);
        assertTrue(h.server.audit().all().stream()
                .anyMatch(r ->
                        r.kind().equals("masking.run-failed") && r.details().contains("customers.phon")));
        assertFalse(
                h.server.audit().all().stream().anyMatch(r -> r.details().contains("@real.example")),
                "no original value in the audit trail");
    }

    @Test
    void aPrAddingAPersonalLookingColumnNeedsARuleOrAWaiver() throws Exception {
        start(MASKING);
        String add = DIR + "V20260102000000__mobile.sql";
        String sql = """
                -- refactoring: Introduce New Column
                -- phase: expand
                alter table customers add column mobile_phone text;
                """;
        h.github.copyFiles(STAGING, F1);
        h.github.file(F1, add, sql);
        h.github.branch("feature/F1", F1);
        Pull p = new Pull(1, "feature/F1", F1, "staging", STAGING, "alice", false, "open", false);
        h.github.pull(p);
        h.deliver("pull_request", GitHubPayloads.pullRequest(h.repoPath, "opened", p));
        JsonNode refused = h.github.posted(F1, "tiergate/migrations").stream()
                .reduce((a, b) -> b)
                .orElseThrow();
        assertEquals("failure", refused.path("state").asText(), refused.toString());
        assertTrue(refused.path("description").asText().endsWith("[masking.column-unruled]"), refused.toString());

        // the same PR with the rule in its own policy
        h.github.copyFiles(STAGING, F2);
        h.github.file(F2, add, sql);
        h.github.policy(
                F2, POLICY + MASKING + "    - {table: customers, column: mobile_phone, method: \"partial(0, 2)\"}\n");
        Pull ruled = new Pull(1, "feature/F1", F2, "staging", STAGING, "alice", false, "open", false);
        h.github.branch("feature/F1", F2);
        h.github.pull(ruled);
        h.deliver("pull_request", GitHubPayloads.pullRequest(h.repoPath, "synchronize", ruled));
        JsonNode ok = h.github.posted(F2, "tiergate/migrations").stream()
                .reduce((a, b) -> b)
                .orElseThrow();
        assertEquals("success", ok.path("state").asText(), ok.toString());

        // or a waiver with its reason, audited
        String F3 = "a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3";
        h.github.copyFiles(STAGING, F3);
        h.github.policy(F3, POLICY + MASKING);
        h.github.file(
                F3,
                add,
                sql.replace(
                        "alter table",
                        "-- tiergate:not-personal customers.mobile_phone the shop's own switchboard number\nalter table"));
        Pull waived = new Pull(1, "feature/F1", F3, "staging", STAGING, "alice", false, "open", false);
        h.github.branch("feature/F1", F3);
        h.github.pull(waived);
        h.deliver("pull_request", GitHubPayloads.pullRequest(h.repoPath, "synchronize", waived));
        JsonNode passed = h.github.posted(F3, "tiergate/migrations").stream()
                .reduce((a, b) -> b)
                .orElseThrow();
        assertEquals("success", passed.path("state").asText(), passed.toString());
        assertTrue(h.server.audit().all().stream()
                .anyMatch(r -> r.kind().equals("masking.waived") && r.details().contains("switchboard")));
    }
}
