package dev.tiergate.core.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MigrationNameAndHeaderTest {

    @Test
    void parsesAVersionedName() {
        MigrationName n = MigrationName.parse("db/migration/V20260616093000__split_inventory_code.sql")
                .orElseThrow();
        assertEquals("20260616093000", n.version());
        assertEquals("split_inventory_code", n.description());
        assertEquals("V20260616093000__split_inventory_code.sql", n.fileName());
        assertEquals("V20260616093001__split_inventory_code.sql", n.withVersion("20260616093001"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "V1__init.sql",
                "V2026061609300__short.sql",
                "V202606160930000__long.sql",
                "V20261316093000__month13.sql",
                "V20260230093000__feb30.sql",
                "V20260616246000__hour24.sql",
                "V20260616093000_one_underscore.sql",
                "V20260616093000__.sql",
                "V20260616093000__has space.sql",
                "V20260616093000__x.SQL",
                "v20260616093000__lower.sql",
                "R__repeatable.sql",
                "20260616093000__x.sql",
                "V20260616093000__x.sql.bak"
            })
    void refusesNamesThatBreakTheRule(String name) {
        assertTrue(MigrationName.parse(name).isEmpty(), name);
    }

    @Test
    void aPolicyMayChooseAnotherNamingTemplate() {
        String t = "{timestamp}_{description}.up.sql";
        MigrationName n =
                MigrationName.parse("db/20260616093000_add_sku.up.sql", t).orElseThrow();
        assertEquals("20260616093000", n.version());
        assertEquals("add_sku", n.description());
        assertEquals("20260616093001_add_sku.up.sql", n.withVersion("20260616093001"));
        assertTrue(MigrationName.parse("V20260616093000__add_sku.sql", t).isEmpty());
        assertTrue(MigrationName.parse("20260616093000_add_sku.up.sql").isEmpty());
        assertTrue(MigrationName.parse("V20260616093000__add_sku.sql", MigrationName.DEFAULT_TEMPLATE)
                .isPresent());
        assertTrue(MigrationName.namingRuleText(t).endsWith("e.g. 20260616093000_split_inventory_code.up.sql"));
        assertTrue(MigrationName.isUsableTemplate(t));
        assertFalse(MigrationName.isUsableTemplate("V{timestamp}.sql"));
        assertFalse(MigrationName.isUsableTemplate("{timestamp}{timestamp}_{description}.sql"));
    }

    @Test
    void namingRuleTextShowsAnExample() {
        assertTrue(MigrationName.namingRuleText().contains("V20260616093000__split_inventory_code.sql"));
    }

    @Test
    void headerIsReadFromTheLeadingCommentBlock() {
        HeaderResult r =
                MigrationHeader.parse("-- Split inventory_code into sku and lot.\n\n-- refactoring:   split column \n"
                        + "-- Phase: Expand\nALTER TABLE inventory ADD COLUMN sku text;\n");
        assertTrue(r.isValid(), r.problems()::toString);
        assertEquals(
                new MigrationHeader("Split Column", Phase.EXPAND), r.header().orElseThrow());
        assertEquals(3, r.line());
    }

    @Test
    void aHeaderAfterTheFirstStatementDoesNotCount() {
        HeaderResult r = MigrationHeader.parse(
                "ALTER TABLE t ADD COLUMN c int;\n-- refactoring: Add Column\n-- phase: expand\n");
        assertFalse(r.isValid());
        assertEquals(
                List.of(
                        "no '-- refactoring: <name>' line in the leading comment block",
                        "no '-- phase: expand|migrate|contract' line in the leading comment block"),
                r.problems());
        assertEquals(1, r.line());
    }

    @Test
    void unknownRefactoringSuggestsTheClosestName() {
        HeaderResult r = MigrationHeader.parse("-- refactoring: Split Colum\n-- phase: expand\nSELECT 1;");
        assertEquals(
                List.of("refactoring 'Split Colum' is not in the catalog (did you mean 'Split Column'?)"),
                r.problems());
        assertEquals(1, r.line());
        HeaderResult far = MigrationHeader.parse("-- refactoring: Make It Faster\n-- phase: expand\n");
        assertEquals(List.of("refactoring 'Make It Faster' is not in the catalog"), far.problems());
    }

    @Test
    void badOrMissingPhaseIsNamedWithItsLine() {
        HeaderResult bad = MigrationHeader.parse("-- refactoring: Drop Column\n-- phase: cleanup\nSELECT 1;");
        assertEquals(List.of("phase 'cleanup' is not one of expand, migrate, contract"), bad.problems());
        assertEquals(2, bad.line());
        HeaderResult missing = MigrationHeader.parse("-- refactoring: Drop Column\nSELECT 1;");
        assertEquals(
                List.of("no '-- phase: expand|migrate|contract' line in the leading comment block"),
                missing.problems());
        assertEquals(1, missing.line());
        assertEquals(Optional.empty(), missing.header());
    }

    @Test
    void catalogHasTheBookNamesCaseInsensitively() {
        for (String name : List.of(
                "Add Column",
                "Drop Column",
                "Rename Column",
                "Split Column",
                "Merge Columns",
                "Move Column",
                "Introduce Index",
                "Drop Table",
                "Rename Table",
                "Split Table",
                "Merge Tables",
                "Introduce Default Value",
                "Make Column Non-Nullable",
                "Add Foreign Key Constraint",
                "Introduce Column Constraint",
                "Replace Type Code With Property Flags",
                "Insert Data",
                "Update Data",
                "Introduce New Table",
                "Introduce View",
                "Encapsulate Table With View",
                "Introduce Soft Delete")) {
            assertTrue(RefactoringCatalog.contains(name), name);
            assertTrue(RefactoringCatalog.contains(name.toUpperCase()), name);
        }
        assertEquals(Optional.of("Introduce Index"), RefactoringCatalog.canonical("  introduce   INDEX "));
        assertFalse(RefactoringCatalog.contains("Refactor Everything"));
        assertEquals(
                List.of(
                        "structural",
                        "data quality",
                        "referential integrity",
                        "architectural",
                        "method",
                        "transformation",
                        "alias"),
                List.copyOf(RefactoringCatalog.byCategory().keySet()));
        assertTrue(RefactoringCatalog.names().size() > 60);
    }

    @Test
    void phasesHaveWireNames() {
        assertEquals(Optional.of(Phase.CONTRACT), Phase.fromWireName(" Contract "));
        assertEquals(Optional.empty(), Phase.fromWireName("shrink"));
        assertEquals("migrate", Phase.MIGRATE.wireName());
    }
}
