package dev.tiergate.server.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tiergate.core.gate.ForgeIdentity;
import dev.tiergate.core.gate.PullRequestFacts;
import dev.tiergate.core.gate.RehearsalEvidence;
import dev.tiergate.core.policy.MigrationSettings;
import dev.tiergate.core.verdict.Refusal;
import dev.tiergate.server.migrate.MigrationFile;
import dev.tiergate.server.migrate.MigrationRun;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rehearsal's evidence, from what it ran, without a database. */
class EvidenceTest {
    static final PullRequestFacts PR = new PullRequestFacts(
            1,
            "feature/x",
            "a".repeat(40),
            "staging",
            "b".repeat(40),
            new ForgeIdentity("alice", false),
            true,
            false,
            "u");
    static final String FILE = "V20260102000000__x.sql";
    static final String SQL = """
            -- refactoring: Drop Column
            -- phase: contract
            -- tiergate:ignore sql.privilege-change the reporting role reads orders
            grant select on orders to reporting;
            do $$ begin execute format('create table %I (id int)', (select code from secrets limit 1)); end $$;
            """;

    static MigrationRun run(MigrationRun.Statement... statements) {
        return new MigrationRun(
                List.of(new MigrationRun.Migration(
                        "20260102000000", FILE, MigrationRun.Outcome.APPLIED, 12, List.of(statements), null, 0)),
                true,
                null);
    }

    static RehearsalEvidence evidence(MigrationRun run) {
        return Evidence.of(
                PR,
                RehearsalEvidence.Outcome.PASSED,
                run,
                List.of(new MigrationFile("db/migration/" + FILE, SQL.getBytes(StandardCharsets.UTF_8))),
                List.of("20260102000000"),
                MigrationSettings.DEFAULTS,
                List.of(),
                List.of(new Refusal("sql.ban-drop-column", "db/migration/" + FILE + ":4:1", "m", "f")));
    }

    @Test
    void locksRewritesSizesPhaseAndFindingsAreKeptWithTheHeadTheyWereMeasuredOn() {
        RehearsalEvidence e = evidence(run(new MigrationRun.Statement(
                4,
                "grant select on orders to reporting",
                30,
                List.of("AccessExclusiveLock on orders", "ShareLock on orders_pkey"),
                List.of("orders"),
                null,
                null,
                Map.of("orders", new MigrationRun.TableStats(3_100_000, 420L << 20)))));
        assertEquals(true, e.of(PR.headSha(), PR.baseSha()));
        RehearsalEvidence.MigrationFacts m = e.migrations().get(0);
        assertEquals("contract", m.phase());
        assertEquals(
                List.of(
                        new RehearsalEvidence.TableLock("AccessExclusiveLock", "orders", 3_100_000, 420L << 20),
                        new RehearsalEvidence.TableLock("ShareLock", "orders_pkey", -1, -1)),
                m.statements().get(0).locks(),
                "an index has no size of its own here");
        assertEquals(
                List.of(new RehearsalEvidence.TableSize("orders", 3_100_000, 420L << 20)),
                m.statements().get(0).rewrites());
        assertEquals(
                List.of(
                        new RehearsalEvidence.LintFinding(
                                "sql.ban-drop-column", "db/migration/" + FILE + ":4:1", false),
                        new RehearsalEvidence.LintFinding("sql.privilege-change", "db/migration/" + FILE + ":3", true)),
                e.findings());
    }

    /**
     * Hostile: a migration names a table after a row of the tier (a secret); the name comes back in pg_locks, and
     * evidence is quoted in public statuses, so a name no migration of the PR spells is withheld.
     */
    @Test
    void aTableNamedAfterARowOfTheTierIsWithheld() {
        RehearsalEvidence e = evidence(run(new MigrationRun.Statement(
                5,
                "do $$ begin execute format('create table %I (id int)', (select code from secrets limit 1)); end $$",
                3,
                List.of("AccessExclusiveLock on hunter2_payroll"),
                List.of(),
                null,
                null,
                Map.of("hunter2_payroll", new MigrationRun.TableStats(0, 8192)))));
        assertEquals(
                "\u2026",
                e.migrations().get(0).statements().get(0).locks().get(0).table());
    }
}
