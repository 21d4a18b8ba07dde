package dev.tiergate.core.lint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tiergate.core.lint.Finding;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The destructive-statement rule, on the lint's parser (it replaced a hand-split regex check; same id, same cases). */
class DestructiveOutsideContractTest {
    private static final String RULE = "migration.destructive-outside-contract";
    private static final String EXPAND = "-- refactoring: Add Column\n-- phase: expand\n";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            DROP TABLE inventory                                    | DROP TABLE inventory in an expand-phase migration
            drop   table if exists public.inventory cascade         | DROP TABLE public.inventory in an expand-phase migration
            ALTER TABLE inventory DROP COLUMN code                  | DROP COLUMN inventory.code in an expand-phase migration
            alter table only "Inventory" drop column if exists code | DROP COLUMN Inventory.code in an expand-phase migration
            ALTER TABLE inventory DROP code                         | DROP COLUMN inventory.code in an expand-phase migration
            TRUNCATE inventory                                      | TRUNCATE [inventory] in an expand-phase migration
            truncate table inventory, orders                        | TRUNCATE [inventory, orders] in an expand-phase migration
            DELETE FROM inventory                                   | DELETE without WHERE on inventory in an expand-phase migration
            delete from only inventory as i                         | DELETE without WHERE on inventory in an expand-phase migration
            """)
    void flagsEachKindWithItsLine(String statement, String message) {
        List<Finding> f = Lint.findings(RULE, EXPAND + "SELECT 1;\n" + statement + ";");
        assertEquals(1, f.size(), f::toString);
        assertEquals(message, f.get(0).message());
        assertEquals(4, f.get(0).line());
    }

    @Test
    void saysWhichPhaseAndPointsAtTheClauseOfAnAlterTable() {
        List<Finding> f = Lint.findings(
                RULE, "ALTER TABLE inventory\n  ADD CONSTRAINT c CHECK (a IN (1, 2)),\n  DROP COLUMN code;");
        assertEquals(1, f.size(), f::toString);
        assertEquals(
                "DROP COLUMN inventory.code in a header-less migration",
                f.get(0).message());
        assertEquals(3, f.get(0).line());
        assertEquals(3, f.get(0).column());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "-- refactoring: Drop Column\n-- phase: contract\nALTER TABLE t DROP COLUMN c;\nDROP TABLE u;\nTRUNCATE v;\nDELETE FROM w;",
                "-- DROP TABLE x\nSELECT 1;",
                "/* ALTER TABLE t DROP COLUMN c; /* nested */ TRUNCATE t; */ SELECT 1;",
                "INSERT INTO log VALUES ('DROP TABLE x; DELETE FROM t');",
                "INSERT INTO log VALUES (E'\\'; DROP TABLE x; --');",
                "CREATE FUNCTION purge() RETURNS void AS $$ DELETE FROM t $$ LANGUAGE sql;",
                "CREATE FUNCTION purge() RETURNS void AS $fn$ BEGIN TRUNCATE t; DROP TABLE u; END $fn$ LANGUAGE plpgsql;",
                "DELETE FROM t WHERE created < now() - interval '1 year';",
                "delete from t\nwhere id = 1;",
                "ALTER TABLE t ADD COLUMN c int;",
                "ALTER TABLE t DROP CONSTRAINT t_c_check;",
                "ALTER TABLE t ALTER COLUMN c DROP DEFAULT;",
                "ALTER TABLE t ALTER COLUMN c DROP NOT NULL;",
                "ALTER TABLE t RENAME CONSTRAINT a TO b;",
                "DROP INDEX i;",
                "CREATE TABLE drop_table (delete_from int, \"DROP TABLE\" text);",
                "UPDATE t SET note = 'ALTER TABLE t DROP COLUMN c';",
                "ALTER TABLE \"drop column\" ADD COLUMN x int;",
                "COPY t (a) FROM stdin;\nDROP TABLE x;\n\\.\nSELECT 1;",
                "CREATE TABLE tmp (a int);\nDROP TABLE tmp;",
            })
    void leavesLookAlikesAlone(String sql) {
        assertEquals(List.of(), Lint.findings(RULE, sql));
    }

    @Test
    void aTableCreatedByAnEarlierFileOfTheSetIsNotExisting() {
        assertEquals(0, Lint.count(RULE, "CREATE TABLE staging (a int);", "DROP TABLE staging;"));
    }
}
