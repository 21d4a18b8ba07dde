package dev.tiergate.core.migration;

import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.verdict.Refusal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Recognises test files by the conventions of the common ecosystems (Maven/Gradle, JavaScript, Python, Go, Ruby),
 * so the hooks can refuse an agent deleting a test it was not allowed to supersede.
 */
public final class TestFiles {
    private static final Pattern DIRECTORY = Pattern.compile("(^|.*/)(src/test|src/it|tests?|__tests__|spec|specs)/.+");
    private static final Pattern FILE = Pattern.compile(
            ".+_test\\.[^/]+" // Go, Elixir, C++: foo_test.go
                    + "|.*[a-z0-9_]?Tests?\\.(java|kt|scala|groovy|cs)" // FooTest.java, FooTests.kt (not Latest.java)
                    + "|.+IT\\.(java|kt)" // Maven failsafe integration tests
                    + "|.+\\.(spec|test)\\.[^/]+" // foo.spec.ts, foo.test.js
                    + "|test_.+\\.py" // pytest
                    + "|.+_spec\\.rb" // RSpec
                    + "|conftest\\.py");

    private TestFiles() {}

    public static boolean isTestFile(String path) {
        String p = path.replace('\\', '/');
        String name = p.substring(p.lastIndexOf('/') + 1);
        if (DIRECTORY.matcher(p).matches()) {
            return true;
        }
        return FILE.matcher(name).matches();
    }

    /**
     * {@code tests.agent-deleted}, once for the hooks and the server: the test files an agent's change removed that
     * its claim does not list as superseded, one refusal each ({@code where}: "branch X" in the pre-commit hook, the PR
     * on the server, which sees the PR's removals since its merge base).
     */
    public static List<Refusal> deletedByAgent(List<String> removedPaths, Predicate<String> superseded, String where) {
        List<Refusal> out = new ArrayList<>();
        for (String path : removedPaths) {
            if (isTestFile(path) && !superseded.test(path)) {
                out.add(new Refusal(
                        Rule.TESTS_AGENT_DELETED.id(),
                        path + " (" + where + ")",
                        "an agent's change deletes a test file that is not on the claim's superseded-tests allowlist",
                        "restore it (git restore --staged --worktree " + path
                                + "), or have a human add it to superseded_tests of the"
                                + " claim in .tiergate/workflow-state.json"));
            }
        }
        return out;
    }
}
