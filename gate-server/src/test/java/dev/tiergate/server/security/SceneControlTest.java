package dev.tiergate.server.security;

import static dev.tiergate.server.security.Scene.file;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.server.security.Scene.Pr;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The control beside the attacks: on the same scene, an ordinary migration passes, in the attacked repository and in
 * the second one, and leaves the cluster's catalog as it was. So the attacks are refused for what they do, not because
 * the scene (a header, a policy, the second repository's routing) refuses everything; and a sandbox that breaks
 * ordinary migrations shows here.
 */
class SceneControlTest {
    Scene s;

    @AfterEach
    void end() {
        if (s != null) {
            s.close();
        }
    }

    @Test
    void anOrdinaryMigrationPassesAndChangesNothingOutsideItsDatabase() throws Exception {
        s = Scene.start();
        s.otherRepository();
        Map<String, ClusterCatalog> before = s.catalogs();
        Pr pr = s.openPullRequest(1, file("V20260102000000__qty.sql", BoundsTest.ORDINARY));
        JsonNode status = s.lastStatus(pr.headSha(), "tiergate/migrations");
        assertEquals(
                "success",
                status == null ? null : status.path("state").asText(),
                "an ordinary migration was refused:\n" + s.comment(1));
        assertTrue(
                s.hasTable("ci-pr-1", "inventory")
                        && "1"
                                .equals(
                                        s.value(
                                                "ci-pr-1",
                                                "select count(*) from information_schema.columns where table_name = 'inventory' and column_name = 'qty'")),
                "the migration did not run");
        s.assertCatalogsUnchanged(before);
        assertEquals(List.of(), s.filesWritten(), "an ordinary migration wrote files on the host");
    }

    @Test
    void theSecondRepositorysOrdinaryPullRequestIsJudged() throws Exception {
        s = Scene.start();
        Pr pr = s.sendOtherPullRequest(1, file("V20260102000000__qty.sql", BoundsTest.ORDINARY));
        assertTrue(
                Scene.await(
                        Duration.ofSeconds(60),
                        () -> s.otherRepository().github().posted(pr.headSha(), "tiergate/migrations").stream()
                                .anyMatch(st -> st.path("state").asText().equals("success"))),
                "the second repository's ordinary PR did not pass: "
                        + s.otherRepository().github().posted(pr.headSha(), "tiergate/migrations"));
        assertTrue(s.h.server.backend().exists(s.otherRepository().repo(), "ci-pr-1"));
    }
}
