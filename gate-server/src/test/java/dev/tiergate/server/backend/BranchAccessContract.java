package dev.tiergate.server.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.access.AccessSnapshot;
import dev.tiergate.core.access.GrantDrift;
import dev.tiergate.core.access.Privilege;
import dev.tiergate.core.policy.DatabaseAccess;
import dev.tiergate.server.support.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * The database-access half of the backend contract (issue 25): an actor's own login, the policy's group roles and
 * their privileges, what a snapshot shows and what a revoke takes away, checked by connecting as the login and asking
 * PostgreSQL ({@code has_table_privilege}, a refused connection). Run by the {@code postgres} backend and by the
 * {@code neon} and {@code lakebase} backends on their stand-ins, which share their SQL ({@link AccessSql}).
 */
public abstract class BranchAccessContract extends BranchBackendContract {
    protected static final DatabaseAccess.Group READ =
            new DatabaseAccess.Group("app_read", List.of("select"), List.of("public"), List.of());
    protected static final DatabaseAccess.Group WRITE = new DatabaseAccess.Group(
            "app_write", List.of("select", "insert", "update", "delete"), List.of("*"), List.of());
    protected static final DatabaseAccess.Group ORDERS =
            new DatabaseAccess.Group("orders_only", List.of("select"), List.of(), List.of("public.orders"));
    protected static final List<DatabaseAccess.Group> GROUPS = List.of(READ, WRITE, ORDERS);

    /** The service's administrative role, which no actor's login may be a member of. */
    protected abstract String serviceAdminRole();

    /** The cluster the backend's branches are databases of: its superuser makes what no role of tiergate's may. */
    protected abstract TestPostgres.BranchCluster cluster();

    /** {@code sql} in {@code branch}'s database as the cluster's superuser: a change by hand, outside tiergate. */
    protected void asSuperuser(String branch, String sql) throws SQLException {
        try (Connection c = superuserOn(branch);
                Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    protected Connection superuserOn(String branch) throws SQLException {
        return DriverManager.getConnection(
                backend.connection(repo, branch).jdbcUrl(),
                cluster().user(),
                cluster().password());
    }

    /** staging with a row in inventory, an orders table with a sequence, a schema app, and the policy's groups applied. */
    protected void stagingWithAccess() throws SQLException {
        stagingWithOneRow();
        execute(
                "staging",
                "create table orders (id bigserial primary key, card text); insert into orders (card) values ('4111');"
                        + " create schema app; create table app.jobs (id int)");
        backend.applyAccess(repo, "staging", GROUPS);
        backend.tierMoved(repo, "staging");
        settled();
    }

    protected static Instant inAnHour() {
        return Instant.now().plusSeconds(3600);
    }

    /** {@code login}'s user and password on {@code where}'s host, port and database. */
    protected static Connection connectAs(BranchConnection where, BranchConnection login) throws SQLException {
        return DriverManager.getConnection(where.jdbcUrl(), login.user(), login.password());
    }

    protected static boolean can(Connection c, String table, String privilege) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select has_table_privilege('" + table + "', '" + privilege + "')")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    protected static List<String> column(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void anActorsLoginHoldsExactlyItsGroupsPrivilegesIncludingOnATableALaterMigrationCreates() throws Exception {
        stagingWithAccess();
        BranchConnection reader = backend.credential(repo, "staging", "alice", List.of("app_read"), inAnHour());
        BranchConnection orders =
                backend.credential(repo, "staging", "claude-agent", List.of("orders_only"), inAnHour());
        execute("staging", "create table later (id int)");
        backend.applyAccess(repo, "staging", GROUPS); // after every run, as the server does
        try (Connection c = connect(reader)) {
            assertTrue(can(c, "public.inventory", "select"));
            assertTrue(can(c, "public.later", "select"), "a table a later migration created");
            assertFalse(can(c, "public.inventory", "insert"));
            assertThrows(SQLException.class, () -> column(c, "select id from app.jobs"), "not its schema");
            assertEquals(
                    List.of("false"),
                    column(
                            c,
                            "select (rolsuper or rolcreaterole or rolcreatedb or rolreplication or rolbypassrls)::text"
                                    + " from pg_roles where rolname = current_user"),
                    "LOGIN and nothing more");
            assertEquals(
                    1,
                    column(
                                    c,
                                    "select roleid::text from pg_auth_members where member = (select oid from pg_roles where rolname = current_user)")
                            .size(),
                    "a member of its one group");
            assertEquals(
                    List.of("false"),
                    column(c, "select pg_has_role(current_user, '" + serviceAdminRole() + "', 'usage')::text"));
        }
        try (Connection c = connect(orders)) {
            assertTrue(can(c, "public.orders", "select"));
            assertFalse(can(c, "public.inventory", "select"), "a group of one table reads that table alone");
        }
        BranchConnection writer = backend.credential(repo, "staging", "bob", List.of("app_write"), null);
        try (Connection c = connect(writer);
                Statement st = c.createStatement()) {
            st.execute("insert into orders (card) values ('5500')"); // its sequence too
            st.execute("insert into app.jobs values (1)");
            assertThrows(SQLException.class, () -> st.execute("drop table inventory"), "schema is the migrations'");
            assertThrows(SQLException.class, () -> st.execute("create table mine (id int)"));
        }
    }

    @Test
    void aLoginConnectsToItsBranchOnly() throws Exception {
        stagingWithAccess();
        backend.create(repo, "feature-a", "staging");
        backend.create(repo, "feature-b", "staging");
        BranchConnection login = backend.credential(repo, "feature-a", "alice", List.of("app_write"), inAnHour());
        try (Connection c = connect(login)) {
            assertEquals(List.of(login.database()), column(c, "select current_database()"));
        }
        for (String other : List.of("staging", "feature-b")) {
            SQLException e = assertThrows(
                    SQLException.class,
                    () -> connectAs(backend.connection(repo, other), login).close(),
                    other);
            assertTrue(
                    e.getMessage().contains("permission denied for database")
                            || e.getMessage().contains("password authentication failed"),
                    e.getMessage());
        }
    }

    @Test
    void aLoginIsRefusedOnceItsValidUntilPasses() throws Exception {
        stagingWithAccess();
        Instant until = Instant.now().plusSeconds(2);
        BranchConnection login = backend.credential(repo, "staging", "alice", List.of("app_read"), until);
        try (Connection c = connect(login)) {
            assertTrue(can(c, "public.inventory", "select"), "valid until then");
        }
        Instant deadline = until.plusSeconds(15);
        while (true) {
            try (Connection c = connect(login)) {
                assertTrue(Instant.now().isBefore(deadline), "the login still connected 15 s after its VALID UNTIL");
                Thread.sleep(100);
            } catch (SQLException e) {
                assertTrue(e.getMessage().contains("password authentication failed"), e.getMessage());
                assertFalse(Instant.now().isBefore(until.minusSeconds(1)), "refused before its VALID UNTIL");
                break;
            }
        }
    }

    @Test
    void aSecondCredentialForTheSameActorInvalidatesTheFirstAndReplacesItsGroups() throws Exception {
        stagingWithAccess();
        BranchConnection first = backend.credential(repo, "staging", "alice", List.of("app_write"), inAnHour());
        BranchConnection second = backend.credential(repo, "staging", "alice", List.of("app_read"), inAnHour());
        assertEquals(first.user(), second.user(), "one login per actor and branch");
        assertNotEquals(first.password(), second.password());
        SQLException e =
                assertThrows(SQLException.class, () -> connect(first).close(), "the password before stops working");
        assertTrue(e.getMessage().contains("password authentication failed"), e.getMessage());
        try (Connection c = connect(second)) {
            assertTrue(can(c, "public.orders", "select"));
            assertFalse(can(c, "public.orders", "insert"), "and the groups before go too");
        }
    }

    @Test
    void applyAccessThenTheSnapshotShowsTheGroupsPrivilegesAndNoDrift() throws Exception {
        stagingWithAccess();
        backend.credential(repo, "staging", "alice", List.of("app_read"), inAnHour());
        AccessSnapshot s = backend.accessSnapshot(repo, "staging");
        assertEquals(Set.of("app", "public"), s.schemas());
        assertEquals(
                List.of("inventory", "orders"),
                s.tables().get("public").stream().sorted().toList());
        assertEquals(List.of("orders_id_seq"), s.sequences().get("public"));
        for (Privilege p : List.of(
                new Privilege("group:app_read", Privilege.Kind.SCHEMA, "public", "USAGE"),
                new Privilege("group:app_read", Privilege.Kind.TABLE, "public.inventory", "SELECT"),
                new Privilege("group:app_write", Privilege.Kind.SCHEMA, "app", "USAGE"),
                new Privilege("group:app_write", Privilege.Kind.TABLE, "app.jobs", "INSERT"),
                new Privilege("group:app_write", Privilege.Kind.SEQUENCE, "public.orders_id_seq", "USAGE"),
                new Privilege("group:orders_only", Privilege.Kind.TABLE, "public.orders", "SELECT"),
                new Privilege("login:alice", Privilege.Kind.DATABASE, "", "CONNECT"))) {
            assertTrue(s.privileges().contains(p), p + " in " + s.privileges());
        }
        assertFalse(s.privileges()
                .contains(new Privilege("group:orders_only", Privilege.Kind.TABLE, "public.inventory", "SELECT")));
        assertTrue(
                s.privileges().stream().noneMatch(p -> p.grantee().equals(Privilege.PUBLIC)),
                "PUBLIC holds nothing: " + s.privileges());
        GrantDrift.Diff d = GrantDrift.between(GROUPS, s);
        assertTrue(d.none(), d.toString());
    }

    @Test
    void revokeTakesAHandRunGrantToPublicAway() throws Exception {
        stagingWithAccess();
        BranchConnection ordersOnly =
                backend.credential(repo, "staging", "claude-agent", List.of("orders_only"), inAnHour());
        execute(
                "staging",
                "grant select on inventory to public"); // by hand: the kind of change the policy does not know
        try (Connection c = connect(ordersOnly)) {
            assertTrue(can(c, "public.inventory", "select"), "through PUBLIC");
        }
        GrantDrift.Diff d = GrantDrift.between(GROUPS, backend.accessSnapshot(repo, "staging"));
        assertEquals(
                List.of(new Privilege(Privilege.PUBLIC, Privilege.Kind.TABLE, "public.inventory", "SELECT")),
                d.extra());
        assertEquals(List.of(), d.missing());
        assertEquals(
                "revoke select on table \"public\".\"inventory\" from public;",
                backend.statement(repo, d.extra().get(0), false));
        backend.revoke(repo, "staging", d.extra());
        GrantDrift.Diff after = GrantDrift.between(GROUPS, backend.accessSnapshot(repo, "staging"));
        assertTrue(after.none(), after.toString());
        try (Connection c = connect(ordersOnly)) {
            assertFalse(can(c, "public.inventory", "select"), "PUBLIC's grant is gone");
            assertTrue(can(c, "public.orders", "select"), "the group's stays");
        }
    }

    @Test
    void aBranchDoesNotCarryItsParentsLogins() throws Exception {
        stagingWithAccess();
        BranchConnection onStaging = backend.credential(repo, "staging", "alice", List.of("app_read"), inAnHour());
        backend.create(repo, "feature-c", "staging");
        SQLException e = assertThrows(
                SQLException.class,
                () -> connectAs(backend.connection(repo, "feature-c"), onStaging)
                        .close(),
                "the parent's login, copied with the branch, reaches the child");
        assertTrue(
                e.getMessage().contains("permission denied for database")
                        || e.getMessage().contains("password authentication failed"),
                e.getMessage());
        try (Connection c = connect(onStaging)) {
            assertTrue(can(c, "public.inventory", "select"), "and still reaches its own branch");
        }
        assertTrue(
                backend.accessSnapshot(repo, "feature-c").privileges().stream()
                        .noneMatch(p -> p.kind() == Privilege.Kind.DATABASE
                                && !p.grantee().startsWith("tiergate:")),
                "nobody but the owner and the service holds anything on the child's database");
    }

    @Test
    void aRestoredTierTakesNoLoginFromBefore() throws Exception {
        stagingWithAccess();
        BranchConnection before = backend.credential(repo, "staging", "alice", List.of("app_read"), inAnHour());
        backend.snapshot(repo, "staging", "staging-backup-1");
        BranchConnection after = backend.credential(repo, "staging", "alice", List.of("app_read"), inAnHour());
        backend.restore(repo, "staging", "staging-backup-1");
        BranchConnection tier = backend.connection(repo, "staging");
        assertThrows(
                SQLException.class, () -> connectAs(tier, before).close(), "the snapshot's copy of the first password");
        assertThrows(
                SQLException.class, () -> connectAs(tier, after).close(), "the password of the moment of the restore");
        BranchConnection fresh = backend.credential(repo, "staging", "alice", List.of("app_read"), inAnHour());
        try (Connection c = connect(fresh)) {
            assertTrue(can(c, "public.inventory", "select"), "a login asked for after the restore");
        }
    }

    @Test
    void namesFromThePolicyAndActorsCannotReachSqlUnchecked() throws Exception {
        stagingWithAccess();
        DatabaseAccess.Group hostile =
                new DatabaseAccess.Group("x; drop table inventory", List.of("select"), List.of("public"), List.of());
        assertThrows(BackendException.class, () -> backend.applyAccess(repo, "staging", List.of(hostile)));
        assertThrows(
                BackendException.class,
                () -> backend.credential(
                        repo, "staging", "alice", List.of("x\"; drop table inventory; --"), inAnHour()));
        DatabaseAccess.Group odd =
                new DatabaseAccess.Group("odd", List.of("select; drop table orders"), List.of("public"), List.of());
        backend.applyAccess(repo, "staging", List.of(odd)); // an unknown privilege is left out, not run
        String actor = "o'hara\"; drop table inventory; --";
        BranchConnection login = backend.credential(repo, "staging", actor, List.of("app_read"), inAnHour());
        try (Connection c = connect(login)) {
            assertTrue(can(c, "public.inventory", "select"));
        }
        assertEquals(List.of("A-1"), codes("staging"));
        assertTrue(backend.accessSnapshot(repo, "staging")
                .privileges()
                .contains(new Privilege("login:" + actor, Privilege.Kind.DATABASE, "", "CONNECT")));
    }

    // ------------------------------------------------------------------ a revoke is all or nothing, and never guesses
    // a role

    @Test
    void aRevokeOfAnObjectNamedWithoutItsSchemaIsRefusedAndChangesNothing() throws Exception {
        stagingWithAccess();
        execute("staging", "grant select on inventory to public");
        Privilege held = new Privilege(Privilege.PUBLIC, Privilege.Kind.TABLE, "public.inventory", "SELECT");
        for (Privilege unqualified : List.of(
                new Privilege(Privilege.PUBLIC, Privilege.Kind.TABLE, "inventory", "SELECT"),
                new Privilege(Privilege.PUBLIC, Privilege.Kind.SEQUENCE, "orders_id_seq", "USAGE"))) {
            BackendException e = assertThrows(
                    BackendException.class,
                    () -> backend.revoke(repo, "staging", List.of(held, unqualified)),
                    "a clear refusal, not a StringIndexOutOfBoundsException");
            assertTrue(e.getMessage().contains("not a qualified name: " + unqualified.object()), e.getMessage());
            assertTrue(
                    backend.accessSnapshot(repo, "staging").privileges().contains(held),
                    "the privilege listed before it is still held");
        }
    }

    @Test
    void aDriftWhoseGranteeIsALabelIsNeverARevokeFromARoleOfThatName() throws Exception {
        stagingWithAccess();
        execute("staging", "grant select on inventory to public");
        Privilege publicSelect = new Privilege(Privilege.PUBLIC, Privilege.Kind.TABLE, "public.inventory", "SELECT");
        String tag = String.valueOf(
                ThreadLocalRandom.current().nextInt(100_000_000, 999_999_999)); // roles are the cluster's
        // roles named as a snapshot labels a login of this branch, one of tiergate's roles, and a role known by its oid
        // alone
        List<String> impostors = List.of("login:mallory" + tag, "tiergate:rw" + tag, "role " + tag);
        for (String name : impostors) {
            asSuperuser(
                    "staging", "create role \"" + name + "\"; grant select on public.inventory to \"" + name + "\"");
        }
        try {
            for (String name : impostors) {
                Privilege label = new Privilege(name, Privilege.Kind.TABLE, "public.inventory", "SELECT");
                assertThrows(
                        BackendException.class,
                        () -> backend.revoke(repo, "staging", List.of(publicSelect, label)),
                        name);
                try (Connection c = superuserOn("staging")) {
                    assertEquals(
                            List.of("true"),
                            column(c, "select has_table_privilege('" + name + "', 'public.inventory', 'select')::text"),
                            "the role named " + name + " keeps what it was granted");
                }
                assertTrue(
                        backend.accessSnapshot(repo, "staging").privileges().contains(publicSelect),
                        "and nothing else in the list was taken");
            }
        } finally {
            for (String name : impostors) {
                asSuperuser("staging", "drop owned by \"" + name + "\"; drop role \"" + name + "\"");
            }
        }
    }

    @Test
    void aRevokeThatFailsHalfwayLeavesEverythingAsItWas() throws Exception {
        stagingWithAccess();
        BranchConnection ordersOnly =
                backend.credential(repo, "staging", "claude-agent", List.of("orders_only"), inAnHour());
        execute("staging", "grant select on inventory to public; grant select on app.jobs to public");
        Privilege inventory = new Privilege(Privilege.PUBLIC, Privilege.Kind.TABLE, "public.inventory", "SELECT");
        Privilege jobs = new Privilege(Privilege.PUBLIC, Privilege.Kind.TABLE, "app.jobs", "SELECT");
        Privilege none = new Privilege(
                Privilege.PUBLIC, Privilege.Kind.TABLE, "public.no_such_table", "SELECT"); // fails at the server, third
        BackendException e = assertThrows(
                BackendException.class, () -> backend.revoke(repo, "staging", List.of(inventory, jobs, none)));
        assertTrue(e.getMessage().contains("no_such_table"), e.getMessage());
        Set<Privilege> held = backend.accessSnapshot(repo, "staging").privileges();
        assertTrue(
                held.contains(inventory) && held.contains(jobs),
                "the two revoked before the failure are held again: " + held);
        try (Connection c = connect(ordersOnly)) {
            assertTrue(can(c, "public.inventory", "select"), "through PUBLIC, as before the revoke");
        }
        backend.revoke(repo, "staging", List.of(inventory, jobs)); // and the same without the failing one goes through
        Set<Privilege> after = backend.accessSnapshot(repo, "staging").privileges();
        assertFalse(after.contains(inventory) || after.contains(jobs), after.toString());
    }
}
