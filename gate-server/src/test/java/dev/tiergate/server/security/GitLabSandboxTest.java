package dev.tiergate.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.server.support.GitLabHarness;
import dev.tiergate.server.support.GitLabPayloads;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The same sandbox behind GitLab: a merge request's migration that runs a program on the database server's host, in
 * plain text and hidden in dynamic SQL, writes nothing, and the merge request is refused by the rule that fits
 * (GitLab's external status is "failed", its description ends with the rule).
 */
class GitLabSandboxTest {
    static final String MAIN = "1111111111111111111111111111111111111111";
    static final String STAGING = "2222222222222222222222222222222222222222";
    static final String HEAD = "e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1";
    GitLabHarness h;
    Path dir;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("tiergate-attack-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        h = new GitLabHarness(Map.of());
        for (String ref : List.of("main", MAIN, STAGING)) {
            h.gitlab.policy(ref, Scene.POLICY);
        }
        h.gitlab.file(MAIN, Scene.DIR + Scene.BASE, Scene.BASE_SQL);
        h.gitlab.file(STAGING, Scene.DIR + Scene.BASE, Scene.BASE_SQL);
        h.gitlab.branch("main", MAIN);
        h.gitlab.branch("staging", STAGING);
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void aMergeRequestsMigrationRunsNoProgramOnTheHost() throws Exception {
        openMergeRequest("COPY (SELECT 1) TO PROGRAM " + Attacks.literal("id > " + dir + "/pwned-program") + ";");
        assertNothingWritten();
        assertRefused(SandboxRules.CLUSTER_STATEMENT);
    }

    @Test
    void aMergeRequestsHiddenProgramFailsOnPrivileges() throws Exception {
        openMergeRequest(Attacks.hidden("EXECUTE 'COP' || 'Y (SELECT 1) TO PROG' || 'RAM ' || quote_literal('id > "
                + dir + "/pwned-program-' || current_database());"));
        assertNothingWritten();
        assertRefused(SandboxRules.REHEARSAL_FAILED);
    }

    void openMergeRequest(String attackSql) throws Exception {
        h.gitlab.copyFiles(STAGING, HEAD);
        h.gitlab.file(HEAD, Scene.DIR + "V20260102000000__attack.sql", Scene.migration(attackSql));
        h.gitlab.branch("feature/attack", HEAD);
        assertEquals(
                202,
                h.deliver("Push Hook", GitLabPayloads.push(h.path, "feature/attack", GitLabPayloads.ZERO, HEAD, 1)));
        h.gitlab.mergeRequest(1, "feature/attack", HEAD, "staging", STAGING, "alice", false, "opened");
        assertEquals(
                202,
                h.deliver(
                        "Merge Request Hook",
                        GitLabPayloads.mergeRequest(
                                h.path, 1, "open", "feature/attack", "staging", HEAD, null, "alice")));
    }

    void assertNothingWritten() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(
                    List.of(),
                    s.map(p -> p.getFileName().toString()).toList(),
                    "the merge request's migration wrote files on the database server's host, in " + dir);
        }
    }

    void assertRefused(String rule) {
        List<JsonNode> posted = h.gitlab.posted(HEAD, "tiergate/migrations");
        assertTrue(!posted.isEmpty(), "no tiergate/migrations status on the merge request's head");
        JsonNode last = posted.get(posted.size() - 1);
        assertEquals("failed", last.path("state").asText(), "the attack's merge request was not refused: " + last);
        String notes = String.join("\n", h.gitlab.notes(1));
        assertTrue(
                last.path("description").asText().contains("[" + rule + "]") || notes.contains("`" + rule + "`"),
                "the refusal does not name " + rule + ": " + last + "\n" + notes);
    }
}
