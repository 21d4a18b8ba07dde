package dev.tiergate.core.lint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class IntPrimaryKeyTest {
    private static final String RULE = "sql.int-primary-key";

    @Test
    void flagsWhatTheRuleIsAbout() {
        assertEquals(1, Lint.count(RULE, "CREATE TABLE t (id serial PRIMARY KEY);"), "CREATE TABLE t (id serial PRIMARY KEY);");
        assertEquals(1, Lint.count(RULE, "CREATE TABLE t (id integer PRIMARY KEY, n int);"), "CREATE TABLE t (id integer PRIMARY KEY, n int);");
    }

    @Test
    void leavesLookAlikesAlone() {
        assertEquals(0, Lint.count(RULE, "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n int);"), "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n int);");
        assertEquals(0, Lint.count(RULE, "CREATE TABLE t (id bigserial PRIMARY KEY);"), "CREATE TABLE t (id bigserial PRIMARY KEY);");
    }
}
