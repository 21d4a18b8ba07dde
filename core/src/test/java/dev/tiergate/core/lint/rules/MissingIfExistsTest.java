package dev.tiergate.core.lint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tiergate.core.lint.Finding;
import dev.tiergate.core.lint.LintSettings;
import dev.tiergate.core.policy.MigrationTool;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each statement here fails on a second run, and PostgreSQL 18's reference gives it IF [NOT] EXISTS. A second run
 * happens where the tool runs the file outside a transaction (psql here) or runs it again (Flyway's repeatable scripts).
 */
class MissingIfExistsTest {
    private static final String RULE = "sql.missing-if-exists";
    private static final LintSettings PSQL = Lint.tool(MigrationTool.PLAIN);
    private static final String RERUN =
            " fails when re-run: psql runs each statement on its own (autocommit) unless the"
                    + " file opens a transaction, so a failure halfway leaves the statements before it applied";

    private static void flagged(String sql, String message) {
        List<Finding> f = Lint.findings(PSQL, RULE, sql);
        assertEquals(1, f.size(), sql + " -> " + f);
        assertEquals(message + RERUN, f.get(0).message(), sql);
    }

    private static void notFlagged(String sql) {
        assertEquals(List.of(), Lint.findings(PSQL, RULE, sql), sql);
    }

    @Test
    void aVersionedMigrationTheToolAppliesOnceInATransactionIsNeverReRunOverItsOwnEffects() {
        // issue 26: 1,100 of these on migrations Flyway (or diesel, golang-migrate) applies once in a transaction
        String file = "CREATE TABLE crate_owners (crate_id int NOT NULL, owner_id int NOT NULL);\n"
                + "CREATE INDEX crate_owners_owner ON crate_owners (owner_id);\nDROP TABLE old_owners;\n"
                + "ALTER TABLE crates ADD COLUMN homepage text, DROP CONSTRAINT crates_fk;\n";
        assertEquals(List.of(), Lint.findings(RULE, file));
        assertEquals(List.of(), Lint.findings(Lint.tool(MigrationTool.GOOSE), RULE, file));
        assertEquals(List.of(), Lint.findings(Lint.assumeInTransaction(true), RULE, file));
        assertEquals(
                4 + 1,
                Lint.findings(Lint.assumeInTransaction(false), RULE, file).size());
    }

    @Test
    void aRepeatableFlywayScriptRunsAgainWheneverItChanges() {
        List<Finding> f = Lint.file(
                LintSettings.DEFAULTS,
                RULE,
                "db/migration/R__reporting_views.sql",
                "CREATE MATERIALIZED VIEW crate_stats AS SELECT 1;\n",
                null);
        assertEquals(
                List.of("CREATE MATERIALIZED VIEW crate_stats without IF NOT EXISTS fails when re-run: Flyway runs a"
                        + " repeatable script again whenever it changes"),
                f.stream().map(Finding::message).toList());
    }

    @Test
    void flagsWhatTheRuleIsAbout() {
        flagged("CREATE TABLE t (a int);", "CREATE TABLE t without IF NOT EXISTS");
        flagged("DROP TABLE t;", "DROP TABLE t without IF EXISTS");
        flagged("CREATE INDEX i ON t (a);", "CREATE INDEX i without IF NOT EXISTS");
        flagged("ALTER TABLE t ADD COLUMN b int;", "ADD COLUMN b without IF NOT EXISTS");
        flagged("ALTER TABLE t DROP COLUMN b;", "DROP COLUMN b without IF EXISTS");
    }

    @Test
    void flagsTheOtherStatementsThatHaveIfNotExists() {
        flagged("CREATE TABLE t_copy AS SELECT * FROM t;", "CREATE TABLE t_copy without IF NOT EXISTS");
        flagged("CREATE SEQUENCE s START 100;", "CREATE SEQUENCE s without IF NOT EXISTS");
        flagged("CREATE TEMP SEQUENCE s;", "CREATE SEQUENCE s without IF NOT EXISTS");
        flagged("CREATE SCHEMA auth AUTHORIZATION supabase_admin;", "CREATE SCHEMA auth without IF NOT EXISTS");
        flagged("CREATE SCHEMA AUTHORIZATION joe;", "CREATE SCHEMA without IF NOT EXISTS");
        flagged("CREATE EXTENSION pgcrypto WITH SCHEMA extensions;", "CREATE EXTENSION pgcrypto without IF NOT EXISTS");
        flagged("CREATE MATERIALIZED VIEW mv AS SELECT 1;", "CREATE MATERIALIZED VIEW mv without IF NOT EXISTS");
    }

    @Test
    void flagsEveryDropWithoutIfExists() {
        flagged("ALTER TABLE t DROP CONSTRAINT t_fk;", "DROP CONSTRAINT t_fk without IF EXISTS");
        flagged(
                "ALTER TABLE t ADD COLUMN IF NOT EXISTS b int, DROP CONSTRAINT \"t_fk\" CASCADE;",
                "DROP CONSTRAINT t_fk without IF EXISTS");
        flagged("DROP TYPE mood;", "DROP TYPE mood without IF EXISTS");
        flagged("DROP INDEX i;", "DROP INDEX i without IF EXISTS");
        flagged("DROP VIEW v, w;", "DROP VIEW v without IF EXISTS");
        flagged("DROP MATERIALIZED VIEW mv;", "DROP MATERIALIZED VIEW mv without IF EXISTS");
        flagged("DROP SEQUENCE s;", "DROP SEQUENCE s without IF EXISTS");
        flagged("DROP SCHEMA auth CASCADE;", "DROP SCHEMA auth without IF EXISTS");
        flagged("DROP FUNCTION f(int);", "DROP FUNCTION f without IF EXISTS");
        flagged("DROP TRIGGER tr ON t;", "DROP TRIGGER tr without IF EXISTS");
        flagged("DROP TEXT SEARCH CONFIGURATION c;", "DROP TEXT SEARCH CONFIGURATION c without IF EXISTS");
    }

    @Test
    void leavesLookAlikesAlone() {
        notFlagged("CREATE TABLE IF NOT EXISTS t (a int);");
        notFlagged("CREATE TABLE IF NOT EXISTS t_copy AS SELECT * FROM t;");
        notFlagged("DROP TABLE IF EXISTS t;");
        notFlagged("CREATE INDEX IF NOT EXISTS i ON t (a);");
        notFlagged("ALTER TABLE t ADD COLUMN IF NOT EXISTS b int;");
        notFlagged("ALTER TABLE t DROP CONSTRAINT IF EXISTS t_fk;");
        notFlagged("CREATE SEQUENCE IF NOT EXISTS s;");
        notFlagged("CREATE SCHEMA IF NOT EXISTS AUTHORIZATION joe;");
        notFlagged("CREATE EXTENSION IF NOT EXISTS pgcrypto;");
        notFlagged("DROP TYPE IF EXISTS mood;");
        notFlagged("DROP TEXT SEARCH CONFIGURATION IF EXISTS c;");
        notFlagged("DROP MATERIALIZED VIEW IF EXISTS mv;");
        // a re-run of an unnamed CREATE INDEX makes a second index, it does not fail (and IF NOT EXISTS needs a name)
        notFlagged("CREATE INDEX ON t (a);");
        // no IF [NOT] EXISTS in PostgreSQL for these: nothing to ask for
        notFlagged("CREATE TYPE mood AS ENUM ('sad', 'ok');");
        notFlagged("CREATE DOMAIN posint AS int CHECK (VALUE > 0);");
        notFlagged("CREATE VIEW v AS SELECT 1;");
        notFlagged("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;");
        notFlagged("DROP OWNED BY joe;");
        // inside BEGIN ... COMMIT a failure rolls the block back: a re-run starts clean
        notFlagged("BEGIN;\nCREATE TABLE t (a int);\nDROP TYPE mood;\nALTER TABLE t DROP CONSTRAINT c;\nCOMMIT;");
        assertEquals(
                1,
                Lint.findings(PSQL, RULE, "BEGIN;\nCREATE TABLE t (a int);\nCOMMIT;\nDROP TYPE mood;")
                        .size());
    }

    @Test
    void aConcurrentIndexRunsOutsideAnyTransactionSoItsRerunMatters() {
        // crates.io's shape: a diesel migration of one CREATE INDEX CONCURRENTLY, linted as if in a transaction
        List<Finding> f = Lint.findings(
                Lint.assumeInTransaction(true),
                RULE,
                "CREATE INDEX CONCURRENTLY background_jobs_priority_id_index ON background_jobs (priority, id);");
        assertEquals(
                List.of("CREATE INDEX background_jobs_priority_id_index without IF NOT EXISTS fails when re-run:"
                        + " CREATE INDEX CONCURRENTLY runs outside any transaction, and a failed one leaves an invalid index or"
                        + " its other effects behind"),
                f.stream().map(Finding::message).toList());
        assertEquals(1, Lint.findings(PSQL, RULE, "DROP INDEX CONCURRENTLY i;").size());
    }
}
