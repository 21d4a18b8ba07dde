package dev.tiergate.server.backend.lakebase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.databricks.sdk.core.ApiClient;
import com.databricks.sdk.core.DatabricksConfig;
import com.databricks.sdk.core.DatabricksError;
import com.databricks.sdk.service.postgres.Branch;
import com.databricks.sdk.service.postgres.BranchSpec;
import com.databricks.sdk.service.postgres.CreateBranchRequest;
import com.databricks.sdk.service.postgres.PostgresAPI;
import dev.tiergate.core.access.GrantDrift;
import dev.tiergate.core.access.Privilege;
import dev.tiergate.server.backend.BackendException;
import dev.tiergate.server.backend.BranchAccessContract;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.support.LakebaseApiStub;
import dev.tiergate.server.support.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The branch backend contract and its database-access half on the Lakebase stand-in through the Databricks SDK, then
 * Lakebase's own cases: expiration policies, OAuth, operations, faults, the owner's role, and the calls the backend
 * makes for access (none to the postgres API's roles).
 */
class LakebaseBranchBackendContractTest extends BranchAccessContract {
    LakebaseApiStub lakebase;
    final List<Duration> sleeps = new CopyOnWriteArrayList<>();

    @Override
    protected BranchBackend newBackend() {
        lakebase = new LakebaseApiStub();
        return withCredentials(null, null, LakebaseApiStub.TOKEN);
    }

    LakebaseBranchBackend withCredentials(String clientId, String secret, String token) {
        LakebaseSettings s = LakebaseSettings.of(lakebase.url(), LakebaseApiStub.PROJECT, clientId, secret, token)
                .withPolling(Duration.ofMillis(1), Duration.ofMillis(50))
                .withRetries(4, Duration.ofMillis(1))
                .withPostgresPort(lakebase.postgresPort());
        return new LakebaseBranchBackend(s, sleeps::add, Clock.systemUTC());
    }

    @Override
    protected String serviceAdminRole() {
        return LakebaseApiStub.ADMIN_ROLE;
    }

    @Override
    protected TestPostgres.BranchCluster cluster() {
        return TestPostgres.cloud("lakebase");
    }

    @Override
    protected RepoRef newRepo() {
        return new RepoRef("github", null, "acme/shop");
    }

    @AfterEach
    void stopStub() {
        lakebase.close();
    }

    @Test
    void everyBranchCarriesAnExpirationPolicyTiersNoExpiryWorkingBranchesATtl() throws Exception {
        stagingWithOneRow();
        backend.create(repo, "feature-f1", "staging");
        assertTrue(lakebase.noExpiryOf("staging"));
        assertNull(lakebase.ttlOf("staging"));
        assertEquals(
                "2592000s",
                lakebase.ttlOf("feature-f1"),
                lakebase.createBodies().toString());
        assertEquals(
                List.of("feature-f1", "production", "staging"),
                lakebase.branchIds(),
                "the production tier is adopted, not created");
    }

    @Test
    void theServiceRefusesABranchWithoutAnExpirationPolicy() {
        var sdk = new PostgresAPI(new ApiClient(new DatabricksConfig()
                .setHost(lakebase.url())
                .setAuthType("pat")
                .setToken(LakebaseApiStub.TOKEN)));
        var e = assertThrows(
                DatabricksError.class,
                () -> sdk.createBranch(new CreateBranchRequest()
                        .setParent("projects/shop")
                        .setBranchId("no-policy")
                        .setBranch(new Branch()
                                .setSpec(new BranchSpec().setSourceBranch("projects/shop/branches/production")))));
        assertTrue(e.getMessage().contains("one of expire_time, ttl, or no_expiry must be provided"), e.getMessage());
        assertFalse(lakebase.branchIds().contains("no-policy"));
    }

    @Test
    void oauthMachineToMachineCredentialsWorkAndTheirIdentityIsTheLogin() throws Exception {
        BranchBackend sp = withCredentials(LakebaseApiStub.CLIENT_ID, LakebaseApiStub.CLIENT_SECRET, null);
        sp.create(repo, "feature-sp", "production");
        assertEquals(
                LakebaseApiStub.CLIENT_ID, sp.connection(repo, "feature-sp").user());
        try (var c = connect(sp.connection(repo, "feature-sp"))) {
            assertTrue(c.isValid(2));
        }
        BranchBackend wrong = withCredentials(LakebaseApiStub.CLIENT_ID, "not-the-secret", null);
        BackendException e = assertThrows(BackendException.class, () -> wrong.list(repo));
        assertTrue(
                e.getMessage().contains("service principal " + LakebaseApiStub.CLIENT_ID)
                        && !e.getMessage().contains("not-the-secret"),
                e.getMessage());
    }

    @Test
    void anOperationThatFailsIsReportedAndLeavesNothingBehind() throws Exception {
        stagingWithOneRow();
        lakebase.failNextOperation("RESOURCE_EXHAUSTED", "branch limit reached");
        BackendException e = assertThrows(BackendException.class, () -> backend.create(repo, "feature-f1", "staging"));
        assertTrue(
                e.getMessage().contains("create database branch 'feature-f1' from 'staging'")
                        && e.getMessage().contains("failed: RESOURCE_EXHAUSTED: branch limit reached"),
                e.getMessage());
        assertFalse(
                lakebase.branchIds().contains("feature-f1"),
                lakebase.branchIds().toString());
        backend.create(repo, "feature-f1", "staging");
        assertEquals(List.of("A-1"), codes("feature-f1"));
    }

    @Test
    void aHalfMadeTierIsUnprotectedAndRemoved() throws Exception {
        lakebase.operationPolls = 0;
        lakebase.failNextOperation("INTERNAL_ERROR", "storage unavailable");
        assertThrows(BackendException.class, () -> backend.createTier(repo, "staging", "production"));
        assertFalse(
                lakebase.branchIds().contains("staging"), lakebase.branchIds().toString());
    }

    @Test
    void anOperationThatOutlastsTheBoundIsReported() {
        lakebase.operationPolls = 1000;
        BackendException e =
                assertThrows(BackendException.class, () -> backend.create(repo, "feature-f1", "production"));
        assertTrue(e.getMessage().contains("is not done after"), e.getMessage());
    }

    @Test
    void rateLimitsAreRetriedWaitingWhatRetryAfterSaysAndServerErrorsWithBackoff() {
        sleeps.clear();
        lakebase.failNext(
                1,
                429,
                Map.of("Retry-After", "7"),
                "{\"error_code\":\"REQUEST_LIMIT_EXCEEDED\",\"message\":\"slow down\"}");
        lakebase.failNext(1, 503, Map.of(), "{\"error_code\":\"TEMPORARILY_UNAVAILABLE\",\"message\":\"try later\"}");
        backend.create(repo, "feature-f1", "production");
        assertTrue(backend.exists(repo, "feature-f1"));
        assertEquals(Duration.ofSeconds(7), sleeps.get(0), sleeps.toString());
    }

    @Test
    void retriesAreBounded() {
        lakebase.failPath(
                "/branches$", 503, Map.of(), "{\"error_code\":\"TEMPORARILY_UNAVAILABLE\",\"message\":\"down\"}");
        BackendException e = assertThrows(BackendException.class, () -> backend.list(repo));
        assertTrue(e.getMessage().contains("list the branches of Lakebase project shop"), e.getMessage());
    }

    @Test
    void credentialsWithCanUseOnlyAreToldTheyNeedCanManage() {
        lakebase.canManage = false;
        BackendException e =
                assertThrows(BackendException.class, () -> backend.create(repo, "feature-f1", "production"));
        assertTrue(
                e.getMessage().contains("the user of TIERGATE_LAKEBASE_TOKEN lacks the permission")
                        && e.getMessage().contains("needs CAN MANAGE on the project (CAN USE is not enough)"),
                e.getMessage());
        assertTrue(backend.exists(repo, "production"), "reading still works with CAN USE");
    }

    @Test
    void theParentHandedBackAsTheNewBranchIsRefusedAndTheHalfMadeBranchRemoved() throws Exception {
        stagingWithOneRow();
        lakebase.handBackParentOnNextCreate();
        BackendException e = assertThrows(BackendException.class, () -> backend.create(repo, "feature-f1", "staging"));
        assertTrue(
                e.getMessage()
                                .contains(
                                        "refused the branch Lakebase handed back: asked for projects/shop/branches/feature-f1")
                        && e.getMessage().contains("which is the parent itself"),
                e.getMessage());
        assertFalse(lakebase.branchIds().contains("feature-f1"));
        assertEquals(List.of("A-1"), codes("staging"));
    }

    @Test
    void aBranchWithChildrenIsRefusedBeforeAnyDeleteIsSent() throws Exception {
        backend.create(repo, "feature-a", "production");
        backend.create(repo, "feature-a-fix", "feature-a");
        lakebase.resetCounts();
        assertThrows(BackendException.class, () -> backend.delete(repo, "feature-a"));
        assertEquals(0, lakebase.writes(), lakebase.requestsByRoute().toString());
    }

    @Test
    void restoreMakesTheRestoredStateANewGenerationAndKeepsThePreviousBranch() throws Exception {
        stagingWithOneRow();
        backend.snapshot(repo, "staging", "staging-backup-1");
        backend.restore(repo, "staging", "staging-backup-1");
        assertTrue(
                lakebase.branchIds().containsAll(List.of("staging", "staging--r1")),
                lakebase.branchIds().toString());
        assertFalse(backend.list(repo).contains("staging--r1"), "tiergate sees one staging: " + backend.list(repo));
        assertTrue(lakebase.noExpiryOf("staging--r1"), "the new generation is a tier");
        BackendException e = assertThrows(BackendException.class, () -> backend.delete(repo, "staging"));
        assertTrue(e.getMessage().contains("staging--r1") && e.getMessage().contains("protected"), e.getMessage());
    }

    @Test
    void theIdentityIsAMemberOfDatabricksSuperuserAndNoSuperuser() throws Exception {
        try (Connection c = connect(backend.connection(repo, "production"))) {
            assertEquals(
                    List.of(LakebaseApiStub.TOKEN_USER + " false true true"),
                    column(
                            c,
                            "select current_user || ' ' || rolsuper || ' '"
                                    + " || rolcreaterole || ' ' || pg_has_role(current_user, 'databricks_superuser', 'member') from pg_roles where rolname = current_user"));
            SQLException e = assertThrows(SQLException.class, () -> column(c, "create role tg_probe superuser"));
            assertTrue(e.getMessage().contains("SUPERUSER attribute"), e.getMessage());
        }
    }

    @Test
    void accessIsSqlAsTheIdentityAndNeverThePostgresApisRoles() throws Exception {
        stagingWithAccess();
        lakebase.resetCounts();
        backend.create(repo, "feature-a", "staging");
        String branch = "/api/2.0/postgres/projects/{project}/branches/{branch}";
        assertEquals(
                Map.of(
                        "GET /api/2.0/postgres/projects/{project}/branches",
                        1L,
                        "POST /api/2.0/postgres/projects/{project}/branches",
                        1L,
                        "GET " + branch + "/operations/{operation}",
                        2L,
                        "GET " + branch,
                        1L,
                        "GET " + branch + "/endpoints",
                        2L,
                        "POST " + branch + "/endpoints",
                        1L,
                        "GET " + branch + "/endpoints/primary/operations/{operation}",
                        2L,
                        "GET " + branch + "/databases",
                        1L,
                        "POST /api/2.0/postgres/credentials",
                        1L),
                lakebase.requestsByRoute(),
                "a create, then the identity's connection to take the parent's logins away (kept for later)");
        lakebase.resetCounts();
        backend.credential(repo, "feature-a", "alice", List.of("app_write"), inAnHour());
        backend.applyAccess(repo, "feature-a", GROUPS);
        backend.accessSnapshot(repo, "feature-a");
        backend.revoke(repo, "feature-a", List.of());
        assertEquals(
                Map.of("GET /api/2.0/postgres/projects/{project}/branches", 3L),
                lakebase.requestsByRoute(),
                "each finds the branch by name; the rest is SQL: no call to .../roles, no new credential");
    }

    @Test
    void aGrantMadeByAnotherMemberOfDatabricksSuperuserIsReportedNotSilentlyKept() throws Exception {
        stagingWithAccess();
        BranchBackend sp = withCredentials(LakebaseApiStub.CLIENT_ID, LakebaseApiStub.CLIENT_SECRET, null);
        try (Connection c = connect(sp.connection(repo, "staging"));
                Statement st = c.createStatement()) {
            st.execute(
                    "grant select on inventory to public"); // recorded as granted by databricks_superuser, not by the
            // owner
        }
        GrantDrift.Diff d = GrantDrift.between(GROUPS, backend.accessSnapshot(repo, "staging"));
        assertEquals(
                List.of(new Privilege(Privilege.PUBLIC, Privilege.Kind.TABLE, "public.inventory", "SELECT")),
                d.extra());
        BackendException e = assertThrows(BackendException.class, () -> backend.revoke(repo, "staging", d.extra()));
        assertTrue(
                e.getMessage().contains("[PUBLIC SELECT on table public.inventory] are still held")
                        && e.getMessage().contains("revoke them as the object's owner once"),
                e.getMessage());
    }

    @Test
    void anIdentityThatDoesNotOwnTheDatabaseCannotCloseItToPublicAndSaysSo() throws Exception {
        stagingWithOneRow(); // made, and its table created, as the project owner's identity
        BranchBackend sp = withCredentials(LakebaseApiStub.CLIENT_ID, LakebaseApiStub.CLIENT_SECRET, null);
        sp.applyAccess(repo, "staging", GROUPS);
        GrantDrift.Diff d = GrantDrift.between(GROUPS, sp.accessSnapshot(repo, "staging"));
        assertEquals(
                List.of(
                        new Privilege(Privilege.PUBLIC, Privilege.Kind.DATABASE, "", "CONNECT"),
                        new Privilege(Privilege.PUBLIC, Privilege.Kind.DATABASE, "", "TEMPORARY"),
                        new Privilege(Privilege.PUBLIC, Privilege.Kind.SCHEMA, "public", "USAGE")),
                d.extra(),
                "PostgreSQL's defaults, granted by the owner, stay; the owner's own privileges are no drift");
        assertEquals(List.of(), d.missing(), "the groups got theirs");
        BackendException e = assertThrows(BackendException.class, () -> sp.revoke(repo, "staging", d.extra()));
        assertTrue(
                e.getMessage().contains("are still held")
                        && e.getMessage().contains(LakebaseApiStub.CLIENT_ID + " (the role tiergate acts as there)")
                        && e.getMessage().contains("give tiergate the identity that owns the branch's database"),
                e.getMessage());
    }
}
