package dev.tiergate.server.security;

import static dev.tiergate.server.security.Scene.file;
import static dev.tiergate.server.security.Scene.migration;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tiergate.server.security.Scene.Pr;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A pushed migration reaches the host the database server runs on: it runs a program, writes a file, or reads one
 * (a secret the test put there) and gets it out, into the branch's own database (which CI, the attacker's, reads) or
 * into tiergate's messages. Through each way tiergate runs a branch's SQL: a PR's rehearsal (and its working branch),
 * a working branch followed on push, a merge applied to the tier. The sandbox's branch roles are no superusers and
 * hold none of pg_execute_server_program, pg_read_server_files, pg_write_server_files, so every one of these fails.
 *
 * <p>Plain-text forms here; the same attacks hidden in dynamic SQL are {@link DynamicSqlTest}'s.
 */
class HostSandboxTest {
    static final String ATTACK = "V20260102000000__attack.sql";
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("writes")
    void aPullRequestsMigrationNeitherRunsAProgramNorWritesAFileOnTheHost(Attack attack) throws Exception {
        s = Scene.start();
        Attack.Armed a = attack.arm(s);
        Pr pr = s.openPullRequest(1, file(ATTACK, migration(a.plain())));
        a.noEffect().verify();
        s.assertRefused(pr, SandboxRules.CLUSTER_STATEMENT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reads")
    void aPullRequestsMigrationGetsNoHostSecretOut(Attack attack) throws Exception {
        s = Scene.start();
        Attack.Armed a = attack.arm(s);
        Map<String, String> files = file(ATTACK, migration(a.plain()));
        files.put("V20260103000000__print.sql", Attacks.RAISE_LOOT);
        Pr pr = s.openPullRequest(1, files);
        a.noEffect().verify();
        s.assertRefused(pr, SandboxRules.CLUSTER_STATEMENT);
    }

    @Test
    void aWorkingBranchsMigrationRunsNoProgramOnTheHost() throws Exception {
        s = Scene.start();
        Attack.Armed a = Attacks.writingOnTheHost().get(0).arm(s);
        s.pushWorkingBranch("feature/host", file(ATTACK, migration(a.plain())));
        a.noEffect().verify();
        assertFalse(
                s.applied("feature-host", "20260102000000"),
                "the working branch's database took the attack as applied");
    }

    @Test
    void aWorkingBranchsMigrationGetsNoHostSecretIntoTheAuditTrail() throws Exception {
        s = Scene.start();
        Attack.Armed a = Attacks.readingTheHost().get(1).arm(s);
        Map<String, String> files = file(ATTACK, migration(a.plain()));
        files.put("V20260103000000__print.sql", Attacks.RAISE_LOOT);
        s.pushWorkingBranch("feature/read", files);
        a.noEffect().verify();
    }

    @Test
    void aMigrationMergedOntoTheTierRunsNoProgramOnTheHost() throws Exception {
        s = Scene.start();
        Attack.Armed a = Attacks.writingOnTheHost().get(0).arm(s);
        s.mergeOntoTier(1, file(ATTACK, migration(a.plain())));
        a.noEffect().verify();
        assertFalse(s.applied("staging", "20260102000000"), "the tier took the attack as applied");
    }
}
