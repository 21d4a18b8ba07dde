package dev.tiergate.server.migrate;

import dev.tiergate.core.schema.SchemaSnapshot;
import dev.tiergate.server.backend.BranchConnection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads a branch's schema from PostgreSQL's catalogs (user schemas only; Flyway's history table left out). */
public final class SchemaCatalog {
    private static final String USER_TABLES =
            "n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%' "
                    + "and c.relname <> 'flyway_schema_history'";

    private SchemaCatalog() {}

    /** Views, functions, triggers, sequences and extensions, each with the statement that creates it. */
    private static final String OBJECTS = """
            select 'view ' || n.nspname || '.' || c.relname,
                   'CREATE OR REPLACE VIEW ' || n.nspname || '.' || c.relname || ' AS ' || pg_get_viewdef(c.oid)
              from pg_class c join pg_namespace n on n.oid = c.relnamespace
             where c.relkind = 'v' and n.nspname not in ('pg_catalog', 'information_schema')
            union all
            select 'function ' || n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
                   pg_get_functiondef(p.oid)
              from pg_proc p join pg_namespace n on n.oid = p.pronamespace
             where p.prokind in ('f', 'p') and n.nspname not in ('pg_catalog', 'information_schema')
               and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
            union all
            select 'trigger ' || t.tgname || ' ON ' || n.nspname || '.' || c.relname, pg_get_triggerdef(t.oid)
              from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
             where not t.tgisinternal and n.nspname not in ('pg_catalog', 'information_schema')
            union all
            select 'sequence ' || s.schemaname || '.' || s.sequencename,
                   'CREATE SEQUENCE ' || s.schemaname || '.' || s.sequencename || ' AS ' || s.data_type
                   || ' INCREMENT ' || s.increment_by || ' MINVALUE ' || s.min_value || ' MAXVALUE ' || s.max_value
                   || ' START ' || s.start_value || case when s.cycle then ' CYCLE' else '' end
              from pg_sequences s where s.schemaname not in ('pg_catalog', 'information_schema')
            union all
            select 'extension ' || e.extname, 'CREATE EXTENSION ' || e.extname || ' VERSION ' || quote_literal(e.extversion)
              from pg_extension e where e.extname <> 'plpgsql'""";

    /** The tables and every other object (a drift pass compares all of them). */
    public static SchemaSnapshot readAll(BranchConnection db) {
        SchemaSnapshot tables = read(db);
        Map<String, String> objects = new LinkedHashMap<>();
        try (Connection c = FlywayRunner.connect(db)) {
            c.setReadOnly(true);
            query(c, OBJECTS, rs -> objects.put(rs.getString(1), rs.getString(2).strip()));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the schema of " + db + ": " + e.getMessage(), e);
        }
        return new SchemaSnapshot(tables.tables(), objects);
    }

    public static SchemaSnapshot read(BranchConnection db) {
        Map<String, Map<String, SchemaSnapshot.Column>> columns = new LinkedHashMap<>();
        Map<String, Map<String, String>> indexes = new LinkedHashMap<>();
        Map<String, Map<String, String>> constraints = new LinkedHashMap<>();
        try (Connection c = FlywayRunner.connect(db)) {
            c.setReadOnly(true);
            query(
                    c,
                    "select n.nspname || '.' || c.relname, a.attname, format_type(a.atttypid, a.atttypmod), "
                            + "pg_get_expr(d.adbin, d.adrelid), not a.attnotnull from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                            + "join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped "
                            + "left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum "
                            + "where c.relkind in ('r', 'p') and " + USER_TABLES + " order by 1, a.attnum",
                    rs -> columns.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>())
                            .put(
                                    rs.getString(2),
                                    new SchemaSnapshot.Column(rs.getString(3), rs.getString(4), rs.getBoolean(5))));
            query(
                    c,
                    "select n.nspname || '.' || t.relname, i.relname, pg_get_indexdef(x.indexrelid) from pg_index x "
                            + "join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid join pg_namespace n on n.oid = t.relnamespace "
                            + "join pg_class c on c.oid = t.oid where " + USER_TABLES,
                    rs -> indexes.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>())
                            .put(rs.getString(2), rs.getString(3)));
            query(
                    c,
                    "select n.nspname || '.' || c.relname, k.conname, pg_get_constraintdef(k.oid) from pg_constraint k "
                            + "join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace where "
                            + USER_TABLES,
                    rs -> constraints
                            .computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>())
                            .put(rs.getString(2), rs.getString(3)));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the schema of " + db + ": " + e.getMessage(), e);
        }
        Map<String, SchemaSnapshot.Table> tables = new LinkedHashMap<>();
        columns.forEach((t, cols) -> tables.put(
                t,
                new SchemaSnapshot.Table(
                        cols, indexes.getOrDefault(t, Map.of()), constraints.getOrDefault(t, Map.of()))));
        return new SchemaSnapshot(tables);
    }

    private interface Row {
        void accept(ResultSet rs) throws SQLException;
    }

    private static void query(Connection c, String sql, Row row) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                row.accept(rs);
            }
        }
    }
}
