package dev.tiergate.server.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.support.MigratorSql;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link BranchBackend} promises, run against each one: {@code postgres} on the embedded PostgreSQL,
 * {@code neon} and {@code lakebase} against their HTTP stand-ins, whose branches are real databases on the same
 * embedded server, so "connection details that work" is checked by connecting and querying.
 *
 * <p>A subclass supplies a fresh backend per test, a repository, and the name of the production (root) tier as the
 * backend knows it before any call ({@link #rootTier()}).
 */
public abstract class BranchBackendContract {
    protected BranchBackend backend;
    protected RepoRef repo;

    /** A backend on a fresh system (a fresh project, or a fresh repository prefix). */
    protected abstract BranchBackend newBackend();

    protected abstract RepoRef newRepo();

    /** The production tier's tiergate name; it is created (postgres) or adopted (neon, lakebase) by createTier. */
    protected String rootTier() {
        return "production";
    }

    @BeforeEach
    void startBackend() {
        backend = newBackend();
        repo = newRepo();
        backend.createTier(repo, rootTier(), null);
    }

    @AfterEach
    void closeBackend() {
        backend.close();
    }

    protected static Connection connect(BranchConnection c) throws SQLException {
        return DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
    }

    protected void execute(String branch, String sql) throws SQLException {
        MigratorSql.execute(backend, repo, branch, sql);
    }

    protected List<String> codes(String branch) throws SQLException {
        try (Connection c = connect(backend.connection(repo, branch));
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select code from inventory order by code")) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }

    /** staging, a protected tier holding one row, cut from the root tier. */
    protected void stagingWithOneRow() throws SQLException {
        backend.createTier(repo, "staging", rootTier());
        execute("staging", "create table inventory (code text primary key); insert into inventory values ('A-1')");
        backend.tierMoved(repo, "staging");
        settled();
    }

    /** After a tier changed: backends that prepare copies in the background wait for them here (default: nothing). */
    protected void settled() throws SQLException {}

    @Test
    void aBranchIsACopyOfItsParentAsItIsNow() throws Exception {
        stagingWithOneRow();
        backend.create(repo, "feature-f1", "staging");
        assertEquals(List.of("A-1"), codes("feature-f1"));
        execute("feature-f1", "insert into inventory values ('B-2')");
        assertEquals(List.of("A-1"), codes("staging"), "a write to the branch leaves its parent as it was");
        assertEquals(List.of("A-1", "B-2"), codes("feature-f1"));
    }

    @Test
    void existsAndListNameTheBranchesTiergateMade() throws Exception {
        stagingWithOneRow();
        assertFalse(backend.exists(repo, "feature-f1"));
        backend.create(repo, "feature-f1", "staging");
        assertTrue(backend.exists(repo, "feature-f1"));
        assertTrue(backend.exists(repo, "staging"));
        assertTrue(backend.exists(repo, rootTier()));
        List<String> names = backend.list(repo);
        assertTrue(names.containsAll(List.of(rootTier(), "staging", "feature-f1")), names.toString());
        assertEquals(3, names.size(), names.toString());
    }

    /** One branch's size is what the list of all sizes says of it (the run's bound is taken from the one), and none for a missing one. */
    @Test
    void oneBranchsSizeIsTheSizeTheListGivesIt() throws Exception {
        stagingWithOneRow();
        backend.create(repo, "feature-f1", "staging");
        Map<String, Long> all = backend.sizes(repo);
        for (String name : List.of("staging", "feature-f1")) {
            assertEquals(Optional.ofNullable(all.get(name)), backend.size(repo, name), name);
        }
        assertEquals(Optional.empty(), backend.size(repo, "feature-nowhere"));
    }

    @Test
    void theConnectionDetailsHandedOutConnectToThatBranch() throws Exception {
        stagingWithOneRow();
        backend.create(repo, "feature-f1", "staging");
        BranchConnection login = backend.connection(repo, "feature-f1");
        assertNotNull(login.host());
        if (login.password() != null) {
            assertFalse(login.toString().contains(login.password()), "no password in toString: " + login);
        }
        try (Connection c = connect(login);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select current_database(), count(*) from inventory")) {
            assertTrue(rs.next());
            assertEquals(login.database(), rs.getString(1));
            assertEquals(1, rs.getInt(2));
        }
        BranchConnection tier = backend.connection(repo, "staging");
        assertFalse(
                tier.database().equals(login.database())
                        && tier.host().equals(login.host())
                        && tier.port() == login.port(),
                "the branch and its parent are different databases: " + tier + " " + login);
    }

    @Test
    void deleteRemovesTheBranchAndIsIdempotent() throws Exception {
        stagingWithOneRow();
        backend.create(repo, "feature-f1", "staging");
        backend.delete(repo, "feature-f1");
        assertFalse(backend.exists(repo, "feature-f1"));
        assertFalse(backend.list(repo).contains("feature-f1"));
        backend.delete(repo, "feature-f1");
        assertFalse(backend.exists(repo, "feature-f1"));
        assertEquals(List.of("A-1"), codes("staging"), "deleting a branch leaves its parent");
    }

    @Test
    void createIsIdempotentAndKeepsWhatTheBranchHolds() throws Exception {
        stagingWithOneRow();
        backend.create(repo, "feature-f1", "staging");
        execute("feature-f1", "insert into inventory values ('B-2')");
        backend.create(repo, "feature-f1", "staging");
        assertEquals(List.of("A-1", "B-2"), codes("feature-f1"), "a second create is a no-op, not a reset");
        assertEquals(1, backend.list(repo).stream().filter("feature-f1"::equals).count());
    }

    @Test
    void aSnapshotKeepsTheTierAsItWasAndRestoreBringsItBack() throws Exception {
        stagingWithOneRow();
        backend.snapshot(repo, "staging", "staging-backup-1");
        execute("staging", "drop table inventory");
        backend.restore(repo, "staging", "staging-backup-1");
        assertEquals(List.of("A-1"), codes("staging"));
        backend.create(repo, "feature-c", "staging");
        assertEquals(List.of("A-1"), codes("feature-c"), "a branch cut after the restore sees the restored tier");
        BackendException missing =
                assertThrows(BackendException.class, () -> backend.restore(repo, "staging", "staging-backup-9"));
        assertTrue(missing.getMessage().contains("staging-backup-9"), missing.getMessage());
    }

    @Test
    void aCreateThatFailedLeavesNothingHalfMade() throws Exception {
        List<String> before = backend.list(repo);
        BackendException e = assertThrows(BackendException.class, () -> backend.create(repo, "feature-x", "staging"));
        assertTrue(e.getMessage().contains("feature-x") && e.getMessage().contains("staging"), e.getMessage());
        assertFalse(backend.exists(repo, "feature-x"));
        assertEquals(before, backend.list(repo));
        stagingWithOneRow();
        backend.create(repo, "feature-x", "staging");
        assertEquals(List.of("A-1"), codes("feature-x"), "the same create succeeds once its parent is there");
    }

    @Test
    void aProtectedTierIsNeverDeleted() throws Exception {
        stagingWithOneRow();
        BackendException e = assertThrows(BackendException.class, () -> backend.delete(repo, "staging"));
        assertTrue(e.getMessage().contains("'staging'") && e.getMessage().contains("protected"), e.getMessage());
        assertTrue(backend.exists(repo, "staging"));
        assertEquals(List.of("A-1"), codes("staging"));
        BackendException root = assertThrows(BackendException.class, () -> backend.delete(repo, rootTier()));
        assertTrue(root.getMessage().contains("protected"), root.getMessage());
        assertTrue(backend.exists(repo, rootTier()));
    }

    @Test
    void resetMakesTheBranchAFreshCopyOfItsParentAsItIsNowAndItsLoginStillConnects() throws Exception {
        stagingWithOneRow();
        backend.create(repo, "ci-pr-1", "staging");
        execute("ci-pr-1", "insert into inventory values ('B-2')");
        execute("staging", "insert into inventory values ('C-3')");
        backend.tierMoved(repo, "staging");
        settled();
        backend.reset(repo, "ci-pr-1", "staging");
        assertEquals(
                List.of("A-1", "C-3"),
                codes("ci-pr-1"),
                "the branch's own row is gone and the tier's new one is there");
        assertEquals(List.of("A-1", "C-3"), codes("staging"));
        assertEquals(
                1,
                backend.list(repo).stream().filter("ci-pr-1"::equals).count(),
                backend.list(repo).toString());
        execute("staging", "insert into inventory values ('D-4')");
        backend.tierMoved(repo, "staging");
        settled();
        backend.reset(repo, "ci-pr-1", "staging");
        assertEquals(List.of("A-1", "C-3", "D-4"), codes("ci-pr-1"), "a second reset takes the tier as it is then");
    }

    @Test
    void resetRefusesAProtectedTierAndLeavesItAsItWas() throws Exception {
        stagingWithOneRow();
        BackendException e = assertThrows(BackendException.class, () -> backend.reset(repo, "staging", rootTier()));
        assertTrue(e.getMessage().contains("'staging'") && e.getMessage().contains("protected"), e.getMessage());
        assertEquals(List.of("A-1"), codes("staging"));
    }

    @Test
    void aBranchWithChildrenIsNotDeletedBeforeItsChildren() throws Exception {
        stagingWithOneRow();
        backend.create(repo, "feature-a", "staging");
        backend.create(repo, "feature-a-fix", "feature-a");
        BackendException e = assertThrows(BackendException.class, () -> backend.delete(repo, "feature-a"));
        assertTrue(e.getMessage().contains("'feature-a'") && e.getMessage().contains("feature-a-fix"), e.getMessage());
        assertTrue(backend.exists(repo, "feature-a"));
        backend.delete(repo, "feature-a-fix");
        backend.delete(repo, "feature-a");
        assertFalse(backend.exists(repo, "feature-a"));
    }
}
