package dev.tiergate.core.schema;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A database's schema as read from its catalogs: tables (schema-qualified) with their columns, indexes and
 * constraints. Plain data, so two snapshots can be compared without a database.
 */
public record SchemaSnapshot(Map<String, Table> tables) {
    public SchemaSnapshot {
        tables = new TreeMap<>(tables);
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
        return Objects.equals(tables, other.tables);
    }
}
