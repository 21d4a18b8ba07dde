package dev.tiergate.server.security;

import static dev.tiergate.server.security.Scene.migration;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.security.Scene.Pr;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * tiergate hands Flyway every {@code .sql} file of the migration folder, and Flyway runs more than versioned
 * migrations: a file named as a callback ({@code beforeMigrate.sql}, {@code beforeValidate.sql}, …) runs around its
 * commands, a repeatable one ({@code R__x.sql}) after the versioned ones, and {@code ${flyway:user}}-style
 * placeholders are filled in with what the server knows. The naming rule refuses such files; they must then not run
 * either (a {@code beforeValidate} callback would run on the tier itself, since tiergate validates a PR's files
 * against the tier), placeholders must reach PostgreSQL as written, and the comment must list exactly what ran.
 */
class FlywayCallbacksAndPlaceholdersTest {
    static final String ORDINARY = "V20260102000000__ordinary.sql";
    /** A row of the comment's migration table: the file and its outcome. */
    static final Pattern ROW = Pattern.compile("(?m)^\\| `([^`]+)` \\| ([a-z_]+) \\|");

    Scene s;

    @AfterEach
    void end() {
        if (s != null) {
            s.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "beforeMigrate.sql",
                "beforeEachMigrate.sql",
                "afterMigrate.sql",
                "beforeValidate.sql",
                "R__repeatable.sql"
            })
    void aFileThatIsNoVersionedMigrationNeverRuns(String name) throws Exception {
        s = Scene.start();
        Map<String, String> files = new LinkedHashMap<>();
        files.put(name, "CREATE TABLE callback_ran (x int);\n");
        files.put(ORDINARY, migration("CREATE TABLE ordinary (id int);"));
        Pr pr = s.openPullRequest(1, files);
        List<String> ranOn = new ArrayList<>();
        for (String db : s.h.server.backend().list(s.repo)) {
            if (s.hasTable(db, "callback_ran")) {
                ranOn.add(db);
            }
        }
        assertEquals(
                List.of(),
                ranOn,
                "Flyway ran db/migration/" + name + ", a file the naming rule refuses, on these databases");
        Map<String, String> listed = listed(s.comment(pr.number()));
        assertFalse(
                "applied".equals(listed.get(name)),
                "the comment says " + name + " was applied:\n" + s.comment(pr.number()));
        assertEquals(
                s.hasTable("ci-pr-1", "ordinary"),
                "applied".equals(listed.get(ORDINARY)),
                "the comment does not list exactly what ran on ci-pr-1 (" + ORDINARY + "): " + listed);
    }

    @Test
    void aCallbackMergedOntoTheTierNeverRuns() throws Exception {
        s = Scene.start();
        s.mergeOntoTier(
                1,
                Map.of(
                        "beforeMigrate.sql",
                        "CREATE TABLE callback_ran (x int);\n",
                        ORDINARY,
                        migration("CREATE TABLE ordinary (id int);")));
        assertFalse(
                s.hasTable("staging", "callback_ran"),
                "Flyway ran the callback db/migration/beforeMigrate.sql on the tier");
    }

    @Test
    void flywayPlaceholdersReachPostgresqlAsWritten() throws Exception {
        s = Scene.start();
        Map<String, String> files = new LinkedHashMap<>();
        files.put(
                "V20260102000000__probe.sql",
                migration(
                        "CREATE TABLE probe AS SELECT '${flyway:user}'::text AS u, '${flyway:database}'::text AS d;"));
        files.put(
                "V20260103000000__probe_dir.sql",
                migration("CREATE TABLE probe_dir AS SELECT '${flyway:workingDirectory}'::text AS w;"));
        Pr pr = s.openPullRequest(1, files);
        Map<String, String> listed = listed(s.comment(pr.number()));
        if (s.hasTable("ci-pr-1", "probe")) {
            assertEquals(
                    "${flyway:user} ${flyway:database}",
                    s.value("ci-pr-1", "select u || ' ' || d from probe"),
                    "Flyway filled in its placeholders: the migration learnt the migrating login and database");
            assertEquals(
                    "applied",
                    listed.get("V20260102000000__probe.sql"),
                    "it ran, the comment does not say so: " + listed);
        } else {
            assertFalse(
                    "applied".equals(listed.get("V20260102000000__probe.sql")),
                    "the comment says a migration ran that did not: " + listed);
        }
        if (s.hasTable("ci-pr-1", "probe_dir")) {
            assertEquals(
                    "${flyway:workingDirectory}",
                    s.value("ci-pr-1", "select w from probe_dir"),
                    "Flyway filled in ${flyway:workingDirectory}: the migration learnt a path on tiergate's host");
            assertEquals(
                    "applied",
                    listed.get("V20260103000000__probe_dir.sql"),
                    "it ran, the comment does not say so: " + listed);
        } else {
            assertFalse(
                    "applied".equals(listed.get("V20260103000000__probe_dir.sql")),
                    "the comment says a migration ran that did not: " + listed);
        }
        assertTrue(s.lastStatus(pr.headSha(), "tiergate/migrations") != null, "no tiergate/migrations status");
    }

    /** The comment's migration table: file → outcome ("applied", "failed", …). */
    static Map<String, String> listed(String comment) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = ROW.matcher(comment);
        while (m.find()) {
            out.putIfAbsent(m.group(1), m.group(2));
        }
        return out;
    }
}
