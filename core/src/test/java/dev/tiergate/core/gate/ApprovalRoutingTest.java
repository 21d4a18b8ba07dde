package dev.tiergate.core.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.gate.ApprovalRouting.Demand;
import dev.tiergate.core.gate.ApprovalRouting.Shortfall;
import dev.tiergate.core.gate.RehearsalEvidence.LintFinding;
import dev.tiergate.core.gate.RehearsalEvidence.MigrationFacts;
import dev.tiergate.core.gate.RehearsalEvidence.Outcome;
import dev.tiergate.core.gate.RehearsalEvidence.StatementFacts;
import dev.tiergate.core.gate.RehearsalEvidence.TableLock;
import dev.tiergate.core.gate.RehearsalEvidence.TableSize;
import dev.tiergate.core.policy.ActorClass;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.PolicyReader;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The approval rules as a pure function of (policy, the rehearsal's evidence, the PR's files and author, reviews). */
class ApprovalRoutingTest {
    static final String SHA = MergeGateTest.SHA;
    static final String BASE = "b".repeat(40);
    static final ForgeIdentity AUTHOR = new ForgeIdentity("bob", false);

    static final Policy POLICY = PolicyReader.read("""
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: staging, actors: [human, agent]}
            actors:
              - {id: pat, class: human, roles: [platform-engineer]}
              - {id: quinn, class: human, roles: [platform-engineer]}
              - {id: sam, class: human, roles: [security]}
              - {id: dba-agent, class: agent, roles: [platform-engineer]}
              - {id: claude-agent, class: agent}
              - {id: bob, class: human, roles: [platform-engineer]}
            approval_rules:
              - name: big-table-lock
                when: {lock: {mode: ShareRowExclusiveLock, min_rows: 1000000}}
                require: {approvals: 1, role: platform-engineer}
              - name: contract
                when: {phase: [contract]}
                require: {approvals: 2, role: platform-engineer}
              - name: privileges
                when: {lint: [sql.privilege-change]}
                require: {role: security}
              - name: rewrite-in-production
                into: [production]
                when: {rewrite: {min_mb: 100}}
                require: {role: platform-engineer}
              - name: slow
                when: {statement_seconds: 30}
                require: {role: platform-engineer}
              - name: failed
                when: {rehearsal: [failed, skipped]}
                require: {role: platform-engineer}
              - name: agent-policy
                when: {author: [agent], files: [".tiergate/**", "db/**/grants*.sql"]}
                require: {team: acme/platform}
            """, "test");

    static RehearsalEvidence evidence(List<MigrationFacts> migrations, List<LintFinding> findings) {
        return new RehearsalEvidence(SHA, BASE, Outcome.PASSED, migrations, findings);
    }

    static MigrationFacts migration(String phase, StatementFacts... statements) {
        return new MigrationFacts("20261207000000", "V20261207000000__x.sql", phase, 4300, List.of(statements));
    }

    static StatementFacts lock(String mode, String table, long rows) {
        return new StatementFacts(7, 4200, List.of(new TableLock(mode, table, rows, rows * 100)), List.of());
    }

    static List<String> rules(List<Demand> demands) {
        return demands.stream().map(d -> d.rule().name()).toList();
    }

    static List<Demand> demands(String tier, RehearsalEvidence e, List<String> files, ActorClass author) {
        return ApprovalRouting.demands(POLICY, tier, Optional.ofNullable(e), files, author);
    }

    static Approval approval(String login, String sha) {
        return new Approval(new ForgeIdentity(login, false), sha);
    }

    @Test
    void aStrongLockOnATablePastTheThresholdRoutesToThePlatformEngineerAndSaysWhy() {
        List<Demand> d = demands(
                "staging",
                evidence(List.of(migration("expand", lock("AccessExclusiveLock", "orders", 3_100_000))), List.of()),
                List.of(),
                ActorClass.HUMAN);
        assertEquals(List.of("big-table-lock"), rules(d));
        assertEquals(
                "AccessExclusiveLock on orders (3.1 M rows, 4.2 s) in V20261207000000:7",
                d.get(0).reason());
    }

    @Test
    void aWeakerLockOrASmallTableIsNotRouted() {
        assertEquals(
                List.of(),
                rules(demands(
                        "staging",
                        evidence(
                                List.of(migration(
                                        "expand",
                                        lock("ShareUpdateExclusiveLock", "orders", 3_100_000),
                                        lock("AccessExclusiveLock", "tiny", 999_999))),
                                List.of()),
                        List.of(),
                        ActorClass.HUMAN)));
    }

    @Test
    void aContractPhaseAndAPrivilegeChangeEachRouteToTheirRole() {
        List<Demand> d = demands(
                "staging",
                evidence(
                        List.of(migration("contract")),
                        List.of(new LintFinding("sql.privilege-change", "db/migration/V1__g.sql:3", true))),
                List.of(),
                ActorClass.HUMAN);
        assertEquals(List.of("contract", "privileges"), rules(d));
        assertEquals(
                "sql.privilege-change (waived) at db/migration/V1__g.sql:3",
                d.get(1).reason());
    }

    @Test
    void aRuleIntoAnotherTierDoesNotJudgeThisOne() {
        RehearsalEvidence rewrite = evidence(
                List.of(migration(
                        "expand",
                        new StatementFacts(
                                2, 10, List.of(), List.of(new TableSize("orders", 2_000_000, 500L * 1024 * 1024))))),
                List.of());
        assertEquals(List.of(), rules(demands("staging", rewrite, List.of(), ActorClass.HUMAN)));
        List<Demand> intoProduction = demands("production", rewrite, List.of(), ActorClass.HUMAN);
        assertEquals(List.of("rewrite-in-production"), rules(intoProduction));
        assertEquals(
                "rewrites orders (2.0 M rows, 0.0 s) in V20261207000000:2",
                intoProduction.get(0).reason());
    }

    @Test
    void durationsAndAFailedRehearsalRoute() {
        RehearsalEvidence slow = new RehearsalEvidence(
                SHA,
                BASE,
                Outcome.FAILED,
                List.of(migration("expand", new StatementFacts(4, 31_000, List.of(), List.of()))),
                List.of());
        List<Demand> d = demands("staging", slow, List.of(), ActorClass.HUMAN);
        assertEquals(List.of("slow", "failed"), rules(d));
        assertEquals("a statement ran 31.0 s in V20261207000000:4", d.get(0).reason());
        assertEquals("the rehearsal failed", d.get(1).reason());
    }

    @Test
    void filesAndAuthorMustBothHold() {
        RehearsalEvidence none = evidence(List.of(), List.of());
        assertEquals(
                List.of("agent-policy"),
                rules(demands("staging", none, List.of("src/a.java", ".tiergate/policy.yaml"), ActorClass.AGENT)));
        assertEquals(
                List.of("agent-policy"),
                rules(demands("staging", none, List.of("db/x/y/grants_2.sql"), ActorClass.AGENT)));
        assertEquals(
                List.of(),
                rules(demands("staging", none, List.of(".tiergate/policy.yaml"), ActorClass.HUMAN)),
                "a human's PR: the author condition does not hold");
        assertEquals(
                List.of(),
                rules(demands("staging", none, List.of("src/db/grants.sql"), ActorClass.AGENT)),
                "outside the globs");
    }

    @Test
    void aPrThatTouchesNoMigrationMatchesNoRehearsalRule() {
        assertEquals(
                List.of(),
                rules(demands("staging", evidence(List.of(), List.of()), List.of("README.md"), ActorClass.HUMAN)));
    }

    @Test
    void withoutTheRehearsalARuleThatNeedsItDoesNotMatch() {
        assertEquals(List.of(), rules(demands("staging", null, List.of(), ActorClass.HUMAN)));
        assertTrue(ApprovalRouting.needsRehearsal(POLICY, "staging"));
    }

    // ---------------------------------------------------------------- whose approvals count

    static List<Shortfall> shortfalls(List<Demand> demands, List<Approval> approvals) {
        return ApprovalRouting.shortfalls(
                POLICY,
                demands,
                AUTHOR,
                SHA,
                approvals,
                team -> Map.of("acme/platform", Set.of("tess")).getOrDefault(team, Set.of()));
    }

    static List<Demand> bigLock() {
        return demands(
                "staging",
                evidence(List.of(migration("expand", lock("AccessExclusiveLock", "orders", 3_100_000))), List.of()),
                List.of(),
                ActorClass.HUMAN);
    }

    @Test
    void anApprovalWithoutTheRoleDoesNotCountAndTheShortfallSaysWhy() {
        List<Shortfall> s = shortfalls(bigLock(), List.of(approval("sam", SHA)));
        assertEquals(1, s.size());
        assertEquals(
                "Needs 1 approval from platform-engineer: AccessExclusiveLock on orders (3.1 M rows, 4.2 s) in"
                        + " V20261207000000:7",
                s.get(0).describe());
        assertEquals(List.of("sam (not platform-engineer)"), s.get(0).ignored());
    }

    @Test
    void anApprovalByTheRoleOnTheHeadMeetsIt() {
        assertEquals(List.of(), shortfalls(bigLock(), List.of(approval("pat", SHA))));
        assertEquals(List.of(), shortfalls(bigLock(), List.of(approval("PAT", null))), "GitLab says no commit");
    }

    @Test
    void anApprovalOnAnEarlierCommitTheAuthorsOwnAndAnAgentsDoNotCount() {
        List<Shortfall> s = shortfalls(
                bigLock(), List.of(approval("pat", "0".repeat(40)), approval("bob", SHA), approval("dba-agent", SHA)));
        assertEquals(1, s.size());
        assertEquals(
                List.of("pat (approved an earlier commit)", "bob (the author)", "dba-agent (an agent)"),
                s.get(0).ignored());
    }

    @Test
    void twoRulesAskingTheSameReviewersDoNotAddUpTheStrictestWins() {
        List<Demand> d = demands(
                "staging",
                evidence(List.of(migration("contract", lock("AccessExclusiveLock", "orders", 3_100_000))), List.of()),
                List.of(),
                ActorClass.HUMAN);
        assertEquals(List.of("big-table-lock", "contract"), rules(d));
        List<Shortfall> one = shortfalls(d, List.of(approval("pat", SHA)));
        assertEquals(1, one.size(), "two platform-engineer rules: one requirement of 2, not 1 + 2");
        assertEquals(2, one.get(0).needed());
        assertEquals("contract", one.get(0).rule());
        assertEquals(List.of(), shortfalls(d, List.of(approval("pat", SHA), approval("quinn", SHA))));
    }

    @Test
    void aTeamMemberCountsForATeamRule() {
        List<Demand> d =
                demands("staging", evidence(List.of(), List.of()), List.of(".tiergate/policy.yaml"), ActorClass.AGENT);
        assertEquals(1, shortfalls(d, List.of(approval("pat", SHA))).size(), "pat holds a role, not the team");
        assertEquals(List.of(), shortfalls(d, List.of(approval("tess", SHA))));
    }

    @Test
    void reviewersAskedAreTheRolesHumansNotTheAuthorNorThoseWhoApprovedThisHead() {
        List<Demand> contract =
                demands("staging", evidence(List.of(migration("contract")), List.of()), List.of(), ActorClass.HUMAN);
        List<Approval> approvals = List.of(approval("quinn", SHA), approval("pat", "0".repeat(40)));
        Shortfall s = shortfalls(contract, approvals).get(0);
        ApprovalRouting.ReviewRequest ask = ApprovalRouting.reviewersFor(POLICY, s, AUTHOR, SHA, approvals);
        assertEquals(
                List.of("pat"),
                ask.logins(),
                "pat again (the push reset the approval); not quinn (approved this head), bob (author), dba-agent");
        assertFalse(ask.isEmpty());
    }

    @Test
    void sizesReadAsAReviewerWouldSayThem() {
        assertEquals("812 rows", ApprovalRouting.size(812, 0));
        assertEquals("52 k rows", ApprovalRouting.size(52_345, 0));
        assertEquals("3.1 M rows", ApprovalRouting.size(3_100_000, 0));
        assertEquals("2.0 MB", ApprovalRouting.size(-1, 2L * 1024 * 1024));
    }

    @Test
    void globsMatchAsTheyReadAndAHostileGlobCostsNoBacktracking() {
        assertTrue(ApprovalRouting.globMatches(".tiergate/**", ".tiergate/policy.yaml"));
        assertTrue(ApprovalRouting.globMatches("db/**/grants*.sql", "db/grants_1.sql"), "**/ matches no folder");
        assertTrue(ApprovalRouting.globMatches("db/**/grants*.sql", "db/a/b/grants.sql"));
        assertFalse(ApprovalRouting.globMatches("db/*.sql", "db/a/x.sql"), "* stays in its folder");
        assertTrue(ApprovalRouting.globMatches("db/?.sql", "db/x.sql"));
        assertFalse(ApprovalRouting.globMatches("db/?.sql", "db//.sql".replace("//", "/xy")));
        assertTrue(ApprovalRouting.globMatches("**", "any/where/at.all"));
        assertFalse(ApprovalRouting.globMatches("src/**", "db/src/x"));
        // a backtracking matcher would take about 4000^40 steps here; this one takes 82 x 4,000
        assertFalse(ApprovalRouting.globMatches("*a".repeat(40) + "*b", "a".repeat(4000)));
    }
}
