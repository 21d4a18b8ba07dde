package dev.tiergate.core.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.core.policy.Actor;
import dev.tiergate.core.policy.ActorClass;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.PolicyReader;
import dev.tiergate.core.state.Claim;
import dev.tiergate.core.state.JsonSchemas;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code tiergate next} as a pure function of where the branch stands and who asks. */
class NextMovesTest {
    static final String HEAD = "a".repeat(40);
    static final ObjectMapper JSON = new ObjectMapper();
    static final Policy POLICY = PolicyReader.read("""
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: staging, actors: [human, agent]}
              - {name: release, pattern: "release/*", target: production, actors: [human, agent]}
            actors:
              - {id: pat, class: human, roles: [platform-engineer]}
              - {id: ada, class: human, roles: [release-manager]}
              - {id: claude-agent, class: agent}
            edges:
              - {from: feature, to: staging, approvals: 1}
              - {from: release, to: production, approvals: 1, mergers: {classes: [human], roles: [release-manager]}}
            """, ".tiergate/policy.yaml");
    static final Actor AGENT = POLICY.actorFor("claude-agent", false);
    static final Actor PAT = POLICY.actorFor("pat", false);

    static Claim claim(String branch, String parent) {
        return Claim.claimed("F1", branch, parent, "feature-f1", "claude-agent", ActorClass.AGENT, Instant.EPOCH);
    }

    static PrView open(long n, PrView.Check workflow, List<PrView.Review> reviews) {
        return new PrView(
                "acme/inv",
                n,
                "feature/F1",
                "staging",
                "ci-green",
                HEAD,
                workflow,
                new PrView.Check("success", HEAD, null, null, null, "1 migration(s) rehearsed"),
                reviews,
                null,
                "http://x/ui",
                "v1");
    }

    static NextMoves.Next next(Actor actor, Optional<Claim> claim, int ahead, boolean dirty, Optional<PrView> pr) {
        NextMoves.Next n = NextMoves.of(
                POLICY,
                new NextMoves.Here(claim.map(Claim::branch).orElse("main"), claim, actor, ahead, dirty, pr, null));
        JsonNode json = JSON.valueToTree(n);
        assertEquals(List.of(), JsonSchemas.validate(JsonSchemas.CLI_NEXT, json), json.toString());
        return n;
    }

    static List<String> names(NextMoves.Next n) {
        return n.moves().stream().map(NextMoves.Move::name).toList();
    }

    @Test
    void onATierBranchTheOnlyMoveIsAClaim() {
        NextMoves.Next n = next(AGENT, Optional.empty(), 0, false, Optional.empty());
        assertEquals("scaffold-complete", n.state());
        assertEquals(List.of("claim", "claim"), names(n));
        assertTrue(n.moves().stream().noneMatch(NextMoves.Move::reachesOutside), "a claim stays on this machine");
    }

    @Test
    void aClaimWithCommitsOffersThePrWhichReachesOutside() {
        NextMoves.Next n = next(AGENT, Optional.of(claim("feature/F1", "staging")), 2, false, Optional.empty());
        assertEquals(List.of("pr", "abandon"), names(n));
        NextMoves.Move pr = n.moves().get(0);
        assertEquals("tiergate pr", pr.command());
        assertTrue(pr.reachesOutside());
        assertEquals(List.of("push", "open-pull-request"), pr.effects());
    }

    @Test
    void aDirtyTreeOrNoCommitBlocksThePrWithTheCommandThatResolvesIt() {
        NextMoves.Next dirty = next(AGENT, Optional.of(claim("feature/F1", "staging")), 1, true, Optional.empty());
        assertFalse(names(dirty).contains("pr"));
        assertEquals("git add -A && git commit", dirty.blockers().get(0).command());
        NextMoves.Next empty = next(AGENT, Optional.of(claim("feature/F1", "staging")), 0, false, Optional.empty());
        assertFalse(names(empty).contains("pr"));
        assertTrue(empty.blockers().get(0).what().contains("no commit on feature/F1 that staging lacks"));
    }

    @Test
    void anAgentWaitingForAHumanApprovalIsToldWhomToAskAndSeesNoMerge() {
        PrView pr = open(
                7,
                new PrView.Check(
                        "pending",
                        HEAD,
                        "gate.approvals.agent-needs-human",
                        null,
                        null,
                        "An agent's PR needs a human approval"),
                List.of());
        NextMoves.Next n = next(AGENT, Optional.of(claim("feature/F1", "staging")), 1, false, Optional.of(pr));
        assertFalse(names(n).contains("merge"), n.toString());
        NextMoves.Blocker b = n.blockers().get(0);
        assertEquals("gate.approvals.agent-needs-human", b.rule());
        assertEquals("ask a human to approve aaaaaaa: pat or ada (human)", b.person());
    }

    @Test
    void anAgentShortOfTheEdgesApprovalsIsToldToAskAHuman() {
        PrView pr = open(
                7,
                new PrView.Check("pending", HEAD, "gate.approvals.missing", null, null, "Needs 1 approval(s)"),
                List.of());
        assertEquals(
                "ask a human to approve aaaaaaa: pat or ada (human)",
                next(AGENT, Optional.of(claim("feature/F1", "staging")), 1, false, Optional.of(pr))
                        .blockers()
                        .get(0)
                        .person());
        assertEquals(
                "ask a reviewer other than the author to approve aaaaaaa: ada (human)",
                next(PAT, Optional.of(claim("feature/F1", "staging")), 1, false, Optional.of(pr))
                        .blockers()
                        .get(0)
                        .person(),
                "a human author may take any other reviewer");
    }

    @Test
    void aRoleRuleNamesTheReviewersToRequest() {
        PrView pr = open(
                7,
                new PrView.Check("pending", HEAD, "gate.approvals.role-missing", null, null, "Needs 1 approval"),
                List.of(new PrView.Review(
                        "big-table-lock", 1, "platform-engineer", List.of("pat"), List.of(), "lock on orders")));
        NextMoves.Blocker b = next(AGENT, Optional.of(claim("feature/F1", "staging")), 1, false, Optional.of(pr))
                .blockers()
                .get(0);
        assertEquals("request review from pat (platform-engineer) for big-table-lock", b.person());
    }

    @Test
    void mergeIsOfferedOnlyOnSuccessOnTheHeadAndOnlyToWhomTheEdgeLetsMerge() {
        PrView green = open(7, new PrView.Check("success", HEAD, "gate.ok", null, null, "All rules hold"), List.of());
        NextMoves.Next feature = next(AGENT, Optional.of(claim("feature/F1", "staging")), 1, false, Optional.of(green));
        assertTrue(names(feature).contains("merge"));
        assertTrue(feature.moves().stream()
                .filter(m -> m.name().equals("merge"))
                .allMatch(NextMoves.Move::reachesOutside));

        PrView stale = open(
                7, new PrView.Check("success", "b".repeat(40), "gate.ok", null, null, "All rules hold"), List.of());
        assertFalse(
                names(next(AGENT, Optional.of(claim("feature/F1", "staging")), 1, false, Optional.of(stale)))
                        .contains("merge"),
                "a success on an older head is not this head's");

        // an agent on the release -> production edge, which only a human release manager may merge
        NextMoves.Next release = next(AGENT, Optional.of(claim("release/R1", "main")), 1, false, Optional.of(green));
        assertFalse(names(release).contains("merge"), release.toString());
        NextMoves.Blocker b = release.blockers().stream()
                .filter(x -> "gate.actor.edge-not-allowed".equals(x.rule()))
                .findFirst()
                .orElseThrow();
        assertEquals("ask ada (human with role release-manager) to merge PR #7", b.person());
        assertFalse(
                names(next(PAT, Optional.of(claim("release/R1", "main")), 1, false, Optional.of(green)))
                        .contains("merge"),
                "pat is human but not a release manager");
    }

    @Test
    void afterAFailedMigrationTheBlockerCarriesTheRollback() {
        PrView merged = new PrView(
                "acme/inv",
                7,
                "feature/F1",
                "staging",
                "merged",
                HEAD,
                null,
                null,
                List.of(),
                new PrView.Merge(
                        "failed",
                        "staging",
                        "the migration failed on staging",
                        "tiergate rollback --repo acme/inv --tier staging --to pr7"),
                null,
                "v2");
        NextMoves.Next n = next(AGENT, Optional.of(claim("feature/F1", "staging")), 1, false, Optional.of(merged));
        assertTrue(n.moves().isEmpty(), n.toString());
        assertTrue(n.blockers().get(0).person().endsWith("tiergate rollback --repo acme/inv --tier staging --to pr7"));
    }

    @Test
    void theViewAndItsVersionFitTheStatusSchema() {
        JsonNode json = JSON.valueToTree(open(7, PrView.Check.none(), List.of()));
        assertEquals(List.of(), JsonSchemas.validate(JsonSchemas.CLI_STATUS, json), json.toString());
        assertEquals(open(7, PrView.Check.none(), List.of()), JSON.convertValue(json, PrView.class), "round trip");
    }
}
