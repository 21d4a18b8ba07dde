package dev.tiergate.core.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.policy.ActorClass;
import dev.tiergate.core.verdict.Verdict;
import dev.tiergate.core.workflow.WorkflowState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TiergateStateTest {
    static final String PATH = StateFileValidator.TIERGATE_STATE_PATH;
    static final Instant T0 = Instant.parse("2026-06-16T09:30:00Z");

    static Claim claimed(String branch, ActorClass cls) {
        return Claim.claimed("F1", branch, "staging", "feature-f1", "claude-bot", cls, T0);
    }

    static Claim merged() {
        return new Claim(
                "F2",
                WorkflowState.MERGED,
                "feature/F2",
                "staging",
                "feature-f2",
                "alice",
                ActorClass.HUMAN,
                T0,
                Map.of(
                        Claim.LINK_PULL_REQUEST,
                        "https://gitlab.example.com/acme/inv/-/merge_requests/7",
                        Claim.LINK_CI_RUN,
                        "https://gitlab.example.com/acme/inv/-/pipelines/9"),
                T0.plusSeconds(60),
                T0.plusSeconds(120),
                T0.plusSeconds(180),
                List.of("src/test/java/OldTest.java"));
    }

    @Test
    void roundTripsSeveralFeaturesAndValidates() {
        TiergateState s = TiergateState.empty("inventory")
                .with(claimed("feature/F1", ActorClass.AGENT))
                .with(merged());
        byte[] json = s.toJson();
        Verdict v = StateFileValidator.validateTiergateState(json, PATH);
        assertTrue(v.isAllowed(), v::render);
        TiergateState back = TiergateState.read(json, PATH);
        assertEquals(s, back);
        assertEquals(
                ActorClass.AGENT,
                back.claimForBranch("feature/F1").orElseThrow().actorClass());
        assertTrue(back.claimForBranch("feature/F2").orElseThrow().supersedes("src/test/java/OldTest.java"));
    }

    @Test
    void withReplacesTheClaimOfTheSameBranchAndWithoutRemovesIt() {
        TiergateState s = TiergateState.empty("p").with(claimed("feature/F1", ActorClass.HUMAN));
        TiergateState moved =
                s.with(s.claimForBranch("feature/F1").orElseThrow().withState(WorkflowState.SCAFFOLD_COMPLETE));
        assertEquals(1, moved.features().size());
        assertEquals(WorkflowState.SCAFFOLD_COMPLETE, moved.features().get(0).state());
        assertTrue(moved.without("feature/F1").features().isEmpty());
        assertEquals(1, moved.without("feature/other").features().size());
    }

    @Test
    void emptyStateIsValid() {
        assertTrue(StateFileValidator.validateTiergateState(
                        TiergateState.empty("p").toJson(), PATH)
                .isAllowed());
    }

    static String file(String claim) {
        return "{\"version\": 1, \"project_id\": \"p\", \"features\": [" + claim + "]}";
    }

    static Verdict validate(String text) {
        return StateFileValidator.validateTiergateState(text.getBytes(StandardCharsets.UTF_8), PATH);
    }

    @Test
    void claimedFeatureNeedsActorAndDbBranch() {
        Verdict v = validate(file("{\"state\": \"feature-claimed\", \"branch\": \"feature/F1\", \"feature_id\": \"F1\","
                + " \"parent_branch\": \"staging\", \"claimed_at\": \"2026-06-16T09:30:00Z\"}"));
        assertEquals(2, v.refusals().size(), v::render);
        assertEquals(
                "state 'feature-claimed' requires field 'features[0].actor' (missing)",
                v.refusals().get(0).message());
        assertEquals(
                "state 'feature-claimed' requires field 'features[0].db_branch' (missing)",
                v.refusals().get(1).message());
        assertTrue(
                v.refusals().get(0).fix().startsWith("add \"actor\": {\"id\""),
                v.refusals().get(0).fix());
    }

    @Test
    void prReadyFeatureNeedsThePullRequestLink() {
        String claim =
                "{\"state\": \"pr-ready\", \"branch\": \"feature/F1\", \"feature_id\": \"F1\", \"parent_branch\": \"staging\","
                        + " \"db_branch\": \"feature-f1\", \"actor\": {\"id\": \"a\", \"class\": \"agent\"},"
                        + " \"claimed_at\": \"2026-06-16T09:30:00Z\", \"pushed_at\": \"2026-06-16T10:30:00Z\", \"links\": {}}";
        Verdict v = validate(file(claim));
        assertEquals(1, v.refusals().size(), v::render);
        assertEquals(
                "state 'pr-ready' requires field 'features[0].links.pull_request' (missing)",
                v.refusals().get(0).message());
    }

    @Test
    void badActorClassAndBadLinkAreRefused() {
        String claim =
                "{\"state\": \"feature-claimed\", \"branch\": \"feature/F1\", \"feature_id\": \"F1\", \"parent_branch\": \"staging\","
                        + " \"db_branch\": \"feature-f1\", \"actor\": {\"id\": \"a\", \"class\": \"robot\"},"
                        + " \"claimed_at\": \"2026-06-16T09:30:00Z\", \"links\": {\"ci_run\": \"not a uri\"}}";
        String r = validate(file(claim)).render();
        assertTrue(r.contains("field 'features[0].actor.class'"), r);
        assertTrue(r.contains("field 'features[0].links.ci_run' must be an absolute URI"), r);
    }

    @Test
    void readRefusesAnInvalidFileNamingTheField() {
        StateException e = assertThrows(
                StateException.class,
                () -> TiergateState.read(file("{\"state\": \"merged\"}").getBytes(StandardCharsets.UTF_8), PATH));
        assertTrue(
                e.getMessage().contains(PATH + ":1: field 'features[0].branch' is required (missing) [state.schema]"),
                e.getMessage());
        assertFalse(e.verdict().isAllowed());
    }

    @Test
    void readRefusesTwoClaimsOfOneBranch() {
        String c = "{\"state\": \"scaffold-complete\", \"branch\": \"feature/F1\"}";
        StateException e = assertThrows(
                StateException.class,
                () -> TiergateState.read(file(c + "," + c).getBytes(StandardCharsets.UTF_8), PATH));
        assertTrue(
                e.getMessage().contains("features[0] and features[1] both claim branch 'feature/F1'"), e.getMessage());
    }
}
