package dev.tiergate.core.lint.rules;

import dev.tiergate.core.lint.Finding;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.SqlLint;
import java.util.List;
import java.util.Map;

/** Lints files of one migration set and returns the ids of the findings of one rule. */
final class Lint {
    private Lint() {
    }

    static List<Finding> findings(String rule, String... files) {
        LintState set = LintState.newMigrationSet();
        List<Finding> out = new java.util.ArrayList<>();
        for (int i = 0; i < files.length; i++) {
            SqlLint.lint("V" + i + ".sql", files[i], set, Map.of()).findings().stream()
                    .filter(f -> f.rule().equals(rule)).forEach(out::add);
        }
        return out;
    }

    static int count(String rule, String... files) {
        return findings(rule, files).size();
    }
}
