package dev.tiergate.core.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link PgLexer#statements}: splitting a migration file, the one splitter the lint and the seed loader use. */
class PgLexerStatementsTest {

    static List<String> texts(String sql) {
        return PgLexer.statements(sql).stream().map(PgLexer.Statement::text).toList();
    }

    /** "text@line" of each statement. */
    static List<String> at(String sql) {
        return PgLexer.statements(sql).stream()
                .map(s -> s.text() + "@" + s.line())
                .toList();
    }

    @Test
    void splitsOnSemicolonsAndKeepsStartLinesAndOffsets() {
        String sql = "-- refactoring: Add Column\n-- phase: expand\n\nALTER TABLE a ADD COLUMN b int;\n"
                + "CREATE INDEX i ON a (b);\n\n  UPDATE a\n  SET b = 1\n  WHERE b IS NULL;";
        assertEquals(
                List.of(
                        "ALTER TABLE a ADD COLUMN b int@4",
                        "CREATE INDEX i ON a (b)@5",
                        "UPDATE a\n  SET b = 1\n  WHERE b IS NULL@7"),
                at(sql));
        for (PgLexer.Statement s : PgLexer.statements(sql)) {
            assertEquals(
                    s.text(), sql.substring(s.offset(), s.offset() + s.text().length()));
        }
    }

    @Test
    void semicolonsInStringsAndIdentifiersDoNotSplit() {
        assertEquals(
                List.of("INSERT INTO t VALUES ('a;b', 'it''s; fine')", "SELECT \"odd;name\" FROM \"x\"\"y;\""),
                texts("INSERT INTO t VALUES ('a;b', 'it''s; fine'); SELECT \"odd;name\" FROM \"x\"\"y;\";"));
    }

    @Test
    void escapeStringsHonourBackslashes() {
        assertEquals(
                List.of("SELECT E'it\\'s; still one'", "SELECT e'\\\\'", "SELECT 2"),
                texts("SELECT E'it\\'s; still one'; SELECT e'\\\\'; SELECT 2"));
    }

    @Test
    void aStandardStringDoesNotTreatBackslashAsEscape() {
        // standard_conforming_strings: 'C:\' is a complete string, also after a word ending in e
        assertEquals(List.of("SELECT 'C:\\'", "SELECT 2"), texts("SELECT 'C:\\'; SELECT 2;"));
        assertEquals(List.of("SELECT name'\\'", "SELECT 2"), texts("SELECT name'\\'; SELECT 2;"));
    }

    @Test
    void commentsAreNotStatementsAndHideSemicolons() {
        String sql = "-- a; b\n/* c; /* nested; */ still comment; */ SELECT 1; -- trailing; x\n/* only a comment; */";
        assertEquals(List.of("SELECT 1@2"), at(sql));
        assertEquals(List.of("SELECT /* in; it */ 1"), texts("SELECT /* in; it */ 1 /* after */;"));
    }

    @Test
    void dollarQuotedBodiesAreOneStatement() {
        String sql =
                "CREATE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  DELETE FROM t;\n  RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql;\n"
                        + "DO $body$ BEGIN PERFORM 1; END $body$;\nSELECT $1, a$b FROM t;";
        assertEquals(
                List.of(
                        "CREATE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  DELETE FROM t;\n  RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql@1",
                        "DO $body$ BEGIN PERFORM 1; END $body$@7",
                        "SELECT $1, a$b FROM t@8"),
                at(sql));
    }

    @Test
    void aDifferentTagInsideADollarBodyDoesNotEndIt() {
        assertEquals(
                List.of("SELECT $a$ x $b$ ; $b$ y; $a$", "SELECT 2"), texts("SELECT $a$ x $b$ ; $b$ y; $a$; SELECT 2"));
    }

    @Test
    void anUnterminatedQuoteRunsToTheEndAndTheParserReportsIt() {
        assertEquals(List.of("SELECT 1", "SELECT 'open; SELECT 2;"), texts("SELECT 1; SELECT 'open; SELECT 2;"));
        assertEquals(List.of("SELECT $$ body; more"), texts("SELECT $$ body; more"));
        assertEquals(List.of("SELECT 1"), texts("SELECT 1; /* never closed; SELECT 2;"));
    }

    @Test
    void emptyInputAndLoneSemicolonsGiveNothing() {
        assertEquals(List.of(), texts(""));
        assertEquals(List.of(), texts(" ;; \n ; -- x"));
    }

    @Test
    void statementLineSkipsLeadingCommentsAndCountsCrLf() {
        assertEquals(List.of("SELECT 1@3"), at("/* one\r\n two */\r\nSELECT 1;\r\n"));
    }

    @Test
    void psqlMetaCommandsAreNoStatementsAndEndTheOneBefore() {
        String sql = "\\set ON_ERROR_STOP on\nSELECT 1\n\\gset\n  \\connect other\nCREATE TABLE t (a int);\n"
                + "SELECT '\\not a meta-command';";
        assertEquals(List.of("SELECT 1@2", "CREATE TABLE t (a int)@5", "SELECT '\\not a meta-command'@6"), at(sql));
    }

    @Test
    void copyFromStdinDataIsSkippedUpToBackslashDot() {
        String sql = "COPY t (a, b) FROM stdin;\n1\tDROP TABLE x; it's\n2\t$$;\n\\.\nDROP TABLE y;\n"
                + "COPY t TO stdout;\nSELECT 1;";
        assertEquals(
                List.of("COPY t (a, b) FROM stdin@1", "DROP TABLE y@5", "COPY t TO stdout@6", "SELECT 1@7"), at(sql));
    }
}
