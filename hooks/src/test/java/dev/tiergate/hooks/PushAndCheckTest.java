package dev.tiergate.hooks;

import static dev.tiergate.hooks.GitSandbox.HEADER_EXPAND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.hooks.GitSandbox.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pre-push against a local bare remote, commit-msg trailers, `tiergate check` and the small commands. */
class PushAndCheckTest {
    static final String M1 = "db/migration/V20260616093000__add_code.sql";

    @TempDir
    Path tmp;

    GitSandbox g;

    @BeforeEach
    void repo() throws Exception {
        g = new GitSandbox(tmp).initialised();
        Path remote = tmp.resolve("remote.git");
        g.ok(tmp, "git", "init", "-q", "--bare", remote.toString());
        g.ok(g.repo, "git", "remote", "add", "origin", remote.toString());
        g.ok(g.repo, "git", "push", "-q", "--no-verify", "origin", "main", "staging");
        g.ok(g.repo, "tiergate", "claim", "F1-split");
    }

    @Test
    void claimedWorkingBranchPushes() throws Exception {
        g.write(M1, HEADER_EXPAND + "ALTER TABLE t ADD COLUMN c int;\n");
        assertEquals(0, g.commit("add").exit());
        Result r = g.git("push", "-q", "origin", "feature/F1-split");
        assertEquals(0, r.exit(), r.all());
    }

    @Test
    void directPushToAProtectedTierIsRefused() throws Exception {
        g.git("checkout", "-q", "main");
        g.write("notes.txt", "n\n");
        g.commitNoVerify("note on main");
        Result r = g.git("push", "-q", "origin", "main");
        assertTrue(r.exit() != 0, r.all());
        assertTrue(r.all().contains("[push.protected-tier]") && r.all().contains("branch main"), r.all());
        assertTrue(r.all().contains("open a pull request"), r.all());
    }

    @Test
    void unclaimedWorkingBranchIsRefusedAtPush() throws Exception {
        g.git("checkout", "-q", "-b", "feature/F7-stray", "staging");
        g.write("x.txt", "x\n");
        g.commitNoVerify("stray work");
        Result r = g.git("push", "-q", "origin", "feature/F7-stray");
        assertTrue(
                r.exit() != 0
                        && r.all().contains("[workflow.no-claim]")
                        && r.all().contains("tiergate claim F7-stray"),
                r.all());
    }

    @Test
    void editOfARecordedMigrationAnywhereInTheRangeIsRefused() throws Exception {
        g.write(M1, HEADER_EXPAND + "ALTER TABLE t ADD COLUMN c int;\n");
        assertEquals(0, g.commit("add").exit());
        g.write(M1, HEADER_EXPAND + "ALTER TABLE t ADD COLUMN c bigint;\n");
        g.commitNoVerify("sneaky edit");
        g.write("other.txt", "o\n");
        g.commitNoVerify("later commit");
        Result r = g.git("push", "-q", "origin", "feature/F1-split");
        assertTrue(r.exit() != 0, r.all());
        assertTrue(r.all().contains("[migration.immutable]") && r.all().contains("sneaky edit"), r.all());
        Result check = g.tiergate("check");
        assertEquals(2, check.exit(), check.all());
        assertTrue(check.all().contains("[migration.immutable]"), check.all());
    }

    @Test
    void checkValidatesTheKitStateFileInEveryCommitOfTheRange() throws Exception {
        g.write(
                ".lakebase/workflow-state.json",
                KitFixtures.row("feature-claimed", "feature/F1-split").replace("\"proj-7f3a\"", "\"\""));
        g.commitNoVerify("kit row with an empty project id");
        String bad = g.git("rev-parse", "--short=7", "HEAD").out().strip();
        g.write(".lakebase/workflow-state.json", KitFixtures.row("feature-claimed", "feature/F1-split"));
        assertEquals(0, g.commit("kit row repaired").exit());
        Result r = g.tiergate("check");
        assertEquals(2, r.exit(), r.all());
        assertTrue(
                r.err()
                        .contains(".lakebase/workflow-state.json:6 (commit " + bad
                                + " \"kit row with an empty project id\"):"
                                + " field 'project_id' must not be empty (was \"\") [state.schema]"),
                r.all());
        assertTrue(r.err().contains("fix: set \"project_id\": \"<project id>\""), r.all());
        assertEquals(1, r.err().split("\\[state\\.", -1).length - 1, "the repaired version passes: " + r.all());
    }

    @Test
    void checkPassesACleanRangeAndRefusesABadMigrationCommittedWithNoVerify() throws Exception {
        g.write(M1, HEADER_EXPAND + "ALTER TABLE t ADD COLUMN c int;\n");
        assertEquals(0, g.commit("add").exit());
        Result ok = g.tiergate("check");
        assertEquals(0, ok.exit(), ok.all());
        g.write("db/migration/V20260616093100__drop.sql", HEADER_EXPAND + "DROP TABLE t;\n");
        g.commitNoVerify("skip hooks");
        Result bad = g.tiergate("check", "--base", "staging");
        assertEquals(2, bad.exit(), bad.all());
        assertTrue(bad.all().contains("[migration.destructive-outside-contract]"), bad.all());
    }

    @Test
    void commitMessageTrailersThatContradictTheContentAreRefused() throws Exception {
        g.write(M1, HEADER_EXPAND + "ALTER TABLE t ADD COLUMN c int;\n");
        Result r = g.commit("add\n\nTiergate-Migration: V20990101000000 \"Drop Table\" contract");
        assertTrue(r.exit() != 0, r.all());
        assertTrue(r.all().contains("[commit-msg.trailers]") && r.all().contains("V20990101000000"), r.all());
        Result actor = g.commit("add\n\nTiergate-Actor-Class: agent");
        assertTrue(actor.exit() != 0 && actor.all().contains("policy says this committer is human"), actor.all());
    }

    @Test
    void amendingACommitThatAddedAMigrationKeepsItsTrailersOnce() throws Exception {
        g.write(M1, HEADER_EXPAND + "ALTER TABLE inventory ADD COLUMN code text;\n");
        assertEquals(0, g.commit("Add code").exit());
        // git does not tell hooks it is amending: the message repeats HEAD's trailers, which describe what HEAD adds
        g.write("notes.txt", "amended\n");
        g.git("add", "notes.txt");
        Result r = g.run(g.repo, "git", "commit", "-q", "--amend", "--no-edit");
        assertEquals(0, r.exit(), r.all());
        String msg = g.git("log", "-1", "--format=%B").out();
        assertEquals(
                1,
                msg.lines()
                        .filter(l -> l.startsWith("Tiergate-Migration: V20260616093000"))
                        .count(),
                msg);
        assertEquals(
                1,
                msg.lines().filter(l -> l.startsWith("Tiergate-Actor-Class:")).count(),
                msg);
        // the amended commit still may not claim a migration it does not add
        Result bad = g.run(
                g.repo,
                "git",
                "commit",
                "-q",
                "--amend",
                "-m",
                "Add code\n\nTiergate-Migration: V20990101000000 \"Drop Table\" contract");
        assertTrue(bad.exit() != 0 && bad.all().contains("[commit-msg.trailers]"), bad.all());
    }

    @Test
    void stateAbandonAndPolicyValidate() throws Exception {
        Result state = g.tiergate("state", "--json");
        assertEquals(0, state.exit(), state.all());
        assertTrue(state.out().contains("\"branch\" : \"feature/F1-split\""), state.out());
        Result again = g.tiergate("claim", "F1-split", "--here");
        assertEquals(2, again.exit(), again.all());
        assertTrue(again.all().contains("[claim.exists]"), again.all());
        assertEquals(0, g.tiergate("abandon").exit());
        Result none = g.tiergate("abandon");
        assertEquals(1, none.exit(), none.all());
        assertEquals(0, g.tiergate("policy", "validate").exit());
        Files.writeString(g.repo.resolve("bad.yaml"), "version: 1\ntiers: []\n");
        Result bad = g.tiergate("policy", "validate", "bad.yaml");
        assertEquals(2, bad.exit(), bad.all());
        assertTrue(bad.all().contains("bad.yaml"), bad.all());
        Result missing = g.tiergate("policy", "validate", "nope.yaml");
        assertEquals(1, missing.exit(), missing.all());
    }
}
