package dev.tiergate.core.policy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * The tool that applies a team's migrations (policy {@code migrations.tool}), and what it does with transactions: the
 * SQL lint's transaction rules follow from it. Each constant's comment cites where the tool documents it. The lint
 * decides per file with {@code dev.tiergate.core.lint.FileTransaction}.
 */
public enum MigrationTool {
    /**
     * Flyway (the default; tiergate's server runs Flyway). A script runs in one transaction unless a statement in it is
     * non-transactional by Flyway's PostgreSQL parser (flyway-database-postgresql, PostgreSQLParser
     * .detectCanExecuteInTransaction: CREATE/DROP DATABASE|TABLESPACE|SUBSCRIPTION, ALTER SYSTEM, CREATE/DROP [UNIQUE]
     * INDEX CONCURRENTLY, REINDEX [VERBOSE] SCHEMA|DATABASE|SYSTEM, VACUUM, DISCARD ALL; ALTER TYPE ... ADD VALUE before
     * PostgreSQL 12): a script of only such statements runs outside a transaction, a script that mixes them with
     * others is refused unless {@code mixed} is on, which runs it outside a transaction (flyway-core ParserSqlScript
     * .parse and .executeInTransaction). {@code executeInTransaction} in the script's configuration file
     * ({@code V1__x.sql.conf}, Flyway's "Script Configuration") overrides both; Flyway 13 reads no such setting from a
     * comment inside the script.
     */
    FLYWAY("flyway", "Flyway runs a script in one transaction unless every statement in it is non-transactional"),
    /**
     * golang-migrate's postgres driver sends a file as one multi-statement query (its README: "x-multi-statement"
     * off by default), and PostgreSQL runs the statements of one simple Query message as one transaction unless they
     * include transaction control (PostgreSQL protocol, "Multiple Statements in a Simple Query"). A file of a single
     * statement runs it outside any transaction block.
     */
    GOLANG_MIGRATE(
            "golang-migrate", "golang-migrate sends the file as one query, which PostgreSQL runs as one transaction"),
    /**
     * goose runs each SQL migration in a transaction unless the file has the annotation
     * {@code -- +goose NO TRANSACTION} (goose documentation, "SQL migration files and goose annotations").
     */
    GOOSE("goose", "goose runs each migration in a transaction unless it is annotated -- +goose NO TRANSACTION"),
    /**
     * dbmate wraps each migration in a transaction unless its section says {@code -- migrate:up transaction:false}
     * (dbmate README, "Options").
     */
    DBMATE("dbmate", "dbmate runs each migration in a transaction unless it says -- migrate:up transaction:false"),
    /**
     * Rails wraps each migration in a DDL transaction on PostgreSQL unless the migration calls
     * {@code disable_ddl_transaction!} (Rails guides, "Active Record Migrations", and ActiveRecord::Migration's API).
     */
    RAILS("rails", "Rails runs each migration in a transaction unless it calls disable_ddl_transaction!"),
    /**
     * Alembic's generated env.py runs migrations inside {@code context.begin_transaction()}, one transaction for the
     * run on PostgreSQL (transactional DDL); {@code op.get_context().autocommit_block()} steps outside it (Alembic
     * documentation, "Runtime Objects", MigrationContext.autocommit_block).
     */
    ALEMBIC("alembic", "Alembic runs the migrations in a transaction (env.py's begin_transaction)"),
    /**
     * Plain files run by psql: each statement commits on its own (psql's AUTOCOMMIT is on by default) unless the file
     * opens a transaction itself or psql runs with {@code --single-transaction} (psql reference).
     */
    PLAIN("plain", "psql runs each statement on its own (autocommit) unless the file opens a transaction");

    private final String wireName;
    private final String transactionFact;

    MigrationTool(String wireName, String transactionFact) {
        this.wireName = wireName;
        this.transactionFact = transactionFact;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** What the tool does with transactions, in one clause a finding's message can quote. */
    public String transactionFact() {
        return transactionFact;
    }

    @JsonCreator
    public static MigrationTool fromWireName(String value) {
        String v = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        for (MigrationTool t : values()) {
            if (t.wireName.equals(v)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown migration tool '" + value
                + "' (expected flyway, golang-migrate, goose, dbmate, rails, alembic or plain)");
    }
}
