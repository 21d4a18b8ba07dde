package dev.tiergate.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.verdict.Severity;
import dev.tiergate.core.verdict.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KitPolicyTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void thePolicyForEachTopologyValidatesAndMatchesTheKit(int topology) {
        String yaml =
                KitPolicy.yaml(topology, "master", new MigrationSettings("src/main/resources/db/migration", null));
        Verdict v = PolicyValidator.validate(yaml.getBytes(StandardCharsets.UTF_8), Policy.PATH);
        assertTrue(v.isAllowed(), v.render() + "\n" + yaml);
        Policy p = PolicyReader.read(yaml, Policy.PATH);
        List<String> expected = List.of("production", "staging", "dev").subList(0, topology);
        assertEquals(expected, p.tiers().stream().map(Tier::name).toList());
        assertEquals("production", p.tierForBranch("master").orElseThrow().name());
        WorkingBranchType feature = p.typeForBranch("feature-split-inventory").orElseThrow();
        assertEquals(expected.get(topology - 1), feature.target());
        assertEquals("feature", p.typeForBranch("feature/F1").orElseThrow().name());
        assertEquals("src/main/resources/db/migration", p.migrations().directory());
        assertEquals(Severity.WARNING, p.severityOf("migration.header"));
        assertEquals(Severity.ERROR, p.severityOf("migration.immutable"));
        assertEquals(Severity.ERROR, DefaultPolicy.create("main").severityOf("migration.header"));
    }
}
