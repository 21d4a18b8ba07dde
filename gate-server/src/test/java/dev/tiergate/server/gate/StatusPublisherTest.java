package dev.tiergate.server.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.gate.StatusState;
import dev.tiergate.server.forge.CommitStatus;
import dev.tiergate.server.forge.gitlab.GitLabForge;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.support.InMemoryForge;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Diff before write, against an in-memory forge: no database, no HTTP. */
class StatusPublisherTest {
    static final RepoRef REPO = new RepoRef("github", null, "acme/inv");
    static final String SHA = "abababababababababababababababababababab";
    final InMemoryForge forge = new InMemoryForge();
    final List<String> audit = new ArrayList<>();
    final StatusPublisher publisher =
            new StatusPublisher(forge, (kind, repo, subject, details) -> audit.add(kind + " " + details));

    boolean publish(CommitStatus wanted) {
        return publisher.publish(
                REPO, SHA, wanted, forge.checks(REPO, SHA).shown(CommitStatus.CONTEXT), "pull/1", Map.of("rule", "r"));
    }

    @Test
    void postsOnlyWhatTheForgeDoesNotAlreadyShow() {
        CommitStatus waiting =
                new CommitStatus(StatusState.PENDING, "Waiting for CI [gate.ci-not-green]", "https://t.example/ui/x");
        assertTrue(publish(waiting));
        assertFalse(publish(waiting), "the same status again is not posted");
        assertFalse(publish(
                new CommitStatus(StatusState.PENDING, "Waiting for CI [gate.ci-not-green]", "https://t.example/ui/x")));
        assertEquals(1, forge.posted(SHA).size());
        assertEquals(1, audit.size(), "only what was posted is audited: " + audit);
        assertTrue(audit.get(0).contains("was=none") && audit.get(0).contains("state=PENDING"), audit.get(0));
    }

    @Test
    void aNewDescriptionStateOrLinkIsPosted() {
        publish(new CommitStatus(StatusState.PENDING, "a", "https://t.example/1"));
        assertTrue(publish(new CommitStatus(StatusState.PENDING, "b", "https://t.example/1")), "description changed");
        assertTrue(publish(new CommitStatus(StatusState.PENDING, "b", "https://t.example/2")), "link changed");
        assertTrue(publish(new CommitStatus(StatusState.SUCCESS, "b", "https://t.example/2")), "state changed");
        assertEquals(4, forge.posted(SHA).size());
        assertTrue(audit.get(3).contains("was=PENDING"), audit.get(3));
    }

    @Test
    void descriptionsAreCutToTheForgeLimitBeforeTheyAreCompared() {
        String longText = "x".repeat(300);
        assertTrue(publish(new CommitStatus(StatusState.FAILURE, longText, null)));
        assertEquals(140, forge.posted(SHA).get(0).description().length());
        assertFalse(
                publish(new CommitStatus(StatusState.FAILURE, longText, null)),
                "what was cut compares equal to what is shown");
    }

    @Test
    void gitlabShowsPendingAsPendingWhateverTheText() {
        InMemoryForge gitlab = new InMemoryForge() {
            @Override
            public boolean alreadyShows(CommitStatus wanted, CommitStatus shown) {
                return new GitLabForge("http://127.0.0.1:1", null).alreadyShows(wanted, shown);
            }
        };
        StatusPublisher p = new StatusPublisher(gitlab, (k, r, s, d) -> {});
        Optional<CommitStatus> shown = Optional.of(new CommitStatus(StatusState.PENDING, "Waiting for CI", null));
        assertFalse(p.publish(
                REPO, SHA, new CommitStatus(StatusState.PENDING, "Needs 1 approval", null), shown, "pull/1", Map.of()));
        assertTrue(p.publish(REPO, SHA, new CommitStatus(StatusState.SUCCESS, "ok", null), shown, "pull/1", Map.of()));
    }
}
