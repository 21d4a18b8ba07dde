package dev.tiergate.core.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What tiergate publishes of a database error: the happy case beside each hostile one. */
class PublishedErrorTest {
    static final String FILE = "V20260102000000__orders.sql";
    static final String SQL = """
            -- refactoring: Introduce New Column
            -- phase: expand
            alter table orders add column qty int;
            alter table no_such_table add column x int;
            """;

    @Test
    void aPlainErrorKeepsTheNamesTheMigrationWrote() {
        PublishedError e = PublishedError.of(
                "42P01", "ERROR: relation \"no_such_table\" does not exist\n  Position: 13", SQL, FILE, 4);
        assertEquals(FILE + ":4: SQLSTATE 42P01: relation \"no_such_table\" does not exist", e.text());
        assertFalse(e.withheld());
    }

    @Test
    void aRaiseIsWithheldWhateverItPrinted() {
        String raise = "DO $$ BEGIN RAISE EXCEPTION '%', (SELECT string_agg(card, ',') FROM customers); END $$;";
        PublishedError e = PublishedError.of(
                "P0001",
                "ERROR: 4111111111111111,5500000000000004\n"
                        + "  Where: PL/pgSQL function inline_code_block line 1 at RAISE",
                raise,
                FILE,
                1);
        assertEquals(FILE + ":1: SQLSTATE P0001: " + PublishedError.RAISED, e.text());
        assertTrue(e.withheld());
        assertFalse(e.text().contains("4111"));
    }

    @Test
    void aRaiseWithAnErrcodePostgresUsesIsWithheldByItsContext() {
        // RAISE ... USING ERRCODE = '42P01', MESSAGE = (SELECT name FROM customers LIMIT 1): a lookalike of a real
        // error
        PublishedError e = PublishedError.of(
                "42P01",
                "ERROR: relation alice does not exist\n"
                        + "  Where: PL/pgSQL function inline_code_block line 3 at RAISE",
                SQL,
                FILE,
                5);
        assertEquals(PublishedError.RAISED, e.message());
        assertEquals(
                PublishedError.RAISED,
                PublishedError.of(
                                "23505",
                                "ERROR: x\n  Where: PL/pgSQL function f() line 2 at RAISE\n"
                                        + "SQL statement \"SELECT f()\"",
                                SQL,
                                FILE,
                                5)
                        .message(),
                "a RAISE in a function the migration called");
    }

    @Test
    void everyCodeARaiseMakesUpIsWithheld() {
        for (String state : new String[] {"P0001", "P0002", "P0003", "P0004", "U0001", "ZZ999", "Q1234"}) {
            assertEquals(
                    PublishedError.RAISED,
                    PublishedError.of(state, "ERROR: orders", SQL, FILE, 1).message(),
                    state);
        }
        assertEquals(
                PublishedError.RAISED,
                PublishedError.of("P0004", "ERROR: assertion failed", SQL, FILE, 1)
                        .message(),
                "ASSERT");
        assertEquals(
                PublishedError.RAISED,
                PublishedError.of(
                                "42P01",
                                "ERROR: x\n  Where: PL/pgSQL function inline_code_block line 2 at ASSERT",
                                SQL,
                                FILE,
                                1)
                        .message());
        assertEquals(
                PublishedError.RAISED,
                PublishedError.of(
                                "XX000", "ERROR: alice at line 1.\n  Where: PL/Perl anonymous code block", SQL, FILE, 1)
                        .message(),
                "plperl's die");
        assertEquals(
                PublishedError.RAISED,
                PublishedError.of("38000", "ERROR: spam\n  Where: PL/Python function \"f\"", SQL, FILE, 1)
                        .message());
    }

    @Test
    void withoutASqlStateNothingIsPublished() {
        PublishedError e = PublishedError.of(
                null, "Migration V2 failed\nSQL State : P0001\nMessage : ERROR: 4111111111111111", SQL, FILE, 0);
        assertEquals(FILE + ": no SQLSTATE: " + PublishedError.UNCLASSIFIED, e.text());
        assertEquals(
                PublishedError.UNCLASSIFIED,
                PublishedError.of("4200", "ERROR: x", SQL, FILE, 1).message(),
                "not a SQLSTATE");
        assertEquals(
                PublishedError.UNCLASSIFIED,
                PublishedError.of("42P01\nx", "ERROR: x", SQL, FILE, 1).message());
    }

    @Test
    void aRowValueInQuotesIsReplacedAndTheMigrationsOwnLiteralIsKept() {
        assertEquals(
                "invalid input syntax for type integer: \"…\"",
                PublishedError.of(
                                "22P02",
                                "ERROR: invalid input syntax for type integer: \"4111111111111111\"",
                                "select (select card from customers)::int;",
                                FILE,
                                1)
                        .message());
        assertEquals(
                "invalid input syntax for type integer: \"abc\"",
                PublishedError.of(
                                "22P02",
                                "ERROR: invalid input syntax for type integer: \"abc\"",
                                "select 'abc'::int;",
                                FILE,
                                1)
                        .message());
        assertEquals(
                "value \"2147483648\" is out of range for type integer",
                PublishedError.of(
                                "22003",
                                "ERROR: value \"2147483648\" is out of range for type integer",
                                "insert into t values (2147483648);",
                                FILE,
                                1)
                        .message());
    }

    @Test
    void aNameMadeFromARowByDynamicSqlIsReplaced() {
        String dynamic =
                "DO $$ BEGIN EXECUTE format('select * from %I', (select email from customers limit 1)); END $$;";
        assertEquals(
                "relation \"…\" does not exist",
                PublishedError.of(
                                "42P01",
                                "ERROR: relation \"alice@example.com\" does not exist\n  Where: PL/pgSQL function inline_code_block line 1 at EXECUTE",
                                dynamic,
                                FILE,
                                1)
                        .message());
        // PostgreSQL prints some names unquoted: the words themselves are checked, not only the quotes
        assertEquals(
                "cannot drop table … because other objects depend on it",
                PublishedError.of(
                                "2BP01",
                                "ERROR: cannot drop table alice because other objects depend on it\n  Detail: view v depends on table alice",
                                dynamic,
                                FILE,
                                1)
                        .message());
    }

    @Test
    void quotesPutIntoAValueDoNotUncoverWhatIsBetweenThem() {
        // EXECUTE format('alter table %I add column x int', 'orders" ' || (select name from customers limit 1) || '
        // "orders')
        String sql = "alter table orders add column x int;";
        String message = PublishedError.of(
                        "42701",
                        "ERROR: column \"x\" of relation \"orders\" alice \"orders\" already exists",
                        sql,
                        FILE,
                        1)
                .message();
        assertFalse(message.contains("alice"), message);
        assertEquals("column \"x\" of relation \"orders\" … \"orders\" already exists", message);
        String odd = PublishedError.of("42P01", "ERROR: relation \"orders\" secret \"x does not exist", sql, FILE, 1)
                .message();
        assertEquals("relation \"orders\" … \"…", odd, "an unterminated quote runs to the end of the line");
    }

    @Test
    void longNumbersAreValuesUnlessTheFileHasThem() {
        assertEquals(
                "index row size … exceeds maximum … for index \"orders_pkey\"",
                PublishedError.of(
                                "54000",
                                "ERROR: index row size 3016 exceeds maximum 2712 for index \"orders_pkey\"",
                                SQL,
                                FILE,
                                3)
                        .message());
        assertEquals(
                "value too long for type character varying(10)",
                PublishedError.of("22001", "ERROR: value too long for type character varying(10)", SQL, FILE, 3)
                        .message());
        assertEquals(
                "…",
                PublishedError.of("22000", "ERROR: 4111111111111111", SQL, FILE, 3)
                        .message());
    }

    @Test
    void detailHintAndContextAreNeverPublished() {
        PublishedError e = PublishedError.of(
                "23505",
                "ERROR: duplicate key value violates unique constraint \"orders_pkey\"\n"
                        + "  Detail: Key (card)=(4111111111111111) already exists.\n  Hint: something\n  Where: SQL statement \"insert ...\"",
                SQL,
                FILE,
                3);
        assertEquals(
                FILE + ":3: SQLSTATE 23505: duplicate key value violates unique constraint \"orders_pkey\"", e.text());
        PublishedError notNull = PublishedError.of(
                "23502",
                "ERROR: null value in column \"qty\" of relation \"orders\" violates not-null constraint\n"
                        + "  Detail: Failing row contains (1, alice, null).",
                SQL,
                FILE,
                3);
        assertEquals(
                "null value in column \"qty\" of relation \"orders\" violates not-null constraint", notNull.message());
    }

    @Test
    void controlCharactersAreRemovedAndTheMessageIsBounded() {
        String sql = "alter table orders add column qty int;";
        PublishedError e = PublishedError.of(
                "42601", "ERROR: syntax\u0007 error at or near \u202Eorders\u0000", sql, "V1__a\nb`c.sql", 2);
        assertFalse(e.text().chars().anyMatch(c -> Character.getType(c) == Character.CONTROL || c == 0x202E), e.text());
        assertEquals(
                "V1__a b`c.sql:2: SQLSTATE 42601: syntax  error at or near  orders",
                e.text().stripTrailing());
        String longMessage = "ERROR: " + "orders ".repeat(100);
        String m = PublishedError.of("42601", longMessage, sql, FILE, 1).message();
        assertEquals(PublishedError.MAX_MESSAGE, m.length(), m);
        assertTrue(m.endsWith("…"));
        String longFile = "V1__" + "x".repeat(500) + ".sql";
        assertEquals(
                PublishedError.MAX_FILE,
                PublishedError.of("42601", "ERROR: x", sql, longFile, 1).file().length());
    }
}
