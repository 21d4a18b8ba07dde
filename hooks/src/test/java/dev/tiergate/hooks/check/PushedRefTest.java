package dev.tiergate.hooks.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The pre-push hook's standard input, line by line, in the shapes githooks(5) gives. No git. */
class PushedRefTest {
    private static final String A = "1111111111111111111111111111111111111111";
    private static final String B = "2222222222222222222222222222222222222222";
    private static final String ZERO = "0000000000000000000000000000000000000000";

    @Test
    void anUpdateOfABranch() {
        PushedRef r = PushedRef.parse("refs/heads/feature/x " + A + " refs/heads/feature/x " + B + "\n")
                .orElseThrow();
        assertEquals(A, r.localSha());
        assertEquals(B, r.remoteSha());
        assertEquals(Optional.of("feature/x"), r.remoteBranch());
        assertFalse(r.deletion());
        assertFalse(r.newOnRemote());
    }

    @Test
    void aNewBranchADeletionAndATag() {
        assertTrue(PushedRef.parse("refs/heads/f " + A + " refs/heads/f " + ZERO)
                .orElseThrow()
                .newOnRemote());
        assertTrue(PushedRef.parse("(delete) " + ZERO + " refs/heads/f " + A)
                .orElseThrow()
                .deletion());
        assertEquals(
                Optional.empty(),
                PushedRef.parse("refs/tags/v1 " + A + " refs/tags/v1 " + ZERO)
                        .orElseThrow()
                        .remoteBranch());
    }

    @Test
    void aPushUnderAnotherNameIsJudgedByTheRemoteBranch() {
        // git push origin HEAD:refs/heads/main: the tier pushed to is the remote side's
        assertEquals(
                Optional.of("main"),
                PushedRef.parse("HEAD " + A + " refs/heads/main " + B)
                        .orElseThrow()
                        .remoteBranch());
    }

    @Test
    void sha256RepositoriesAreRead() {
        String a = "a".repeat(64);
        assertEquals(
                a,
                PushedRef.parse("refs/heads/f " + a + " refs/heads/f " + "0".repeat(64))
                        .orElseThrow()
                        .localSha());
    }

    @Test
    void whatIsNotGitsShapeIsNoRef() {
        assertEquals(Optional.empty(), PushedRef.parse(""));
        assertEquals(Optional.empty(), PushedRef.parse("refs/heads/f " + A + " refs/heads/f"));
        assertEquals(Optional.empty(), PushedRef.parse("refs/heads/f nothex refs/heads/f " + B));
        assertEquals(Optional.empty(), PushedRef.parse("refs/heads/f " + A + " refs/heads/f " + B + " extra"));
    }
}
