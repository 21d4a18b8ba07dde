package dev.tiergate.core.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.policy.MigrationSettings;
import dev.tiergate.core.verdict.Refusal;
import dev.tiergate.core.verdict.Severity;
import dev.tiergate.core.verdict.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MigrationRulesTest {
    static final String DIR = "db/migration/";
    static final Instant NOW = Instant.parse("2026-06-16T10:00:00Z");
    static final MigrationName N =
            MigrationName.parse("V20260616093000__split_inventory_code.sql").orElseThrow();
    static final String PATH = DIR + N.fileName();

    static Refusal only(Verdict v) {
        assertFalse(v.isAllowed());
        assertEquals(1, v.refusals().size(), v::render);
        return v.refusals().get(0);
    }

    @Test
    void namingRuleAppliesToSqlFilesInTheMigrationDirectory() {
        assertTrue(MigrationRules.checkName(PATH, MigrationSettings.DEFAULTS).isAllowed());
        assertTrue(MigrationRules.checkName("db/migration/README.md", MigrationSettings.DEFAULTS)
                .isAllowed());
        assertTrue(MigrationRules.checkName("scripts/fix.sql", MigrationSettings.DEFAULTS)
                .isAllowed());
        Refusal r = only(MigrationRules.checkName("db/migration/V1__Init Schema.sql", MigrationSettings.DEFAULTS, NOW));
        assertEquals("migration.naming", r.rule());
        assertEquals("db/migration/V1__Init Schema.sql", r.where());
        assertTrue(
                r.message()
                        .startsWith("migration file name 'V1__Init Schema.sql' breaks the naming rule V<UTC timestamp"),
                r.message());
        assertEquals(
                "rename it, e.g. git mv db/migration/V1__Init Schema.sql db/migration/V20260616100000__init_schema.sql",
                r.fix());
        assertTrue(only(MigrationRules.checkName("db/migration/bad.sql", MigrationSettings.DEFAULTS))
                .fix()
                .matches("rename it, e\\.g\\. git mv db/migration/bad\\.sql db/migration/V\\d{14}__bad\\.sql"));
    }

    @Test
    void namingFollowsTheConfiguredDirectory() {
        MigrationSettings s = new MigrationSettings("sql/", null);
        assertEquals("sql", s.directory());
        assertEquals(
                "migration.naming",
                only(MigrationRules.checkName("sql/nested/bad.sql", s)).rule());
        assertTrue(MigrationRules.checkName("db/migration/bad.sql", s).isAllowed());
        MigrationSettings custom = new MigrationSettings("sql", "{timestamp}_{description}.up.sql");
        assertTrue(MigrationRules.checkName("sql/20260616093000_add_sku.up.sql", custom)
                .isAllowed());
        assertEquals(
                "rename it, e.g. git mv sql/V20260616093000__add_sku.sql sql/20260616100000_add_sku.up.sql",
                only(MigrationRules.checkName("sql/V20260616093000__add_sku.sql", custom, NOW))
                        .fix());
    }

    @Test
    void duplicateVersionIsRefusedWithTheNextFreeFileName() {
        Map<String, String> others = new LinkedHashMap<>();
        others.put("20260616093000", DIR + "V20260616093000__other.sql");
        others.put("20260616120000", DIR + "V20260616120000__later.sql");
        Refusal r = only(MigrationRules.checkVersionUnique(PATH, N, others, NOW));
        assertEquals("migration.version-duplicate", r.rule());
        assertEquals(PATH, r.where());
        assertEquals("version 20260616093000 is already used by db/migration/V20260616093000__other.sql", r.message());
        assertEquals(
                "give this migration the next free version: git mv " + PATH
                        + " db/migration/V20260616120001__split_inventory_code.sql",
                r.fix());
        assertTrue(MigrationRules.checkVersionUnique(PATH, N, Map.of("20260616093000", PATH), NOW)
                .isAllowed());
        assertTrue(MigrationRules.checkVersionUnique(PATH, N, Map.of(), NOW).isAllowed());
    }

    @Test
    void olderThanTheTierIsRefusedWithTheNextFreeFileName() {
        Refusal r = only(MigrationRules.checkNewerThanTier(PATH, N, "20260616095959", Set.of("20260101000000"), NOW));
        assertEquals("migration.version-order", r.rule());
        assertEquals(
                "version 20260616093000 is not newer than the newest migration on the tier branch (20260616095959);"
                        + " the tier would apply it out of order",
                r.message());
        assertEquals(
                "rename it to the next free version: git mv " + PATH
                        + " db/migration/V20260616100000__split_inventory_code.sql",
                r.fix());
        assertEquals(
                "migration.version-order",
                only(MigrationRules.checkNewerThanTier(PATH, N, "20260616093000", Set.of(), NOW))
                        .rule());
        assertTrue(MigrationRules.checkNewerThanTier(PATH, N, "20260616092959", Set.of(), NOW)
                .isAllowed());
        assertTrue(
                MigrationRules.checkNewerThanTier(PATH, N, null, Set.of(), NOW).isAllowed());
    }

    @Test
    void nextFreeVersionIsNowOrJustAfterTheNewestTaken() {
        assertEquals("20260616100000", MigrationRules.nextFreeVersion(NOW.plusMillis(999), Set.of("20260616093000")));
        assertEquals("20260616100000", MigrationRules.nextFreeVersion(NOW, Set.of("20260616095959", "junk")));
        assertEquals("20260616100001", MigrationRules.nextFreeVersion(NOW, Set.of("20260616100000")));
        assertEquals("20270101000000", MigrationRules.nextFreeVersion(NOW, Set.of("20261231235959")));
    }

    @Test
    void headerIsRequired() {
        Refusal r =
                only(MigrationRules.checkHeader(PATH, "-- refactoring: Split Column\nALTER TABLE t ADD COLUMN c int;"));
        assertEquals("migration.header", r.rule());
        assertEquals(PATH + ":1", r.where());
        assertEquals("no '-- phase: expand|migrate|contract' line in the leading comment block", r.message());
        assertTrue(r.fix().contains("-- refactoring: Split Column\n    -- phase: expand"), r.fix());
        assertTrue(MigrationRules.checkHeader(PATH, "-- refactoring: Add Column\n-- phase: expand\nSELECT 1;")
                .isAllowed());
    }

    @Test
    void destructiveStatementsNeedAContractPhase() {
        // one engine: the SQL lint's rule, reached through the migration set the hooks and the server use
        String sql = "-- refactoring: Drop Column\n-- phase: expand\nALTER TABLE inventory\n  DROP COLUMN code;\n";
        MigrationSet set = new MigrationSet(MigrationSettings.DEFAULTS, List.of(PATH));
        Refusal r = set.checkNew(PATH, sql, null).refusals().stream()
                .filter(x -> x.rule().equals("migration.destructive-outside-contract"))
                .findFirst()
                .orElseThrow();
        assertEquals(PATH + ":4:3", r.where());
        assertEquals("DROP COLUMN inventory.code in an expand-phase migration", r.message());
        assertTrue(r.fix().contains("'-- phase: contract'"), r.fix());
        String contract = sql.replace("phase: expand", "phase: contract");
        assertTrue(new MigrationSet(MigrationSettings.DEFAULTS, List.of(PATH))
                .checkNew(PATH, contract, null).refusals().stream()
                        .noneMatch(x -> x.rule().equals("migration.destructive-outside-contract")));
    }

    @Test
    void recordedMigrationsAreImmutable() {
        byte[] original = "-- refactoring: Add Column\n-- phase: expand\nALTER TABLE t ADD COLUMN c int;\n"
                .getBytes(StandardCharsets.UTF_8);
        String recorded = MigrationChecksums.checksum(original);
        assertTrue(MigrationRules.checkUnchanged(PATH, recorded, original).isAllowed());
        assertTrue(MigrationRules.checkUnchanged(PATH, null, original).isAllowed());
        byte[] edited = "-- refactoring: Add Column\n-- phase: expand\nALTER TABLE t ADD COLUMN c bigint;\n"
                .getBytes(StandardCharsets.UTF_8);
        Refusal r = only(MigrationRules.checkUnchanged(PATH, recorded, edited));
        assertEquals("migration.immutable", r.rule());
        assertEquals(
                "committed migration was edited: recorded checksum sha256:" + recorded + " (.tiergate/migrations.sum),"
                        + " now sha256:" + MigrationChecksums.checksum(edited),
                r.message());
        assertTrue(r.fix().startsWith("restore it (git checkout HEAD -- " + PATH + ")"), r.fix());
        Refusal deleted = only(MigrationRules.checkUnchanged(PATH, recorded, null));
        assertEquals(
                "committed migration was deleted (recorded checksum sha256:" + recorded
                        + " in .tiergate/migrations.sum)",
                deleted.message());
    }

    @Test
    void checksumsFileRoundTripsInPathOrder() {
        String a = MigrationChecksums.checksum("a");
        assertEquals("ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb", a);
        Map<String, String> m = new LinkedHashMap<>();
        m.put(DIR + "V20260616093001__b.sql", MigrationChecksums.checksum("b"));
        m.put(DIR + "V20260616093000__a.sql", a);
        String text = MigrationChecksums.render(m);
        assertEquals(
                a + "  " + DIR + "V20260616093000__a.sql\n" + MigrationChecksums.checksum("b") + "  " + DIR
                        + "V20260616093001__b.sql\n",
                text);
        assertEquals(m, MigrationChecksums.parse("# ledger\n\n" + text));
        assertEquals(Map.of("x.sql", a), MigrationChecksums.parse(a + " *x.sql\r\n"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> MigrationChecksums.parse(text + "nonsense\n"));
        assertTrue(
                e.getMessage().startsWith(".tiergate/migrations.sum:3: expected '<sha256-hex>  <path>'"),
                e.getMessage());
    }

    @Test
    void theLedgerRecordsAndAnswers() {
        MigrationLedger l = MigrationLedger.parse(null).record(PATH, "x".getBytes(StandardCharsets.UTF_8));
        assertTrue(l.records(PATH));
        assertEquals(Optional.of(MigrationChecksums.checksum("x")), l.recordedChecksum(PATH));
        assertEquals(Optional.empty(), l.recordedChecksum("db/migration/other.sql"));
        assertEquals(l, MigrationLedger.parse(l.render()));
        assertEquals(MigrationLedger.empty(), MigrationLedger.parse(""));
    }

    @Test
    void recognisesTestFiles() {
        for (String p : new String[] {
            "src/test/java/a/FooTest.java",
            "core/src/test/resources/x.sql",
            "tests/test_x.py",
            "pkg/foo_test.go",
            "web/src/app.spec.ts",
            "web/src/app.test.js",
            "lib/__tests__/x.js",
            "spec/models/user_spec.rb",
            "src/main/java/FooTests.kt",
            "it/OrderIT.java",
            "test_utils.py",
            "test/helper.rb"
        }) {
            assertTrue(TestFiles.isTestFile(p), p);
        }
        for (String p : new String[] {
            "src/main/java/Latest.java",
            "src/main/java/Contest.java",
            "db/migration/V1__x.sql",
            "README.md",
            "attestation/x.txt",
            "testdata.json",
            "src/main/java/Testing.java"
        }) {
            assertFalse(TestFiles.isTestFile(p), p);
        }
    }

    @Test
    void otherToolsMigrationFilesAreMigrationsButOnlySqlFilesAreSql() {
        MigrationSettings knex = new MigrationSettings("migrations", "{timestamp}_{description}.js");
        assertEquals(".js", knex.extension());
        assertTrue(MigrationRules.isMigrationPath("migrations/20260616093000_add_users.js", knex));
        assertFalse(MigrationRules.isMigrationPath("migrations/README.md", knex));
        assertFalse(MigrationRules.isMigrationPath("migrations/.eslintrc.js", knex));
        assertTrue(MigrationRules.checkName("migrations/20260616093000_add_users.js", knex)
                .isAllowed());
        assertEquals(
                "migration.naming",
                only(MigrationRules.checkName("migrations/add_users.js", knex, NOW))
                        .rule());
        MigrationSettings alembic = new MigrationSettings("alembic/versions", "{timestamp}_{description}.py");
        assertTrue(MigrationRules.isMigrationPath("alembic/versions/20260616093000_add_users.py", alembic));
        assertFalse(MigrationRules.isMigrationPath("alembic/versions/__init__.py", alembic));
        assertEquals(
                "rename it, e.g. git mv alembic/versions/ae1027a6acf_add_users.py alembic/versions/20260616100000_ae1027a6acf_add_users.py",
                only(MigrationRules.checkName("alembic/versions/ae1027a6acf_add_users.py", alembic, NOW))
                        .fix());
        assertFalse(MigrationRules.isSql("migrations/20260616093000_add_users.js"));
        assertTrue(MigrationRules.isSql(DIR + "V20260616093000__x.SQL"));
        assertEquals(".sql", MigrationSettings.DEFAULTS.extension());
        assertEquals("", new MigrationSettings("m", "{timestamp}-{description}").extension());
    }

    @Test
    void theKitsGeneratedHeaderIsADescriptionAndAWarningWhereThePolicySaysSo() {
        String kit = "-- V20260616093000: add_users\nCREATE TABLE users (id bigint primary key);\n";
        HeaderResult h = MigrationHeader.parse(kit);
        assertFalse(h.isValid());
        assertEquals(Optional.of("add_users"), h.description());
        Verdict v = MigrationRules.checkHeader(PATH, kit);
        Refusal r = only(v);
        assertEquals("migration.header", r.rule());
        assertEquals(PATH + ":1", r.where());
        assertEquals(
                "no '-- refactoring: <name>' line in the leading comment block (it describes the migration as 'add_users'"
                        + " only); no '-- phase: expand|migrate|contract' line in the leading comment block",
                r.message());
        Verdict lowered = v.withSeverities(Map.of("migration.header", Severity.WARNING));
        assertTrue(lowered.isAllowed());
        assertEquals(List.of(r), lowered.warnings());
        assertTrue(v.withSeverities(Map.of("migration.header", Severity.OFF))
                .warnings()
                .isEmpty());
        assertTrue(v.withSeverities(Map.of("migration.header", Severity.OFF)).isAllowed());
        assertFalse(v.withSeverities(Map.of("migration.naming", Severity.OFF)).isAllowed());
        HeaderResult both = MigrationHeader.parse(
                "-- V20260616093000: add_users\n" + "-- refactoring: Introduce New Table\n-- phase: expand\n");
        assertTrue(both.isValid(), both.problems().toString());
    }

    @Test
    void anAgentsRemovalsOfTestsAreRefusedUnlessSuperseded() {
        var refusals = TestFiles.deletedByAgent(
                List.of("src/test/java/ATest.java", "src/test/java/BTest.java", "README.md"),
                path -> path.equals("src/test/java/BTest.java"),
                "PR #3");
        assertEquals(1, refusals.size(), refusals.toString());
        assertEquals("tests.agent-deleted", refusals.get(0).rule());
        assertEquals("src/test/java/ATest.java (PR #3)", refusals.get(0).where());
    }

    /** The server's rule, pure: a contract needs an expand of the same refactoring applied on the tier in an earlier merge. */
    @Test
    void aContractWhoseExpandTheTierHasNotAppliedIsRefusedAndOneWhoseExpandItHasIsNot() {
        String expand = "-- refactoring: Split Column\n-- phase: expand\nALTER TABLE t ADD COLUMN b int;\n";
        String contract = "-- refactoring: split column\n-- phase: contract\nALTER TABLE t DROP COLUMN a;\n";
        Map<String, String> added = Map.of("db/migration/V20260102000000__drop_a.sql", contract);
        var refused = MigrationRules.contractBeforeExpand(added, List.of(), "staging");
        assertEquals(1, refused.size());
        assertEquals("migration.contract-before-expand", refused.get(0).rule());
        assertEquals(
                "contract phase of 'Split Column' but no expand phase of it has been applied on staging",
                refused.get(0).message());
        assertTrue(
                MigrationRules.contractBeforeExpand(added, List.of(expand), "staging")
                        .isEmpty(),
                "refactorings match without case");
        assertTrue(
                MigrationRules.contractBeforeExpand(Map.of("db/migration/V1__x.sql", expand), List.of(), "staging")
                        .isEmpty(),
                "an expand needs nothing");
    }
}
