package dev.tiergate.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkingBranchTypeTest {

    @Test
    void theDefaultFeatureTypeServesTiergatesAndTheKitsNaming() {
        Policy p = DefaultPolicy.create("main");
        WorkingBranchType feature = p.typeForBranch("feature-split-inventory").orElseThrow();
        assertEquals("feature", feature.name());
        assertEquals(
                "feature", p.typeForBranch("feature/F1-split").orElseThrow().name());
        assertEquals("split-inventory", feature.featureIdOf("feature-split-inventory"));
        assertEquals("F1-split", feature.featureIdOf("feature/F1-split"));
        assertEquals("feature/F2", feature.branchFor("F2"));
        assertTrue(p.typeForBranch("featurex").isEmpty());
        assertTrue(p.typeForBranch("staging").isEmpty());
    }

    @Test
    void aPatternIsOneGlobOrAListAndTheYamlRoundTrips() {
        Policy p = PolicyReader.read("""
                version: 1
                tiers: [{name: production, branch: master}]
                working_branch_types:
                  - {name: feature, pattern: ["feature-*", "feature/*"], target: production}
                  - {name: hotfix, pattern: "hotfix/*", target: production, hotfix: true}
                """, "inline");
        assertEquals(
                List.of("feature-*", "feature/*"), p.workingBranchTypes().get(0).patterns());
        assertEquals(List.of("hotfix/*"), p.workingBranchTypes().get(1).patterns());
        assertEquals("feature-x", p.workingBranchTypes().get(0).branchFor("x"));
        assertEquals(p, PolicyReader.read(PolicyReader.toYaml(p), "again"));
        assertTrue(PolicyValidator.validate(PolicyReader.toYaml(p).getBytes(StandardCharsets.UTF_8), "p")
                .isAllowed());
        assertFalse(PolicyValidator.validate("""
                version: 1
                tiers: [{name: production, branch: main}]
                working_branch_types: [{name: feature, pattern: [], target: production}]
                """.getBytes(StandardCharsets.UTF_8), "p")
                .isAllowed());
    }
}
