package dev.tiergate.core.lint;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Statements that cannot run inside a transaction block, in PostgreSQL's words and in Flyway's. They differ: PostgreSQL
 * refuses more inside a block (PreventInTransactionBlock: REINDEX ... CONCURRENTLY and DETACH PARTITION ... CONCURRENTLY
 * among them) than Flyway's PostgreSQL parser recognises as non-transactional, and Flyway runs a script with only
 * statements it does not recognise inside a transaction.
 */
public final class NonTransactionalStatements {
    private static final Set<String> OTHER_KINDS = Set.of("database", "tablespace", "subscription");

    private NonTransactionalStatements() {}

    /**
     * The statement as named in PostgreSQL's "cannot run inside a transaction block" error (PostgreSQL 16 reference
     * pages of CREATE INDEX, DROP INDEX, REINDEX, VACUUM, CREATE/DROP DATABASE, CREATE/DROP TABLESPACE, ALTER SYSTEM,
     * ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY, DISCARD ALL), or empty.
     */
    public static Optional<String> inPostgres(PgStatement s) {
        if (s instanceof PgStatement.CreateIndex i && i.concurrently()) {
            return Optional.of("CREATE INDEX CONCURRENTLY");
        } else if (s instanceof PgStatement.Drop d && d.concurrently()) {
            return Optional.of("DROP INDEX CONCURRENTLY");
        } else if (s instanceof PgStatement.Drop d
                && OTHER_KINDS.contains(d.kind())
                && !d.kind().equals("subscription")) {
            return Optional.of("DROP " + d.kind().toUpperCase(Locale.ROOT));
        } else if (s instanceof PgStatement.Reindex r
                && (r.concurrently() || Set.of("schema", "database", "system").contains(r.kind()))) {
            return Optional.of(
                    "REINDEX " + r.kind().toUpperCase(Locale.ROOT) + (r.concurrently() ? " CONCURRENTLY" : ""));
        } else if (s instanceof PgStatement.AlterTable a) {
            for (PgStatement.Action x : a.actions()) {
                if (x instanceof PgStatement.OtherAction o
                        && o.head().startsWith("detach partition")
                        && o.head().contains("concurrently")) {
                    return Optional.of("ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY");
                }
            }
        } else if (s instanceof PgStatement.Other o) {
            for (String head :
                    new String[] {"vacuum", "create database", "create tablespace", "alter system", "discard all"}) {
                if (o.startsWith(head)) {
                    return Optional.of(head.toUpperCase(Locale.ROOT));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Flyway's PostgreSQLParser.detectCanExecuteInTransaction (flyway-database-postgresql 13.12.1) answers false: the
     * statement's leading key words are CREATE|DROP DATABASE|TABLESPACE|SUBSCRIPTION, ALTER SYSTEM, CREATE|DROP [UNIQUE]
     * INDEX CONCURRENTLY, REINDEX [VERBOSE] SCHEMA|DATABASE|SYSTEM, VACUUM or DISCARD ALL (ALTER TYPE ... ADD VALUE only
     * before PostgreSQL 12, which the lint does not assume). Not REINDEX INDEX|TABLE CONCURRENTLY, nor DETACH PARTITION
     * CONCURRENTLY: Flyway runs those in a transaction.
     */
    public static boolean inFlyway(PgStatement s) {
        if (s instanceof PgStatement.CreateIndex i) {
            return i.concurrently();
        } else if (s instanceof PgStatement.Drop d) {
            return d.concurrently() && d.kind().equals("index") || OTHER_KINDS.contains(d.kind());
        } else if (s instanceof PgStatement.Reindex r) {
            return Set.of("schema", "database", "system").contains(r.kind());
        } else if (s instanceof PgStatement.Other o) {
            for (String head : new String[] {
                "vacuum", "create database", "create tablespace", "create subscription", "alter system", "discard all"
            }) {
                if (o.startsWith(head)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A CONCURRENTLY statement: it waits for the transactions open when it starts (PostgreSQL's CREATE INDEX reference). */
    public static boolean isConcurrently(PgStatement s) {
        return s instanceof PgStatement.CreateIndex i && i.concurrently()
                || s instanceof PgStatement.Drop d && d.concurrently()
                || s instanceof PgStatement.Reindex r && r.concurrently()
                || inPostgres(s).orElse("").contains("DETACH");
    }
}
