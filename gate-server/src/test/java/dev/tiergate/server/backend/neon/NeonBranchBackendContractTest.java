package dev.tiergate.server.backend.neon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.backend.BackendException;
import dev.tiergate.server.backend.BranchAccessContract;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.support.NeonApiStub;
import dev.tiergate.server.support.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The branch backend contract and its database-access half on the Neon stand-in, then what is Neon's own: expiry,
 * operations, faults, its owner role, and the calls the backend makes for access (none to Neon's role API).
 */
class NeonBranchBackendContractTest extends BranchAccessContract {
    static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
    NeonApiStub neon;
    final List<Duration> sleeps = new CopyOnWriteArrayList<>();

    @Override
    protected BranchBackend newBackend() {
        neon = new NeonApiStub();
        return backendWith(NeonApiStub.KEY);
    }

    NeonBranchBackend backendWith(String key) {
        NeonSettings s = NeonSettings.of(neon.apiUrl(), key, NeonApiStub.PROJECT)
                .withPolling(Duration.ofMillis(1), Duration.ofMillis(50))
                .withRetries(4, Duration.ofMillis(1));
        return new NeonBranchBackend(s, sleeps::add, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Override
    protected String serviceAdminRole() {
        return NeonApiStub.ADMIN_ROLE;
    }

    @Override
    protected TestPostgres.BranchCluster cluster() {
        return TestPostgres.cloud("neon");
    }

    @Override
    protected RepoRef newRepo() {
        return new RepoRef("github", null, "acme/shop");
    }

    @AfterEach
    void stopStub() {
        neon.close();
    }

    @Test
    void theProductionTierIsTheProjectsDefaultBranchAdoptedNotCreated() {
        assertEquals(List.of("main"), neon.branchNames(), "no branch was made for the root tier");
        assertEquals(List.of("production"), backend.list(repo));
        assertTrue(backend.exists(repo, "production"));
    }

    @Test
    void tiersAreProtectedAndWorkingBranchesExpire() throws Exception {
        stagingWithOneRow();
        backend.create(repo, "feature-f1", "staging");
        Map<String, Object> staging = neon.branchByName("staging");
        Map<String, Object> feature = neon.branchByName("feature-f1");
        assertEquals(true, staging.get("protected"));
        assertNull(staging.get("expires_at"), "a tier lives as long as the project");
        assertEquals(false, feature.get("protected"));
        assertEquals("2026-12-26T10:00:00Z", feature.get("expires_at"), "30 days from now");
        assertEquals(neon.branchByName("staging").get("id"), feature.get("parent_id"));
    }

    @Test
    void anOperationThatFailsIsReportedAndLeavesNothingBehind() throws Exception {
        stagingWithOneRow();
        neon.failNextOperation("compute quota exceeded");
        BackendException e = assertThrows(BackendException.class, () -> backend.create(repo, "feature-f1", "staging"));
        assertTrue(
                e.getMessage().contains("create database branch 'feature-f1' from 'staging'")
                        && e.getMessage().contains("(create_branch) failed: compute quota exceeded"),
                e.getMessage());
        assertFalse(
                neon.branchNames().contains("feature-f1"), neon.branchNames().toString());
        backend.create(repo, "feature-f1", "staging");
        assertEquals(List.of("A-1"), codes("feature-f1"));
    }

    @Test
    void anOperationThatOutlastsTheBoundIsReported() throws Exception {
        stagingWithOneRow();
        neon.operationPolls = 1000;
        BackendException e = assertThrows(BackendException.class, () -> backend.create(repo, "feature-f1", "staging"));
        assertTrue(e.getMessage().contains("is still running after"), e.getMessage());
    }

    @Test
    void rateLimitsAndServerErrorsAreRetriedWaitingWhatRetryAfterSays() throws Exception {
        stagingWithOneRow();
        sleeps.clear();
        neon.failNext(1, 429, Map.of("Retry-After", "7"), "{\"message\":\"rate limit exceeded\"}");
        neon.failNext(1, 503, Map.of(), "{\"message\":\"unavailable\"}");
        backend.create(repo, "feature-f1", "staging");
        assertTrue(backend.exists(repo, "feature-f1"));
        assertEquals(Duration.ofSeconds(7), sleeps.get(0), sleeps.toString());
        assertEquals(Duration.ofMillis(2), sleeps.get(1), "then exponential backoff: " + sleeps);
    }

    @Test
    void retriesAreBounded() {
        neon.failPath("/branches$", 503, Map.of(), "{\"message\":\"unavailable\"}");
        BackendException e = assertThrows(BackendException.class, () -> backend.list(repo));
        assertTrue(e.getMessage().contains("after 4 attempts: Neon answered 503: unavailable"), e.getMessage());
    }

    @Test
    void aPermissionErrorSaysWhatTheKeyLacks() {
        neon.failPath("/branches$", 403, Map.of(), "{\"code\":\"\",\"message\":\"not allowed\"}");
        BackendException e =
                assertThrows(BackendException.class, () -> backend.create(repo, "feature-f1", "production"));
        assertTrue(
                e.getMessage().contains("the API key lacks the permission (403: not allowed)")
                        && e.getMessage().contains("proj-stub-1"),
                e.getMessage());
        neon.heal();
        BranchBackend stranger = backendWith("wrong-key");
        BackendException refused = assertThrows(BackendException.class, () -> stranger.list(repo));
        assertTrue(
                refused.getMessage().contains("Neon refused the API key (401")
                        && refused.getMessage().contains("TIERGATE_NEON_API_KEY")
                        && !refused.getMessage().contains("wrong-key"),
                refused.getMessage());
    }

    @Test
    void theParentHandedBackAsTheNewBranchIsRefusedAndTheHalfMadeBranchRemoved() throws Exception {
        stagingWithOneRow();
        neon.handBackParentOnNextCreate();
        BackendException e = assertThrows(BackendException.class, () -> backend.create(repo, "feature-f1", "staging"));
        assertTrue(
                e.getMessage()
                                .contains(
                                        "refused the branch Neon handed back: asked for 'feature-f1' cut from 'staging'")
                        && e.getMessage().contains("which is the parent itself"),
                e.getMessage());
        assertFalse(neon.branchNames().contains("feature-f1"));
        assertEquals(List.of("A-1"), codes("staging"));
    }

    @Test
    void anotherBranchsEndpointIsRefused() throws Exception {
        stagingWithOneRow();
        neon.handBackForeignEndpointOnNextCreate();
        BackendException e = assertThrows(BackendException.class, () -> backend.create(repo, "feature-f1", "staging"));
        assertTrue(
                e.getMessage().contains("with endpoint") && e.getMessage().contains("of branch br-staging"),
                e.getMessage());
        assertFalse(neon.branchNames().contains("feature-f1"));
    }

    @Test
    void aConnectionUriNamingAnotherHostIsRefused() throws Exception {
        stagingWithOneRow();
        neon.nextConnectionUriHost(
                "ep-parent.us-east-2.aws.neon.tech"); // asked for by the create, to take the parent's logins away
        BackendException e = assertThrows(BackendException.class, () -> backend.create(repo, "feature-f1", "staging"));
        assertTrue(
                e.getMessage().contains("names host ep-parent.us-east-2.aws.neon.tech")
                        && e.getMessage().contains("is localhost"),
                e.getMessage());
        assertFalse(neon.branchNames().contains("feature-f1"), "the half-made branch is gone: " + neon.branchNames());
    }

    @Test
    void aBranchWithChildrenIsRefusedBeforeAnyDeleteIsSent() throws Exception {
        stagingWithOneRow();
        backend.create(repo, "feature-a", "staging");
        backend.create(repo, "feature-a-fix", "feature-a");
        neon.resetCounts();
        assertThrows(BackendException.class, () -> backend.delete(repo, "feature-a"));
        assertEquals(0, neon.writes(), neon.requestsByRoute().toString());
    }

    @Test
    void restoreKeepsThePreviousStateAndTheChildrenUnderANewName() throws Exception {
        stagingWithOneRow();
        backend.create(repo, "feature-a", "staging");
        backend.snapshot(repo, "staging", "staging-backup-1");
        backend.restore(repo, "staging", "staging-backup-1");
        String kept = "staging-pre-restore-" + NOW.getEpochSecond();
        assertTrue(neon.branchNames().contains(kept), neon.branchNames().toString());
        assertEquals(
                neon.branchByName(kept).get("id"),
                neon.branchByName("feature-a").get("parent_id"));
        assertEquals(true, neon.branchByName("staging").get("protected"));
    }

    @Test
    void theBranchOwnerIsNeonsOwnerRoleAMemberOfNeonSuperuserAndNoSuperuser() throws Exception {
        try (Connection c = connect(backend.connection(repo, "production"))) {
            assertEquals(
                    List.of(NeonApiStub.ROLE + " false true true"),
                    column(
                            c,
                            "select current_user || ' ' || rolsuper || ' ' || rolcreaterole"
                                    + " || ' ' || pg_has_role(current_user, 'neon_superuser', 'member') from pg_roles where rolname = current_user"));
            SQLException e = assertThrows(SQLException.class, () -> column(c, "create role tg_probe superuser"));
            assertTrue(e.getMessage().contains("SUPERUSER attribute"), e.getMessage());
        }
    }

    @Test
    void accessIsSqlAsTheOwnerAndNeverNeonsRoleApi() throws Exception {
        stagingWithAccess();
        neon.resetCounts();
        backend.create(repo, "feature-a", "staging");
        assertEquals(
                Map.of(
                        "GET /projects/{project_id}/branches",
                        1L,
                        "POST /projects/{project_id}/branches",
                        1L,
                        "GET /projects/{project_id}/operations/{operation_id}",
                        2L,
                        "GET /projects/{project_id}/branches/{branch_id}/databases",
                        1L,
                        "GET /projects/{project_id}/connection_uri",
                        1L),
                neon.requestsByRoute(),
                "a create, then the owner's connection to take the parent's logins away (kept for later)");
        neon.resetCounts();
        backend.credential(repo, "feature-a", "alice", List.of("app_write"), inAnHour());
        backend.applyAccess(repo, "feature-a", GROUPS);
        backend.accessSnapshot(repo, "feature-a");
        backend.revoke(repo, "feature-a", List.of());
        assertEquals(
                Map.of("GET /projects/{project_id}/branches", 3L),
                neon.requestsByRoute(),
                "each finds the branch by name; the rest is SQL: no POST .../roles, no reset_password, no reveal_password");
    }
}
