package dev.tiergate.core.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/rules.md is the catalog as {@link RulesReference} writes it. Run with {@code -Dtiergate.rules.write=true}
 * ({@link RulesReference#REGENERATE}) this test writes the page; otherwise it fails while the committed page differs,
 * so {@code mvn -B verify} (CI) catches a rule added, renamed or reworded without the page.
 */
class RulesReferenceTest {

    @Test
    void theCommittedRulesPageIsWhatTheCatalogGives() throws IOException {
        Path page = RuleCatalogTest.root().resolve(RulesReference.PATH);
        String generated = RulesReference.markdown();
        if (Boolean.getBoolean("tiergate.rules.write")) {
            Files.writeString(page, generated, StandardCharsets.UTF_8);
            return;
        }
        if (!Files.exists(page)) {
            fail(RulesReference.PATH + " is missing: run " + RulesReference.REGENERATE + " to generate it");
        }
        String committed = Files.readString(page, StandardCharsets.UTF_8).replace("\r\n", "\n");
        if (!committed.equals(generated)) {
            fail(RulesReference.PATH + " is stale: run " + RulesReference.REGENERATE + " to regenerate it from "
                    + "core/src/main/java/dev/tiergate/core/rules/Rule.java, and commit it (first difference at line "
                    + firstDifferentLine(committed, generated) + ")");
        }
    }

    @Test
    void everyRuleHasARowAndEveryFamilyAHeading() {
        String md = RulesReference.markdown();
        for (Rule r : Rule.values()) {
            assertTrue(md.contains("| `" + r.id() + "` | " + r.defaultSeverity().wireName() + " | "), r.id());
        }
        assertEquals(
                "workflow-hooks-and-the-command-line", RulesReference.slug("Workflow, hooks and the command line"));
        assertTrue(md.contains("\n## The SQL lint\n"), "the lint's family has its heading");
    }

    private static int firstDifferentLine(String a, String b) {
        String[] x = a.split("\n", -1);
        String[] y = b.split("\n", -1);
        int i = 0;
        while (i < x.length && i < y.length && x[i].equals(y[i])) {
            i++;
        }
        return i + 1;
    }
}
