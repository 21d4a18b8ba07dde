package dev.tiergate.core.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tiergate.core.drift.TierDrift.HistoryProblem;
import dev.tiergate.core.schema.SchemaSnapshot;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Drift as a pure function of what a pass read: each finding with the DDL or command that reproduces or mends it. */
class TierDriftTest {
    static SchemaSnapshot.Table orders(Map<String, SchemaSnapshot.Column> columns) {
        return new SchemaSnapshot.Table(
                columns,
                Map.of("orders_pkey", "CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)"),
                Map.of("orders_pkey", "PRIMARY KEY (id)"));
    }

    static Map<String, SchemaSnapshot.Column> columns(String... nameTypePairs) {
        Map<String, SchemaSnapshot.Column> out = new LinkedHashMap<>();
        for (int i = 0; i < nameTypePairs.length; i += 2) {
            out.put(nameTypePairs[i], new SchemaSnapshot.Column(nameTypePairs[i + 1], null, true));
        }
        return out;
    }

    @Test
    void aColumnAddedByHandIsFoundWithTheDdlThatReproducesIt() {
        SchemaSnapshot expected = new SchemaSnapshot(Map.of("public.orders", orders(columns("id", "bigint"))));
        SchemaSnapshot live =
                new SchemaSnapshot(Map.of("public.orders", orders(columns("id", "bigint", "note", "text"))));
        assertEquals(
                List.of(new DriftFinding(
                        DriftFinding.Kind.SCHEMA,
                        "column public.orders.note",
                        "added by hand: text",
                        "ALTER TABLE public.orders ADD COLUMN note text;")),
                TierDrift.schema(expected, live));
        assertEquals(List.of(), TierDrift.schema(expected, expected), "no drift, no finding");
    }

    @Test
    void aChangedTypeADroppedIndexAndAViewMadeByHandEachHaveTheirDdl() {
        SchemaSnapshot expected = new SchemaSnapshot(
                Map.of("public.orders", orders(columns("id", "bigint", "code", "text"))),
                Map.of("function public.f(integer)", "CREATE OR REPLACE FUNCTION public.f(x integer) ..."));
        SchemaSnapshot live = new SchemaSnapshot(
                Map.of(
                        "public.orders",
                        new SchemaSnapshot.Table(
                                columns("id", "bigint", "code", "character varying(20)"),
                                Map.of(),
                                Map.of("orders_pkey", "PRIMARY KEY (id)"))),
                Map.of(
                        "function public.f(integer)", "CREATE OR REPLACE FUNCTION public.f(x integer) ...",
                        "view public.v", "CREATE OR REPLACE VIEW public.v AS  SELECT 1"));
        List<String> fixes =
                TierDrift.schema(expected, live).stream().map(DriftFinding::fix).toList();
        assertEquals(
                List.of(
                        "ALTER TABLE public.orders ALTER COLUMN code TYPE character varying(20);",
                        "DROP INDEX public.orders_pkey;",
                        "CREATE OR REPLACE VIEW public.v AS  SELECT 1;"),
                fixes);
    }

    @Test
    void historyProblemsSayWhatToDo() {
        List<DriftFinding> h = TierDrift.history(
                "staging",
                List.of(
                        new HistoryProblem(HistoryProblem.Problem.NO_FILE, "3", "V3__x.sql"),
                        new HistoryProblem(HistoryProblem.Problem.EDITED, "2", "V2__y.sql"),
                        new HistoryProblem(HistoryProblem.Problem.FAILED, "4", null)));
        assertEquals(
                List.of(
                        "history: version 3: applied on the tier, but staging has no file of it",
                        "history: version 2: V2__y.sql was edited after it was applied",
                        "history: version 4: recorded as failed on the tier"),
                h.stream().map(DriftFinding::render).toList());
    }

    @Test
    void aHotfixOnTheParentTheTierLacksNamesTheBackMerge() {
        List<DriftFinding> o = TierDrift.order(
                "staging", "staging", "production", "main", Set.of("1", "2", "9"), Set.of("1", "2", "3"));
        assertEquals(1, o.size());
        assertEquals("version 9", o.get(0).what());
        assertEquals(
                "open a pull request from main into staging (a back-merge)",
                o.get(0).fix());
    }

    @Test
    void anAcceptedFindingStaysAcceptedOnlyWhileItIsTheSame() {
        DriftFinding a = new DriftFinding(DriftFinding.Kind.SCHEMA, "column public.t.c", "added by hand: text", "x");
        DriftFinding changed =
                new DriftFinding(DriftFinding.Kind.SCHEMA, "column public.t.c", "added by hand: int", "y");
        assertEquals(List.of(), TierDrift.unaccepted(List.of(a), List.of(a.key())));
        assertEquals(List.of(changed), TierDrift.unaccepted(List.of(changed), List.of(a.key())));
    }
}
