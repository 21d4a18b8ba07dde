package dev.tiergate.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.backend.BranchConnection;
import dev.tiergate.server.support.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The catalogue of hostile migrations, each as plain SQL and hidden in dynamic SQL ({@code DO $$ … EXECUTE 'COP' ||
 * 'Y …' $$}), with the check that it changed nothing outside the branch's own database. Every attack aims only at
 * what its {@link Scene} made: its folder, its canaries, its second repository, its own store; when one succeeds (as
 * every one does on a server that migrates as a superuser) the scene undoes it.
 */
final class Attacks {
    private Attacks() {}

    /** Where the attacks' file names and their statements' literals need it: a SQL string literal. */
    static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    /** Dynamic SQL, the statement put together at run time from pieces no text rule reads as one. */
    static String hidden(String plpgsqlBody) {
        return "DO $$\nBEGIN\n" + plpgsqlBody.strip() + "\nEND\n$$;";
    }

    /** No file appeared in the scene's folder. */
    static Scene.Check nothingWritten(Scene s) {
        return () -> assertEquals(
                List.of(), s.filesWritten(), "the migration wrote files on the database server's host, in " + s.dir);
    }

    // ---- the host: running programs and writing files as the database server's OS user

    static List<Attack> writingOnTheHost() {
        return List.of(
                new Attack(
                        "COPY TO PROGRAM runs a shell command",
                        s -> new Attack.Armed(
                                "COPY (SELECT 1) TO PROGRAM " + literal("id > " + s.dir + "/pwned-program") + ";",
                                hidden("EXECUTE 'COP' || 'Y (SELECT 1) TO PROG' || 'RAM ' || quote_literal('id > "
                                        + s.dir + "/pwned-program-' || current_database());"),
                                nothingWritten(s))),
                new Attack(
                        "COPY TO a server file",
                        s -> new Attack.Armed(
                                "COPY (SELECT 'pwned') TO " + literal(s.dir + "/pwned-file") + ";",
                                hidden("EXECUTE 'COP' || 'Y (SELECT 1) TO ' || quote_literal('" + s.dir
                                        + "/pwned-file-' || current_database());"),
                                nothingWritten(s))),
                // a large object is seen by the statements after the one that made it: two statements
                new Attack(
                        "lo_export writes a server file",
                        s -> new Attack.Armed(
                                "CREATE TABLE lo_ids AS SELECT lo_from_bytea(0, 'pwned'::bytea) AS id;\nSELECT lo_export(id, "
                                        + literal(s.dir + "/pwned-lo") + ") FROM lo_ids;",
                                hidden(
                                        "EXECUTE 'CREATE TABLE lo_ids AS SELECT lo_from_bytea(0, $1) AS id' USING 'pwned'::bytea;\n"
                                                + "EXECUTE 'SELECT lo_' || 'export(id, $1) FROM lo_ids' USING '" + s.dir
                                                + "/pwned-lo-' || current_database();"),
                                nothingWritten(s))));
    }

    // ---- the host: reading a secret into the branch (where CI, the attacker's, reads it) or into an error message

    /** The migration that prints what a reading attack stashed in {@code loot}, to get it into tiergate's messages. */
    static final String RAISE_LOOT =
            Scene.migration("DO $$ BEGIN RAISE EXCEPTION 'loot: %', (SELECT string_agg(v, ',') FROM loot); END $$;");

    static List<Attack> readingTheHost() {
        return List.of(
                new Attack(
                        "COPY FROM PROGRAM cat",
                        s -> new Attack.Armed(
                                "CREATE TABLE loot (v text);\nCOPY loot FROM PROGRAM "
                                        + literal("cat " + s.dir + "/secret") + ";",
                                "CREATE TABLE loot (v text);\n"
                                        + hidden("EXECUTE 'COP' || 'Y loot FROM PROG' || 'RAM ' || quote_literal('cat "
                                                + s.dir + "/secret');"),
                                secretKept(s))),
                new Attack(
                        "pg_read_file",
                        s -> new Attack.Armed(
                                "CREATE TABLE loot AS SELECT pg_read_file(" + literal(s.dir + "/secret") + ") AS v;",
                                hidden("EXECUTE 'CREATE TABLE loot AS SELECT pg_read' || '_file(' || quote_literal('"
                                        + s.dir + "/secret') || ') AS v';"),
                                secretKept(s))),
                new Attack(
                        "pg_read_binary_file",
                        s -> new Attack.Armed(
                                "CREATE TABLE loot AS SELECT convert_from(pg_read_binary_file("
                                        + literal(s.dir + "/secret") + "), 'UTF8') AS v;",
                                hidden(
                                        "EXECUTE 'CREATE TABLE loot AS SELECT convert_from(pg_read_bin' || 'ary_file(' || quote_literal('"
                                                + s.dir + "/secret') || '), ''UTF8'') AS v';"),
                                secretKept(s))),
                new Attack(
                        "lo_import",
                        s -> new Attack.Armed(
                                "CREATE TABLE lo_ids AS SELECT lo_import(" + literal(s.dir + "/secret") + ") AS id;\n"
                                        + "CREATE TABLE loot AS SELECT convert_from(lo_get(id), 'UTF8') AS v FROM lo_ids;",
                                hidden(
                                        "EXECUTE 'CREATE TABLE lo_ids AS SELECT lo_' || 'import(' || quote_literal('"
                                                + s.dir + "/secret') || ') AS id';\n"
                                                + "EXECUTE 'CREATE TABLE loot AS SELECT convert_from(lo_get(id), ''UTF8'') AS v FROM lo_ids';"),
                                secretKept(s))));
    }

    /** The secret reached neither a database of the attacked repository (where CI reads) nor anything tiergate published. */
    static Scene.Check secretKept(Scene s) {
        return () -> {
            List<String> leaks = new ArrayList<>();
            try {
                s.assertNotPublished(s.secret, "the secret read from the database server's host");
            } catch (AssertionError e) {
                leaks.add(e.getMessage());
            }
            for (String db : s.h.server.backend().list(s.repo)) {
                if (s.hasTable(db, "loot")
                        && !"0".equals(s.value(db, "select count(*) from loot where v like '%" + s.secret + "%'"))) {
                    leaks.add("the migration copied the host's secret into table loot of database branch " + db
                            + ", where the branch's CI (the attacker) reads it");
                }
            }
            assertEquals(List.of(), leaks, "the host's secret got out");
        };
    }

    // ---- the cluster: other databases, the store, roles, server settings, other sessions

    static List<Attack> onTheCluster() {
        List<Attack> out = new ArrayList<>();
        out.add(new Attack("DROP DATABASE of a database beside tiergate's store", s -> {
            String canary = s.canaryDatabase("store", true);
            return new Attack.Armed(
                    "DROP DATABASE " + canary + " WITH (FORCE);",
                    droppedThroughDblink(
                            s.storeConnInfo("postgres"), "'DROP ' || 'DATABASE " + canary + " WITH (FORCE)'"),
                    () -> s.assertAnswers(canary, true, "the database beside the store"));
        }));
        out.add(new Attack("DROP DATABASE of a database on the branch cluster", s -> {
            String canary = s.canaryDatabase("tier", false);
            return new Attack.Armed(
                    "DROP DATABASE " + canary + " WITH (FORCE);",
                    droppedThroughDblink(
                            s.branchConnInfo("postgres"), "'DROP ' || 'DATABASE " + canary + " WITH (FORCE)'"),
                    () -> s.assertAnswers(canary, false, "another database of the branch cluster"));
        }));
        out.add(new Attack("DROP DATABASE of another repository's tier", s -> {
            String tier = s.otherTierDatabase();
            return new Attack.Armed(
                    "DROP DATABASE \"" + tier + "\" WITH (FORCE);",
                    droppedThroughDblink(
                            s.branchConnInfo("postgres"),
                            "'DROP ' || 'DATABASE ' || quote_ident('" + tier + "') || ' WITH (FORCE)'"),
                    otherTierIntact(s));
        }));
        out.add(new Attack("ALTER DATABASE of another repository's tier", s -> {
            String tier = s.otherTierDatabase();
            return new Attack.Armed(
                    "ALTER DATABASE \"" + tier + "\" SET work_mem = '64kB';\nALTER DATABASE \"" + tier
                            + "\" WITH CONNECTION LIMIT 0;",
                    hidden("EXECUTE 'ALTER ' || 'DATABASE ' || quote_ident('" + tier
                            + "') || ' SET work_mem = ''64kB''';\n" + "EXECUTE 'ALTER ' || 'DATABASE ' || quote_ident('"
                            + tier + "') || ' WITH CONNECTION LIMIT 0';"),
                    otherTierIntact(s));
        }));
        out.add(new Attack("GRANT CONNECT on another repository's tier to PUBLIC", s -> {
            String tier = s.otherTierDatabase();
            String aclBefore = acl(s, tier);
            return new Attack.Armed(
                    "GRANT CONNECT, TEMPORARY ON DATABASE \"" + tier + "\" TO PUBLIC;",
                    hidden("EXECUTE 'GRA' || 'NT CONNECT, TEMPORARY ON DATABASE ' || quote_ident('" + tier
                            + "') || ' TO PUBLIC';"),
                    () -> assertEquals(
                            aclBefore,
                            acl(s, tier),
                            "the migration changed who may connect to another repository's tier " + tier));
        }));
        out.add(new Attack("ALTER ROLE of another repository's tier login (a new password)", s -> {
            String login = s.h.server
                    .backend()
                    .connection(s.otherRepository().repo(), "staging")
                    .user();
            String before = passwordHash(s, login);
            return new Attack.Armed(
                    "ALTER ROLE \"" + login + "\" PASSWORD 'pwned';",
                    hidden("EXECUTE 'ALTER ' || 'ROLE ' || quote_ident('" + login + "') || ' PASSWORD ''pwned''';"),
                    () -> {
                        assertEquals(
                                before,
                                passwordHash(s, login),
                                "the migration set a new password on another repository's tier login " + login);
                        BranchConnection c = s.h.server
                                .backend()
                                .connection(s.otherRepository().repo(), "staging");
                        try (Connection conn = DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password())) {
                            assertTrue(conn.isValid(5));
                        }
                    });
        }));
        out.add(new Attack("CREATE ROLE … SUPERUSER", s -> {
            String evil = s.roleNameForAttack("evil");
            return new Attack.Armed(
                    "CREATE ROLE " + evil + " SUPERUSER LOGIN PASSWORD 'pwned';",
                    hidden("EXECUTE 'CREATE ' || 'ROLE " + evil + " SUPER' || 'USER LOGIN PASSWORD ''pwned''';"),
                    () -> assertFalse(s.roleExists(evil), "the migration created the superuser role " + evil));
        }));
        out.add(new Attack("ALTER ROLE CURRENT_USER SUPERUSER", s -> {
            s.atTheEnd(() -> noSuperuserAmong(s, true));
            return new Attack.Armed(
                    "ALTER ROLE CURRENT_USER SUPERUSER CREATEROLE CREATEDB;",
                    hidden("EXECUTE 'ALTER ' || 'ROLE CURRENT_USER SUPER' || 'USER CREATEROLE CREATEDB';"),
                    () -> noSuperuserAmong(s, false));
        }));
        out.add(new Attack(
                "ALTER SYSTEM",
                s -> new Attack.Armed(
                        "ALTER SYSTEM SET " + Scene.SYSTEM_PARAMETER + " = " + Scene.SYSTEM_VALUE + ";",
                        // ALTER SYSTEM cannot run inside a function: through a loop-back dblink session instead
                        hiddenThroughDblink(
                                s.branchConnInfo("postgres"),
                                "'ALTER ' || 'SYSTEM SET " + Scene.SYSTEM_PARAMETER + " = " + Scene.SYSTEM_VALUE + "'"),
                        () -> assertFalse(
                                s.systemSettingChanged(),
                                "the migration changed the server's configuration (postgresql.auto.conf: "
                                        + Scene.SYSTEM_PARAMETER + ")"))));
        out.add(new Attack("SET ROLE to another role", s -> {
            String victim = s.canaryRole("victim", "nologin createrole");
            String made = s.roleNameForAttack("made_by_victim");
            return new Attack.Armed(
                    "SET ROLE " + victim + ";\nCREATE ROLE " + made + ";\nRESET ROLE;",
                    hidden("EXECUTE 'SET ' || 'ROLE ' || quote_ident('" + victim + "');\nEXECUTE 'CREATE ' || 'ROLE "
                            + made + "';\nEXECUTE 'RESET ' || 'ROLE';"),
                    () -> assertFalse(
                            s.roleExists(made),
                            "the migration acted as role " + victim + " (it created " + made
                                    + " with its CREATEROLE)"));
        }));
        out.add(new Attack("SET SESSION AUTHORIZATION", s -> {
            String victim = s.canaryRole("victim", "nologin createrole");
            String made = s.roleNameForAttack("made_by_victim");
            return new Attack.Armed(
                    "SET SESSION AUTHORIZATION " + victim + ";\nCREATE ROLE " + made
                            + ";\nRESET SESSION AUTHORIZATION;",
                    hidden("EXECUTE 'SET ' || 'SESSION AUTHORIZATION ' || quote_ident('" + victim
                            + "');\nEXECUTE 'CREATE ' || 'ROLE " + made
                            + "';\nEXECUTE 'RESET ' || 'SESSION AUTHORIZATION';"),
                    () -> assertFalse(
                            s.roleExists(made),
                            "the migration acted as role " + victim + " (it created " + made
                                    + " with its CREATEROLE)"));
        }));
        out.add(new Attack("pg_terminate_backend of another database's session", s -> {
            String db = s.canaryDatabase("sessions", false);
            String app = "sec-" + s.tag + "-canary";
            Connection session = s.canarySession(db, app);
            String where =
                    " FROM pg_stat_activity WHERE datname <> current_database() AND application_name = " + literal(app);
            return new Attack.Armed(
                    "SELECT pg_terminate_backend(pid)" + where + ";",
                    hidden("EXECUTE 'SELECT pg_termin' || 'ate_backend(pid)" + where.replace("'", "''") + "';"),
                    () -> {
                        assertTrue(session.isValid(5), "the migration ended another database's session (" + app + ")");
                        try (Statement st = session.createStatement();
                                ResultSet rs = st.executeQuery("select 1")) {
                            assertTrue(rs.next());
                        }
                    });
        }));
        out.add(new Attack("dblink into tiergate's store", s -> {
            String table = "sec_" + s.tag + "_pwned";
            String store = s.storeDatabase();
            s.atTheEnd(() -> {
                try (Connection c = DriverManager.getConnection(
                                TestPostgres.server().getJdbcUrl(s.h.db.user(), store),
                                s.h.db.user(),
                                s.h.db.password());
                        Statement st = c.createStatement()) {
                    st.execute("drop table if exists " + table);
                }
            });
            return new Attack.Armed(
                    "CREATE EXTENSION IF NOT EXISTS dblink;\nSELECT dblink_exec(" + literal(s.storeConnInfo(store))
                            + ", 'CREATE TABLE " + table + " (x int)');",
                    hiddenThroughDblink(s.storeConnInfo(store), "'CREATE ' || 'TABLE " + table + " (x int)'"),
                    () -> {
                        try (Connection c = s.h.db.dataSource().getConnection();
                                Statement st = c.createStatement();
                                ResultSet rs = st.executeQuery("select to_regclass('public." + table + "') is null")) {
                            rs.next();
                            assertTrue(
                                    rs.getBoolean(1),
                                    "the migration wrote into tiergate's own store (" + store + ") through dblink");
                        }
                    });
        }));
        return out;
    }

    /**
     * Dynamic SQL run in another session through dblink (the extension created first, its name in pieces): how a
     * statement that cannot run inside a function (DROP DATABASE, ALTER SYSTEM) is hidden. {@code statement} is a
     * PL/pgSQL expression.
     */
    /**
     * As {@link #hiddenThroughDblink}, without waiting for the other session: a DROP DATABASE waits until every session
     * of the cluster has absorbed a signal (ProcSignalBarrier), and a session blocked in dblink_exec never does, so the
     * migration would wait for the drop and the drop for the migration, for ever. Sent, the block ends, the migration's
     * session absorbs the signal, and the drop goes through.
     */
    static String droppedThroughDblink(String connInfo, String statement) {
        return hidden("EXECUTE 'CREATE ' || 'EXTENSION IF NOT EXISTS dbl' || 'ink';\n"
                + "EXECUTE 'SELECT dbl' || 'ink_connect($1, $2)' USING 'attack', " + literal(connInfo) + ";\n"
                + "EXECUTE 'SELECT dbl' || 'ink_send_query($1, $2)' USING 'attack', " + statement + ";");
    }

    static String hiddenThroughDblink(String connInfo, String statement) {
        return hidden(
                "EXECUTE 'CREATE ' || 'EXTENSION IF NOT EXISTS dbl' || 'ink';\nEXECUTE 'SELECT dbl' || 'ink_exec($1, $2)' USING "
                        + literal(connInfo) + ", " + statement + ";");
    }

    /** The second repository's tier: still there, answering its own login, with no setting or connection limit a migration gave it. */
    static Scene.Check otherTierIntact(Scene s) {
        return () -> {
            String tier = s.otherTierDatabase();
            s.awaitNoDropInFlight();
            assertTrue(
                    s.h.server.backend().exists(s.otherRepository().repo(), "staging"),
                    "the migration dropped another repository's staging tier (" + tier + ")");
            try (Connection c = s.branchCluster();
                    PreparedStatement ps = c.prepareStatement(
                            "select d.datconnlimit, (select count(*) from pg_db_role_setting r where r.setdatabase = d.oid) from pg_database d where datname = ?")) {
                ps.setString(1, tier);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(
                            -1,
                            rs.getInt(1),
                            "the migration set a connection limit on another repository's tier " + tier);
                    assertEquals(
                            0,
                            rs.getInt(2),
                            "the migration gave another repository's tier " + tier + " settings of its own");
                }
            }
            BranchConnection login =
                    s.h.server.backend().connection(s.otherRepository().repo(), "staging");
            try (Connection c = DriverManager.getConnection(login.jdbcUrl(), login.user(), login.password());
                    Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("select count(*) from inventory")) {
                assertTrue(rs.next() && rs.getInt(1) == 20, "another repository's tier lost its rows");
            } catch (SQLException e) {
                throw new AssertionError(
                        "another repository's tier " + tier + " no longer answers its own login: " + e.getMessage(), e);
            }
        };
    }

    static String acl(Scene s, String database) throws SQLException {
        try (Connection c = s.branchCluster();
                PreparedStatement ps = c.prepareStatement(
                        "select coalesce(datacl::text, '(default)') from pg_database where datname = ?")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : "(no such database)";
            }
        }
    }

    static String passwordHash(Scene s, String role) throws SQLException {
        try (Connection c = s.branchCluster();
                PreparedStatement ps =
                        c.prepareStatement("select md5(coalesce(rolpassword, '')) from pg_authid where rolname = ?")) {
            ps.setString(1, role);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : "(no such role)";
            }
        }
    }

    /**
     * The logins that ran migrations on the attacked repository's databases (Flyway's installed_by) and the
     * repository's own logins are not superusers, and cannot create roles or databases. With {@code undo}, takes
     * those attributes away again instead (the scene's cleanup, after a successful attack).
     */
    static void noSuperuserAmong(Scene s, boolean undo) throws Exception {
        List<String> logins = new ArrayList<>();
        String prefix = s.attackedPrefix();
        try (Connection c = s.branchCluster();
                PreparedStatement ps = c.prepareStatement("select rolname from pg_roles where rolname like ?")) {
            ps.setString(1, prefix.replace("_", "\\_") + "%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    logins.add(rs.getString(1));
                }
            }
        }
        if (!undo) {
            for (String db : s.h.server.backend().list(s.repo)) {
                logins.addAll(s.installers(db));
            }
        }
        try (Connection c = s.branchCluster();
                PreparedStatement ps = c.prepareStatement(
                        "select rolsuper or rolcreaterole or rolcreatedb from pg_roles where rolname = ?")) {
            for (String login : logins.stream().distinct().toList()) {
                ps.setString(1, login);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || !rs.getBoolean(1)) {
                        continue;
                    }
                }
                if (undo) {
                    if (login.startsWith(prefix)) {
                        try (Statement st = c.createStatement()) {
                            st.execute("alter role \"" + login + "\" nosuperuser nocreaterole nocreatedb");
                        }
                    }
                } else {
                    throw new AssertionError("role " + login
                            + ", which ran or may run this repository's migrations, is a superuser or may create"
                            + " roles or databases: a migration can do anything on the cluster");
                }
            }
        }
    }
}
