package dev.tiergate.hooks.git;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.hooks.GitSandbox;
import dev.tiergate.hooks.git.GitIndex.Change;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GitIndex against repositories made by the real git: the answers must be git's own. */
class GitIndexTest {
    @TempDir
    Path tmp;

    private GitSandbox repo() throws IOException {
        GitSandbox g = new GitSandbox(tmp);
        g.ok(g.repo, "git", "init", "-q", "-b", "main");
        g.ok(g.repo, "git", "config", "user.name", "Alice");
        g.ok(g.repo, "git", "config", "user.email", "alice@example.com");
        return g;
    }

    private static String rev(GitSandbox g, String spec) throws IOException {
        return g.ok(g.repo, "git", "rev-parse", spec).out().strip();
    }

    @Test
    void onABranchWithNoCommitEveryStagedPathIsNew() throws IOException {
        GitSandbox g = repo();
        g.write("a.txt", "a\n");
        g.ok(g.repo, "git", "add", "a.txt");
        try (GitIndex index = GitIndex.at(g.repo)) {
            assertEquals(List.of(new Change('A', "a.txt", rev(g, ":a.txt"), null)), index.changes());
            assertEquals(Optional.of("main"), index.currentBranch());
            assertTrue(!index.resolves("HEAD"));
        }
    }

    /** A repository with one commit, and staged on top of it: edit.txt modified, gone.txt deleted, {@code added} new. */
    private GitSandbox withEveryKindOfChange(String added) throws IOException {
        GitSandbox g = repo();
        g.write("keep.txt", "keep\n");
        g.write("edit.txt", "before\n");
        g.write("gone.txt", "gone\n");
        g.commitNoVerify("one");
        g.write("edit.txt", "after\n");
        Files.delete(g.repo.resolve("gone.txt"));
        g.write(added, "select 1;\n");
        g.ok(g.repo, "git", "add", "-A");
        return g;
    }

    @Test
    void addedModifiedAndDeletedPathsCarryGitsBlobIdsWhateverTheirNames() throws IOException {
        String odd = "dir with space/ünïcode\ttab.sql";
        GitSandbox g = withEveryKindOfChange(odd);
        try (GitIndex index = GitIndex.at(g.repo)) {
            List<Change> changes = index.changes();
            assertEquals(3, changes.size(), changes.toString());
            assertTrue(
                    changes.contains(new Change('M', "edit.txt", rev(g, ":edit.txt"), rev(g, "HEAD:edit.txt"))),
                    changes.toString());
            assertTrue(
                    changes.contains(new Change('D', "gone.txt", null, rev(g, "HEAD:gone.txt"))), changes.toString());
            assertTrue(changes.contains(new Change('A', odd, rev(g, ":" + odd), null)), changes.toString());
            assertEquals(List.of("dir with space/ünïcode\ttab.sql", "edit.txt", "keep.txt"), index.paths());
            assertArrayEquals(
                    "after\n".getBytes(StandardCharsets.UTF_8),
                    index.staged("edit.txt").orElseThrow());
            assertArrayEquals(
                    "select 1;\n".getBytes(StandardCharsets.UTF_8),
                    index.staged(odd).orElseThrow());
            assertEquals(Optional.empty(), index.staged("gone.txt"));
            assertArrayEquals("gone\n".getBytes(StandardCharsets.UTF_8), index.read(rev(g, "HEAD:gone.txt")));
            // HEAD~1 of a root commit does not resolve: against it, everything in the index is new
            assertEquals(
                    3,
                    index.changesAgainst("HEAD~1").stream()
                            .filter(c -> c.kind() == 'A')
                            .count());
        }
    }

    @Test
    void theShimsHandedOverDiffReadsAsGitsOwnAndAnythingElseIsAskedAgain() throws IOException {
        GitSandbox g = withEveryKindOfChange("db/migration/V2__ünï code.sql");
        // exactly what the pre-commit shim runs (core.quotePath=false: git then quotes only control characters)
        g.ok(g.repo, "git", "config", "core.quotePath", "false");
        String raw = g.ok(g.repo, "git", "diff-index", "--cached", "--no-renames", "--no-abbrev", "HEAD")
                .out();
        try (GitIndex index = GitIndex.at(g.repo)) {
            assertEquals(Optional.of(index.changesAgainst("HEAD")), GitIndex.parseRaw(raw));
        }
        assertEquals(Optional.of(List.of()), GitIndex.parseRaw(""), "nothing staged");
        g.write("tab\there.sql", "select 2;\n");
        g.ok(g.repo, "git", "add", "-A");
        String quoted = g.ok(g.repo, "git", "diff-index", "--cached", "--no-renames", "--no-abbrev", "HEAD")
                .out();
        assertTrue(quoted.contains("\"tab\\there.sql\""), quoted);
        assertEquals(Optional.empty(), GitIndex.parseRaw(quoted), "a quoted path: git is asked again with -z");
        assertEquals(
                Optional.empty(), GitIndex.parseRaw(":100644 100644 abc1234 def5678 M\tedit.txt\n"), "abbreviated ids");
        assertEquals(Optional.empty(), GitIndex.parseRaw("M\tedit.txt\n"), "name-status, not raw");
    }

    @Test
    void anObjectGitDoesNotHaveIsAnErrorNamingIt() throws IOException {
        GitSandbox g = repo();
        try (GitIndex index = GitIndex.at(g.repo)) {
            IOException e =
                    assertThrows(IOException.class, () -> index.read("0123456789012345678901234567890123456789"));
            assertTrue(e.getMessage().contains("0123456789012345678901234567890123456789"), e.getMessage());
        }
    }

    @Test
    void closingEndsTheBlobReaderSoTheJvmNeedNotWaitForItAtExit() throws IOException {
        GitSandbox g = repo();
        g.write("a.txt", "a\n");
        g.ok(g.repo, "git", "add", "a.txt");
        long before = ProcessHandle.current().children().count();
        GitIndex index = GitIndex.at(g.repo);
        index.staged("a.txt");
        assertEquals(before + 1, ProcessHandle.current().children().count(), "one cat-file --batch for the run");
        index.close();
        assertEquals(before, ProcessHandle.current().children().count(), "close waits until cat-file has exited");
        index.close(); // twice is harmless (the shutdown hook closes it again)
    }

    @Test
    void pathsAtTheFirstRefThatExistsUnderADirectoryAsLsTreeListsThem() throws IOException {
        GitSandbox g = repo();
        g.write("db/migration/V1__a.sql", "select 1;\n");
        g.write("db/migration/2026/V2__nested one.sql", "select 2;\n");
        g.write("db/other/V3__b.sql", "select 3;\n");
        g.commitNoVerify("one");
        g.ok(g.repo, "git", "update-ref", "refs/remotes/origin/staging", "HEAD");
        try (GitIndex index = GitIndex.at(g.repo)) {
            List<String> expected =
                    List.of(g.ok(g.repo, "git", "ls-tree", "-r", "--name-only", "HEAD", "--", "db/migration")
                            .out()
                            .strip()
                            .split("\n"));
            assertEquals(
                    Optional.of(expected),
                    index.pathsAt("db/migration", "refs/heads/staging", "refs/remotes/origin/staging"));
            assertEquals(List.of("db/migration/2026/V2__nested one.sql", "db/migration/V1__a.sql"), expected);
            assertEquals(
                    Optional.of(List.of()),
                    index.pathsAt("db/none", "refs/remotes/origin/staging"),
                    "the ref, but no such directory");
            assertEquals(
                    List.of(g.ok(g.repo, "git", "ls-tree", "-r", "--name-only", "HEAD")
                            .out()
                            .strip()
                            .split("\n")),
                    index.pathsAt(".", "HEAD").orElseThrow(),
                    "the whole tree");
            assertEquals(Optional.empty(), index.pathsAt("db/migration", "refs/heads/nowhere"));
        }
    }

    @Test
    void aSha256RepositoryIsReadAlike() throws IOException {
        GitSandbox g = new GitSandbox(tmp);
        g.ok(g.repo, "git", "init", "-q", "-b", "main", "--object-format=sha256");
        g.ok(g.repo, "git", "config", "user.name", "Alice");
        g.ok(g.repo, "git", "config", "user.email", "alice@example.com");
        g.write("db/migration/V1__a.sql", "select 1;\n");
        g.commitNoVerify("one");
        g.write("db/migration/V2__b.sql", "select 2;\n");
        g.ok(g.repo, "git", "add", "-A");
        try (GitIndex index = GitIndex.at(g.repo)) {
            Change added = index.changes().get(0);
            assertEquals(64, added.staged().length());
            assertArrayEquals("select 2;\n".getBytes(StandardCharsets.UTF_8), index.read(added.staged()));
            assertEquals(Optional.of(List.of("db/migration/V1__a.sql")), index.pathsAt("db/migration", "HEAD"));
        }
    }

    @Test
    void aDetachedHeadHasNoBranch() throws IOException {
        GitSandbox g = repo();
        g.write("a.txt", "a\n");
        g.commitNoVerify("one");
        g.ok(g.repo, "git", "checkout", "-q", "--detach");
        try (GitIndex index = GitIndex.at(g.repo)) {
            assertEquals(Optional.empty(), index.currentBranch());
            assertTrue(index.resolves("HEAD"));
        }
    }

    @Test
    void configAsGitReadsItAskedAheadOrNot() throws IOException {
        GitSandbox g = repo();
        try (GitIndex index = GitIndex.at(g.repo)) {
            index.prefetchConfig("tiergate.actor", "user.email");
            assertEquals(Map.of("user.email", "alice@example.com"), index.config("tiergate.actor", "user.email"));
            g.ok(g.repo, "git", "config", "tiergate.actor", "bot-7");
            assertEquals(
                    Map.of("tiergate.actor", "bot-7", "user.email", "alice@example.com"),
                    index.config("tiergate.actor", "user.email"));
            assertEquals(Map.of(), index.config("tiergate.nothing"));
        }
    }

    @Test
    void aLinkedWorktreeIsFoundThroughItsGitFile() throws IOException {
        GitSandbox g = repo();
        g.write("a.txt", "a\n");
        g.commitNoVerify("one");
        Path wt = tmp.resolve("second");
        g.ok(g.repo, "git", "worktree", "add", "-q", "-b", "feature/wt", wt.toString());
        try (GitIndex index = GitIndex.at(wt)) {
            assertEquals(Optional.of("feature/wt"), index.currentBranch());
            assertEquals(
                    g.repo.resolve(".git/worktrees/second").toRealPath(),
                    index.gitDir().toRealPath());
        }
    }
}
