package dev.tiergate.core.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlStatementsTest {

    static List<String> texts(String sql) {
        return SqlStatements.split(sql).stream().map(SqlStatement::text).toList();
    }

    @Test
    void splitsOnSemicolonsAndKeepsStartLines() {
        String sql = "-- refactoring: Add Column\n-- phase: expand\n\nALTER TABLE a ADD COLUMN b int;\n"
                + "CREATE INDEX i ON a (b);\n\n  UPDATE a\n  SET b = 1\n  WHERE b IS NULL;";
        assertEquals(List.of(
                new SqlStatement("ALTER TABLE a ADD COLUMN b int", 4),
                new SqlStatement("CREATE INDEX i ON a (b)", 5),
                new SqlStatement("UPDATE a\n  SET b = 1\n  WHERE b IS NULL", 7)), SqlStatements.split(sql));
    }

    @Test
    void semicolonsInStringsAndIdentifiersDoNotSplit() {
        assertEquals(List.of("INSERT INTO t VALUES ('a;b', 'it''s; fine')", "SELECT \"odd;name\" FROM \"x\"\"y;\""),
                texts("INSERT INTO t VALUES ('a;b', 'it''s; fine'); SELECT \"odd;name\" FROM \"x\"\"y;\";"));
    }

    @Test
    void escapeStringsHonourBackslashes() {
        assertEquals(List.of("SELECT E'it\\'s; still one'", "SELECT e'\\\\'", "SELECT 2"),
                texts("SELECT E'it\\'s; still one'; SELECT e'\\\\'; SELECT 2"));
    }

    @Test
    void aStandardStringDoesNotTreatBackslashAsEscape() {
        // standard_conforming_strings: 'C:\' is a complete string
        assertEquals(List.of("SELECT 'C:\\'", "SELECT 2"), texts("SELECT 'C:\\'; SELECT 2;"));
    }

    @Test
    void commentsAreNotStatementsAndHideSemicolons() {
        String sql = "-- a; b\n/* c; /* nested; */ still comment; */ SELECT 1; -- trailing; x\n/* only a comment; */";
        assertEquals(List.of(new SqlStatement("SELECT 1", 2)), SqlStatements.split(sql));
    }

    @Test
    void dollarQuotedBodiesAreOneStatement() {
        String sql = "CREATE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  DELETE FROM t;\n  RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql;\n"
                + "DO $body$ BEGIN PERFORM 1; END $body$;\nSELECT $1, a$b FROM t;";
        List<SqlStatement> s = SqlStatements.split(sql);
        assertEquals(3, s.size(), s.toString());
        assertEquals(1, s.get(0).line());
        assertEquals("CREATE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  DELETE FROM t;\n  RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql",
                s.get(0).text());
        assertEquals(new SqlStatement("DO $body$ BEGIN PERFORM 1; END $body$", 7), s.get(1));
        assertEquals(new SqlStatement("SELECT $1, a$b FROM t", 8), s.get(2));
    }

    @Test
    void aDifferentTagInsideADollarBodyDoesNotEndIt() {
        assertEquals(List.of("SELECT $a$ x $b$ ; $b$ y; $a$", "SELECT 2"), texts("SELECT $a$ x $b$ ; $b$ y; $a$; SELECT 2"));
    }

    @Test
    void emptyInputAndLoneSemicolonsGiveNothing() {
        assertEquals(List.of(), texts(""));
        assertEquals(List.of(), texts(" ;; \n ; -- x"));
    }

    @Test
    void statementLineSkipsLeadingCommentsAndCountsCrLf() {
        assertEquals(List.of(new SqlStatement("SELECT 1", 3)), SqlStatements.split("/* one\r\n two */\r\nSELECT 1;\r\n"));
    }

    @Test
    void psqlMetaCommandsAreNoStatementsAndEndTheOneBefore() {
        String sql = "\\set ON_ERROR_STOP on\nSELECT 1\n\\gset\n  \\connect other\nCREATE TABLE t (a int);\n"
                + "SELECT '\\not a meta-command';";
        assertEquals(List.of(new SqlStatement("SELECT 1", 2), new SqlStatement("CREATE TABLE t (a int)", 5),
                new SqlStatement("SELECT '\\not a meta-command'", 6)), SqlStatements.split(sql));
    }

    @Test
    void copyFromStdinDataIsSkippedUpToBackslashDot() {
        String sql = "COPY t (a, b) FROM stdin;\n1\tDROP TABLE x; it's\n2\t$$;\n\\.\nDROP TABLE y;\n"
                + "COPY t TO stdout;\nSELECT 1;";
        assertEquals(List.of(new SqlStatement("COPY t (a, b) FROM stdin", 1), new SqlStatement("DROP TABLE y", 5),
                new SqlStatement("COPY t TO stdout", 6), new SqlStatement("SELECT 1", 7)), SqlStatements.split(sql));
    }
}
