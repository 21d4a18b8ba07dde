package dev.tiergate.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The doctor's {@code repo}: a repository's path, as each forge writes it, and nothing that reaches another endpoint. */
class ApiAccessTest {
    @Test
    void aRepositoryPathIsAccepted() {
        for (String repo : new String[] {"acme/inventory", "acme-corp/inv.db", "a_b/.github", "A1/x-y_z.2"}) {
            assertEquals(Optional.empty(), ApiAccess.repoProblem(repo, false), repo);
            assertEquals(Optional.empty(), ApiAccess.repoProblem(repo, true), repo);
        }
        assertEquals(Optional.empty(), ApiAccess.repoProblem("group/subgroup/name", true), "GitLab nests groups");
        assertEquals(Optional.empty(), ApiAccess.repoProblem(null, false), "no repo: no forge check");
    }

    @Test
    void anythingElseIsRefusedWithTheRule() {
        for (String repo : new String[] {
            "acme",
            "acme/x/pulls/1",
            "acme/x/",
            "/acme/x",
            "acme//x",
            "acme/..",
            "../x",
            "acme/x..y",
            "acme/.",
            "acme/x?y=1",
            "acme/x#y",
            "acme/x%2F..",
            "acme/x y",
            "acme/x\ty",
            "acme/x\n",
            "acme\\x",
            "acme/x:y",
            "acme/ünï",
            " acme/x"
        }) {
            Optional<String> problem = ApiAccess.repoProblem(repo, false);
            assertTrue(problem.isPresent(), repo);
            assertEquals(
                    "repo must be a repository's path, owner/name, each part letters, digits, '.', '_' or '-'",
                    problem.get());
        }
        assertTrue(ApiAccess.repoProblem("group/sub/name", false).isPresent(), "GitHub has one slash");
        assertTrue(ApiAccess.repoProblem("group/../name", true).orElseThrow().contains("group/subgroup/name (GitLab)"));
        assertTrue(ApiAccess.repoProblem("a/".repeat(21) + "x", true).isPresent(), "deeper than GitLab nests");
    }

    @Test
    void theClosedAnswerNamesTheSetting() {
        assertTrue(ApiAccess.NO_TOKEN.contains("TIERGATE_API_TOKEN"));
    }
}
