package dev.tiergate.core.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DestructiveStatementsTest {

    @ParameterizedTest(name = "{1}: {0}")
    @CsvSource(delimiter = '|', textBlock = """
            DROP TABLE inventory                                   | DROP TABLE
            drop   table if exists public.inventory cascade        | DROP TABLE
            ALTER TABLE inventory DROP COLUMN code                 | DROP COLUMN
            alter table only "Inventory" drop column if exists code | DROP COLUMN
            ALTER TABLE inventory DROP code                        | DROP COLUMN
            ALTER TABLE inventory RENAME TO stock                  | RENAME TABLE
            ALTER TABLE inventory RENAME COLUMN code TO sku        | RENAME COLUMN
            ALTER TABLE inventory RENAME code TO sku               | RENAME COLUMN
            ALTER TABLE inventory ALTER COLUMN code TYPE bigint    | ALTER COLUMN TYPE
            ALTER TABLE inventory ALTER code SET DATA TYPE text    | ALTER COLUMN TYPE
            ALTER TABLE inventory ALTER COLUMN code SET NOT NULL   | SET NOT NULL
            TRUNCATE inventory                                     | TRUNCATE
            truncate table inventory, orders                       | TRUNCATE
            DELETE FROM inventory                                  | DELETE without WHERE
            delete from only inventory as i                        | DELETE without WHERE
            WITH gone AS (SELECT 1) DELETE FROM inventory          | DELETE without WHERE
            """)
    void findsEachKind(String statement, String kind) {
        List<DestructiveFinding> f = DestructiveStatements.find(statement + ";");
        assertEquals(1, f.size(), f::toString);
        assertEquals(kind, f.get(0).kind());
        assertEquals(1, f.get(0).line());
    }

    @ParameterizedTest
    @ValueSource(strings = {
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
        "ALTER TABLE t ALTER COLUMN c SET DEFAULT 0;",
        "ALTER TABLE t RENAME CONSTRAINT a TO b;",
        "DROP INDEX i;",
        "CREATE TABLE drop_table (delete_from int, \"DROP TABLE\" text);",
        "SELECT 'TRUNCATE x';",
        "UPDATE t SET note = 'ALTER TABLE t DROP COLUMN c';",
        "ALTER TABLE \"drop column\" ADD COLUMN x int;",
    })
    void lookAlikesAreNotFindings(String sql) {
        assertEquals(List.of(), DestructiveStatements.find(sql));
    }

    @Test
    void eachActionOfAnAlterTableIsJudgedAndLinesPointAtTheClause() {
        String sql = "-- refactoring: Split Column\n-- phase: contract\nALTER TABLE inventory\n"
                + "  ADD CONSTRAINT c CHECK (a IN (1, 2)),\n  DROP COLUMN code,\n  ALTER COLUMN sku SET NOT NULL;\nDELETE FROM staging_rows;";
        List<DestructiveFinding> f = DestructiveStatements.find(sql);
        assertEquals(3, f.size(), f::toString);
        assertEquals(new DestructiveFinding(5, "DROP COLUMN",
                "ALTER TABLE inventory ADD CONSTRAINT c CHECK (a IN (1, 2)), DROP COLUMN code, ALTER COLUMN sku SET NOT NULL"), f.get(0));
        assertEquals(6, f.get(1).line());
        assertEquals("SET NOT NULL", f.get(1).kind());
        assertEquals(new DestructiveFinding(7, "DELETE without WHERE", "DELETE FROM staging_rows"), f.get(2));
    }

    @Test
    void describesEveryKind() {
        for (String kind : List.of(DestructiveStatements.DROP_TABLE, DestructiveStatements.DROP_COLUMN,
                DestructiveStatements.RENAME_TABLE, DestructiveStatements.RENAME_COLUMN,
                DestructiveStatements.COLUMN_TYPE_CHANGE, DestructiveStatements.SET_NOT_NULL,
                DestructiveStatements.TRUNCATE, DestructiveStatements.DELETE_WITHOUT_WHERE)) {
            assertTrue(!DestructiveStatements.describe(kind).equals(kind.toLowerCase()), kind);
        }
    }
}
