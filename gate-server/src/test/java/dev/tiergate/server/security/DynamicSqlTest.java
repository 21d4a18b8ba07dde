package dev.tiergate.server.security;

import static dev.tiergate.server.security.Scene.file;
import static dev.tiergate.server.security.Scene.migration;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.server.security.Scene.Pr;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every attack of the catalogue hidden from any text rule: put together at run time inside {@code DO $$ … EXECUTE
 * 'COP' || 'Y …' $$} (or, for what cannot run inside a function, sent through a dblink session the block opens). A
 * lint rule cannot see these; only the sandbox stops them. So the effect assertions must hold, and the PR must be
 * refused because the statement failed in the sandbox on a privilege ({@code migration.rehearsal-failed}), not
 * because a rule read it.
 */
class DynamicSqlTest {
    static final String ATTACK = "V20260102000000__attack.sql";
    /** PostgreSQL's words for a privilege error (SQLSTATE 42501 and the superuser checks). */
    static final Pattern PRIVILEGE_ERROR =
            Pattern.compile("(?i)permission denied|must be superuser|must be (a )?member|must be owner|"
                    + "must have privileges|only roles with|insufficient privilege");

    Scene s;

    @AfterEach
    void end() {
        if (s != null) {
            s.close();
        }
    }

    static Stream<Attack> writes() {
        return Attacks.writingOnTheHost().stream();
    }

    static Stream<Attack> reads() {
        return Attacks.readingTheHost().stream();
    }

    static Stream<Attack> onTheCluster() {
        return Attacks.onTheCluster().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writes")
    void hiddenHostWritesFailOnPrivileges(Attack attack) throws Exception {
        s = Scene.start();
        Attack.Armed a = attack.arm(s);
        Pr pr = s.openPullRequest(1, file(ATTACK, migration(a.hidden())));
        a.noEffect().verify();
        assertFailedOnPrivileges(pr);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reads")
    void hiddenHostReadsFailOnPrivileges(Attack attack) throws Exception {
        s = Scene.start();
        Attack.Armed a = attack.arm(s);
        Map<String, String> files = file(ATTACK, migration(a.hidden()));
        files.put("V20260103000000__print.sql", Attacks.RAISE_LOOT);
        Pr pr = s.openPullRequest(1, files);
        a.noEffect().verify();
        assertFailedOnPrivileges(pr);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("onTheCluster")
    void hiddenClusterStatementsFailOnPrivileges(Attack attack) throws Exception {
        s = Scene.start();
        Attack.Armed a = attack.arm(s);
        Map<String, ClusterCatalog> before = s.catalogs();
        Pr pr = s.openPullRequest(1, file(ATTACK, migration(a.hidden())));
        a.noEffect().verify();
        s.assertCatalogsUnchanged(before);
        assertFailedOnPrivileges(pr);
    }

    @Test
    void aHiddenProgramPushedToAWorkingBranchDoesNotRun() throws Exception {
        s = Scene.start();
        Attack.Armed a = Attacks.writingOnTheHost().get(0).arm(s);
        s.pushWorkingBranch("feature/hidden", file(ATTACK, migration(a.hidden())));
        a.noEffect().verify();
        assertFalse(
                s.applied("feature-hidden", "20260102000000"),
                "the working branch's database took the attack as applied");
    }

    @Test
    void aHiddenProgramMergedOntoTheTierDoesNotRun() throws Exception {
        s = Scene.start();
        Attack.Armed a = Attacks.writingOnTheHost().get(0).arm(s);
        s.mergeOntoTier(1, file(ATTACK, migration(a.hidden())));
        a.noEffect().verify();
        assertFalse(s.applied("staging", "20260102000000"), "the tier took the attack as applied");
    }

    /** Refused as a failed rehearsal whose error is a privilege error: the sandbox held, not a rule. */
    void assertFailedOnPrivileges(Pr pr) {
        s.assertRefused(pr, SandboxRules.REHEARSAL_FAILED);
        JsonNode status = s.lastStatus(pr.headSha(), "tiergate/migrations");
        String said = status.path("description").asText() + "\n" + s.comment(pr.number());
        assertTrue(
                PRIVILEGE_ERROR.matcher(said).find(),
                "the rehearsal failed, but not on a privilege (the sandbox did not stop it): " + status);
    }
}
