package dev.tiergate.server.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tiergate.server.backend.lakebase.LakebaseBranchBackend;
import dev.tiergate.server.backend.lakebase.LakebaseSettings;
import dev.tiergate.server.backend.neon.NeonBranchBackend;
import dev.tiergate.server.backend.neon.NeonSettings;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.support.LakebaseApiStub;
import dev.tiergate.server.support.NeonApiStub;
import dev.tiergate.server.support.TestPostgres;
import dev.tiergate.testkit.ForgeStub;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The figures in BENCHMARKS.md: API calls per branch create and delete on each backend (each long-running operation
 * answering "running" once before it is done, as a real one taking about a second polled every second would), and
 * the time per create and delete against the stand-ins, whose branches are real databases on the embedded server.
 */
class BranchBudgetTest {
    static final int ROUNDS = 5;
    final RepoRef repo = new RepoRef("github", null, "acme/budget-" + UUID.randomUUID());

    record Figures(double callsPerCreate, double callsPerDelete, long msPerCreate, long msPerDelete) {}

    Figures measure(BranchBackend b, ForgeStub stub) {
        b.createTier(repo, "production", null);
        long creates = 0;
        long deletes = 0;
        long createNanos = 0;
        long deleteNanos = 0;
        for (int i = 0; i < ROUNDS; i++) {
            long before = stub == null ? 0 : stub.requests();
            long t0 = System.nanoTime();
            b.create(repo, "feature-b" + i, "production");
            long t1 = System.nanoTime();
            long mid = stub == null ? 0 : stub.requests();
            b.delete(repo, "feature-b" + i);
            long t2 = System.nanoTime();
            creates += mid - before;
            deletes += (stub == null ? 0 : stub.requests()) - mid;
            createNanos += t1 - t0;
            deleteNanos += t2 - t1;
        }
        Figures f = new Figures(
                (double) creates / ROUNDS,
                (double) deletes / ROUNDS,
                createNanos / ROUNDS / 1_000_000,
                deleteNanos / ROUNDS / 1_000_000);
        System.out.println("BUDGET " + b.id() + " " + f);
        return f;
    }

    @Test
    void postgresNeedsNoApiCalls() {
        try (BranchBackend b = TestPostgres.branchBackend("s")) {
            b.createTier(repo, "production", null);
            measure(b, null);
        }
    }

    @Test
    void neonCreateIsSixCallsAndDeleteThree() {
        try (NeonApiStub neon = new NeonApiStub();
                BranchBackend b = new NeonBranchBackend(
                        NeonSettings.of(neon.apiUrl(), NeonApiStub.KEY, NeonApiStub.PROJECT)
                                .withPolling(Duration.ofMillis(1), Duration.ofSeconds(1)),
                        d -> {},
                        Clock.systemUTC())) {
            Figures f = measure(b, neon);
            assertEquals(
                    6.0,
                    f.callsPerCreate(),
                    "list, POST branches, one poll each of create_branch and start_compute, then databases and"
                            + " connection URI for the owner's connection (kept), which takes the parent's copied logins away");
            assertEquals(3.0, f.callsPerDelete(), "list, DELETE, one poll of the operation");
        }
    }

    @Test
    void lakebaseCreateIsTwelveCallsAndDeleteFour() {
        try (LakebaseApiStub lakebase = new LakebaseApiStub();
                BranchBackend b = new LakebaseBranchBackend(
                        LakebaseSettings.of(lakebase.url(), LakebaseApiStub.PROJECT, null, null, LakebaseApiStub.TOKEN)
                                .withPolling(Duration.ofMillis(1), Duration.ofSeconds(1))
                                .withPostgresPort(lakebase.postgresPort()),
                        d -> {},
                        Clock.systemUTC())) {
            Figures f = measure(b, lakebase);
            assertEquals(
                    12.2,
                    f.callsPerCreate(),
                    1e-9,
                    "list, POST branch, 2 polls, GET branch (verify), list endpoints, POST endpoint, 2 polls,"
                            + " list endpoints, then databases and a credential for the identity's connection (kept), which takes the parent's copied"
                            + " logins away; and once per server the token's user: 61 calls in 5 creates");
            assertEquals(4.0, f.callsPerDelete(), "list, DELETE, 2 polls");
        }
    }
}
