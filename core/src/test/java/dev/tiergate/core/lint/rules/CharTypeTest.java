package dev.tiergate.core.lint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CharTypeTest {
    private static final String RULE = "sql.char-type";

    @Test
    void flagsWhatTheRuleIsAbout() {
        assertEquals(1, Lint.count(RULE, "CREATE TABLE t (code char(3));"), "CREATE TABLE t (code char(3));");
        assertEquals(
                1,
                Lint.count(RULE, "ALTER TABLE t ADD COLUMN c character(10);"),
                "ALTER TABLE t ADD COLUMN c character(10);");
    }

    @Test
    void leavesLookAlikesAlone() {
        assertEquals(
                0,
                Lint.count(RULE, "CREATE TABLE t (code varchar(3), d character varying, e text);"),
                "CREATE TABLE t (code varchar(3), d character varying, e text);");
    }
}
