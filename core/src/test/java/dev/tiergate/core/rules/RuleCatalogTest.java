package dev.tiergate.core.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class RuleCatalogTest {

    /** The repository root, from core/ (where Maven runs this module's tests) or from the root itself. */
    static Path root() {
        Path here = Path.of("").toAbsolutePath();
        return Files.exists(here.resolve("README.md")) && Files.isDirectory(here.resolve("core"))
                ? here
                : here.getParent();
    }

    /** docs/rules.md is generated from this catalog ({@code RulesReferenceTest} keeps it current). */
    @Test
    void everyRuleIdIsDocumentedInTheRulesReference() throws IOException {
        String docs = Files.readString(root().resolve(RulesReference.PATH));
        List<String> undocumented = Stream.of(Rule.values())
                .map(Rule::id)
                .filter(id -> !docs.contains("`" + id + "`"))
                .toList();
        assertEquals(
                List.of(),
                undocumented,
                "rule ids with no `id` in " + RulesReference.PATH + ": run " + RulesReference.REGENERATE);
    }

    @Test
    void idsAreUniqueAndEveryRuleHasAMeaningAndAFix() {
        Set<String> seen = new HashSet<>();
        for (Rule r : Rule.values()) {
            assertTrue(seen.add(r.id()), "duplicate id " + r.id());
            assertTrue(r.id().matches("[a-z-]+(\\.[a-z-]+)+"), r.id());
            assertTrue(!r.meaning().isBlank() && !r.fix().isBlank(), r.id());
        }
        assertEquals(
                Rule.MIGRATION_DESTRUCTIVE,
                Rule.byId("migration.destructive-outside-contract").orElseThrow());
    }

    @Test
    void noRuleIdIsWrittenAsAStringLiteralOutsideTheCatalog() throws IOException {
        Set<String> ids =
                Stream.of(Rule.values()).map(r -> "\"" + r.id() + "\"").collect(Collectors.toSet());
        List<String> offenders;
        try (Stream<Path> files = Stream.of("core", "hooks", "gate-server")
                .map(m -> root().resolve(m).resolve("src/main/java"))
                .filter(Files::isDirectory)
                .flatMap(RuleCatalogTest::walk)) {
            offenders = files.filter(p -> p.toString().endsWith(".java") && !p.endsWith("rules/Rule.java"))
                    .filter(p -> ids.stream().anyMatch(read(p)::contains))
                    .map(Path::toString)
                    .toList();
        }
        assertEquals(List.of(), offenders);
    }

    private static Stream<Path> walk(Path p) {
        try {
            return Files.walk(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
