package dev.tiergate.core.naming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.PolicyReader;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DbBranchNameTest {

    @Test
    void mapsLikeTheKit() {
        assertEquals("feature-f1-split-inventory", DbBranchName.of("feature/F1-split-inventory"));
        assertEquals("feature-a-b-c", DbBranchName.of("feature/a_b.c"));
        assertEquals("a-x", DbBranchName.of("a"));
        assertEquals("ab-x", DbBranchName.of("ab"));
        assertEquals("abc", DbBranchName.of("abc"));
        assertEquals(63, DbBranchName.of("feature/" + "x".repeat(100)).length());
    }

    /** The Lakebase kit's own sanitizeBranchName cases. */
    @Test
    void matchesTheKitsSanitizeBranchNameCases() {
        assertEquals("feature-auth-v2-0-", DbBranchName.of("feature/auth_v2.0!"));
        assertEquals("a".repeat(63), DbBranchName.of("a".repeat(100)));
        assertEquals("a-x", DbBranchName.of("a"));
        assertEquals("-x-x", DbBranchName.of(""));
        assertEquals("feature-split-inventory", DbBranchName.of("feature-split-inventory"));
    }

    @Test
    void tierBranchMapsToTierName() {
        Policy policy = PolicyReader.read("""
                version: 1
                tiers:
                  - {name: production, branch: main}
                  - {name: staging, branch: develop, parent: production}
                """, "inline");
        assertEquals("production", DbBranchName.of(policy, "main"));
        assertEquals("staging", DbBranchName.of(policy, "develop"));
        assertEquals("feature-x", DbBranchName.of(policy, "feature/x"));
    }

    @Test
    void collidingBranchesAreKeptApartAndTheReasonIsSaid() {
        String first = DbBranchName.of("feature/a_b");
        String second = DbBranchName.of("feature/a.b");
        assertEquals(first, second);
        DbBranchName.Assignment own = DbBranchName.assign(first, "feature/a_b", Map.of(first, "feature/a_b"));
        assertFalse(own.collided());
        DbBranchName.Assignment other = DbBranchName.assign(second, "feature/a.b", Map.of(first, "feature/a_b"));
        assertTrue(other.collided());
        assertNotEquals(first, other.name());
        assertTrue(other.name().startsWith(first + "-"));
        assertTrue(other.explanation("feature/a.b").contains("feature/a_b"));
        String longName = DbBranchName.of("feature/" + "y".repeat(80));
        DbBranchName.Assignment longOther = DbBranchName.assign(longName, "feature/other", Map.of(longName, "x"));
        assertEquals(63, longOther.name().length());
    }
}
