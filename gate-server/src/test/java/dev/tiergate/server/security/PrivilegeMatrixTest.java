package dev.tiergate.server.security;

import static dev.tiergate.server.security.Scene.file;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.backend.BranchConnection;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * "A login reaches one database with the privileges the policy gives that actor on that tier" (design.md, "Trust
 * boundary"): for each branch login tiergate hands out ({@code BranchBackend.connection}, what CI and people get) of a
 * tier, a working branch and a PR's branch, the matrix of {@link LoginMatrix}: its own database and nothing else of the
 * cluster, no role attribute, no membership in the built-in roles that reach every database, the server's files or
 * programs, or other sessions.
 */
class PrivilegeMatrixTest {
    Scene s;

    @BeforeEach
    void start() throws Exception {
        s = Scene.start();
        s.otherRepository();
        s.openPullRequest(1, file("V20260102000000__qty.sql", BoundsTest.ORDINARY));
        assertTrue(
                s.h.dbBranchExists("ci-pr-1") && s.h.dbBranchExists("feature-p1"),
                "the PR's and its working branch's databases were not made");
    }

    @AfterEach
    void end() {
        s.close();
    }

    @ParameterizedTest(name = "the branch login of {0}")
    @ValueSource(strings = {"staging", "feature-p1", "ci-pr-1"})
    void aBranchLoginReachesItsOwnDatabaseAndNothingElse(String name) throws Exception {
        BranchConnection login = s.h.server.backend().connection(s.repo, name);
        assertEquals(
                List.of(),
                LoginMatrix.problems(s, name, login, LoginMatrix.neighbours(s)),
                "what the branch login of " + name + " reaches");
    }
}
