package dev.tiergate.core.lint.rules;

import dev.tiergate.core.lint.LintRule;
import dev.tiergate.core.lint.LintState;
import dev.tiergate.core.lint.PgParser;
import dev.tiergate.core.lint.PgStatement;
import dev.tiergate.core.rules.Rule;
import java.util.Locale;
import java.util.Set;

/**
 * {@link Rule#SQL_CLUSTER_STATEMENT}: a statement outside what a migration may do on tiergate. A migration runs as a
 * role that owns its branch database and nothing else (design.md, "Trust boundary"), so these fail there, or would
 * reach beyond the database if they did not: databases, roles and role membership, ALTER SYSTEM, tablespaces, server
 * files and programs (COPY TO/FROM a file or PROGRAM, pg_read_file, lo_import, ...), other databases (dblink), other
 * sessions (pg_terminate_backend), LOAD, SET ROLE / SET SESSION AUTHORIZATION, untrusted languages, and extensions that
 * are neither trusted nor created by tiergate before the run. The server's sandbox is the guarantee; this rule is the
 * clear message, and it cannot see inside dynamic SQL (EXECUTE in a DO block or a function body).
 */
public final class ClusterStatement implements LintRule {
    /**
     * Extensions a database owner may create (PostgreSQL 16, Appendix F, "trusted" extensions: their control files say
     * {@code trusted = true} since PostgreSQL 13), and the trusted procedural languages plpgsql, plperl and pltcl.
     */
    static final Set<String> TRUSTED_EXTENSIONS = Set.of(
            "btree_gin",
            "btree_gist",
            "citext",
            "cube",
            "dict_int",
            "earthdistance",
            "fuzzystrmatch",
            "hstore",
            "intarray",
            "isn",
            "lo",
            "ltree",
            "pgcrypto",
            "pg_trgm",
            "seg",
            "tablefunc",
            "tcn",
            "tsm_system_rows",
            "tsm_system_time",
            "unaccent",
            "uuid-ossp",
            "plpgsql",
            "plperl",
            "pltcl");
    /** Languages only a superuser may use (PostgreSQL 16, CREATE LANGUAGE and CREATE FUNCTION: untrusted languages). */
    static final Set<String> UNTRUSTED_LANGUAGES =
            Set.of("plpythonu", "plpython2u", "plpython3u", "plperlu", "pltclu", "c", "internal");

    private static final String[] CLUSTER_HEADS = {
        "create database",
        "alter database",
        "alter system",
        "create role",
        "alter role",
        "create user",
        "alter user",
        "create group",
        "alter group",
        "create tablespace",
        "alter tablespace",
        "load"
    };
    private static final Set<String> CLUSTER_DROPS = Set.of("database", "role", "user", "group", "tablespace");
    private static final Set<String> CLUSTER_GRANTS = Set.of("database", "tablespace", "parameter", "role");

    private static final String BEYOND = ": outside what a migration may do on tiergate (it runs as a role that owns"
            + " only its branch database; the statement fails there or would reach beyond it)";

    @Override
    public Rule rule() {
        return Rule.SQL_CLUSTER_STATEMENT;
    }

    @Override
    public void check(PgStatement s, LintState state, Reporter out) {
        String what = clusterStatement(s, state);
        if (what != null) {
            out.report(0, what);
        }
        for (PgParser.Call call : state.serverCalls()) {
            out.report(
                    call.offset(),
                    "a call of " + call.name() + "()" + BEYOND
                            + "; fix: do it outside the migration, with the operators of the database");
        }
    }

    private static String clusterStatement(PgStatement s, LintState state) {
        if (s instanceof PgStatement.Other o) {
            if (o.startsWith("create user mapping") || o.startsWith("alter user mapping")) {
                return null;
            }
            for (String head : CLUSTER_HEADS) {
                if (o.startsWith(head)) {
                    return head.toUpperCase(Locale.ROOT) + BEYOND + "; fix: "
                            + (head.equals("load")
                                    ? "list the extension that needs the library under migrations.extensions in .tiergate/policy.yaml"
                                    : "leave databases, roles and server settings to the policy and the database's operators");
                }
            }
        } else if (s instanceof PgStatement.Drop d && CLUSTER_DROPS.contains(d.kind())) {
            return "DROP " + d.kind().toUpperCase(Locale.ROOT) + BEYOND
                    + "; fix: leave databases and roles to the policy and the database's operators";
        } else if (s instanceof PgStatement.Grant g && CLUSTER_GRANTS.contains(g.objectKind())) {
            return (g.grant() ? "GRANT" : "REVOKE")
                    + (g.objectKind().equals("role") ? " of role membership" : " on a " + g.objectKind()) + BEYOND
                    + "; fix: give database access in the policy file"
                    + " (.tiergate/policy.yaml), which tiergate applies per tier";
        } else if (s instanceof PgStatement.Copy c && c.target() != PgStatement.Copy.Target.CLIENT) {
            return "COPY " + (c.from() ? "FROM " : "TO ")
                    + (c.target() == PgStatement.Copy.Target.PROGRAM
                            ? "PROGRAM (a command on the database server)"
                            : "a file on the database server")
                    + BEYOND
                    + "; fix: COPY ... FROM STDIN with the data in the migration, or INSERT";
        } else if (s instanceof PgStatement.SetVariable v
                && (v.name().equals("role") || v.name().equals("authorization"))
                && !"none".equals(v.value())
                && !"default".equals(v.value())) {
            return (v.name().equals("role") ? "SET ROLE" : "SET SESSION AUTHORIZATION") + BEYOND
                    + "; fix: remove it: the migration's own role owns what it creates";
        } else if (s instanceof PgStatement.CreateLanguage l && UNTRUSTED_LANGUAGES.contains(l.name())) {
            return "CREATE LANGUAGE " + l.name() + ", an untrusted language" + BEYOND
                    + "; fix: write the function in plpgsql or sql";
        } else if (s instanceof PgStatement.CreateFunction f
                && f.language() != null
                && UNTRUSTED_LANGUAGES.contains(f.language())) {
            return "CREATE " + f.kind().toUpperCase(Locale.ROOT) + " " + f.name() + " in the untrusted language "
                    + f.language() + BEYOND + "; fix: write it in plpgsql or sql";
        } else if (s instanceof PgStatement.CreateObject c && c.kind().equals("extension") && c.name() != null) {
            String name = c.name().name().toLowerCase(Locale.ROOT);
            if (TRUSTED_EXTENSIONS.contains(name)) {
                return null;
            }
            if (!state.settings().extensions().contains(name)) {
                return "CREATE EXTENSION " + name + ", which is not a trusted extension" + BEYOND
                        + "; fix: list it under migrations.extensions in .tiergate/policy.yaml, and tiergate creates it"
                        + " before migrations run";
            }
            if (!c.ifNotExists()) {
                return "CREATE EXTENSION " + name + " without IF NOT EXISTS: tiergate creates it before migrations run"
                        + " (migrations.extensions), so this statement fails; fix: CREATE EXTENSION IF NOT EXISTS "
                        + name;
            }
        }
        return null;
    }
}
