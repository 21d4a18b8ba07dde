package dev.tiergate.server.gate;

import dev.tiergate.core.naming.DbBranchName;
import dev.tiergate.server.audit.AuditKind;
import dev.tiergate.server.audit.AuditTrail;
import dev.tiergate.server.backend.BackendException;
import dev.tiergate.server.backend.BranchBackend;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.MigrationStore;
import java.util.Map;

/**
 * What an operator does to a tier: repoint it to a snapshot taken before a merge migrated it ({@code tiergate
 * rollback}), or release a tier held after a failed migration once it is fixed ({@code tiergate release-tier}).
 * Both are audited.
 */
public final class TierRollback {
    private final BranchBackend backend;
    private final MigrationStore store;
    private final AuditTrail audit;

    public TierRollback(BranchBackend backend, MigrationStore store, AuditTrail audit) {
        this.backend = backend;
        this.store = store;
        this.audit = audit;
    }

    /** Restores {@code tier} from the snapshot taken for {@code release} (e.g. {@code pr12}) and releases its hold. */
    public String rollback(RepoRef repo, String tier, String release) {
        String tierDb = DbBranchName.of(tier);
        String snapshot = store.snapshot(repo, tierDb, release)
                .orElseThrow(() -> new BackendException(
                        "tier " + tier + " of "
                                + repo.path() + " has no snapshot for release '" + release + "' (snapshots are named "
                                + tierDb
                                + "-backup-<release>, e.g. pr12, one per merge that migrated the tier)",
                        null));
        backend.restore(repo, tierDb, snapshot);
        store.release(repo, tierDb);
        audit.append(
                AuditKind.TIER_ROLLBACK, repo, tier, Map.of("tier", tier, "release", release, "snapshot", snapshot));
        return snapshot;
    }

    /** Lets PRs into {@code tier} merge again; true when it was held. */
    public boolean release(RepoRef repo, String tier) {
        String tierDb = DbBranchName.of(tier);
        boolean held = store.held(repo, tierDb).isPresent();
        if (held) {
            store.release(repo, tierDb);
            audit.append(AuditKind.TIER_RELEASE, repo, tier, Map.of("tier", tier));
        }
        return held;
    }
}
