package dev.tiergate.core.lint.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.lint.Finding;
import dev.tiergate.core.lint.LintSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Statements a migration cannot make on tiergate: each refusal names the statement, says why, and gives the fix. */
class ClusterStatementTest {
    private static final String RULE = "sql.cluster-statement";
    private static final String BEYOND = ": outside what a migration may do on tiergate (it runs as a role that owns"
            + " only its branch database; the statement fails there or would reach beyond it); fix: ";

    private static void refused(String sql, String message) {
        refused(LintSettings.DEFAULTS, sql, message);
    }

    private static void refused(LintSettings settings, String sql, String message) {
        List<Finding> f = Lint.findings(settings, RULE, sql);
        assertEquals(1, f.size(), sql + " -> " + f);
        assertEquals(message, f.get(0).message(), sql);
        assertEquals("error", f.get(0).severity().wireName());
    }

    private static void allowed(LintSettings settings, String sql) {
        assertEquals(List.of(), Lint.findings(settings, RULE, sql), sql);
    }

    private static final String OPS =
            "leave databases, roles and server settings to the policy and the database's operators";

    @Test
    void databasesRolesAndServerSettings() {
        refused("CREATE DATABASE reports;", "CREATE DATABASE" + BEYOND + OPS);
        refused("ALTER DATABASE app SET search_path = app, public;", "ALTER DATABASE" + BEYOND + OPS);
        refused(
                "DROP DATABASE IF EXISTS scratch;",
                "DROP DATABASE" + BEYOND + "leave databases and roles to the policy and the database's operators");
        refused("ALTER SYSTEM SET work_mem = '64MB';", "ALTER SYSTEM" + BEYOND + OPS);
        refused("CREATE ROLE reporting NOLOGIN;", "CREATE ROLE" + BEYOND + OPS);
        refused("CREATE USER app_ro WITH PASSWORD 'x';", "CREATE USER" + BEYOND + OPS);
        refused("ALTER ROLE app SET statement_timeout = '5s';", "ALTER ROLE" + BEYOND + OPS);
        refused("CREATE GROUP readers;", "CREATE GROUP" + BEYOND + OPS);
        refused(
                "DROP ROLE IF EXISTS reporting;",
                "DROP ROLE" + BEYOND + "leave databases and roles to the policy and the database's operators");
        refused(
                "DROP USER app_ro;",
                "DROP USER" + BEYOND + "leave databases and roles to the policy and the database's operators");
    }

    @Test
    void grantsOnTheDatabaseAndOfRoleMembership() {
        String grants =
                "give database access in the policy file (.tiergate/policy.yaml), which tiergate applies per tier";
        refused("GRANT CONNECT ON DATABASE app TO reporting;", "GRANT on a database" + BEYOND + grants);
        refused("REVOKE ALL ON DATABASE app FROM PUBLIC;", "REVOKE on a database" + BEYOND + grants);
        refused("GRANT authenticated TO anon;", "GRANT of role membership" + BEYOND + grants);
        refused(
                "GRANT pg_read_server_files, pg_signal_backend TO app WITH ADMIN OPTION;",
                "GRANT of role membership" + BEYOND + grants);
        refused("REVOKE admin FROM alice;", "REVOKE of role membership" + BEYOND + grants);
    }

    @Test
    void serverFilesAndPrograms() {
        String copy = "COPY ... FROM STDIN with the data in the migration, or INSERT";
        refused(
                "COPY countries FROM '/srv/data/countries.csv' WITH (FORMAT csv);",
                "COPY FROM a file on the database server" + BEYOND + copy);
        refused(
                "COPY (SELECT * FROM users) TO '/tmp/users.csv';",
                "COPY TO a file on the database server" + BEYOND + copy);
        refused(
                "COPY countries FROM PROGRAM 'curl -s https://example.com/c.csv';",
                "COPY FROM PROGRAM (a command on the database server)" + BEYOND + copy);
        refused(
                "SELECT pg_read_file('/etc/passwd');",
                "a call of pg_read_file()" + BEYOND
                        + "do it outside the migration, with the operators of the database");
        refused(
                "INSERT INTO blobs (data) VALUES (lo_import('/tmp/x'));",
                "a call of lo_import()" + BEYOND + "do it outside the migration, with the operators of the database");
        refused(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database();",
                "a call of pg_terminate_backend()" + BEYOND
                        + "do it outside the migration, with the operators of the database");
        refused(
                "SELECT * FROM dblink('dbname=prod', 'SELECT id FROM users') AS t(id int);",
                "a call of dblink()" + BEYOND + "do it outside the migration, with the operators of the database");
        refused(
                "LOAD 'auto_explain';",
                "LOAD" + BEYOND
                        + "list the extension that needs the library under migrations.extensions in .tiergate/policy.yaml");
    }

    @Test
    void rolesOfTheSessionAndUntrustedLanguages() {
        refused("SET ROLE postgres;", "SET ROLE" + BEYOND + "remove it: the migration's own role owns what it creates");
        refused(
                "SET SESSION AUTHORIZATION admin;",
                "SET SESSION AUTHORIZATION" + BEYOND + "remove it: the migration's own role owns what it creates");
        refused(
                "CREATE LANGUAGE plpython3u;",
                "CREATE LANGUAGE plpython3u, an untrusted language" + BEYOND + "write the function in plpgsql or sql");
        refused(
                "CREATE OR REPLACE FUNCTION shell(cmd text) RETURNS text AS $$\nimport subprocess\n"
                        + "return subprocess.check_output(cmd, shell=True)\n$$ LANGUAGE plpython3u;",
                "CREATE FUNCTION shell in the untrusted language plpython3u" + BEYOND + "write it in plpgsql or sql");
        refused(
                "CREATE FUNCTION add_one(integer) RETURNS integer AS 'DIRECTORY/funcs', 'add_one' LANGUAGE C STRICT;",
                "CREATE FUNCTION add_one in the untrusted language c" + BEYOND + "write it in plpgsql or sql");
    }

    @Test
    void extensionsThatAreNeitherTrustedNorInThePolicy() {
        refused(
                "CREATE EXTENSION IF NOT EXISTS postgis;",
                "CREATE EXTENSION postgis, which is not a trusted extension"
                        + BEYOND
                        + "list it under migrations.extensions in .tiergate/policy.yaml, and tiergate creates it before"
                        + " migrations run");
        refused(
                "CREATE EXTENSION IF NOT EXISTS dblink;",
                "CREATE EXTENSION dblink, which is not a trusted extension"
                        + BEYOND
                        + "list it under migrations.extensions in .tiergate/policy.yaml, and tiergate creates it before"
                        + " migrations run");
        // allow-listed: tiergate created it before the run, so the migration's CREATE must not fail on it
        refused(
                Lint.extensions("postgis"),
                "CREATE EXTENSION postgis WITH SCHEMA public;",
                "CREATE EXTENSION postgis"
                        + " without IF NOT EXISTS: tiergate creates it before migrations run (migrations.extensions), so this"
                        + " statement fails; fix: CREATE EXTENSION IF NOT EXISTS postgis");
        allowed(Lint.extensions("postgis"), "CREATE EXTENSION IF NOT EXISTS postgis;");
        allowed(Lint.extensions("postgis"), "CREATE EXTENSION IF NOT EXISTS \"PostGIS\";");
    }

    @Test
    void whatAMigrationMayDo() {
        LintSettings d = LintSettings.DEFAULTS;
        allowed(d, "COPY countries (code, name) FROM STDIN;\nfr\tFrance\n\\.\n");
        allowed(d, "COPY (SELECT 1) TO STDOUT;");
        allowed(d, "CREATE EXTENSION IF NOT EXISTS pgcrypto;");
        allowed(d, "CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\";");
        allowed(d, "CREATE EXTENSION pg_trgm;");
        allowed(d, "GRANT SELECT ON TABLE t TO app;");
        allowed(d, "RESET ROLE;");
        allowed(d, "SET ROLE NONE;");
        allowed(d, "SET lock_timeout = '2s';");
        allowed(d, "CREATE USER MAPPING FOR app SERVER films OPTIONS (user 'app');");
        allowed(d, "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;");
        allowed(d, "CREATE OR REPLACE FUNCTION f() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql;");
        allowed(d, "DROP FUNCTION IF EXISTS dblink_helper(text);");
        allowed(d, "COMMENT ON FUNCTION pg_read_file_wrapper IS 'reads nothing';");
        // inside dynamic SQL the lint cannot see: the server's sandbox is the guarantee there
        allowed(d, "DO $$ BEGIN EXECUTE 'CREATE ROLE x'; END $$;");
    }

    @Test
    void theFindingHasTheLineOfTheCall() {
        List<Finding> f = Lint.findings(RULE, "SET lock_timeout = '2s';\nSELECT\n  pg_ls_dir('.');");
        assertEquals(3, f.get(0).line());
        assertTrue(f.get(0).fix().contains("migrations.extensions"));
    }
}
