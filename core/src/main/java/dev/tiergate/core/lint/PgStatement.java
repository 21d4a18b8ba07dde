package dev.tiergate.core.lint;

import java.util.List;

/**
 * What the lint's rules read of a statement, as {@link PgParser} parses it. Statement kinds no rule reads are
 * {@link Other}: recognised by their leading key words, their insides not looked at.
 */
public sealed interface PgStatement {

    /** A possibly schema-qualified name; rules compare tables by {@link #key()}, the unqualified name. */
    record QName(String schema, String name) {
        public String key() {
            return name;
        }

        @Override
        public String toString() {
            return schema == null ? name : schema + "." + name;
        }
    }

    /** A type as written ({@code text}) and its base name in PostgreSQL's canonical spelling, e.g. {@code int4}. */
    record TypeName(String base, String text) {
    }

    /**
     * @param hasDefault a DEFAULT, an identity or generated column, or a serial type (whose DEFAULT is nextval of its
     *                   sequence)
     * @param unique     a column-level UNIQUE constraint
     * @param references a column-level REFERENCES (foreign key)
     */
    record ColumnDef(String name, TypeName type, boolean notNull, boolean hasDefault, boolean primaryKey,
                     boolean unique, boolean references, boolean identity, int offset) {
    }

    enum ConstraintKind { CHECK, FOREIGN_KEY, UNIQUE, PRIMARY_KEY, EXCLUDE, NOT_NULL }

    /**
     * @param columns            for UNIQUE/PRIMARY KEY {@code (a, b)}, the key's columns; for NOT NULL col (PG 18), the
     *                           column; else empty
     * @param usingIndex         the index named by {@code UNIQUE/PRIMARY KEY USING INDEX i}, else null
     * @param checkNotNullColumn for {@code CHECK (col IS NOT NULL)}, the column; else null
     */
    record TableConstraint(String name, ConstraintKind kind, List<String> columns, boolean notValid, String usingIndex,
                           String checkNotNullColumn, int offset) {
    }

    sealed interface Action {
        int offset();
    }

    record AddColumn(ColumnDef column, boolean ifNotExists, int offset) implements Action {
    }

    record DropColumn(String column, boolean ifExists, int offset) implements Action {
    }

    record DropConstraint(String name, boolean ifExists, int offset) implements Action {
    }

    record AlterColumnType(String column, TypeName type, int offset) implements Action {
    }

    record SetNotNull(String column, int offset) implements Action {
    }

    record AddConstraint(TableConstraint constraint, int offset) implements Action {
    }

    record ValidateConstraint(String name, int offset) implements Action {
    }

    record RenameColumn(String from, String to, int offset) implements Action {
    }

    record RenameTable(String to, int offset) implements Action {
    }

    /** Any other action ALTER TABLE has (OWNER TO, ENABLE TRIGGER, SET DEFAULT, ...). */
    record OtherAction(String head, int offset) implements Action {
    }

    record CreateTable(QName table, boolean ifNotExists, List<ColumnDef> columns, List<TableConstraint> constraints)
            implements PgStatement {
    }

    /** CREATE SEQUENCE / SCHEMA / EXTENSION / MATERIALIZED VIEW; name null for CREATE SCHEMA AUTHORIZATION r. */
    record CreateObject(String kind, QName name, boolean ifNotExists) implements PgStatement {
    }

    record CreateIndex(QName table, String name, boolean unique, boolean concurrently, boolean ifNotExists)
            implements PgStatement {
    }

    record AlterTable(QName table, boolean ifExists, List<Action> actions) implements PgStatement {
    }

    /**
     * {@code DROP <kind> [CONCURRENTLY] [IF EXISTS] names}, kind in lower case, e.g. {@code table}, {@code index},
     * {@code materialized view}. For kinds whose names are not a plain list (functions, triggers, ...) names holds
     * the first name only, or nothing.
     */
    record Drop(String kind, List<QName> names, boolean ifExists, boolean concurrently) implements PgStatement {
    }

    /** {@code SET [LOCAL|SESSION] name ...}, name in lower case. */
    record SetVariable(String name, boolean local) implements PgStatement {
    }

    /** BEGIN / START TRANSACTION ({@code begin}), or COMMIT / END / ROLLBACK / ABORT. */
    record Transaction(boolean begin) implements PgStatement {
    }

    record Truncate(List<QName> tables) implements PgStatement {
    }

    record Delete(QName table, boolean hasWhere) implements PgStatement {
    }

    /** A statement no rule reads, by its first key words (e.g. {@code create function}). */
    record Other(String head) implements PgStatement {
    }
}
