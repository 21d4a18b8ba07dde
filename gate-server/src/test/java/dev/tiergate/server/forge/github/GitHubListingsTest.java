package dev.tiergate.server.forge.github;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.gate.StatusState;
import dev.tiergate.server.forge.CommitStatus;
import dev.tiergate.server.forge.ForgeException;
import dev.tiergate.server.forge.RepoFile;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.testkit.GitHubApiStub;
import java.time.Duration;
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

    /**
     * Past the hour's requests GitHub refuses with 403, {@code X-RateLimit-Remaining: 0} and the window's end: the
     * stand-in does too, a write past it changes nothing, and tiergate reads it as "retry after the reset", not as a
     * refusal for good.
     */
    @Test
    void pastTheHoursLimitTheCallWaitsForTheResetAndTheWriteIsNotDone() {
        github.rateLimit(2);
        github.file(SHA, "db/migration/V20260101000000__m.sql", "select 1;");
        forge.listDirectory(repo, SHA, "db/migration");
        forge.listDirectory(repo, SHA, "db/none");
        ForgeException e = assertThrows(
                ForgeException.class,
                () -> forge.postStatus(
                        repo, SHA, new CommitStatus(StatusState.PENDING, "waiting", "https://tiergate.example/x")));
        assertTrue(e.retryable(), e.getMessage());
        assertTrue(
                e.retryAfter().isPresent()
                        && e.retryAfter().get().compareTo(Duration.ofSeconds(3500)) > 0
                        && e.retryAfter().get().compareTo(Duration.ofSeconds(3601)) <= 0,
                "until the window ends: " + e.retryAfter());
        assertEquals(List.of(), github.posted(SHA), "the refused write changed nothing");
    }
}
