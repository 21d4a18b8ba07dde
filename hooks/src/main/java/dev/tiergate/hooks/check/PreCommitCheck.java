package dev.tiergate.hooks.check;

import dev.tiergate.core.migration.MigrationChecksums;
import dev.tiergate.core.migration.MigrationLedger;
import dev.tiergate.core.migration.MigrationRules;
import dev.tiergate.core.migration.MigrationSet;
import dev.tiergate.core.migration.TestFiles;
import dev.tiergate.core.policy.ActorClass;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.PolicyValidator;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.policy.WorkingBranchType;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.state.Claim;
import dev.tiergate.core.state.KitState;
import dev.tiergate.core.state.StateException;
import dev.tiergate.core.state.StateFileValidator;
import dev.tiergate.core.verdict.Verdict;
import dev.tiergate.hooks.Workspace;
import dev.tiergate.hooks.git.GitIndex;
import dev.tiergate.hooks.git.GitIndex.Change;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * pre-commit: every rule that can be judged from the staged content. New migrations are recorded in
 * {@code .tiergate/migrations.sum} (and the file staged) only when every rule holds, so a refused commit changes
 * nothing.
 */
public final class PreCommitCheck {
    private final Workspace ws;

    public PreCommitCheck(Workspace ws) {
        this.ws = ws;
    }

    /**
     * The verdict, the ledger to stage when allowed (null when nothing new to record), and the staged changes the
     * verdict was made from (the trailers are computed from the same list, not from a second walk of the index).
     */
    public record Result(Verdict verdict, MigrationLedger ledgerToStage, List<Change> changes) {}

    public Result run() throws IOException {
        GitIndex git = ws.index();
        git.prefetch();
        List<Change> changes;
        byte[] stagedKit = null;
        try {
            changes = git.changes();
            for (Change c : changes) {
                if (c.path().equals(StateFileValidator.KIT_STATE_PATH) && c.kind() != 'D') {
                    stagedKit = git.read(c.staged());
                }
            }
        } finally {
            ws.stagedKitState(
                    stagedKit); // the warm-up validates it meanwhile; without one it never loads the validator
        }
        List<String> indexPaths = git.paths();
        boolean policyStaged = changes.stream().anyMatch(c -> c.path().equals(Policy.PATH) && c.kind() != 'D');
        if (policyStaged) {
            ws.awaitWarmup(); // the policy's schema needs the validator the warm-up thread is loading
            Verdict pv = PolicyValidator.validate(git.staged(Policy.PATH).orElseThrow(), Policy.PATH);
            if (!pv.isAllowed()) {
                return new Result(pv, null, changes);
            }
        }
        // the policy (YAML) and the migrations need no state file: they are judged while the warm-up thread is still
        // validating tiergate's state file, and the verdicts are put together in the order the rules are listed
        Policy policy = ws.policy();
        if (changes.stream()
                .anyMatch(c -> c.kind() == 'A' && MigrationRules.isMigrationPath(c.path(), policy.migrations()))) {
            ws.prefetchActorClass(policy); // the trailers of a commit that adds a migration name the actor's class
        }
        Optional<String> branch = git.currentBranch();
        MigrationLedger ledger = git.staged(MigrationChecksums.PATH)
                .map(b -> MigrationLedger.parse(GitIndex.text(b)))
                .orElse(MigrationLedger.empty());
        Migrations migrations = migrations(policy, branch, changes, indexPaths, ledger);
        Verdict v = stateFiles(changes, branch);
        if (!v.isAllowed()) {
            return new Result(v, null, changes); // the claim cannot be trusted from a state file that fails its schema
        }
        Optional<Claim> claim = branch.flatMap(ws::claimFor);
        if (branch.isPresent() && claim.isEmpty()) {
            Optional<KitState> kit =
                    git.staged(StateFileValidator.KIT_STATE_PATH).flatMap(KitState::read);
            v = v.and(claimRule(
                    policy,
                    branch.get(),
                    kit.filter(k -> k.claims(branch.get())).isPresent()));
        }
        v = v.and(migrations.verdict());
        if (claim.isPresent() && claim.get().actorClass() == ActorClass.AGENT) {
            List<String> deleted = changes.stream()
                    .filter(c -> c.kind() == 'D')
                    .map(Change::path)
                    .toList();
            v = v.and(
                    new Verdict(TestFiles.deletedByAgent(deleted, claim.get()::supersedes, "branch " + branch.get())));
        }
        v = v.withSeverities(policy.severity());
        return new Result(v, v.isAllowed() && migrations.recorded() != ledger ? migrations.recorded() : null, changes);
    }

    /** The migration rules' verdict on the staged changes, and the ledger with the new migrations recorded. */
    private record Migrations(Verdict verdict, MigrationLedger recorded) {}

    private Migrations migrations(
            Policy policy,
            Optional<String> branch,
            List<Change> changes,
            List<String> indexPaths,
            MigrationLedger ledger)
            throws IOException {
        GitIndex git = ws.index();
        Verdict v = Verdict.allowed();
        MigrationLedger recorded = ledger;
        MigrationSet set = new MigrationSet(policy.migrations(), indexPaths);
        String newestOnTier = branch.map(b -> newestOnTier(policy, b)).orElse(null);
        boolean onTier = branch.flatMap(policy::tierForBranch).isPresent();
        for (Change c : changes) {
            if (!set.isMigration(c.path())) {
                continue;
            }
            if (c.kind() == 'A') {
                byte[] content = git.read(c.staged());
                if (onTier && !git.mergeInProgress()) {
                    v = v.and(
                            Verdict.refused(
                                    Rule.MIGRATION_TIER_DIRECT.id(),
                                    c.path() + " (branch " + branch.get() + ")",
                                    "a migration is added directly on tier branch " + branch.get()
                                            + "; migrations reach tiers only by merge",
                                    "commit it on a working branch (tiergate claim <feature-id>) and merge it through a pull request"));
                    continue;
                }
                v = v.and(set.checkNew(c.path(), GitIndex.text(content), newestOnTier));
                if (!ledger.records(c.path())) {
                    recorded = recorded.record(c.path(), content);
                }
            } else {
                // an edit or deletion of a committed migration
                String sum =
                        ledger.recordedChecksum(c.path()).orElse(MigrationChecksums.checksum(git.read(c.before())));
                v = v.and(MigrationRules.checkUnchanged(c.path(), sum, c.kind() == 'D' ? null : git.read(c.staged())));
            }
        }
        return new Migrations(v, recorded);
    }

    private Verdict stateFiles(List<Change> changes, Optional<String> branch) throws IOException {
        Verdict v = Verdict.allowed();
        for (Change c : changes) {
            if (c.path().equals(StateFileValidator.KIT_STATE_PATH) && c.kind() != 'D') {
                byte[] content = ws.index().read(c.staged());
                Verdict sv = ws.kitStateVerdict(content, c.path());
                v = v.and(sv);
                if (sv.isAllowed() && branch.isPresent()) {
                    Policy policy = ws.policy();
                    List<String> tierBranches =
                            policy.tiers().stream().map(Tier::branch).toList();
                    v = v.and(KitState.read(content)
                            .map(k -> k.mayBeCommittedOn(branch.get(), tierBranches, c.path()))
                            .orElse(Verdict.allowed()));
                }
            }
        }
        try {
            ws.state(); // read once, validated against its schema
        } catch (StateException e) {
            v = v.and(e.verdict());
        }
        return v;
    }

    /**
     * A working branch needs a claim: tiergate's own (in {@code .tiergate/workflow-state.json}) or the Lakebase kit's
     * row for this branch in {@code feature-claimed}, {@code pr-ready} or {@code ci-green}.
     */
    static Verdict claimRule(Policy policy, String branch, boolean claimed) {
        Optional<WorkingBranchType> type = policy.typeForBranch(branch);
        if (type.isEmpty() || claimed) {
            return Verdict.allowed();
        }
        String id = type.get().featureIdOf(branch);
        return Verdict.refused(
                Rule.WORKFLOW_NO_CLAIM.id(),
                "branch " + branch,
                "working branch " + branch + " has no claim in " + Workspace.STATE_PATH + " (nor a claim of it in "
                        + StateFileValidator.KIT_STATE_PATH + ")",
                "claim the feature first: tiergate claim " + id + " --type "
                        + type.get().name()
                        + " (or, for an existing branch, tiergate claim " + id
                        + " --here; in a Lakebase kit project the"
                        + " kit's claim, committed on this branch, counts)");
    }

    /** The newest migration version on the tier this branch merges into (local branch, else origin's). */
    private String newestOnTier(Policy policy, String branch) {
        Optional<Tier> tier = Workspace.targetTier(policy, branch);
        if (tier.isEmpty()) {
            return null;
        }
        try {
            return ws.index()
                    .pathsAt(
                            policy.migrations().directory(),
                            "refs/heads/" + tier.get().branch(),
                            "refs/remotes/origin/" + tier.get().branch())
                    .map(paths -> MigrationSet.newestVersion(policy.migrations(), paths))
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }
}
