package dev.tiergate.server.backend.postgres;

import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.backend.BranchBackendContract;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.support.TestPostgres;
import java.util.UUID;

/**
 * The same contract with a clone pool of one per tier, each test waiting until the pool is filled after the tier
 * changed, so the branches the contract creates are claimed clones (renamed), not copies.
 */
class PostgresClonePoolContractTest extends BranchBackendContract {
    @Override
    protected BranchBackend newBackend() {
        return TestPostgres.branchBackend("contract-secret", 1);
    }

    @Override
    protected RepoRef newRepo() {
        return new RepoRef("github", null, "acme/pool-" + UUID.randomUUID());
    }

    @Override
    protected void settled() {
        PostgresClonePoolTest.awaitReady(backend, repo.path() + ":staging", 1);
    }
}
