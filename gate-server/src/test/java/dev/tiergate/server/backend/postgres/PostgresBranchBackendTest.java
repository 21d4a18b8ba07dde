package dev.tiergate.server.backend.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.backend.BackendException;
import dev.tiergate.server.forge.RepoRef;
import dev.tiergate.server.support.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PostgresBranchBackendTest {
    PostgresBranchBackend backend;
    RepoRef repo;

    @BeforeEach
    void setUp() {
        backend = new PostgresBranchBackend(TestPostgres.server().getPostgresDatabase(),
                "jdbc:postgresql://localhost:" + TestPostgres.server().getPort() + "/");
        repo = new RepoRef("github", null, "acme/" + UUID.randomUUID());
    }

    Connection connect(String branch) throws Exception {
        return DriverManager.getConnection(backend.connectionUrl(repo, branch), "postgres", null);
    }

    @Test
    void branchIsACopyOfItsTierAndLeavesTheTierUsable() throws Exception {
        backend.createTier(repo, "production", null);
        backend.createTier(repo, "staging", "production");
        try (Connection tier = connect("staging"); Statement st = tier.createStatement()) {
            st.execute("create table inventory (code text); insert into inventory values ('A-1')");
        }
        backend.refreshTemplate(repo, "staging"); // after a migration reached the tier
        try (Connection tier = connect("staging")) {
            // the tier stays in use (this connection is open) while a branch is cut from its idle template
            backend.create(repo, "feature-f1", "staging");
        }
        try (Connection c = connect("feature-f1"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select code from inventory")) {
            assertTrue(rs.next());
            assertEquals("A-1", rs.getString(1));
        }
        assertEquals(List.of("feature-f1", "production", "staging"), backend.list(repo));
        backend.create(repo, "feature-f1", "staging"); // idempotent
        backend.delete(repo, "feature-f1");
        backend.delete(repo, "feature-f1"); // idempotent
        assertFalse(backend.exists(repo, "feature-f1"));
        assertEquals(List.of("production", "staging"), backend.list(repo));
    }

    @Test
    void failedCreateLeavesNothingBehind() {
        BackendException e = assertThrows(BackendException.class, () -> backend.create(repo, "feature-x", "staging"));
        assertTrue(e.getMessage().contains("its parent 'staging' does not exist"), e.getMessage());
        assertFalse(backend.exists(repo, "feature-x"));
        assertTrue(backend.list(repo).isEmpty());
    }

    @Test
    void repositoriesSharingOneServerAreKeptApart() {
        RepoRef other = new RepoRef("github", null, "acme/other-" + UUID.randomUUID());
        backend.create(repo, "production", null);
        backend.create(other, "production", null);
        backend.delete(other, "production");
        assertTrue(backend.exists(repo, "production"));
        assertFalse(backend.physical(repo, "x".repeat(80)).length() > 63);
    }
}
