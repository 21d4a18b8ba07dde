package dev.tiergate.core.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The words a pull request already shows, and what becomes of the others in text read back from its database. */
class PublicWordsTest {
    static final PublicWords ORDERS = PublicWords.of(Map.of("V1__orders.sql", """
            create table Orders (id bigint primary key, customer_id bigint, qty int check (qty > 0), note text default 'none');
            """));

    @Test
    void aSchemaTheMigrationMadeReadsAsItIs() {
        for (String line : List.of(
                "+ table public.orders: customer_id bigint, id bigint not null, note text default 'none'::text, qty integer",
                "+ index public.orders.orders_pkey: CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)",
                "+ constraint public.orders.orders_qty_check: CHECK ((qty > 0))",
                "+ column public.orders.id: bigint not null default nextval('orders_id_seq'::regclass)",
                "AccessExclusiveLock on orders")) {
            assertEquals(line, ORDERS.reduce(line));
        }
    }

    @Test
    void aValueMadeAtRunTimeIsWithheldWhereverItIs() {
        assertEquals("+ table public.…: id integer", ORDERS.reduce("+ table public.alice_smith: id integer"));
        assertEquals("+ table public.\"…\"", ORDERS.reduce("+ table public.\"4111111111111111\""));
        assertEquals(
                "+ column public.orders.note: text default '…'::text",
                ORDERS.reduce("+ column public.orders.note: text default 'alice@example.com'::text"));
        assertEquals("ShareLock on …", ORDERS.reduce("ShareLock on secret_table"));
    }

    /** A row value built from public words ('A-' || id) is not a name, and no file holds it: withheld inside quotes. */
    @Test
    void aQuotedValueMadeOfPublicWordsIsWithheldUnlessAFileHoldsItAsItIs() {
        PublicWords w =
                PublicWords.of(List.of("insert into inventory select g, 'A-' || g from generate_series(1, 100) g;"));
        assertEquals(
                "invalid input syntax for type integer: \"…\"",
                w.reduce("invalid input syntax for type integer: \"A-42\""));
        assertTrue(w.reduce("value \"A-\" is fine").startsWith("value \"A-\""), "the file holds it as it is");
        assertEquals(
                "constraint \"inventory_pkey\"",
                w.reduce("constraint \"inventory_pkey\""),
                "a name PostgreSQL made of the file's words");
        assertEquals("relation \"…\"", w.reduce("relation \"42\""), "a number is not a name");
    }

    @Test
    void wordsAreComparedWithoutCaseAndNamesByTheirParts() {
        assertTrue(ORDERS.isPublic("ORDERS"));
        assertTrue(ORDERS.isPublic("customer"));
        assertTrue(ORDERS.isPublic("orders_customer_id_fkey"));
        assertFalse(ORDERS.isPublic("orders_alice"));
        assertFalse(ORDERS.isPublic("___"));
        assertTrue(ORDERS.isPublic("123"));
        assertFalse(ORDERS.isPublic("1234"));
        assertTrue(PublicWords.of(List.of("values (4111)")).isPublic("4111"));
    }

    @Test
    void withNoFilesOnlyPostgresWordsRemain() {
        assertEquals("relation \"…\" does not exist", PublicWords.none().reduce("relation \"orders\" does not exist"));
        assertEquals("… … line 1", PublicWords.none().reduce("alice bob line 1"));
    }

    @Test
    void controlCharactersBecomeSpaces() {
        assertEquals("orders  orders", ORDERS.reduce("orders\n\u0000orders"));
    }
}
