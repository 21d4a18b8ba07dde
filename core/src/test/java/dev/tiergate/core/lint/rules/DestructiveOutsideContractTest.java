package dev.tiergate.core.lint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DestructiveOutsideContractTest {
    private static final String RULE = "migration.destructive-outside-contract";

    @Test
    void flagsWhatTheRuleIsAbout() {
        assertEquals(1, Lint.count(RULE, "-- refactoring: Drop Column\n-- phase: expand\nALTER TABLE t DROP COLUMN c;"), "-- refactoring: Drop Column\n-- phase: expand\nALTER TABLE t DROP COLUMN c;");
        assertEquals(1, Lint.count(RULE, "DROP TABLE legacy;"), "DROP TABLE legacy;");
        assertEquals(1, Lint.count(RULE, "TRUNCATE t;"), "TRUNCATE t;");
        assertEquals(1, Lint.count(RULE, "DELETE FROM t;"), "DELETE FROM t;");
    }

    @Test
    void leavesLookAlikesAlone() {
        assertEquals(0, Lint.count(RULE, "-- refactoring: Drop Column\n-- phase: contract\nALTER TABLE t DROP COLUMN c;"), "-- refactoring: Drop Column\n-- phase: contract\nALTER TABLE t DROP COLUMN c;");
        assertEquals(0, Lint.count(RULE, "-- DROP TABLE legacy;\nSELECT 1;"), "-- DROP TABLE legacy;\nSELECT 1;");
        assertEquals(0, Lint.count(RULE, "INSERT INTO log VALUES ('DROP TABLE x;');"), "INSERT INTO log VALUES ('DROP TABLE x;');");
        assertEquals(0, Lint.count(RULE, "CREATE FUNCTION f() RETURNS void AS $$ BEGIN DROP TABLE x; DELETE FROM t; END $$ LANGUAGE plpgsql;"), "CREATE FUNCTION f() RETURNS void AS $$ BEGIN DROP TABLE x; DELETE FROM t; END $$ LANGUAGE plpgsql;");
        assertEquals(0, Lint.count(RULE, "DELETE FROM t WHERE id = 1;"), "DELETE FROM t WHERE id = 1;");
        assertEquals(0, Lint.count(RULE, "CREATE TABLE tmp (a int);\nDROP TABLE tmp;"), "CREATE TABLE tmp (a int);\nDROP TABLE tmp;");
    }
}
