package dev.tiergate.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.hooks.GitSandbox.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Lakebase kit project adopts tiergate with {@code tiergate install} and {@code tiergate init}, rewriting nothing:
 * every file the kit writes is committed by a real {@code git commit} and passes {@code tiergate check}; every file the
 * kit's own tools refuse is refused by pre-commit and, committed with --no-verify, by {@code tiergate check}.
 */
class KitAdoptionTest {
    static final String KIT = ".lakebase/workflow-state.json";
    static final String MIGRATIONS = "src/main/resources/db/migration/";
    static final String BASELINE = MIGRATIONS + "V20260601000000__create_inventory.sql";

    @TempDir
    Path tmp;

    GitSandbox g;
    Result init;

    /** A kit project as the kit creates it (scaffold-complete, its Flyway migration), then tiergate adopted. */
    @BeforeEach
    void kitProject() throws Exception {
        g = new GitSandbox(tmp);
        g.ok(g.repo, "git", "init", "-q", "-b", "main");
        g.ok(g.repo, "git", "config", "user.name", "Alice");
        g.ok(g.repo, "git", "config", "user.email", "alice@example.com");
        g.write(KIT, KitFixtures.SCAFFOLD_COMPLETE);
        g.write(BASELINE, "-- V20260601000000: create_inventory\nCREATE TABLE inventory (id bigint PRIMARY KEY);\n");
        g.commitNoVerify("scaffold");
        g.ok(g.repo, "tiergate", "install");
        init = g.ok(g.repo, "tiergate", "init");
    }

    Result check() throws Exception {
        return g.tiergate("check");
    }

    void committedAndChecked(String what) throws Exception {
        Result c = g.commit(what);
        assertEquals(0, c.exit(), what + ": " + c.all());
        Result k = check();
        assertEquals(0, k.exit(), what + " (check): " + k.all());
    }

    @Test
    void initWritesAPolicyMatchingTheKitRecordsTheBaselineAndSaysWhatItChose() throws Exception {
        String out = init.out();
        assertTrue(out.contains("found .lakebase/workflow-state.json: adopting the Lakebase kit's workflow"), out);
        assertTrue(out.contains("tiers (tier_topology 2): production <- staging; production = main"), out);
        assertTrue(out.contains("working branches feature-* (the kit's naming) and feature/* merge into staging"), out);
        assertTrue(out.contains("migrations: src/main/resources/db/migration (V{timestamp}__{description}.sql)"), out);
        assertTrue(out.contains("recorded 1 existing migration as the baseline in .tiergate/migrations.sum"), out);
        assertTrue(out.contains("migration.header: warning"), out);
        String sum = g.git("show", "HEAD:.tiergate/migrations.sum").out();
        assertTrue(sum.contains(BASELINE), sum);
        assertTrue(g.git("show", "HEAD:.tiergate/policy.yaml").out().contains("migration.header: warning"));
        assertEquals(
                0, g.git("rev-parse", "--verify", "-q", "refs/heads/staging").exit());
        assertEquals(0, g.tiergate("policy", "validate").exit());
        // the baseline is immutable from now on
        g.git("checkout", "-q", "-b", "feature-tweak", "staging");
        g.write(KIT, KitFixtures.row("feature-claimed", "feature-tweak"));
        g.write(
                BASELINE,
                "-- V20260601000000: create_inventory\nCREATE TABLE inventory (id bigint PRIMARY KEY, sku text);\n");
        Result edit = g.commit("edit the baseline");
        PreCommitHookTest.refused(edit, "migration.immutable", BASELINE, "committed migration was edited");
    }

    @Test
    void everyFileTheKitWritesIsCommittedAndPassesCheck() throws Exception {
        // the claim: branch feature-<slug> from staging, millisecond timestamps, $schema
        g.git("checkout", "-q", "-b", "feature-split-inventory", "staging");
        g.write(KIT, KitFixtures.row("feature-claimed", "feature-split-inventory"));
        committedAndChecked("kit: claim split-inventory");
        // the kit's generated migration: warnings, counted, not a refusal (the header, which the kit policy lowers,
        // and a SQL lint rule that is a warning by default: no lock_timeout; ADD COLUMN without IF NOT EXISTS is fine
        // in a versioned migration Flyway applies once in a transaction)
        String m = MIGRATIONS + "V20260616093000__split_inventory.sql";
        g.write(m, "-- V20260616093000: split_inventory\nALTER TABLE inventory ADD COLUMN sku text;\n");
        Result mig = g.commit("kit: migration");
        assertEquals(0, mig.exit(), mig.all());
        assertTrue(
                mig.err()
                        .contains("tiergate: 2 warnings (rules the policy sets to 'warning' in .tiergate/policy.yaml)"),
                mig.all());
        assertTrue(
                mig.err()
                        .contains(m
                                + ":1: no '-- refactoring: <name>' line in the leading comment block (it describes the"
                                + " migration as 'split_inventory' only)"),
                mig.all());
        assertTrue(g.git("show", "HEAD:.tiergate/migrations.sum").out().contains(m));
        for (String state : new String[] {"pr-ready", "ci-green"}) {
            g.write(KIT, KitFixtures.row(state, "feature-split-inventory"));
            committedAndChecked("kit: " + state);
        }
        Result counted = check();
        assertTrue(counted.out().contains("tiergate check: every rule holds (2 warnings)"), counted.all());
        // the merge: the kit checks out the parent tier and commits the merged row there
        g.git("checkout", "-q", "staging");
        g.ok(g.repo, "git", "merge", "-q", "--no-ff", "-m", "Merge feature-split-inventory", "feature-split-inventory");
        g.write(KIT, KitFixtures.MERGED_ON_STAGING);
        committedAndChecked("kit: merged");
        // a re-claim after the merge
        g.git("checkout", "-q", "-b", "feature-add-lot", "staging");
        g.write(KIT, KitFixtures.row("feature-claimed", "feature-add-lot"));
        committedAndChecked("kit: claim add-lot");
        // abandon: the kit checks out the parent tier and resets the row there
        g.git("checkout", "-q", "staging");
        g.write(KIT, KitFixtures.SCAFFOLD_COMPLETE);
        committedAndChecked("kit: abandon add-lot");
    }

    record Invalid(String name, byte[] content, String rule, String message) {
        Invalid(String name, String content, String rule, String message) {
            this(name, content.getBytes(StandardCharsets.UTF_8), rule, message);
        }
    }

    static List<Invalid> invalidKitFiles() {
        String claimed = KitFixtures.row("feature-claimed", "feature-bad");
        List<Invalid> out = new ArrayList<>();
        out.add(new Invalid(
                "unknown key",
                claimed.replace("\"version\": 1,", "\"version\": 1,\n  \"owner\": \"alice\","),
                "state.schema",
                "field 'owner' is not allowed (unknown field)"));
        out.add(new Invalid(
                "version 2",
                claimed.replace("\"version\": 1", "\"version\": 2"),
                "state.schema",
                "field 'version' must be 1 (was 2)"));
        out.add(
                new Invalid(
                        "unknown state",
                        claimed.replace("\"feature-claimed\"", "\"claimed\""),
                        "state.schema",
                        "field 'state' must be one of scaffold-complete, feature-claimed, pr-ready, ci-green, merged (was \"claimed\")"));
        out.add(new Invalid(
                "tier_topology 4",
                claimed.replace("\"tier_topology\": 2", "\"tier_topology\": 4"),
                "state.schema",
                "field 'tier_topology' must have a maximum value of 3 (was 4)"));
        out.add(new Invalid(
                "feature-claimed without lakebase_branch_uid",
                claimed.replace("  \"lakebase_branch_uid\": \"br-cool-water-a1b2c3\",\n", ""),
                "state.schema",
                "state 'feature-claimed' requires field 'lakebase_branch_uid' (missing)"));
        out.add(new Invalid(
                "pr-ready without pr_url",
                KitFixtures.row("pr-ready", "feature-bad")
                        .replace(",\n  \"pr_url\": \"https://github.com/acme/inventory/pull/42\"", ""),
                "state.schema",
                "state 'pr-ready' requires field 'pr_url' (missing)"));
        out.add(new Invalid(
                "ci-green without ci_green_at",
                KitFixtures.row("ci-green", "feature-bad")
                        .replace(",\n  \"ci_green_at\": \"2026-06-16T11:15:40.789Z\"", ""),
                "state.schema",
                "state 'ci-green' requires field 'ci_green_at' (missing)"));
        out.add(new Invalid(
                "merged without merged_at",
                KitFixtures.row("merged", "feature-bad")
                        .replace(",\n  \"merged_at\": \"2026-06-17T08:00:00.001Z\"", ""),
                "state.schema",
                "state 'merged' requires field 'merged_at' (missing)"));
        out.add(new Invalid("not JSON", "state: feature-claimed\n", "state.json", "not valid JSON"));
        out.add(new Invalid(
                "empty project_id",
                claimed.replace("\"proj-7f3a\"", "\"\""),
                "state.schema",
                "field 'project_id' must not be empty (was \"\")"));
        out.add(new Invalid(
                "empty parent_branch",
                claimed.replace("\"parent_branch\": \"staging\"", "\"parent_branch\": \"\""),
                "state.schema",
                "field 'parent_branch' must not be empty (was \"\")"));
        out.add(new Invalid(
                "trailing text",
                claimed + "{}\n",
                "state.json",
                "has text after the JSON object (the kit's tools refuse it)"));
        byte[] body = claimed.getBytes(StandardCharsets.UTF_8);
        byte[] bom = new byte[body.length + 3];
        bom[0] = (byte) 0xEF;
        bom[1] = (byte) 0xBB;
        bom[2] = (byte) 0xBF;
        System.arraycopy(body, 0, bom, 3, body.length);
        out.add(new Invalid(
                "byte-order mark",
                bom,
                "state.json",
                "starts with a UTF-8 byte-order mark (bytes EF BB BF), which the kit's tools (JSON.parse) refuse"));
        return out;
    }

    @Test
    void everyFileTheKitRefusesIsRefusedByPreCommitAndByCheck() throws Exception {
        g.git("checkout", "-q", "-b", "feature-bad", "staging");
        g.write(KIT, KitFixtures.row("feature-claimed", "feature-bad"));
        committedAndChecked("kit: claim bad");
        for (Invalid bad : invalidKitFiles()) {
            Files.write(g.repo.resolve(KIT), bad.content());
            Result c = g.commit(bad.name());
            assertTrue(c.exit() != 0, bad.name() + ": " + c.all());
            assertTrue(
                    c.err().contains("[" + bad.rule() + "]") && c.err().contains(bad.message()),
                    bad.name() + ": " + c.all());
            assertTrue(c.err().contains(KIT) && c.err().contains("fix: "), bad.name() + ": " + c.all());
            g.commitNoVerify(bad.name());
            Result k = check();
            assertEquals(2, k.exit(), bad.name() + ": " + k.all());
            assertTrue(
                    k.err().contains(" (commit ") && k.err().contains("\"" + bad.name() + "\")"),
                    bad.name() + ": " + k.all());
            String line = k.err()
                    .lines()
                    .filter(l -> l.contains("\"" + bad.name() + "\")"))
                    .findFirst()
                    .orElse("");
            assertTrue(
                    line.contains(bad.message()) && line.endsWith("[" + bad.rule() + "]"), bad.name() + ": " + k.all());
            g.ok(g.repo, "git", "reset", "-q", "--hard", "HEAD~1");
        }
        assertEquals(0, check().exit());
    }

    @Test
    void aMasterRepositoryWithThreeTiersGetsMasterAsProductionAndTheDevTier() throws Exception {
        GitSandbox m = new GitSandbox(tmp.resolve("master"));
        m.ok(m.repo, "git", "init", "-q", "-b", "master");
        m.ok(m.repo, "git", "config", "user.name", "Alice");
        m.ok(m.repo, "git", "config", "user.email", "alice@example.com");
        m.write(KIT, KitFixtures.SCAFFOLD_COMPLETE.replace("\"tier_topology\": 2", "\"tier_topology\": 3"));
        m.commitNoVerify("scaffold");
        m.ok(m.repo, "tiergate", "install");
        Result r = m.ok(m.repo, "tiergate", "init");
        assertTrue(
                r.out().contains("tiers (tier_topology 3): production <- staging <- dev; production = master"),
                r.out());
        assertTrue(r.out().contains("no migrations there yet"), r.out());
        assertTrue(r.out().contains("created tier branch dev from staging"), r.out());
        m.git("checkout", "-q", "-b", "feature-x", "dev");
        m.write(
                KIT,
                KitFixtures.row("feature-claimed", "feature-x")
                        .replace("\"tier_topology\": 2", "\"tier_topology\": 3")
                        .replace("\"parent_branch\": \"staging\"", "\"parent_branch\": \"dev\""));
        Result c = m.commit("kit: claim x");
        assertEquals(0, c.exit(), c.all());
        assertFalse(m.tiergate("check").all().contains("[workflow.no-claim]"));
    }
}
