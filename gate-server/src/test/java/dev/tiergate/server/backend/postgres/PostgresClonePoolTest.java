package dev.tiergate.server.backend.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.support.MigratorSql;
import dev.tiergate.server.support.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Ready clones per tier: a new branch is a claimed clone, and a tier that moved is never handed out as it was. */
class PostgresClonePoolTest {
    PostgresBranchBackend backend;
    RepoRef repo;

    @BeforeEach
    void start() {
        backend = TestPostgres.branchBackend("pool-secret", 2);
        repo = new RepoRef("github", null, "acme/pool-" + UUID.randomUUID());
        backend.createTier(repo, "production", null);
        backend.createTier(repo, "staging", "production");
    }

    @AfterEach
    void stop() {
        backend.close();
    }

    static void awaitReady(BranchBackend backend, String key, int n) {
        long deadline = System.currentTimeMillis() + 60_000;
        while (backend.readyClones().getOrDefault(key, 0) < n) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(
                        "the pool of " + key + " did not reach " + n + " within 60 s: " + backend.readyClones());
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** oids of this repository's pool clones of staging's template, of any copy of it (production has its own pool beside them). */
    Set<Long> poolOids() throws Exception {
        Set<Long> out = new TreeSet<>();
        try (Connection c = TestPostgres.branches().admin().getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select oid from pg_database where datname like ? "
                                + "and starts_with(shobj_description(oid, 'pg_database'), 'tiergate pool template=' || ? || ' oid=')")) {
            String template = PostgresBranchBackend.fit(PostgresBranchBackend.prefix(repo) + "_tpl_staging");
            ps.setString(1, PostgresBranchBackend.prefix(repo).replace("_", "\\_") + "\\_pool\\_%");
            ps.setString(2, template);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
        }
        return out;
    }

    long oidOf(String branch) throws Exception {
        try (Connection c = TestPostgres.branches().admin().getConnection();
                PreparedStatement ps = c.prepareStatement("select oid from pg_database where datname = ?")) {
            ps.setString(1, backend.physical(repo, branch));
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), branch + " does not exist");
                return rs.getLong(1);
            }
        }
    }

    void execute(String branch, String sql) throws Exception {
        MigratorSql.execute(backend, repo, branch, sql);
    }

    List<String> codesAsItsLogin(String branch) throws Exception {
        var login = backend.connection(repo, branch);
        try (Connection c = DriverManager.getConnection(login.jdbcUrl(), login.user(), login.password());
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select code from inventory order by code")) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }

    @Test
    void aNewBranchIsAReadyCloneRenamedOpenToItsLoginAndThePoolIsRefilled() throws Exception {
        execute("staging", "create table inventory (code text primary key); insert into inventory values ('A-1')");
        backend.tierMoved(repo, "staging");
        awaitReady(backend, repo.path() + ":staging", 2);
        Set<Long> ready = poolOids();

        backend.create(repo, "feature-f1", "staging");
        assertTrue(ready.contains(oidOf("feature-f1")), "feature-f1 is one of the ready clones " + ready);
        assertEquals(List.of("A-1"), codesAsItsLogin("feature-f1"));
        assertEquals(
                List.of("feature-f1", "production", "staging"),
                backend.list(repo).stream().sorted().toList(),
                "clones are not branches");
        awaitReady(backend, repo.path() + ":staging", 2);
    }

    @Test
    void afterTheTierMovesOnlyClonesOfItsNewContentAreHandedOutAndTheOldOnesAreDropped() throws Exception {
        execute("staging", "create table inventory (code text primary key); insert into inventory values ('A-1')");
        backend.tierMoved(repo, "staging");
        awaitReady(backend, repo.path() + ":staging", 2);
        Set<Long> before = poolOids();

        execute("staging", "insert into inventory values ('B-2')");
        backend.tierMoved(repo, "staging");
        backend.create(repo, "feature-f2", "staging"); // right away: a clone from before must not be taken
        assertFalse(before.contains(oidOf("feature-f2")));
        assertEquals(List.of("A-1", "B-2"), codesAsItsLogin("feature-f2"));

        awaitReady(backend, repo.path() + ":staging", 2);
        long deadline = System.currentTimeMillis() + 60_000;
        while (poolOids().stream().anyMatch(before::contains)) {
            assertTrue(System.currentTimeMillis() < deadline, "clones of the old template were not dropped");
            Thread.sleep(25);
        }
    }

    @Test
    void withThePoolOffNothingIsCopiedAhead() throws Exception {
        try (PostgresBranchBackend off = TestPostgres.branchBackend("pool-secret", 0)) {
            RepoRef other = new RepoRef("github", null, "acme/nopool-" + UUID.randomUUID());
            off.createTier(other, "production", null);
            off.createTier(other, "staging", "production");
            off.create(other, "feature-f1", "staging");
            assertTrue(off.exists(other, "feature-f1"));
            assertTrue(off.readyClones().isEmpty());
            try (Connection c = TestPostgres.branches().admin().getConnection();
                    PreparedStatement ps =
                            c.prepareStatement("select count(*) from pg_database where datname like ?")) {
                ps.setString(1, PostgresBranchBackend.prefix(other).replace("_", "\\_") + "\\_pool\\_%");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertEquals(0, rs.getInt(1));
                }
            }
        }
    }

    /**
     * A reset with a ready clone is a swap: the clone takes the branch's name and the old database, renamed into a
     * stale clone, is dropped by the pool's refill in the background. A session left on the old database is ended.
     */
    @Test
    void aResetSwapsInAReadyCloneAndTheOldDatabaseIsDroppedInTheBackground() throws Exception {
        execute("staging", "create table inventory (code text primary key); insert into inventory values ('A-1')");
        backend.tierMoved(repo, "staging");
        awaitReady(backend, repo.path() + ":staging", 2);
        backend.create(repo, "ci-pr-7", "staging");
        awaitReady(backend, repo.path() + ":staging", 2);
        long before = oidOf("ci-pr-7");
        Set<Long> ready = poolOids();
        var login = backend.connection(repo, "ci-pr-7");
        try (Connection left = DriverManager.getConnection(login.jdbcUrl(), login.user(), login.password())) {
            backend.reset(repo, "ci-pr-7", "staging");
            assertFalse(left.isValid(2), "the session on the old database was ended");
        }
        long after = oidOf("ci-pr-7");
        assertTrue(ready.contains(after), "ci-pr-7 is now one of the ready clones " + ready);
        assertEquals(List.of("A-1"), codesAsItsLogin("ci-pr-7"), "the branch's login connects to the new database");
        long deadline = System.currentTimeMillis() + 60_000;
        while (databaseWithOid(before)) {
            assertTrue(
                    System.currentTimeMillis() < deadline,
                    "the old database (oid " + before + ") was not dropped within 60 s");
            Thread.sleep(25);
        }
        awaitReady(backend, repo.path() + ":staging", 2);
        assertEquals(
                List.of("ci-pr-7", "production", "staging"),
                backend.list(repo).stream().sorted().toList());
    }

    boolean databaseWithOid(long oid) throws Exception {
        try (Connection c = TestPostgres.branches().admin().getConnection();
                PreparedStatement ps = c.prepareStatement("select 1 from pg_database where oid = ?")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * A claimed or swapped-in clone is closed to PUBLIC in the same transaction that opens it: other branches' logins
     * (which may read and write any database they can connect to) never get a moment in it, even if the server dies
     * before the branch's own login is granted.
     */
    @Test
    void aClaimedCloneIsClosedToPublicInTheTransactionThatOpensIt() throws Exception {
        var admin = TestPostgres.branches().admin();
        String prefix = PostgresBranchBackend.prefix(repo);
        String template = PostgresBranchBackend.fit(prefix + "_tpl_raw");
        try (Connection c = admin.getConnection();
                Statement st = c.createStatement()) {
            st.execute("create database \"" + template + "\" is_template true");
        }
        try (ClonePool pool = new ClonePool(admin, 1)) {
            pool.refill(template);
            String target = PostgresBranchBackend.fit(prefix + "_raw_claimed");
            assertTrue(pool.claim(template, target, "tiergate branch parent=raw"));
            assertFalse(publicMayConnect(target), "PUBLIC may connect to the claimed clone");
            pool.refill(template);
            assertTrue(pool.swap(template, target, "tiergate branch parent=raw"));
            assertFalse(publicMayConnect(target), "PUBLIC may connect to the swapped-in clone");
        } finally {
            try (Connection c = admin.getConnection();
                    Statement st = c.createStatement()) {
                st.execute("alter database \"" + template + "\" is_template false");
                st.execute("drop database \"" + template + "\" with (force)");
                st.execute("drop database if exists \"" + PostgresBranchBackend.fit(prefix + "_raw_claimed")
                        + "\" with (force)");
            }
        }
    }

    boolean publicMayConnect(String db) throws Exception {
        try (Connection c = TestPostgres.branches().admin().getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "select has_database_privilege('public', oid, 'CONNECT') from pg_database where datname = ?")) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), db + " does not exist");
                return rs.getBoolean(1);
            }
        }
    }
}
