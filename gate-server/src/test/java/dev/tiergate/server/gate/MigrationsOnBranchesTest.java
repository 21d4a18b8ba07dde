package dev.tiergate.server.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.server.backend.BranchConnection;
import dev.tiergate.server.backend.postgres.PostgresBranchBackend;
import dev.tiergate.server.cli.ServerMain;
import dev.tiergate.server.migrate.FlywayRunner;
import dev.tiergate.server.migrate.MigrationFile;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.support.MigratorSql;
import dev.tiergate.server.support.ServerHarness;
import dev.tiergate.server.support.TestPostgres;
import dev.tiergate.testkit.GitHubPayloads;
import dev.tiergate.testkit.Pull;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Migrations on the database branches: tiers hold their git branch's migrations, each PR's are rehearsed on a
 * fresh copy of its tier (status tiergate/migrations, one comment), a merge applies them to the tier after a
 * snapshot, and a failure restores the tier and holds it. Real PostgreSQL, the GitHub stand-in.
 */
class MigrationsOnBranchesTest {
    static final String POLICY = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: staging, actors: [human, agent]}
            """;
    static final String DIR = "db/migration/";
    static final String BASE = "V20260101000000__inventory.sql";
    static final String BASE_SQL = """
            -- refactoring: Introduce Table
            -- phase: expand
            create table inventory (id int primary key, code text);
            insert into inventory select g, 'A-' || g from generate_series(1, 100) g;
            """;
    static final String QTY = "V20260102000000__add_qty.sql";
    static final String QTY_SQL = """
            -- refactoring: Introduce New Column
            -- phase: expand
            alter table inventory add column qty int not null default 0;
            """;
    static final String MAIN = "1111111111111111111111111111111111111111";
    static final String STAGING = "2222222222222222222222222222222222222222";
    static final String STAGING_2 = "2323232323232323232323232323232323232323";
    static final String F1 = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
    static final String F2 = "a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2";

    ServerHarness h;

    @BeforeEach
    void start() {
        start(Map.of());
    }

    void start(Map<String, String> settings) {
        h = new ServerHarness(settings);
        for (String ref : List.of("main", MAIN, STAGING, STAGING_2, F1, F2)) {
            h.github.policy(ref, POLICY);
        }
        h.github.file(MAIN, DIR + BASE, BASE_SQL);
        h.github.file(STAGING, DIR + BASE, BASE_SQL);
        h.github.branch("main", MAIN);
        h.github.branch("staging", STAGING);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    Pull open(long n, String branch, String sha) throws Exception {
        h.github.branch(branch, sha);
        h.github.pull(n, branch, sha, "staging", STAGING, "alice", false, "open", false);
        Pull p = new Pull(n, branch, sha, "staging", STAGING, "alice", false, "open", false);
        assertEquals(202, h.deliver("pull_request", GitHubPayloads.pullRequest(h.repoPath, "opened", p)));
        return p;
    }

    JsonNode migrationsStatus(String sha) {
        return h.github.posted(sha, "tiergate/migrations").stream()
                .reduce((a, b) -> b)
                .orElseThrow(
                        () -> new AssertionError("no tiergate/migrations on " + sha + ": " + h.github.posted(sha)));
    }

    boolean hasColumn(String dbBranch, String column) throws Exception {
        BranchConnection c = h.server.backend().connection(h.repo, dbBranch);
        try (Connection conn = DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
                ResultSet rs = conn.createStatement()
                        .executeQuery(
                                "select count(*) from information_schema.columns where table_name = 'inventory' and column_name = '"
                                        + column + "'")) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }

    @Test
    void tiersHoldTheirBranchesMigrationsAndAPrIsRehearsedOnAFreshCopyOfItsTier() throws Exception {
        h.github.copyFiles(STAGING, F1);
        h.github.file(F1, DIR + QTY, QTY_SQL);
        open(1, "feature/F1", F1);
        assertTrue(hasColumn("staging", "code"), "the tier was migrated from its git branch when it was set up");
        JsonNode s = migrationsStatus(F1);
        assertEquals("success", s.path("state").asText(), s.toString());
        assertEquals(
                "1 migration(s) rehearsed on a copy of staging: all applied",
                s.path("description").asText());
        assertTrue(hasColumn("ci-pr-1", "qty"), "the PR's branch holds its migration");
        assertFalse(hasColumn("staging", "qty"), "the tier does not, until the merge");
        String comment = h.github.comments(1).get(0);
        assertTrue(comment.contains("`" + QTY + "` | applied"), comment);
        assertTrue(comment.contains("AccessExclusiveLock on inventory"), comment);
        assertTrue(comment.contains("+ column public.inventory.qty: integer not null default 0"), comment);
        // nothing changed: no new rehearsal, no new comment, no new status
        h.deliver(
                "pull_request",
                GitHubPayloads.pullRequest(
                        h.repoPath,
                        "edited",
                        new Pull(1, "feature/F1", F1, "staging", STAGING, "alice", false, "open", false)));
        assertEquals(1, h.github.comments(1).size());
        assertEquals(1, h.github.posted(F1, "tiergate/migrations").size());

        // the merge: the migration runs on the tier after a snapshot
        h.github.copyFiles(F1, STAGING_2);
        h.github.branch("staging", STAGING_2);
        h.github.pull(1, "feature/F1", F1, "staging", STAGING, "alice", false, "closed", true);
        h.deliver(
                "pull_request",
                GitHubPayloads.pullRequest(
                        h.repoPath,
                        "closed",
                        new Pull(1, "feature/F1", F1, "staging", STAGING, "alice", false, "closed", true)));
        assertTrue(hasColumn("staging", "qty"), "merged: the tier has the migration");
        assertTrue(h.server.backend().exists(h.repo, "staging-backup-pr1"), "the snapshot taken before");
        assertTrue(h.server.audit().all().stream()
                .anyMatch(r -> r.kind().equals("tier.migrate") && r.details().contains("20260102000000")));
    }

    @Test
    void aMigrationFailingHalfWayBlocksThePrAndLeavesNoTraceOnTheTier() throws Exception {
        h.github.copyFiles(STAGING, F1);
        h.github.file(F1, DIR + "V20260102000000__half.sql", """
                -- refactoring: Introduce New Column
                -- phase: expand
                alter table inventory add column qty int;
                alter table no_such_table add column x int;
                """);
        open(2, "feature/F2", F1);
        JsonNode s = migrationsStatus(F1);
        assertEquals("failure", s.path("state").asText());
        assertTrue(
                s.path("description")
                        .asText()
                        .startsWith(
                                "V20260102000000__half.sql:4: SQLSTATE 42P01: relation \"no_such_table\" does not exist"),
                s.toString());
        assertTrue(s.path("description").asText().endsWith("[migration.rehearsal-failed]"), s.toString());
        assertFalse(hasColumn("ci-pr-2", "qty"), "the failed migration was rolled back on the copy");
        assertFalse(hasColumn("staging", "qty"));
        assertTrue(
                h.github.comments(2).get(0).contains("**Blocked.** A migration failed"),
                h.github.comments(2).get(0));
        assertTrue(
                h.github
                        .comments(2)
                        .get(0)
                        .contains(
                                "`V20260102000000__half.sql:4: SQLSTATE 42P01: relation \"no_such_table\" does not exist`"),
                h.github.comments(2).get(0));
    }

    /** The PR comment is public: what a migration raised or cast from the tier's rows is not in it (issue 24). */
    @Test
    void rowsAMigrationRaisesOrCastsAreNotInThePrComment() throws Exception {
        h.github.copyFiles(STAGING, F1);
        h.github.file(F1, DIR + "V20260102000000__leak.sql", """
                -- refactoring: Introduce New Column
                -- phase: expand
                DO $$ BEGIN RAISE EXCEPTION '%', (SELECT string_agg(code, ',') FROM inventory); END $$;
                """);
        open(20, "feature/F20", F1);
        String raised = h.github.comments(20).get(0);
        assertFalse(raised.contains("A-17"), raised);
        assertTrue(
                raised.contains(
                        "`V20260102000000__leak.sql:3: SQLSTATE P0001: raised by the migration; message withheld"),
                raised);

        h.github.copyFiles(STAGING, F2);
        h.github.file(F2, DIR + "V20260102000000__cast.sql", """
                -- refactoring: Introduce New Column
                -- phase: expand
                select (select code from inventory where id = 42)::int;
                """);
        open(21, "feature/F21", F2);
        String cast = h.github.comments(21).get(0);
        assertFalse(cast.contains("A-42"), cast);
        assertTrue(cast.contains("SQLSTATE 22P02: invalid input syntax for type integer: \"…\"`"), cast);
    }

    @Test
    void anEditOfAMigrationTheTierAppliedIsRefusedWithBothChecksums() throws Exception {
        // committed with --no-verify: the hooks never saw it
        h.github.file(F1, DIR + BASE, BASE_SQL.replace("100", "200"));
        open(3, "feature/F3", F1);
        JsonNode s = migrationsStatus(F1);
        assertEquals("failure", s.path("state").asText());
        String comment = h.github.comments(3).get(0);
        assertTrue(comment.contains("`migration.immutable` `" + DIR + BASE), comment);
        assertTrue(
                comment.contains("`migration.applied-edited` `" + DIR + BASE + "`")
                        && comment.contains("the tier has applied version 20260101000000 (checksum ")
                        && comment.contains(" as applied, ")
                        && comment.contains(" in the file), and the file differs"),
                comment);
        // tiergate's own words: not the folder Flyway was staged in, nor a link to its vendor's site
        assertFalse(
                comment.contains("tiergate-migrations") || comment.contains("rd.gt") || comment.contains("http"),
                comment);
    }

    @Test
    void twoOpenPrsTakingTheSameVersionIntoOneTierAreBothTold() throws Exception {
        h.github.copyFiles(STAGING, F1);
        h.github.file(F1, DIR + QTY, QTY_SQL);
        h.github.copyFiles(STAGING, F2);
        h.github.file(F2, DIR + "V20260102000000__add_note.sql", """
                -- refactoring: Introduce New Column
                -- phase: expand
                alter table inventory add column note text;
                """);
        open(4, "feature/F4", F1);
        assertEquals("success", migrationsStatus(F1).path("state").asText());
        open(5, "feature/F5", F2);
        JsonNode second = migrationsStatus(F2);
        assertEquals("failure", second.path("state").asText());
        assertTrue(
                h.github.comments(5).get(0).contains("version 20260102000000 is also added by PR #4"),
                h.github.comments(5).get(0));
        JsonNode first = migrationsStatus(F1);
        assertEquals("failure", first.path("state").asText(), "the first PR is told too");
        assertTrue(
                h.github.comments(4).get(0).contains("version 20260102000000 is also added by PR #5"),
                h.github.comments(4).get(0));
    }

    @Test
    void aMergeWhoseMigrationFailsOnTheTierRestoresItAndHoldsTheTier() throws Exception {
        h.github.copyFiles(STAGING, F1);
        h.github.file(F1, DIR + QTY, QTY_SQL);
        open(6, "feature/F6", F1);
        // what reached staging is not what was rehearsed (a second, broken migration came along)
        h.github.copyFiles(F1, STAGING_2);
        h.github.file(STAGING_2, DIR + "V20260103000000__broken.sql", "alter table no_such_table add column x int;\n");
        h.github.branch("staging", STAGING_2);
        h.github.pull(6, "feature/F6", F1, "staging", STAGING, "alice", false, "closed", true);
        h.deliver(
                "pull_request",
                GitHubPayloads.pullRequest(
                        h.repoPath,
                        "closed",
                        new Pull(6, "feature/F6", F1, "staging", STAGING, "alice", false, "closed", true)));
        assertFalse(
                hasColumn("staging", "qty"),
                "the tier was restored from its snapshot: not even the good migration remains");
        assertTrue(h.server.audit().all().stream()
                .anyMatch(r -> r.kind().equals("violation") && r.details().contains("migration.tier-migrate-failed")));
        assertEquals("failure", migrationsStatus(F1).path("state").asText());
        // the next PR into the held tier is refused until someone acts
        h.github.copyFiles(STAGING, F2);
        open(7, "feature/F7", F2);
        JsonNode workflow = h.github.lastPosted(F2);
        assertEquals("failure", workflow.path("state").asText());
        assertTrue(
                workflow.path("description")
                        .asText()
                        .startsWith("Tier staging is held: PR #6's migration failed on it; roll it back"),
                workflow.toString());
        assertFalse(
                workflow.path("description").asText().contains("no_such_table"),
                "the database's error stays on the dashboard: " + workflow);
        assertTrue(workflow.path("description").asText().endsWith("[migration.tier-held]"));

        // an operator rolls the tier back to the snapshot taken before PR #6 with the real command line
        Path config = h.home.resolve("rollback.properties");
        Files.writeString(
                config,
                "TIERGATE_HOME=" + h.home + "\nTIERGATE_DB_URL=" + h.db.jdbcUrl() + "\nTIERGATE_DB_USER="
                        + h.db.user() + "\n"
                        + (h.db.password() == null ? "" : "TIERGATE_DB_PASSWORD=" + h.db.password() + "\n")
                        + "TIERGATE_BRANCH_DB_URL=" + TestPostgres.branches().url() + "\nTIERGATE_BRANCH_DB_USER="
                        + TestPostgres.branches().user() + "\nTIERGATE_BRANCH_DB_PASSWORD="
                        + TestPostgres.branches().password() + "\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int missing = ServerMain.run(
                new String[] {
                    "rollback", "--config", config.toString(), "--repo", h.repoPath, "--tier", "staging", "--to", "pr99"
                },
                new PrintStream(out, true),
                new PrintStream(err, true));
        assertEquals(3, missing, err.toString());
        assertTrue(
                err.toString().contains("tier staging of " + h.repoPath + " has no snapshot for release 'pr99'"),
                err.toString());
        int code = ServerMain.run(
                new String[] {
                    "rollback", "--config", config.toString(), "--repo", h.repoPath, "--tier", "staging", "--to", "pr6"
                },
                new PrintStream(out, true),
                new PrintStream(err, true));
        assertEquals(0, code, err.toString());
        assertTrue(
                out.toString().contains("tier staging of " + h.repoPath + " restored from staging-backup-pr6"),
                out.toString());
        assertTrue(h.server.audit().all().stream()
                .anyMatch(r -> r.kind().equals("tier.rollback") && r.details().contains("pr6")));
        h.deliver(
                "pull_request",
                GitHubPayloads.pullRequest(
                        h.repoPath,
                        "edited",
                        new Pull(7, "feature/F7", F2, "staging", STAGING, "alice", false, "open", false)));
        JsonNode released = h.github.lastPosted(F2);
        assertTrue(
                released.path("description").asText().endsWith("[gate.ci-not-green]"),
                "released: the PR into staging is judged by the usual rules again (here: waiting for CI): " + released);
        assertTrue(hasColumn("staging", "code"), "the tier's login and content came back with the snapshot");
    }

    @Test
    void ciConnectsToThePrsBranchWithTheDetailsTheApiGivesAndOnlyATokenHolderGetsThePassword() throws Exception {
        h.github.copyFiles(STAGING, F1);
        h.github.file(F1, DIR + QTY, QTY_SQL);
        open(8, "feature/F8", F1);
        JsonNode open = new ObjectMapper()
                .readTree(h.get("/api/v1/repos/" + h.repoPath + "/branches/pull/8")
                        .body());
        JsonNode c = open.path("connection");
        assertEquals("localhost", c.path("host").asText(), open.toString());
        assertTrue(c.path("user").asText().endsWith("_login"), c.toString());
        assertFalse(c.has("url"), "no password from an API without a token: " + c);
        h.close();

        start(Map.of("TIERGATE_API_TOKEN", "api-t0ken"));
        h.github.copyFiles(STAGING, F1);
        h.github.file(F1, DIR + QTY, QTY_SQL);
        open(8, "feature/F8", F1);
        var answer = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(
                                        URI.create(h.baseUrl() + "/api/v1/repos/" + h.repoPath + "/branches/pull/8"))
                                .header("Authorization", "Bearer api-t0ken")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        JsonNode withToken = new ObjectMapper().readTree(answer.body()).path("connection");
        URI url = URI.create(withToken.path("url").asText());
        assertEquals("postgresql", url.getScheme(), withToken.toString());
        String[] userInfo = url.getUserInfo().split(":", 2);
        try (Connection conn = DriverManager.getConnection(
                        "jdbc:postgresql://" + url.getHost() + ":" + url.getPort() + url.getPath(),
                        userInfo[0],
                        userInfo[1]);
                ResultSet rs = conn.createStatement().executeQuery("select count(*) from inventory where qty = 0")) {
            rs.next();
            assertEquals(100, rs.getInt(1), "the PR's branch, migrated, reached with its own login");
        }
    }

    @Test
    void aWorkingBranchsDatabaseFollowsItsPushesAndIsResetWhenAnAppliedMigrationIsRewritten() throws Exception {
        h.github.copyFiles(STAGING, F1);
        h.github.file(F1, DIR + QTY, QTY_SQL);
        h.github.branch("feature/F9", F1);
        h.deliver("push", GitHubPayloads.push(h.repoPath, "feature/F9", GitHubPayloads.ZERO, F1, "alice"));
        assertTrue(hasColumn("feature-f9", "qty"), "the push's migration was applied to the branch's database");
        assertFalse(hasColumn("feature-f9", "amount"));
        // the migration is rewritten before review (a force-push): the database is reset from the tier and re-applied
        h.github.copyFiles(STAGING, F2);
        h.github.file(F2, DIR + QTY, QTY_SQL.replace("qty", "amount"));
        h.github.branch("feature/F9", F2);
        h.deliver("push", GitHubPayloads.push(h.repoPath, "feature/F9", F1, F2, "alice"));
        assertTrue(hasColumn("feature-f9", "amount"));
        assertFalse(hasColumn("feature-f9", "qty"), "nothing of the rewritten migration's first version remains");
        assertTrue(h.server.audit().all().stream()
                .anyMatch(r -> r.kind().equals("branch.reset") && r.details().contains("CHECKSUM_MISMATCH")));
        assertTrue(h.server.audit().all().stream()
                .anyMatch(r -> r.kind().equals("branch.migrate") && r.details().contains("20260102000000")));
    }

    /** A push's database follows it in a run; a run the forge failed (502) is tried again and follows. */
    @Test
    void aPushWhoseDatabaseCouldNotFollowItIsFollowedOnTheRetry() throws Exception {
        h.github.copyFiles(STAGING, F1);
        h.github.branch("feature/F9", F1);
        h.deliver("push", GitHubPayloads.push(h.repoPath, "feature/F9", GitHubPayloads.ZERO, F1, "alice"));
        assertFalse(hasColumn("feature-f9", "qty"));
        h.github.copyFiles(STAGING, F2);
        h.github.file(F2, DIR + QTY, QTY_SQL);
        h.github.branch("feature/F9", F2);
        h.github.failPath("/contents/db/migration", 502, Map.of(), "{\"message\":\"Server Error\"}");
        h.hooks.send("push", GitHubPayloads.push(h.repoPath, "feature/F9", F1, F2, "alice"));
        long deadline = System.currentTimeMillis() + 30_000;
        while (!lastFollowError().contains("answered 502")) {
            assertTrue(
                    System.currentTimeMillis() < deadline,
                    "the follow run was not retried after the 502: " + lastFollowError());
            Thread.sleep(20);
        }
        h.github.heal();
        h.awaitIdle();
        assertTrue(hasColumn("feature-f9", "qty"), "the retry applied the push's migration");
        assertEquals(F2, h.branch("feature/F9").orElseThrow().headSha());
    }

    /**
     * The forge failed every attempt of a follow run (it is failed for good); the branch's record already holds the
     * push's head, so only the reconcile pass can notice that its database is behind: it asks for the run again.
     */
    @Test
    void aFollowThatFailedForGoodIsAskedForAgainByTheReconcilePass() throws Exception {
        h.github.copyFiles(STAGING, F1);
        h.github.branch("feature/F9", F1);
        h.deliver("push", GitHubPayloads.push(h.repoPath, "feature/F9", GitHubPayloads.ZERO, F1, "alice"));
        h.github.copyFiles(STAGING, F2);
        h.github.file(F2, DIR + QTY, QTY_SQL);
        h.github.branch("feature/F9", F2);
        h.github.failPath("/contents/db/migration", 502, Map.of(), "{\"message\":\"Server Error\"}");
        h.hooks.send("push", GitHubPayloads.push(h.repoPath, "feature/F9", F1, F2, "alice"));
        long deadline = System.currentTimeMillis() + 60_000;
        while (!lastFollowStatus().equals("failed")) {
            assertTrue(
                    System.currentTimeMillis() < deadline,
                    "the follow run did not fail for good: " + lastFollowStatus() + " " + lastFollowError());
            Thread.sleep(50);
        }
        h.github.heal();
        assertFalse(hasColumn("feature-f9", "qty"));
        h.server.processor("github").reconcile(h.repo);
        h.awaitIdle();
        assertTrue(
                hasColumn("feature-f9", "qty"),
                "the reconcile pass did not ask again for the follow that failed for good");
        assertTrue(h.server.audit().all().stream()
                .anyMatch(r ->
                        r.kind().equals("branch.follow-again") && r.details().contains(F2)));
    }

    String lastFollowStatus() throws Exception {
        try (Connection c = h.db.dataSource().getConnection();
                ResultSet rs = c.createStatement()
                        .executeQuery(
                                "select coalesce((select status from runs where kind = 'follow' order by id desc limit 1), '')")) {
            rs.next();
            return rs.getString(1);
        }
    }

    String lastFollowError() throws Exception {
        try (Connection c = h.db.dataSource().getConnection();
                ResultSet rs = c.createStatement()
                        .executeQuery("select coalesce(max(last_error), '') from runs where kind = 'follow'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void expandThenContractAcrossTwoMergesIsAcceptedContractFirstIsRefused() throws Exception {
        String contract = """
                -- refactoring: Drop Column
                -- phase: contract
                alter table inventory drop column code;
                """;
        // contract first: refused
        h.github.copyFiles(STAGING, F1);
        h.github.file(F1, DIR + "V20260103000000__drop_code.sql", contract);
        open(10, "feature/F10", F1);
        assertEquals("failure", migrationsStatus(F1).path("state").asText());
        assertTrue(
                h.github
                        .comments(10)
                        .get(0)
                        .contains("`migration.contract-before-expand` `" + DIR + "V20260103000000__drop_code.sql"),
                h.github.comments(10).get(0));
        // expand merged first, then the contract in a later PR: accepted
        h.github.copyFiles(STAGING, F2);
        h.github.file(F2, DIR + "V20260102000000__expand_code.sql", """
                -- refactoring: Drop Column
                -- phase: expand
                alter table inventory alter column code drop not null;
                """);
        open(11, "feature/F11", F2);
        assertEquals(
                "success",
                migrationsStatus(F2).path("state").asText(),
                h.github.comments(11).get(0));
        h.github.copyFiles(F2, STAGING_2);
        h.github.branch("staging", STAGING_2);
        h.github.pull(11, "feature/F11", F2, "staging", STAGING, "alice", false, "closed", true);
        h.deliver(
                "pull_request",
                GitHubPayloads.pullRequest(
                        h.repoPath,
                        "closed",
                        new Pull(11, "feature/F11", F2, "staging", STAGING, "alice", false, "closed", true)));
        // the contract-first PR is closed; its contract comes back in a later PR
        h.github.pull(10, "feature/F10", F1, "staging", STAGING, "alice", false, "closed", false);
        h.deliver(
                "pull_request",
                GitHubPayloads.pullRequest(
                        h.repoPath,
                        "closed",
                        new Pull(10, "feature/F10", F1, "staging", STAGING, "alice", false, "closed", false)));
        String later = "a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3";
        h.github.policy(later, POLICY);
        h.github.copyFiles(STAGING_2, later);
        h.github.file(later, DIR + "V20260103000000__drop_code.sql", contract);
        h.github.branch("feature/F12", later);
        h.github.pull(12, "feature/F12", later, "staging", STAGING_2, "alice", false, "open", false);
        h.deliver(
                "pull_request",
                GitHubPayloads.pullRequest(
                        h.repoPath,
                        "opened",
                        new Pull(12, "feature/F12", later, "staging", STAGING_2, "alice", false, "open", false)));
        assertEquals(
                "success",
                migrationsStatus(later).path("state").asText(),
                h.github.comments(12).get(0));
    }

    @Test
    void aMergeGroupIsRehearsedOnAFreshCopyOfTheTierAsItIsNow() throws Exception {
        h.github.copyFiles(STAGING, F1);
        h.github.file(F1, DIR + QTY, QTY_SQL);
        open(13, "feature/F13", F1);
        // the queue's group holds PR #13 on top of another change already ahead of it in the queue, which breaks it
        String group = "9999999999999999999999999999999999999999";
        h.github.policy(group, POLICY);
        h.github.copyFiles(F1, group);
        h.github.file(group, DIR + "V20260101130000__ahead.sql", """
                -- refactoring: Introduce New Column
                -- phase: expand
                alter table inventory add column qty text;
                """);
        h.deliver(
                "merge_group",
                Map.of(
                        "action",
                        "checks_requested",
                        "merge_group",
                        Map.of(
                                "head_sha",
                                group,
                                "head_ref",
                                "refs/heads/gh-readonly-queue/staging/pr-13-" + F1,
                                "base_ref",
                                "refs/heads/staging"),
                        "repository",
                        Map.of("full_name", h.repoPath)));
        JsonNode s = migrationsStatus(group);
        assertEquals("failure", s.path("state").asText(), s.toString());
        assertTrue(
                s.path("description").asText().contains("column \"qty\" of relation \"inventory\" already exists"),
                s.toString());
        assertFalse(h.server.backend().exists(h.repo, "ci-mq-13"), "the group's copy is dropped afterwards");
        assertEquals("success", migrationsStatus(F1).path("state").asText(), "the PR alone still rehearses fine");
    }

    /** A seed shaped as pg_dump --format=plain writes it, of a database Flyway migrated to the base migration. */
    String seedDump() throws Exception {
        PostgresBranchBackend scratch = TestPostgres.branchBackend("s");
        RepoRef r = new RepoRef("github", null, "seed/" + UUID.randomUUID());
        scratch.create(r, "scratch", null);
        int checksum;
        try (var run = MigratorSql.open(scratch, r, "scratch")) {
            FlywayRunner.migrate(
                    run.connection(),
                    List.of(new MigrationFile(DIR + BASE, BASE_SQL.getBytes(StandardCharsets.UTF_8))));
            checksum = FlywayRunner.history(run.connection()).get(0).checksum();
        }
        scratch.delete(r, "scratch");
        return """
                --
                -- PostgreSQL database dump
                --
                \\restrict Tz0cBZrGNXJ0gYa
                SET statement_timeout = 0;
                SET client_encoding = 'UTF8';
                SELECT pg_catalog.set_config('search_path', '', false);
                CREATE TABLE public.inventory (id integer NOT NULL, code text);
                CREATE TABLE public.flyway_schema_history (installed_rank integer NOT NULL, version character varying(50),
                    description character varying(200) NOT NULL, type character varying(20) NOT NULL, script character varying(1000) NOT NULL,
                    checksum integer, installed_by character varying(100) NOT NULL, installed_on timestamp without time zone DEFAULT now() NOT NULL,
                    execution_time integer NOT NULL, success boolean NOT NULL);
                COPY public.inventory (id, code) FROM stdin;
                1\tSEED-1
                2\tSEED-2; with a semicolon
                \\.
                COPY public.flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, installed_on, execution_time, success) FROM stdin;
                1\t20260101000000\tinventory\tSQL\tV20260101000000__inventory.sql\t%d\tpostgres\t2026-01-01 00:00:00\t10\tt
                \\.
                ALTER TABLE ONLY public.inventory ADD CONSTRAINT inventory_pkey PRIMARY KEY (id);
                \\unrestrict Tz0cBZrGNXJ0gYa
                """.formatted(checksum);
    }

    @Test
    void aTiersSeedIsLoadedBeforeItsMigrationsAndOnlyNewerMigrationsRunOnTop() throws Exception {
        h.github.policy(
                "main",
                POLICY.replace(
                        "{name: staging, branch: staging, parent: production}",
                        "{name: staging, branch: staging, parent: production, seed: db/seed/staging.sql}"));
        h.github.file(STAGING, "db/seed/staging.sql", seedDump());
        h.github.file(STAGING, DIR + QTY, QTY_SQL); // newer than the dump
        h.github.branch("feature/F14", F1);
        h.deliver("push", GitHubPayloads.push(h.repoPath, "feature/F14", GitHubPayloads.ZERO, F1, "alice"));
        BranchConnection c = h.server.backend().connection(h.repo, "staging");
        try (Connection conn = DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
                ResultSet rs = conn.createStatement()
                        .executeQuery("select string_agg(code || '/' || qty, ',' order by id) from inventory")) {
            rs.next();
            assertEquals(
                    "SEED-1/0,SEED-2; with a semicolon/0",
                    rs.getString(1),
                    "the seed's rows, with the newer migration's column");
        }
        assertTrue(h.server.audit().all().stream()
                .anyMatch(r -> r.kind().equals("tier.seed") && r.details().contains("db/seed/staging.sql")));
        assertTrue(
                h.server.audit().all().stream()
                        .anyMatch(r -> r.kind().equals("tier.migrate")
                                && r.details().contains("20260102000000")
                                && !r.details().contains("20260101000000,")),
                "only the migration newer than the dump ran");
    }

    @Test
    void aSeedThatDoesNotLoadHoldsTheTierAndPrsIntoItSayWhy() throws Exception {
        String seeded = POLICY.replace(
                "{name: staging, branch: staging, parent: production}",
                "{name: staging, branch: staging, parent: production, seed: db/seed/staging.sql}");
        for (String ref : List.of("main", MAIN, STAGING, F1)) {
            h.github.policy(ref, seeded);
        }
        h.github.file(
                STAGING,
                "db/seed/staging.sql",
                "CREATE TABLE public.inventory (id integer);\nINSERT INTO public.nowhere VALUES (1);\n");
        h.github.copyFiles(STAGING, F1);
        open(15, "feature/F15", F1);
        JsonNode workflow = h.github.lastPosted(F1);
        assertEquals("failure", workflow.path("state").asText());
        assertTrue(
                workflow.path("description")
                        .asText()
                        .startsWith("Tier staging is held: setting it up failed; roll it back"),
                workflow.toString());
        assertFalse(
                workflow.path("description").asText().contains("nowhere"),
                "the database's error stays on the dashboard: " + workflow);
        assertTrue(workflow.path("description").asText().endsWith("[migration.tier-held]"), workflow.toString());
        BranchConnection c = h.server.backend().connection(h.repo, "staging");
        try (Connection conn = DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
                ResultSet rs = conn.createStatement().executeQuery("select to_regclass('public.inventory') is null")) {
            rs.next();
            assertTrue(rs.getBoolean(1), "the seed loads all or nothing");
        }
    }

    @Test
    void aPrBehindItsTierIsNotToldItRemovedTheMigrationsMergedAfterIt() throws Exception {
        h.github.copyFiles(STAGING, F1);
        h.github.file(F1, DIR + QTY, QTY_SQL);
        open(16, "feature/F16", F1);
        // PR #17, opened later, merges first: its migration reaches staging
        h.github.copyFiles(STAGING, F2);
        h.github.file(F2, DIR + "V20260101120000__add_note.sql", """
                -- refactoring: Introduce New Column
                -- phase: expand
                alter table inventory add column note text;
                """);
        open(17, "feature/F17", F2);
        h.github.copyFiles(F2, STAGING_2);
        h.github.branch("staging", STAGING_2);
        h.github.pull(17, "feature/F17", F2, "staging", STAGING, "alice", false, "closed", true);
        h.deliver(
                "pull_request",
                GitHubPayloads.pullRequest(
                        h.repoPath,
                        "closed",
                        new Pull(17, "feature/F17", F2, "staging", STAGING, "alice", false, "closed", true)));
        assertTrue(
                hasColumn("staging", "note"),
                () -> h.server.audit().all().stream()
                        .map(r -> r.kind() + " " + r.subject() + " " + r.details())
                        .toList()
                        .toString());
        // PR #16's base moves to the new staging (GitHub updates it); its head, forked at the old staging, does not
        // have
        // PR #17's file: not a removal
        h.github.mergeBase(STAGING_2, F1, STAGING);
        h.github.pull(16, "feature/F16", F1, "staging", STAGING_2, "alice", false, "open", false);
        h.deliver(
                "pull_request",
                GitHubPayloads.pullRequest(
                        h.repoPath,
                        "edited",
                        new Pull(16, "feature/F16", F1, "staging", STAGING_2, "alice", false, "open", false)));
        JsonNode s = migrationsStatus(F1);
        assertEquals("success", s.path("state").asText(), h.github.comments(16).get(0));
        assertTrue(
                hasColumn("ci-pr-16", "note") && hasColumn("ci-pr-16", "qty"),
                "rehearsed on the tier as it is now, with its own migration on top");
    }

    @Test
    void aPrThatTouchesNoMigrationGetsTheStatusButNoComment() throws Exception {
        h.github.copyFiles(STAGING, F1);
        open(18, "feature/F18", F1);
        assertEquals("success", migrationsStatus(F1).path("state").asText());
        assertEquals(
                "No new migrations; the schema is unchanged",
                migrationsStatus(F1).path("description").asText());
        assertEquals(List.of(), h.github.comments(18), "nothing to say, no comment");
        // CI wrote to the PR's database; the next head (no migration either) gets a fresh copy of the tier all the same
        execute("ci-pr-18", "insert into inventory values (1000, 'CI-ROW')");
        h.github.copyFiles(STAGING, F2);
        h.github.branch("feature/F18", F2);
        h.github.pull(18, "feature/F18", F2, "staging", STAGING, "alice", false, "open", false);
        h.deliver(
                "pull_request",
                GitHubPayloads.pullRequest(
                        h.repoPath,
                        "synchronize",
                        new Pull(18, "feature/F18", F2, "staging", STAGING, "alice", false, "open", false)));
        assertEquals(
                "No new migrations; the schema is unchanged",
                migrationsStatus(F2).path("description").asText());
        assertEquals(
                0,
                count("ci-pr-18", "select count(*) from inventory where id = 1000"),
                "ci-pr-18 is a fresh copy for the new head");
        assertEquals(100, count("ci-pr-18", "select count(*) from inventory"));
    }

    /**
     * A push that changes no migration file asks Flyway nothing, unless the branch's database did not take the last
     * push's migrations: a migration that failed there (here on a row CI left) is tried again at the next push.
     */
    @Test
    void aMigrationThatFailedOnAWorkingBranchIsTriedAgainAtTheNextPushThatChangesNoMigration() throws Exception {
        String f3 = "a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3";
        String f4 = "a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4a4";
        String check = """
                -- refactoring: Add Check Constraint
                -- phase: expand
                alter table inventory add constraint code_short check (length(code) < 8);
                """;
        h.github.copyFiles(STAGING, F1);
        h.github.branch("feature/F9", F1);
        h.deliver("push", GitHubPayloads.push(h.repoPath, "feature/F9", GitHubPayloads.ZERO, F1, "alice"));
        execute("feature-f9", "insert into inventory values (1000, 'MUCH-TOO-LONG')");
        for (String sha : List.of(F2, f3, f4)) {
            h.github.policy(sha, POLICY);
            h.github.copyFiles(STAGING, sha);
            h.github.file(sha, DIR + "V20260102000000__code_short.sql", check);
        }
        h.github.branch("feature/F9", F2);
        h.deliver("push", GitHubPayloads.push(h.repoPath, "feature/F9", F1, F2, "alice"));
        assertEquals(
                0,
                count("feature-f9", "select count(*) from pg_constraint where conname = 'code_short'"),
                "the row breaks the check");
        assertTrue(
                h.server.audit().all().stream()
                        .anyMatch(r ->
                                r.kind().equals("branch.migrate") && r.details().contains("\"ok\":false")),
                h.server.audit().all().toString());
        execute("feature-f9", "delete from inventory where id = 1000");
        h.github.branch("feature/F9", f3);
        h.deliver("push", GitHubPayloads.push(h.repoPath, "feature/F9", F2, f3, "alice"));
        assertEquals(
                1,
                count("feature-f9", "select count(*) from pg_constraint where conname = 'code_short'"),
                "tried again, and applied");
        long migrates = h.server.audit().all().stream()
                .filter(r -> r.kind().equals("branch.migrate"))
                .count();
        h.github.branch("feature/F9", f4);
        h.deliver("push", GitHubPayloads.push(h.repoPath, "feature/F9", f3, f4, "alice"));
        assertEquals(f4, h.branch("feature/F9").orElseThrow().headSha());
        assertEquals(
                migrates,
                h.server.audit().all().stream()
                        .filter(r -> r.kind().equals("branch.migrate"))
                        .count());
        assertEquals(1, count("feature-f9", "select count(*) from pg_constraint where conname = 'code_short'"));
    }

    void execute(String dbBranch, String sql) throws Exception {
        MigratorSql.execute(h.server.backend(), h.repo, dbBranch, sql);
    }

    int count(String dbBranch, String sql) throws Exception {
        BranchConnection c = h.server.backend().connection(h.repo, dbBranch);
        try (Connection conn = DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
                ResultSet rs = conn.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
