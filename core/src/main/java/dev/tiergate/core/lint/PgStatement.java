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
    record TypeName(String base, String text) {}

    /**
     * @param hasDefault a DEFAULT, an identity or generated column, or a serial type (whose DEFAULT is nextval of its
     *                   sequence)
     * @param unique     a column-level UNIQUE constraint
     * @param referenced the table a column-level REFERENCES (foreign key) names, else null
     */
    record ColumnDef(
            String name,
            TypeName type,
            boolean notNull,
            boolean hasDefault,
            boolean primaryKey,
            boolean unique,
            QName referenced,
            boolean identity,
            int offset) {
        /** A column-level REFERENCES (foreign key). */
        public boolean references() {
            return referenced != null;
        }

        /**
         * PostgreSQL's raw default of the column: a DEFAULT, a serial's nextval or a generated expression, not an
         * identity (parse_utilcmd.c sets raw_default for the first three only).
         */
        public boolean hasRawDefault() {
            return hasDefault && !identity;
        }
    }

    enum ConstraintKind {
        CHECK,
        FOREIGN_KEY,
        UNIQUE,
        PRIMARY_KEY,
        EXCLUDE,
        NOT_NULL
    }

    /**
     * @param columns            for UNIQUE/PRIMARY KEY {@code (a, b)}, the key's columns; for NOT NULL col (PG 18), the
     *                           column; else empty
     * @param usingIndex         the index named by {@code UNIQUE/PRIMARY KEY USING INDEX i}, else null
     * @param checkNotNullColumn for {@code CHECK (col IS NOT NULL)}, the column; else null
     * @param referenced         for a FOREIGN KEY, the table it references; else null
     */
    record TableConstraint(
            String name,
            ConstraintKind kind,
            List<String> columns,
            boolean notValid,
            String usingIndex,
            String checkNotNullColumn,
            QName referenced,
            int offset) {}

    sealed interface Action {
        int offset();
    }

    record AddColumn(ColumnDef column, boolean ifNotExists, int offset) implements Action {}

    record DropColumn(String column, boolean ifExists, int offset) implements Action {}

    record DropConstraint(String name, boolean ifExists, int offset) implements Action {}

    record AlterColumnType(String column, TypeName type, int offset) implements Action {}

    record SetNotNull(String column, int offset) implements Action {}

    record AddConstraint(TableConstraint constraint, int offset) implements Action {}

    record ValidateConstraint(String name, int offset) implements Action {}

    record RenameColumn(String from, String to, int offset) implements Action {}

    record RenameTable(String to, int offset) implements Action {}

    /**
     * Any other action ALTER TABLE has (OWNER TO, ENABLE TRIGGER, SET DEFAULT, ...): its first key words in lower case,
     * e.g. {@code enable row level security}, {@code detach partition}.
     */
    record OtherAction(String head, int offset) implements Action {}

    record CreateTable(QName table, boolean ifNotExists, List<ColumnDef> columns, List<TableConstraint> constraints)
            implements PgStatement {}

    /** CREATE SEQUENCE / SCHEMA / EXTENSION / MATERIALIZED VIEW; name null for CREATE SCHEMA AUTHORIZATION r. */
    record CreateObject(String kind, QName name, boolean ifNotExists) implements PgStatement {}

    record CreateIndex(QName table, String name, boolean unique, boolean concurrently, boolean ifNotExists)
            implements PgStatement {}

    record AlterTable(QName table, boolean ifExists, List<Action> actions) implements PgStatement {}

    /**
     * {@code DROP <kind> [CONCURRENTLY] [IF EXISTS] names}, kind in lower case, e.g. {@code table}, {@code index},
     * {@code materialized view}. For kinds whose names are not a plain list (functions, triggers, ...) names holds
     * the first name only, or nothing.
     */
    record Drop(String kind, List<QName> names, boolean ifExists, boolean concurrently, QName on)
            implements PgStatement {}

    /**
     * {@code SET [LOCAL|SESSION] name ...}, name in lower case ({@code role} for SET ROLE, {@code authorization} for SET
     * SESSION AUTHORIZATION); value is the first token of the value in lower case, or null.
     */
    record SetVariable(String name, boolean local, String value) implements PgStatement {}

    /** {@code CREATE [OR REPLACE] [CONSTRAINT] TRIGGER name ... ON table}. */
    record CreateTrigger(String name, QName table) implements PgStatement {}

    /** {@code CREATE [OR REPLACE] FUNCTION|PROCEDURE name ... LANGUAGE lang}; language in lower case, null if none. */
    record CreateFunction(String kind, String name, String language) implements PgStatement {}

    /** {@code CREATE [OR REPLACE] [TRUSTED] [PROCEDURAL] LANGUAGE name}. */
    record CreateLanguage(String name) implements PgStatement {}

    /**
     * GRANT or REVOKE. {@code objectKind} is what follows ON in lower case ({@code table} when ON names no kind,
     * {@code all tables in schema}, {@code database}, ...), or {@code role} for a grant of role membership
     * ({@code GRANT admin TO alice}), which has no ON.
     */
    record Grant(boolean grant, String objectKind) implements PgStatement {}

    /**
     * {@code COPY ... FROM|TO target}: {@code STDIN}/{@code STDOUT} (the client's data), {@code PROGRAM 'cmd'} (a
     * command on the server) or {@code 'file'} (a file on the server).
     */
    record Copy(boolean from, Target target) implements PgStatement {
        public enum Target {
            CLIENT,
            PROGRAM,
            SERVER_FILE
        }
    }

    /** {@code REINDEX [(options)] [VERBOSE] INDEX|TABLE|SCHEMA|DATABASE|SYSTEM [CONCURRENTLY] name}, kind in lower case. */
    record Reindex(String kind, boolean concurrently) implements PgStatement {}

    /** BEGIN / START TRANSACTION ({@code begin}), or COMMIT / END / ROLLBACK / ABORT. */
    record Transaction(boolean begin) implements PgStatement {}

    record Truncate(List<QName> tables) implements PgStatement {}

    record Delete(QName table, boolean hasWhere) implements PgStatement {}

    /**
     * A statement no rule reads in full, by its first key words in lower case after CREATE's modifiers (e.g.
     * {@code create role}, {@code alter system}, {@code create user mapping}, {@code vacuum}).
     */
    record Other(String head) implements PgStatement {
        public boolean startsWith(String words) {
            return head.equals(words) || head.startsWith(words + " ");
        }
    }
}
