package dev.tiergate.core.lint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tiergate.core.lint.Finding;
import java.util.List;
import org.junit.jupiter.api.Test;

class IntPrimaryKeyTest {
    private static final String RULE = "sql.int-primary-key";

    @Test
    void flagsWhatTheRuleIsAbout() {
        assertEquals(
                1,
                Lint.count(RULE, "CREATE TABLE t (id serial PRIMARY KEY);"),
                "CREATE TABLE t (id serial PRIMARY KEY);");
        assertEquals(
                1,
                Lint.count(RULE, "CREATE TABLE t (id integer PRIMARY KEY, n int);"),
                "CREATE TABLE t (id integer PRIMARY KEY, n int);");
    }

    @Test
    void flagsAKeyDeclaredAsATableConstraint() {
        List<Finding> f =
                Lint.findings(RULE, "CREATE TABLE t (\n  id int NOT NULL,\n  n text,\n  PRIMARY KEY (id)\n);");
        assertEquals(1, f.size(), f.toString());
        assertEquals(2, f.get(0).line()); // the column's line: where its type is changed
        assertEquals(
                "primary key id is int, which runs out at 2,147,483,647",
                f.get(0).message());
        assertEquals(1, Lint.count(RULE, "CREATE TABLE t (id serial, CONSTRAINT t_pkey PRIMARY KEY (id));"));
        assertEquals(1, Lint.count(RULE, "CREATE TABLE t (id smallint, PRIMARY KEY (id) INCLUDE (id));"));
    }

    @Test
    void flagsAKeyAddedLaterToATableOfTheSet() {
        assertEquals(1, Lint.count(RULE, "CREATE TABLE t (id int NOT NULL);", "ALTER TABLE t ADD PRIMARY KEY (id);"));
        assertEquals(
                1,
                Lint.count(
                        RULE,
                        "CREATE TABLE t (id int NOT NULL);\nALTER TABLE t ADD CONSTRAINT t_pkey PRIMARY KEY (id);"));
        assertEquals(
                1,
                Lint.count(RULE, "CREATE TABLE t (a text);\nALTER TABLE t ADD COLUMN id int, ADD PRIMARY KEY (id);"));
        assertEquals(
                1,
                Lint.count(
                        RULE,
                        "CREATE TABLE t (k bigint);\nALTER TABLE t RENAME COLUMN k TO id;\n"
                                + "ALTER TABLE t ALTER COLUMN id TYPE integer;\nALTER TABLE t ADD PRIMARY KEY (id);"));
    }

    @Test
    void leavesLookAlikesAlone() {
        assertEquals(
                0,
                Lint.count(RULE, "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n int);"),
                "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n int);");
        assertEquals(
                0,
                Lint.count(RULE, "CREATE TABLE t (id bigserial PRIMARY KEY);"),
                "CREATE TABLE t (id bigserial PRIMARY KEY);");
        // bigint or uuid keys declared as table constraints
        assertEquals(0, Lint.count(RULE, "CREATE TABLE t (id bigint, n int, PRIMARY KEY (id));"));
        assertEquals(0, Lint.count(RULE, "CREATE TABLE t (id uuid, n int, CONSTRAINT k PRIMARY KEY (id));"));
        // a composite key: its int columns are references; the referenced keys are checked where declared
        assertEquals(0, Lint.count(RULE, "CREATE TABLE t (a int, b int, PRIMARY KEY (a, b));"));
        assertEquals(0, Lint.count(RULE, "CREATE TABLE t (a int, b int);\nALTER TABLE t ADD PRIMARY KEY (a, b);"));
        // a UNIQUE constraint on an int column is not a primary key
        assertEquals(0, Lint.count(RULE, "CREATE TABLE t (id bigint PRIMARY KEY, n int, UNIQUE (n));"));
        // a bigint column turned into the key later
        assertEquals(0, Lint.count(RULE, "CREATE TABLE t (id bigint NOT NULL);\nALTER TABLE t ADD PRIMARY KEY (id);"));
        // a table the set did not create: its column types are unknown, nothing is guessed
        assertEquals(0, Lint.count(RULE, "ALTER TABLE t ADD PRIMARY KEY (id);"));
        // the key made of an existing index: its columns are not in the statement
        assertEquals(
                0,
                Lint.count(RULE, "CREATE TABLE t (id int NOT NULL);\nALTER TABLE t ADD PRIMARY KEY USING INDEX t_id;"));
    }
}
