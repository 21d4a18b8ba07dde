package dev.tiergate.server.backend.postgres;

import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.backend.BranchBackendContract;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.support.TestPostgres;
import java.util.UUID;

/** The branch backend contract on the embedded PostgreSQL (each test a fresh repository prefix on the shared server). */
class PostgresBranchBackendContractTest extends BranchBackendContract {
    @Override
    protected BranchBackend newBackend() {
        return TestPostgres.branchBackend("contract-secret");
    }

    @Override
    protected RepoRef newRepo() {
        return new RepoRef("github", null, "acme/contract-" + UUID.randomUUID());
    }
}
