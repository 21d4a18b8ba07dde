package dev.tiergate.core.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GateStatusTest {
    @Test
    void aLongDescriptionIsCutButItsRuleIdSurvives() {
        GateStatus s = GateStatus.failure("state.schema", "x".repeat(300));
        assertEquals(GateStatus.MAX_DESCRIPTION, s.description().length());
        assertTrue(s.description().endsWith("\u2026 [state.schema]"), s.description());
    }

    @Test
    void aShortDescriptionIsKeptWhole() {
        assertEquals(
                "Waiting for CI [gate.ci-not-green]",
                GateStatus.pending("gate.ci-not-green", "Waiting for CI").description());
    }
}
