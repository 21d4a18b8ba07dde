package dev.tiergate.server.forge.github;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.forge.RepoFile;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.testkit.GitHubApiStub;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Listings GitHub cuts short: the contents API lists at most 1,000 entries of a folder, so a project with more
 * migrations than that is read through the Git Trees API (the stand-in cuts its listing as GitHub does).
 */
class GitHubListingsTest {
    static final String SHA = "abababababababababababababababababababab";
    final GitHubApiStub github = new GitHubApiStub("acme/big");
    final GitHubForge forge = new GitHubForge(github.url(), "token");
    final RepoRef repo = new RepoRef("github", null, "acme/big");

    @AfterEach
    void stop() {
        github.close();
    }

    @Test
    void aFolderOfMoreThanAThousandMigrationsIsListedWhole() {
        for (int i = 0; i < 1_050; i++) {
            github.file(
                    SHA, String.format("db/migration/V%014d__m%d.sql", 20260101000000L + i, i), "select " + i + ";");
        }
        github.file(SHA, "db/migration/archive/V1__old.sql", "select 0;"); // a sub-folder: not one of its files
        github.file(SHA, "db/seed.sql", "select 1;");
        List<RepoFile> files = forge.listDirectory(repo, SHA, "db/migration");
        assertEquals(1_050, files.size());
        assertTrue(
                files.stream().allMatch(f -> f.path().startsWith("db/migration/V")),
                files.get(0).toString());
        assertEquals(
                "db/migration/V20260101001049__m1049.sql",
                files.get(files.size() - 1).path());
    }

    @Test
    void aSmallFolderTakesOneRequest() {
        for (int i = 0; i < 3; i++) {
            github.file(SHA, "db/migration/V2026010100000" + i + "__m.sql", "select " + i + ";");
        }
        long before = github.requests();
        assertEquals(3, forge.listDirectory(repo, SHA, "db/migration").size());
        assertEquals(1, github.requests() - before);
        assertEquals(List.of(), forge.listDirectory(repo, SHA, "db/none"), "no such folder: nothing");
    }
}
