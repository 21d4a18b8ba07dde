package dev.tiergate.server.forge.github;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.testkit.GitHubApiStub;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A team's members for the approval rules, as GitHub lists them, and a hostile team name from a policy. */
class GitHubTeamsTest {
    final GitHubApiStub github = new GitHubApiStub("acme/inv");
    final GitHubForge forge = new GitHubForge(github.url(), "token");
    final RepoRef repo = new RepoRef("github", null, "acme/inv");

    @AfterEach
    void stop() {
        github.close();
    }

    @Test
    void aTeamsMembersAreReadByOrgAndSlugOrBySlugOfTheOwner() {
        github.team("acme/platform", "Pat", "quinn");
        assertEquals(Set.of("pat", "quinn"), forge.teamMembers(repo, "acme/platform"));
        assertEquals(Set.of("pat", "quinn"), forge.teamMembers(repo, "platform"), "a slug: the repository's owner's");
        assertEquals(Set.of(), forge.teamMembers(repo, "acme/nobody"), "an unknown team (404) has no members");
    }

    /** A policy pushed past the hooks may name any team: no path of the API is built from a name that leaves it. */
    @Test
    void aTeamNameThatWouldWalkTheApiIsNotAsked() {
        github.team("acme/platform", "pat");
        long before = github.requests();
        assertEquals(Set.of(), forge.teamMembers(repo, "acme/../../orgs/acme"));
        assertEquals(Set.of(), forge.teamMembers(repo, "../platform"));
        assertEquals(Set.of(), forge.teamMembers(repo, "acme/plat form?x=1"));
        assertEquals(before, github.requests(), "nothing was sent");
    }
}
