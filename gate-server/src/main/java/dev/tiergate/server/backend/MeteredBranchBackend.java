package dev.tiergate.server.backend;

import dev.tiergate.core.access.AccessSnapshot;
import dev.tiergate.core.access.Privilege;
import dev.tiergate.core.policy.DatabaseAccess;
import dev.tiergate.core.policy.Masking;
import dev.tiergate.server.metrics.GateMetrics;
import dev.tiergate.server.repo.RepoRef;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** A backend whose every branch-changing operation is counted and timed in {@link GateMetrics}; reads pass through. */
public final class MeteredBranchBackend implements BranchBackend {
    private final BranchBackend inner;
    private final GateMetrics metrics;

    public MeteredBranchBackend(BranchBackend inner, GateMetrics metrics) {
        this.inner = inner;
        this.metrics = metrics;
    }

    private <T> T timed(String operation, Supplier<T> op) {
        long start = System.nanoTime();
        boolean ok = false;
        try {
            T out = op.get();
            ok = true;
            return out;
        } finally {
            metrics.branchOperation(inner.id(), operation, ok, System.nanoTime() - start);
        }
    }

    private void timed(String operation, Runnable op) {
        timed(operation, () -> {
            op.run();
            return null;
        });
    }

    @Override
    public String id() {
        return inner.id();
    }

    @Override
    public void create(RepoRef repo, String name, String parent) {
        timed("create", () -> inner.create(repo, name, parent));
    }

    @Override
    public void createTier(RepoRef repo, String name, String parent) {
        timed("create_tier", () -> inner.createTier(repo, name, parent));
    }

    @Override
    public void delete(RepoRef repo, String name) {
        timed("delete", () -> inner.delete(repo, name));
    }

    @Override
    public boolean makesEmptyDatabases() {
        return inner.makesEmptyDatabases();
    }

    @Override
    public boolean masksCopies() {
        return inner.masksCopies();
    }

    @Override
    public void createMaskedCopy(RepoRef repo, String name, String source, List<Masking.Rule> rules) {
        inner.createMaskedCopy(repo, name, source, rules);
    }

    @Override
    public boolean exists(RepoRef repo, String name) {
        return inner.exists(repo, name);
    }

    @Override
    public boolean leftOver(RepoRef repo, String name) {
        return inner.leftOver(repo, name);
    }

    @Override
    public boolean deletesInSteps() {
        return inner.deletesInSteps();
    }

    @Override
    public List<String> list(RepoRef repo) {
        return inner.list(repo);
    }

    @Override
    public BranchConnection connection(RepoRef repo, String name) {
        return inner.connection(repo, name);
    }

    @Override
    public BranchConnection migrationConnection(RepoRef repo, String name) {
        return inner.migrationConnection(repo, name);
    }

    @Override
    public BranchConnection credential(RepoRef repo, String name, String actor, List<String> groups, Instant until) {
        return timed("credential", () -> inner.credential(repo, name, actor, groups, until));
    }

    @Override
    public void applyAccess(RepoRef repo, String name, List<DatabaseAccess.Group> groups) {
        timed("apply_access", () -> inner.applyAccess(repo, name, groups));
    }

    @Override
    public AccessSnapshot accessSnapshot(RepoRef repo, String name) {
        return inner.accessSnapshot(repo, name);
    }

    @Override
    public void revoke(RepoRef repo, String name, List<Privilege> extra) {
        timed("revoke", () -> inner.revoke(repo, name, extra));
    }

    @Override
    public String statement(RepoRef repo, Privilege p, boolean grant) {
        return inner.statement(repo, p, grant);
    }

    @Override
    public void createExtensions(RepoRef repo, String name, List<String> extensions) {
        inner.createExtensions(repo, name, extensions);
    }

    @Override
    public MigrationSession openRun(RepoRef repo, String name, RunLimits limits) {
        return timed("open_run", () -> inner.openRun(repo, name, limits));
    }

    @Override
    public void snapshot(RepoRef repo, String name, String snapshot) {
        timed("snapshot", () -> inner.snapshot(repo, name, snapshot));
    }

    @Override
    public void restore(RepoRef repo, String name, String snapshot) {
        timed("restore", () -> inner.restore(repo, name, snapshot));
    }

    @Override
    public void reset(RepoRef repo, String name, String parent) {
        timed("reset", () -> inner.reset(repo, name, parent));
    }

    @Override
    public void tierMoved(RepoRef repo, String tier) {
        timed("tier_moved", () -> inner.tierMoved(repo, tier));
    }

    @Override
    public Optional<Long> size(RepoRef repo, String name) {
        return inner.size(repo, name);
    }

    @Override
    public Map<String, Long> sizes(RepoRef repo) {
        return inner.sizes(repo);
    }

    @Override
    public Map<String, Integer> readyClones() {
        return inner.readyClones();
    }

    @Override
    public void close() {
        inner.close();
    }
}
