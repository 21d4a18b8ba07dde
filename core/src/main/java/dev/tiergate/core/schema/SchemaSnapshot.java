package dev.tiergate.core.schema;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A database's schema as read from its catalogs: tables (schema-qualified) with their columns, indexes and
 * constraints, and the other objects a migration makes ({@code objects}: views, functions, triggers, sequences,
 * extensions), each keyed {@code "<kind> <identity>"} (e.g. {@code "function public.f(integer)"}, {@code "trigger t
 * ON public.orders"}) with the statement that creates it. Plain data, so two snapshots can be compared without a
 * database.
 */
public record SchemaSnapshot(Map<String, Table> tables, Map<String, String> objects) {
    public SchemaSnapshot {
        tables = new TreeMap<>(tables);
        objects = objects == null ? Map.of() : new TreeMap<>(objects);
    }

    /** Tables only (what a rehearsal's diff shows). */
    public SchemaSnapshot(Map<String, Table> tables) {
        this(tables, Map.of());
    }

    public record Column(String type, String defaultValue, boolean nullable) {
        public String describe() {
            return type + (nullable ? "" : " not null") + (defaultValue == null ? "" : " default " + defaultValue);
        }
    }

    /** Columns in their order, indexes and constraints by name with their definitions. */
    public record Table(Map<String, Column> columns, Map<String, String> indexes, Map<String, String> constraints) {
        public Table {
            columns = Map.copyOf(columns);
            indexes = new TreeMap<>(indexes);
            constraints = new TreeMap<>(constraints);
        }
    }

    public boolean sameAs(SchemaSnapshot other) {
        return Objects.equals(tables, other.tables) && Objects.equals(objects, other.objects);
    }
}
