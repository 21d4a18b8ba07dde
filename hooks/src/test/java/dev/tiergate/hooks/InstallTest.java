package dev.tiergate.hooks;

import static dev.tiergate.hooks.GitSandbox.HEADER_EXPAND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.hooks.GitSandbox.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstallTest {
    @TempDir
    Path tmp;

    GitSandbox g;

    @BeforeEach
    void repo() throws Exception {
        g = new GitSandbox(tmp);
        g.ok(g.repo, "git", "init", "-q", "-b", "main");
        g.ok(g.repo, "git", "config", "user.name", "Alice");
        g.ok(g.repo, "git", "config", "user.email", "alice@example.com");
        g.write("README.md", "x\n");
        g.commitNoVerify("initial");
    }

    Path hooks() {
        return g.repo.resolve(".git/hooks");
    }

    @Test
    void installIsIdempotentAndUninstallRestoresWhatWasThere() throws Exception {
        Path pre = hooks().resolve("pre-commit");
        Files.writeString(pre, "#!/bin/sh\necho previous-hook-ran >&2\nexit 0\n");
        Files.setPosixFilePermissions(pre, PosixFilePermissions.fromString("rwxr-xr-x"));
        String original = Files.readString(pre);
        Result first = g.tiergate("install");
        assertEquals(0, first.exit(), first.all());
        assertTrue(
                first.out().contains("the hook that was there (another tool's) is kept as pre-commit.tiergate-chained"),
                first.out());
        String installed = Files.readString(pre);
        assertEquals(0, g.tiergate("install").exit());
        assertEquals(installed, Files.readString(pre));
        assertEquals(original, Files.readString(hooks().resolve("pre-commit.tiergate-chained")));
        assertFalse(installed.contains(g.repo.toString()), "the shim must not bake in a worktree path");
        // the previous hook still runs
        g.write("a.txt", "a\n");
        Result c = g.commit("a");
        assertEquals(0, c.exit(), c.all());
        assertTrue(c.err().contains("previous-hook-ran"), c.all());
        Result un = g.tiergate("uninstall");
        assertEquals(0, un.exit(), un.all());
        assertEquals(original, Files.readString(pre));
        assertFalse(Files.exists(hooks().resolve("pre-commit.tiergate-chained")));
        assertFalse(Files.exists(hooks().resolve("commit-msg")));
        assertFalse(Files.exists(hooks().resolve("pre-push")));
        assertFalse(Files.exists(hooks().resolve(".tiergate-installed")), "uninstall removes install's stamp");
    }

    /** The shims trust a sibling older than install's stamp; without the stamp (an older install) they read it. */
    @Test
    void aReplacedHookIsReportedWhetherOrNotInstallsStampIsThere() throws Exception {
        g.tiergate("install");
        g.tiergate("init");
        Path stamp = hooks().resolve(".tiergate-installed");
        assertTrue(
                Files.getLastModifiedTime(hooks().resolve("pre-push")).compareTo(Files.getLastModifiedTime(stamp)) < 0,
                "install dates its hooks before its stamp");
        Files.delete(stamp);
        Path prePush = hooks().resolve("pre-push");
        Files.writeString(prePush, "#!/bin/sh\nexit 0\n");
        g.write("a.txt", "a\n");
        Result c = g.commit("a");
        assertEquals(0, c.exit(), c.all());
        assertTrue(c.err().contains(".git/hooks/pre-push is not tiergate's hook"), c.all());
        Files.delete(prePush);
        g.write("b.txt", "b\n");
        Result missing = g.commit("b");
        assertTrue(
                missing.err()
                        .contains(".git/hooks/pre-push is not tiergate's hook (another tool replaced or removed it)"),
                missing.all());
    }

    @Test
    void failingPreviousHookStillFailsTheCommit() throws Exception {
        Path pre = hooks().resolve("pre-commit");
        Files.writeString(pre, "#!/bin/sh\necho lint-failed >&2\nexit 7\n");
        Files.setPosixFilePermissions(pre, PosixFilePermissions.fromString("rwxr-xr-x"));
        g.tiergate("install");
        g.write("a.txt", "a\n");
        Result c = g.commit("a");
        assertTrue(c.exit() != 0);
        assertTrue(c.err().contains("lint-failed"), c.all());
    }

    @Test
    void withoutAPolicyTheHooksPassSilently() throws Exception {
        g.tiergate("install");
        g.write("db/migration/whatever.sql", "DROP TABLE t;\n");
        Result c = g.commit("no policy here");
        assertEquals(0, c.exit(), c.all());
        assertEquals("", c.err());
    }

    @Test
    void existingCoreHooksPathIsRespected() throws Exception {
        g.ok(g.repo, "git", "config", "core.hooksPath", ".githooks");
        Result r = g.tiergate("install");
        assertEquals(0, r.exit(), r.all());
        assertTrue(Files.exists(g.repo.resolve(".githooks/pre-commit")));
        assertFalse(Files.exists(hooks().resolve("pre-commit")));
        assertEquals(".githooks", g.git("config", "core.hooksPath").out().strip());
        g.tiergate("init");
        g.ok(g.repo, "tiergate", "claim", "F1");
        g.write("db/migration/V20260616093000__x.sql", "ALTER TABLE t ADD COLUMN c int;\n");
        Result c = g.commit("no header");
        assertTrue(c.exit() != 0 && c.all().contains("[migration.header]"), c.all());
    }

    @Test
    void hooksServeEveryWorktree() throws Exception {
        g.tiergate("install");
        g.tiergate("init");
        Path wt = tmp.resolve("wt2");
        g.ok(g.repo, "git", "worktree", "add", "-q", "-b", "feature/F2-wt", wt.toString(), "staging");
        // the claim lives in the worktree's own (untracked) state file
        g.ok(wt, "tiergate", "claim", "F2-wt", "--here");
        Files.createDirectories(wt.resolve("db/migration"));
        Files.writeString(wt.resolve("db/migration/V20260616093000__x.sql"), "ALTER TABLE t ADD COLUMN c int;\n");
        g.ok(wt, "git", "add", "-A");
        Result refused = g.run(wt, "git", "commit", "-q", "-m", "no header in a worktree");
        assertTrue(refused.exit() != 0 && refused.all().contains("[migration.header]"), refused.all());
        Files.writeString(
                wt.resolve("db/migration/V20260616093000__x.sql"), HEADER_EXPAND + "ALTER TABLE t ADD COLUMN c int;\n");
        g.ok(wt, "git", "add", "-A");
        Result ok = g.run(wt, "git", "commit", "-q", "-m", "good in a worktree");
        assertEquals(0, ok.exit(), ok.all());
        assertTrue(
                g.run(wt, "git", "show", "HEAD:.tiergate/migrations.sum").out().contains("V20260616093000__x.sql"));
        // what the hooks keep for their next run sits in the worktree's own git dir; uninstall removes it there too
        Path wtGitDir = g.repo.resolve(".git/worktrees/wt2");
        assertTrue(Files.exists(wtGitDir.resolve(Main.FASTPATH_FILE)), "the JVM left the shim its fast-path file");
        assertTrue(Files.exists(wtGitDir.resolve(ValidatedStateCache.FILE)), "and the state file it found valid");
        assertEquals(0, g.tiergate("uninstall").exit());
        for (String file : Main.GIT_DIR_FILES) {
            assertFalse(Files.exists(wtGitDir.resolve(file)), file);
            assertFalse(Files.exists(g.repo.resolve(".git").resolve(file)), file);
        }
    }

    @Test
    void shimsArePosixSh() throws Exception {
        g.tiergate("install");
        for (String h : new String[] {"pre-commit", "commit-msg", "pre-push"}) {
            String text = Files.readString(hooks().resolve(h));
            assertTrue(text.startsWith("#!/bin/sh\n"), h);
            assertEquals(
                    0, g.run(g.repo, "sh", "-n", hooks().resolve(h).toString()).exit(), h);
        }
    }

    @Test
    void installBakesInTheLauncherThatRanItNotAGuess() throws Exception {
        Path prefix = tmp.resolve("opt/tiergate-bin");
        Files.createDirectories(prefix);
        Path launcher = GitSandbox.writeLauncher(prefix); // a --prefix install, not on PATH
        g.setEnv("TIERGATE_LAUNCHER", "");
        Result r = g.run(g.repo, launcher.toString(), "install");
        assertEquals(0, r.exit(), r.all());
        String shim = Files.readString(hooks().resolve("pre-commit"));
        assertTrue(shim.contains("launcher=\"${TIERGATE_LAUNCHER:-" + launcher + "}\""), shim);
        assertFalse(shim.contains(".local/bin"), shim);
        g.ok(g.repo, launcher.toString(), "init");
        g.ok(g.repo, launcher.toString(), "claim", "F1");
        g.write("db/migration/V20260616093000__x.sql", "ALTER TABLE t ADD COLUMN c int;\n");
        Result c = g.commit("no header");
        assertTrue(
                c.exit() != 0 && c.all().contains("[migration.header]"),
                "the baked launcher ran the checks: " + c.all());
    }

    @Test
    void aMissingLauncherWarnsOnEveryCommitAndRefusesWhenThePolicyFailsClosed() throws Exception {
        g.tiergate("init");
        g.setEnv("TIERGATE_LAUNCHER", "");
        assertEquals(
                0,
                g.tiergate("install", "--launcher", "/nonexistent/bin/tiergate").exit());
        for (int i = 0; i < 2; i++) {
            g.write("notes" + i + ".txt", "x\n");
            Result c = g.commit("note " + i);
            assertEquals(0, c.exit(), c.all());
            assertTrue(
                    c.err()
                            .contains(
                                    "tiergate: WARNING: the tiergate command /nonexistent/bin/tiergate is missing, so the"
                                            + " pre-commit checks did NOT run (fix: install tiergate again"),
                    c.all());
        }
        g.write(".tiergate/policy.yaml", g.read(".tiergate/policy.yaml") + "hooks:\n  fail_closed: true\n");
        g.commitNoVerify("fail closed");
        g.write("notes-closed.txt", "x\n");
        Result refused = g.commit("refused");
        assertTrue(refused.exit() != 0, refused.all());
        assertTrue(
                refused.err().contains("/nonexistent/bin/tiergate is missing")
                        && refused.err().contains("tiergate: commit refused: the policy says hooks.fail_closed: true"),
                refused.all());
    }

    /** What the Lakebase kit's install-hook.sh does: its own pre-push over ours. */
    @Test
    void aHookReplacedByAnotherToolIsReportedOnEveryRunAndInstallChainsIt() throws Exception {
        g.tiergate("install");
        g.tiergate("init");
        Path prePush = hooks().resolve("pre-push");
        Files.writeString(prePush, "#!/bin/sh\necho kit-pre-push >&2\n");
        Files.setPosixFilePermissions(prePush, PosixFilePermissions.fromString("rwxr-xr-x"));
        g.write("a.txt", "a\n");
        Result c = g.commit("a");
        assertEquals(0, c.exit(), c.all());
        assertTrue(
                c.err()
                        .contains(
                                ".git/hooks/pre-push is not tiergate's hook (another tool replaced or removed it), so tiergate's"
                                        + " pre-push checks do not run; fix: run 'tiergate install' again: it keeps the other hook as"
                                        + " pre-push.tiergate-chained and runs it first"),
                c.all());
        Result again = g.tiergate("install");
        assertTrue(
                again.out()
                        .contains("pre-push: installed; the hook that was there (another tool's) is kept as"
                                + " pre-push.tiergate-chained and runs first"),
                again.all());
        // the kit copies its hook over ours once more: install restores ours, the same hook stays chained
        Files.copy(hooks().resolve("pre-push.tiergate-chained"), prePush, StandardCopyOption.REPLACE_EXISTING);
        Result third = g.tiergate("install");
        assertEquals(0, third.exit(), third.all());
        assertTrue(third.out().contains("pre-push: another tool had put its hook here again"), third.all());
        g.write("b.txt", "b\n");
        Result quiet = g.commit("b");
        assertEquals(0, quiet.exit(), quiet.all());
        assertFalse(quiet.err().contains("is not tiergate's hook"), quiet.all());
    }

    @Test
    void installSaysWhenAnotherToolMovedCoreHooksPathAwayFromTiergatesHooks() throws Exception {
        g.tiergate("install");
        Files.createDirectories(g.repo.resolve(".githooks"));
        Files.writeString(g.repo.resolve(".githooks/pre-push"), "#!/bin/sh\necho kit-pre-push >&2\n");
        g.ok(g.repo, "git", "config", "core.hooksPath", ".githooks");
        Result r = g.tiergate("install");
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("note: core.hooksPath sends git to " + g.repo.resolve(".githooks")), r.out());
        assertTrue(r.out().contains("so tiergate's hooks in " + hooks() + " no longer run"), r.out());
        assertTrue(Files.exists(g.repo.resolve(".githooks/pre-push.tiergate-chained")));
    }
}
