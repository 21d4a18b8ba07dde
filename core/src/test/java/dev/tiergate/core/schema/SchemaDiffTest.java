package dev.tiergate.core.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemaDiffTest {
    static SchemaSnapshot.Column col(String type, boolean nullable, String dflt) {
        return new SchemaSnapshot.Column(type, dflt, nullable);
    }

    @Test
    void namesEveryAddedDroppedAndChangedThing() {
        Map<String, SchemaSnapshot.Column> before = new LinkedHashMap<>();
        before.put("id", col("integer", false, null));
        before.put("code", col("text", true, null));
        Map<String, SchemaSnapshot.Column> after = new LinkedHashMap<>();
        after.put("id", col("bigint", false, null));
        after.put("qty", col("integer", false, "0"));
        SchemaSnapshot base = new SchemaSnapshot(Map.of(
                "public.inventory",
                        new SchemaSnapshot.Table(before, Map.of(), Map.of("inventory_pkey", "PRIMARY KEY (id)")),
                "public.old", new SchemaSnapshot.Table(Map.of("x", col("text", true, null)), Map.of(), Map.of())));
        SchemaSnapshot head = new SchemaSnapshot(Map.of(
                "public.inventory",
                        new SchemaSnapshot.Table(
                                after,
                                Map.of(
                                        "inventory_qty",
                                        "CREATE INDEX inventory_qty ON public.inventory USING btree (qty)"),
                                Map.of("inventory_pkey", "PRIMARY KEY (id)")),
                "public.fresh",
                        new SchemaSnapshot.Table(
                                Map.of("id", col("uuid", false, "gen_random_uuid()")), Map.of(), Map.of())));
        assertEquals(
                List.of(
                        "+ table public.fresh: id uuid not null default gen_random_uuid()",
                        "- column public.inventory.code: text",
                        "~ column public.inventory.id: integer not null -> bigint not null",
                        "+ column public.inventory.qty: integer not null default 0",
                        "+ index public.inventory.inventory_qty: CREATE INDEX inventory_qty ON public.inventory USING btree (qty)",
                        "- table public.old"),
                SchemaDiff.between(base, head).stream()
                        .map(SchemaDiff.Change::render)
                        .toList());
        assertEquals(List.of(), SchemaDiff.between(head, head));
    }
}
