package dev.tiergate.hooks;

import static dev.tiergate.hooks.GitSandbox.HEADER_EXPAND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.hooks.GitSandbox.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every pre-commit rule, proved by a real `git commit` that fails with its message, and allowed cases that pass. */
class PreCommitHookTest {
    static final String M1 = "db/migration/V20260616093000__add_code.sql";

    @TempDir
    Path tmp;

    GitSandbox g;

    @BeforeEach
    void repo() throws Exception {
        g = new GitSandbox(tmp).initialised();
        g.ok(g.repo, "tiergate", "claim", "F1-split-inventory");
    }

    static void refused(Result r, String rule, String... fragments) {
        assertEquals(1, r.exit() == 0 ? 0 : 1, "expected the commit to be refused: " + r.all());
        assertTrue(r.all().contains("[" + rule + "]"), "expected rule " + rule + " in: " + r.all());
        assertTrue(r.all().contains("fix:"), r.all());
        for (String f : fragments) {
            assertTrue(r.all().contains(f), "expected '" + f + "' in: " + r.all());
        }
    }

    @Test
    void goodMigrationIsCommittedRecordedAndTrailed() throws Exception {
        g.write(M1, HEADER_EXPAND + "ALTER TABLE inventory ADD COLUMN code text;\n");
        Result r = g.commit("Add inventory code");
        assertEquals(0, r.exit(), r.all());
        String sum = g.git("show", "HEAD:.tiergate/migrations.sum").out();
        assertTrue(sum.contains(M1), sum);
        String msg = g.git("log", "-1", "--format=%B").out();
        assertTrue(msg.contains("Tiergate-Migration: V20260616093000 \"Add Column\" expand"), msg);
        assertTrue(msg.contains("Tiergate-Actor-Class: human"), msg);
        assertEquals("", g.git("status", "--porcelain").out().replace("?? .tiergate/workflow-state.json\n", ""));
    }

    @Test
    void editAndDeletionOfACommittedMigrationAreRefusedNamingTheRecordedChecksum() throws Exception {
        g.write(M1, HEADER_EXPAND + "ALTER TABLE inventory ADD COLUMN code text;\n");
        assertEquals(0, g.commit("Add code").exit());
        String recorded = g.read(".tiergate/migrations.sum").split("\\s+")[0];
        g.write(M1, HEADER_EXPAND + "ALTER TABLE inventory ADD COLUMN code varchar(10);\n");
        refused(g.commit("Tweak"), "migration.immutable", M1, recorded);
        g.git("checkout", "HEAD", "--", M1);
        g.git("rm", "-q", M1);
        refused(g.run(g.repo, "git", "commit", "-q", "-m", "Remove"), "migration.immutable", M1);
    }

    @Test
    void badNameIsRefusedWithTheNextFreeName() throws Exception {
        g.write("db/migration/add_code.sql", HEADER_EXPAND + "ALTER TABLE t ADD COLUMN c int;\n");
        refused(g.commit("Bad name"), "migration.naming", "db/migration/add_code.sql", "V2");
    }

    @Test
    void duplicateVersionIsRefused() throws Exception {
        g.write(M1, HEADER_EXPAND + "ALTER TABLE t ADD COLUMN a int;\n");
        assertEquals(0, g.commit("a").exit());
        g.write("db/migration/V20260616093000__other.sql", HEADER_EXPAND + "ALTER TABLE t ADD COLUMN b int;\n");
        refused(g.commit("b"), "migration.version-duplicate", "db/migration/V20260616093000__other.sql", M1);
    }

    @Test
    void versionOlderThanTheTiersNewestIsRefused() throws Exception {
        g.git("checkout", "-q", "staging");
        g.write("db/migration/V20260701000000__on_staging.sql", HEADER_EXPAND + "ALTER TABLE t ADD COLUMN s int;\n");
        g.commitNoVerify("already on staging (merged earlier)");
        g.git("checkout", "-q", "feature/F1-split-inventory");
        g.write(M1, HEADER_EXPAND + "ALTER TABLE t ADD COLUMN a int;\n");
        refused(g.commit("old version"), "migration.version-order", M1, "20260701000000");
    }

    @Test
    void aPartialCommitIsJudgedOnWhatItCommitsNotOnTheWholeIndex() throws Exception {
        // `git commit <paths>` runs the hooks on a temporary index (GIT_INDEX_FILE) that holds HEAD plus those paths
        g.write(M1, "ALTER TABLE t ADD COLUMN c int;\n");
        g.write("README.md", "# inventory, edited\n");
        g.ok(g.repo, "git", "add", "-A");
        Result onlyReadme = g.run(g.repo, "git", "commit", "-q", "-m", "readme only", "--", "README.md");
        assertEquals(0, onlyReadme.exit(), onlyReadme.all());
        assertEquals(
                "A  " + M1 + "\n",
                g.git("status", "--porcelain", "--untracked-files=no").out());
        refused(g.run(g.repo, "git", "commit", "-q", "-m", "the migration"), "migration.header", M1);
    }

    @Test
    void aHandEditedStateFileIsRefusedAlthoughAnEarlierVersionWasFoundValid() throws Exception {
        g.write("notes.sql", "select 1;\n"); // a .sql path: the shim hands the commit to the JVM, which validates
        assertEquals(0, g.commit("notes").exit());
        assertTrue(
                Files.exists(g.repo.resolve(".git/" + ValidatedStateCache.FILE)), "the valid state file is remembered");
        String valid = g.read(".tiergate/workflow-state.json");
        String edited = valid.replaceFirst("\"version\"\\s*:\\s*1", "\"version\" : 7");
        assertFalse(edited.equals(valid), valid);
        g.write(".tiergate/workflow-state.json", edited);
        g.write("more.sql", "select 2;\n");
        refused(g.commit("more"), "state.schema", ".tiergate/workflow-state.json", "version");
    }

    @Test
    void missingHeaderIsRefused() throws Exception {
        g.write(M1, "ALTER TABLE t ADD COLUMN c int;\n");
        refused(g.commit("no header"), "migration.header", M1, "-- refactoring:");
    }

    @Test
    void theSqlLintRefusesAnErrorLevelFindingAndShowsWarningsWithoutRefusing() throws Exception {
        g.write(M1, HEADER_EXPAND + "CREATE INDEX IF NOT EXISTS i ON orders (customer_id);\n");
        refused(g.commit("index"), "sql.index-not-concurrent", M1 + ":3:1");
        g.write(
                M1,
                HEADER_EXPAND + "CREATE TABLE IF NOT EXISTS orders (id bigint, code char(3));\n"
                        + "CREATE INDEX IF NOT EXISTS i ON orders (code);\n");
        Result r = g.commit("new table, its index, a char column");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.all().contains("sql.char-type"), r.all());
    }

    @Test
    void destructiveStatementOutsideContractIsRefusedWithItsLine() throws Exception {
        g.write(M1, HEADER_EXPAND + "ALTER TABLE t ADD COLUMN c int;\nDELETE FROM t;\n");
        refused(g.commit("delete all"), "migration.destructive-outside-contract", M1 + ":4");
    }

    @Test
    void destructiveStatementInContractPhaseAndLookAlikesAreAllowed() throws Exception {
        g.write(M1, "-- refactoring: Drop Column\n-- phase: contract\nALTER TABLE t DROP COLUMN old_code;\n");
        g.write(
                "db/migration/V20260616093100__fn.sql",
                HEADER_EXPAND
                        + "-- DROP TABLE t;\nSELECT 'DROP TABLE t;';\nCREATE FUNCTION f() RETURNS void AS $$ DELETE FROM t; $$ LANGUAGE sql;\n");
        Result r = g.commit("contract and look-alikes");
        assertEquals(0, r.exit(), r.all());
    }

    @Test
    void migrationAddedDirectlyOnATierBranchIsRefused() throws Exception {
        g.git("checkout", "-q", "staging");
        g.write(M1, HEADER_EXPAND + "ALTER TABLE t ADD COLUMN c int;\n");
        refused(g.commit("straight onto staging"), "migration.tier-direct", M1, "branch staging");
    }

    @Test
    void commitOnAnUnclaimedWorkingBranchIsRefusedWithTheClaimCommand() throws Exception {
        g.git("checkout", "-q", "-b", "feature/F9-unclaimed", "staging");
        g.write("notes.txt", "x\n");
        refused(g.commit("work"), "workflow.no-claim", "feature/F9-unclaimed", "tiergate claim F9-unclaimed");
    }

    @Test
    void kitStateFileMissingAFieldIsRefusedNamingTheField() throws Exception {
        g.write(".lakebase/workflow-state.json", """
                {"version": 1, "state": "feature-claimed", "tier_topology": 2, "project_id": "p1",
                 "feature_id": "F1", "branch": "feature/F1-split-inventory", "parent_branch": "staging",
                 "claimed_at": "2026-06-16T09:30:00Z"}
                """);
        refused(g.commit("state"), "state.schema", ".lakebase/workflow-state.json", "lakebase_branch_uid");
    }

    @Test
    void kitStateFileOfAnotherBranchIsRefusedWithoutSuggestingToRewriteTheRow() throws Exception {
        g.write(".lakebase/workflow-state.json", """
                {"version": 1, "state": "feature-claimed", "tier_topology": 2, "project_id": "p1",
                 "feature_id": "F2", "branch": "feature/F2-other", "parent_branch": "staging",
                 "lakebase_branch_uid": "br-1", "claimed_at": "2026-06-16T09:30:00Z"}
                """);
        Result r = g.commit("state");
        refused(
                r,
                "state.branch-mismatch",
                ".lakebase/workflow-state.json (branch feature/F1-split-inventory)",
                "the state names branch 'feature/F2-other' (feature-claimed) but 'feature/F1-split-inventory' is checked out",
                "fix: commit this state on feature/F2-other (git checkout feature/F2-other), or restore this branch's copy:"
                        + " git checkout HEAD -- .lakebase/workflow-state.json");
        assertFalse(r.all().contains("set \"branch\""), r.all());
    }

    @Test
    void theKitsClaimOnAFeatureDashBranchCountsAsTheClaim() throws Exception {
        g.git("checkout", "-q", "-b", "feature-split-inventory", "staging");
        g.write("notes.txt", "x\n");
        refused(
                g.commit("work before any claim"),
                "workflow.no-claim",
                "branch feature-split-inventory",
                "tiergate claim split-inventory --type feature",
                ".lakebase/workflow-state.json");
        for (String state : new String[] {"feature-claimed", "pr-ready", "ci-green"}) {
            g.write(".lakebase/workflow-state.json", KitFixtures.row(state, "feature-split-inventory"));
            Result r = g.commit("kit: " + state);
            assertEquals(0, r.exit(), state + ": " + r.all());
        }
    }

    @Test
    void aMergedKitRowIsAcceptedOnItsParentTierButNotOnAnotherFeatureBranch() throws Exception {
        g.git("checkout", "-q", "staging");
        g.write(".lakebase/workflow-state.json", KitFixtures.MERGED_ON_STAGING);
        Result ok = g.commit("kit: merged");
        assertEquals(0, ok.exit(), ok.all());
        g.git("checkout", "-q", "feature/F1-split-inventory");
        g.write(".lakebase/workflow-state.json", KitFixtures.MERGED_ON_STAGING);
        refused(
                g.commit("merged row on a feature branch"),
                "state.branch-mismatch",
                "the merged row of feature-split-inventory belongs on its parent tier staging",
                "commit it on staging (git checkout staging)");
    }

    @Test
    void aKnexMigrationDirectoryGetsNamingAndImmutabilityButNoSqlRules() throws Exception {
        g.git("checkout", "-q", "staging");
        g.write(
                ".tiergate/policy.yaml",
                g.read(".tiergate/policy.yaml")
                        .replace("directory: db/migration", "directory: migrations")
                        .replace(
                                "naming: \"V{timestamp}__{description}.sql\"",
                                "naming: \"{timestamp}_{description}.js\""));
        g.commitNoVerify("knex migrations");
        g.git("checkout", "-q", "feature/F1-split-inventory");
        g.ok(g.repo, "git", "merge", "-q", "--no-verify", "staging");
        String js = "migrations/20260616093000_add_sku.js";
        g.write(js, "exports.up = knex => knex.schema.dropTable('old');\nexports.down = () => {};\n");
        Result ok = g.commit("knex migration");
        assertEquals(0, ok.exit(), ok.all());
        assertTrue(g.git("show", "HEAD:.tiergate/migrations.sum").out().contains(js));
        g.write(js, "exports.up = knex => knex.schema.dropTable('older');\nexports.down = () => {};\n");
        refused(g.commit("edit it"), "migration.immutable", js);
        g.git("checkout", "-q", "--", js);
        g.write("migrations/add_lot.js", "exports.up = () => {};\n");
        refused(g.commit("bad name"), "migration.naming", "migrations/add_lot.js", "_add_lot.js");
    }

    @Test
    void invalidPolicyIsRefused() throws Exception {
        String policy = g.read(".tiergate/policy.yaml");
        g.write(".tiergate/policy.yaml", policy.replace("parent: production", "parent: nowhere"));
        Result r = g.commit("break policy");
        assertTrue(r.exit() != 0, r.all());
        assertTrue(
                r.all().contains("[policy.tiers.parent-exists]") || r.all().contains("[policy.tiers.one-root]"),
                r.all());
        assertTrue(r.all().contains(".tiergate/policy.yaml"), r.all());
    }

    @Test
    void agentMayNotDeleteATestOffTheAllowlist() throws Exception {
        g.write("src/test/java/InventoryTest.java", "class InventoryTest {}\n");
        g.write("src/test/java/OldTest.java", "class OldTest {}\n");
        assertEquals(0, g.commit("tests").exit());
        g.git("checkout", "-q", "staging");
        g.write(
                ".tiergate/policy.yaml",
                g.read(".tiergate/policy.yaml").replace("actors: []", "actors:\n  - {id: claude-agent, class: agent}"));
        g.commitNoVerify("policy names the agent");
        g.ok(g.repo, "git", "merge", "-q", "--no-ff", "--no-verify", "-m", "merge tests", "feature/F1-split-inventory");
        g.setEnv("TIERGATE_ACTOR", "claude-agent");
        g.ok(
                g.repo,
                "tiergate",
                "claim",
                "F2-agent",
                "--actor",
                "claude-agent",
                "--supersedes",
                "src/test/java/OldTest.java");
        g.git("rm", "-q", "src/test/java/InventoryTest.java");
        refused(
                g.run(g.repo, "git", "commit", "-q", "-m", "drop test"),
                "tests.agent-deleted",
                "src/test/java/InventoryTest.java");
        g.git("reset", "-q", "--hard");
        g.git("rm", "-q", "src/test/java/OldTest.java");
        Result ok = g.run(g.repo, "git", "commit", "-q", "-m", "drop superseded test");
        assertEquals(0, ok.exit(), ok.all());
    }

    @Test
    void theActorClassTrailerFollowsGitsConfigWhenThePolicyListsActors() throws Exception {
        // the default policy lists no actors: everyone is human, and git's config is not asked
        g.write(M1, HEADER_EXPAND + "ALTER TABLE inventory ADD COLUMN code text;\n");
        assertEquals(0, g.commit("human's migration").exit());
        assertTrue(g.git("log", "-1", "--format=%B").out().contains("Tiergate-Actor-Class: human"));
        // a policy that names an agent: the committer is whoever git config tiergate.actor says
        g.write(
                ".tiergate/policy.yaml",
                g.read(".tiergate/policy.yaml").replace("actors: []", "actors:\n  - {id: claude-agent, class: agent}"));
        g.ok(g.repo, "git", "config", "tiergate.actor", "claude-agent");
        g.write(
                "db/migration/V20260616093100__add_name.sql",
                HEADER_EXPAND + "ALTER TABLE inventory ADD COLUMN name text;\n");
        Result r = g.commit("agent's migration");
        assertEquals(0, r.exit(), r.all());
        assertTrue(
                g.git("log", "-1", "--format=%B").out().contains("Tiergate-Actor-Class: agent"),
                g.git("log", "-1", "--format=%B").out());
    }

    @Test
    void trailersLeftByAnAbortedCommitDoNotReachALaterMerge() throws Exception {
        g.write(M1, HEADER_EXPAND + "ALTER TABLE inventory ADD COLUMN code text;\n");
        g.ok(g.repo, "git", "add", "-A");
        g.setEnv("GIT_EDITOR", "false"); // the editor fails: git aborts after pre-commit, before commit-msg
        assertTrue(g.run(g.repo, "git", "commit", "-q").exit() != 0);
        g.setEnv("GIT_EDITOR", "true");
        assertTrue(
                Files.exists(g.repo.resolve(".git/" + Main.TRAILERS_FILE)),
                "pre-commit left the trailers for commit-msg");
        g.ok(g.repo, "git", "stash", "-q");
        g.ok(g.repo, "git", "checkout", "-q", "-b", "side");
        g.write("side.txt", "side\n");
        g.commitNoVerify("side");
        g.ok(g.repo, "git", "checkout", "-q", "feature/F1-split-inventory");
        g.ok(g.repo, "git", "merge", "-q", "--no-ff", "side", "-m", "merge side");
        String msg = g.git("log", "-1", "--format=%B").out();
        assertFalse(msg.contains("Tiergate-"), "a merge adds no migration of the aborted commit: " + msg);
        assertFalse(Files.exists(g.repo.resolve(".git/" + Main.TRAILERS_FILE)), "and the stale file is gone");
    }

    /** The shim could not find the launcher: it tried to start the JVM. */
    static boolean startedTheJvm(Result r) {
        return r.all().contains("checks did NOT run");
    }

    /** One commit through the JVM, which leaves the shim the migration directory in the git dir. */
    void primeTheFastPath() throws Exception {
        primeTheFastPathWith("db/migration\n");
    }

    @Test
    void fastPathCommitOfAPlainFileNeedsNoJvmAndPasses() throws Exception {
        primeTheFastPath();
        g.write("docs/readme.md", "hello\n");
        g.setEnv("TIERGATE_LAUNCHER", "/nonexistent/launcher-that-would-fail");
        Result r = g.commit("docs");
        assertEquals(0, r.exit(), r.all());
        assertFalse(startedTheJvm(r), r.all());
    }

    @Test
    void fastPathSendsEveryPathThatMayConcernTheDatabaseToTheJvm() throws Exception {
        primeTheFastPath();
        g.setEnv("TIERGATE_LAUNCHER", "/nonexistent/launcher-that-would-fail");
        for (String path : new String[] {
            "db/migration/README.md", "elsewhere/V1__x.sql", ".lakebase/notes.json", "docs/caf\u00e9.md"
        }) {
            g.write(path, "x\n");
            Result r = g.commit("add " + path);
            assertTrue(startedTheJvm(r), path + ": " + r.all());
        }
        g.git("rm", "-q", "docs/first.md");
        assertTrue(startedTheJvm(g.run(g.repo, "git", "commit", "-q", "-m", "delete")), "a deletion goes to the JVM");
    }

    @Test
    void anEditedPolicyMakesTheShimAskTheJvmAgain() throws Exception {
        primeTheFastPath();
        // a policy edited after the JVM's last run (its mtime is newer than the fast-path file)
        String policy = g.read(".tiergate/policy.yaml").replace("directory: db/migration", "directory: sql/changes");
        g.write(".tiergate/policy.yaml", policy);
        g.commitNoVerify("move migrations");
        g.write("sql/changes/README.md", "x\n");
        g.setEnv("TIERGATE_LAUNCHER", "/nonexistent/launcher-that-would-fail");
        assertTrue(startedTheJvm(g.commit("readme")), "a stale fast-path file must not be trusted");
    }

    @Test
    void theJvmRecordsTheNewMigrationDirectoryForTheShim() throws Exception {
        String policy = g.read(".tiergate/policy.yaml").replace("directory: db/migration", "directory: sql/changes/");
        g.write(".tiergate/policy.yaml", policy);
        g.commitNoVerify("move migrations");
        primeTheFastPathWith("sql/changes\n");
        g.setEnv("TIERGATE_LAUNCHER", "/nonexistent/launcher-that-would-fail");
        g.write("sql/changes/README.md", "x\n");
        assertTrue(startedTheJvm(g.commit("readme")), "a path under the new migration directory goes to the JVM");
        g.write("db/migration/README.md", "x\n");
        assertFalse(startedTheJvm(g.commit("old dir")), "the old directory is an ordinary folder now");
    }

    private void primeTheFastPathWith(String expected) throws Exception {
        // the fast-path file is dated two seconds before the JVM read the policy: a policy written in the last two
        // seconds (as by this test's set-up) still counts as newer, so date it as edited a minute ago, before any
        // JVM ran (no fast-path file yet)
        Files.setLastModifiedTime(
                g.repo.resolve(".tiergate/policy.yaml"), FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        Files.deleteIfExists(g.repo.resolve(".git/" + Main.FASTPATH_FILE));
        g.write("docs/first.md", "first\n");
        Result first = g.commit("first");
        assertEquals(0, first.exit(), first.all());
        assertEquals(expected, Files.readString(g.repo.resolve(".git/" + Main.FASTPATH_FILE)));
    }
}
