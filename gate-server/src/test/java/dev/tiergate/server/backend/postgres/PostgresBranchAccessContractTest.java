package dev.tiergate.server.backend.postgres;

import dev.tiergate.server.backend.BranchAccessContract;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.support.TestPostgres;
import java.util.UUID;

/** The database-access contract (per-actor logins, groups, drift) on the postgres backend, as on neon and lakebase. */
class PostgresBranchAccessContractTest extends BranchAccessContract {
    @Override
    protected BranchBackend newBackend() {
        return TestPostgres.branchBackend("access-contract-secret");
    }

    @Override
    protected RepoRef newRepo() {
        return new RepoRef("github", null, "acme/access-" + UUID.randomUUID());
    }

    /** The branch cluster's superuser, tiergate's admin. */
    @Override
    protected String serviceAdminRole() {
        return TestPostgres.branches().user();
    }

    @Override
    protected TestPostgres.BranchCluster cluster() {
        return TestPostgres.branches();
    }
}
