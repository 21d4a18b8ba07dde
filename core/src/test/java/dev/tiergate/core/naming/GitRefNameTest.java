package dev.tiergate.core.naming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class GitRefNameTest {
    @Test
    void namesGitAcceptsAreValid() {
        for (String ok : List.of(
                "main", "feature/F1-split-inventory", "hotfix/2026.11", "a", "x@y", "feature/ünïcödé", "v1.lockx")) {
            assertTrue(GitRefName.isValidBranchName(ok), ok);
        }
    }

    @Test
    void aNulByteIsRefusedAndNamedPrintably() {
        String name = "feature/a\u0000b";
        assertEquals(
                "it contains the control character U+0000",
                GitRefName.branchNameProblem(name).orElseThrow());
        assertEquals("feature/a\\u0000b", GitRefName.printable(name));
    }

    @Test
    void everyRuleOfCheckRefFormatIsRefusedWithItsReason() {
        assertEquals("it is empty", problem(""));
        assertEquals("it is '@'", problem("@"));
        assertEquals("it is 'HEAD'", problem("HEAD"));
        assertEquals("it starts with '-'", problem("-x"));
        assertEquals("it contains the control character U+007F", problem("a\u007fb"));
        assertEquals("it contains the control character U+000A", problem("a\nb"));
        assertEquals("it contains ' '", problem("a b"));
        assertEquals("it contains '~'", problem("a~1"));
        assertEquals("it contains '^'", problem("a^"));
        assertEquals("it contains ':'", problem("a:b"));
        assertEquals("it contains '?'", problem("a?"));
        assertEquals("it contains '*'", problem("a*"));
        assertEquals("it contains '['", problem("a[b"));
        assertEquals("it contains '\\'", problem("a\\b"));
        assertEquals("it contains '..'", problem("a..b"));
        assertEquals("it contains '@{'", problem("a@{1}"));
        assertEquals("it starts or ends with '/'", problem("/a"));
        assertEquals("it starts or ends with '/'", problem("a/"));
        assertEquals("it contains '//'", problem("a//b"));
        assertEquals("it ends with '.'", problem("a."));
        assertEquals("its component '.hidden' starts with '.'", problem("feature/.hidden"));
        assertEquals("its component 'x.lock' ends with '.lock'", problem("feature/x.lock"));
    }

    private static String problem(String name) {
        return GitRefName.branchNameProblem(name).orElseThrow(() -> new AssertionError(name + " was accepted"));
    }
}
