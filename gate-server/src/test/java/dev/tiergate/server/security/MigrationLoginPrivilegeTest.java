package dev.tiergate.server.security;

import static dev.tiergate.server.security.Scene.file;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.backend.BranchConnection;
import dev.tiergate.server.backend.MigrationSession;
import dev.tiergate.server.support.MigratorSql;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The login tiergate runs a branch's SQL as ({@code BranchBackend.migrationConnection(RepoRef, String)}, which the
 * sandbox adds): for a tier, a working branch and a PR's branch, the matrix of {@link LoginMatrix} (its own database and
 * nothing else of the cluster, no role attribute, no membership in the built-in roles that reach every database, the
 * server's files or programs, or other sessions), it owns no database but its own, it is not tiergate's administrator,
 * and it is the login Flyway recorded as having run the migrations.
 *
 */
class MigrationLoginPrivilegeTest {
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

    @ParameterizedTest(name = "the migration login of {0}")
    @ValueSource(strings = {"staging", "feature-p1", "ci-pr-1"})
    void theMigrationLoginReachesItsOwnDatabaseAndNothingElse(String name) throws Exception {
        // the role logs in only while a run is open: it is looked at during one, as a migration would see it
        try (MigrationSession run = MigratorSql.open(s.h.server.backend(), s.repo, name)) {
            assertWhatItReaches(name, run.connection());
        }
    }

    void assertWhatItReaches(String name, BranchConnection login) throws Exception {
        List<String> problems = new ArrayList<>(LoginMatrix.problems(s, name, login, LoginMatrix.neighbours(s)));
        List<String> owned = LoginMatrix.owned(s, login);
        if (!owned.stream().allMatch(login.database()::equals)) {
            problems.add("the migration login " + login.user() + " of " + name + " owns other databases: " + owned);
        }
        if (login.user().equals(s.admin(name).user())) {
            problems.add("the migration login of " + name + " is tiergate's administrator " + login.user());
        }
        assertEquals(List.of(), problems, "what the migration login of " + name + " reaches");
    }

    @Test
    void flywayRecordsTheMigrationLoginAsWhoRanEachMigration() throws Exception {
        // staging is a copy of production, which applied the base migration: its history row is production's
        assertEquals(
                s.h.server.backend().migrationConnection(s.repo, "production").user(),
                s.value(
                        "production",
                        "select installed_by from flyway_schema_history where version = '20260101000000'"),
                "the tier's migration did not run as the tier's migration login");
        assertEquals(
                s.h.server.backend().migrationConnection(s.repo, "ci-pr-1").user(),
                s.value("ci-pr-1", "select installed_by from flyway_schema_history where version = '20260102000000'"),
                "the PR's migration was not rehearsed as ci-pr-1's migration login");
        assertEquals(
                s.h.server.backend().migrationConnection(s.repo, "feature-p1").user(),
                s.value(
                        "feature-p1",
                        "select installed_by from flyway_schema_history where version = '20260102000000'"),
                "the working branch's migration did not run as feature-p1's migration login");
    }
}
