package dev.tiergate.server.forge.gitlab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.gate.StatusState;
import dev.tiergate.server.forge.CommitStatus;
import dev.tiergate.server.forge.ForgeException;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.testkit.GitLabApiStub;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * GitLab.com limits a user's API calls a minute and answers 429 "Retry later" with {@code Retry-After} past it: the
 * stand-in does too, a write past the limit changes nothing, and tiergate reads it as "retry after", not as a refusal
 * for good. No database.
 */
class GitLabRateLimitTest {
    static final String SHA = "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd";
    final GitLabApiStub gitlab = new GitLabApiStub("acme/inv");
    final GitLabForge forge = new GitLabForge(gitlab.url(), "glpat-test");
    final RepoRef repo = new RepoRef("gitlab", null, "acme/inv");

    @AfterEach
    void stop() {
        gitlab.close();
    }

    @Test
    void pastTheMinutesLimitTheCallWaitsAndTheWriteIsNotDone() {
        gitlab.branch("main", SHA);
        gitlab.rateLimit(1);
        assertEquals(Optional.of(SHA), forge.branchHead(repo, "main"));
        ForgeException e = assertThrows(
                ForgeException.class,
                () -> forge.postStatus(
                        repo, SHA, new CommitStatus(StatusState.PENDING, "waiting", "https://tiergate.example/x")));
        assertTrue(e.retryable(), e.getMessage());
        assertTrue(
                e.retryAfter().isPresent() && e.retryAfter().get().compareTo(Duration.ofSeconds(60)) <= 0,
                "until the minute ends: " + e.retryAfter());
        assertEquals(List.of(), gitlab.posted(SHA), "the refused write changed nothing");
    }
}
