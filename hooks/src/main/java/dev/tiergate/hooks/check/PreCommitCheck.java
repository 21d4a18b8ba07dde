package dev.tiergate.hooks.check;

import dev.tiergate.core.migration.MigrationSet;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.migration.MigrationChecksums;
import dev.tiergate.core.migration.MigrationLedger;
import dev.tiergate.core.migration.MigrationRules;
import dev.tiergate.core.migration.TestFiles;
import dev.tiergate.core.policy.ActorClass;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.PolicyValidator;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.state.Claim;
import dev.tiergate.core.state.KitState;
import dev.tiergate.core.state.StateFileValidator;
import dev.tiergate.core.verdict.Verdict;
import dev.tiergate.hooks.Workspace;
import dev.tiergate.hooks.git.GitRepo;
import dev.tiergate.hooks.git.GitRepo.Change;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    public record Result(Verdict verdict, MigrationLedger ledgerToStage, List<Change> changes) {
    }

    public Result run() throws IOException {
        GitRepo git = ws.git();
        List<Change> changes = git.stagedChanges();
        ws.awaitWarmup(); // JGit's work is done; Jackson and the schemas are warm (or warming) on the other thread
        Verdict v = Verdict.allowed();
        boolean policyStaged = changes.stream().anyMatch(c -> c.path().equals(Policy.PATH) && c.kind() != 'D');
        if (policyStaged) {
            Verdict pv = PolicyValidator.validate(git.staged(Policy.PATH).orElseThrow(), Policy.PATH);
            if (!pv.isAllowed()) {
                return new Result(pv, null, changes);
            }
        }
        Policy policy = ws.policy();
        Optional<String> branch = git.currentBranch();
        v = v.and(stateFiles(changes, branch));
        if (!v.isAllowed()) {
            return new Result(v, null, changes); // the claim cannot be trusted from a state file that fails its schema
        }
        Optional<Claim> claim = branch.flatMap(ws::claimFor);
        if (branch.isPresent() && claim.isEmpty()) {
            Optional<KitState> kit = git.staged(StateFileValidator.KIT_STATE_PATH).flatMap(KitState::read);
            v = v.and(claimRule(policy, branch.get(), kit.filter(k -> k.claims(branch.get())).isPresent()));
        }
        MigrationLedger ledger = git.staged(MigrationChecksums.PATH).map(b -> MigrationLedger.parse(GitRepo.text(b)))
                .orElse(MigrationLedger.empty());
        MigrationLedger recorded = ledger;
        var settings = policy.migrations();
        List<String> indexPaths = new ArrayList<>();
        var index = git.jgit().readDirCache();
        for (int i = 0; i < index.getEntryCount(); i++) {
            indexPaths.add(index.getEntry(i).getPathString());
        }
        MigrationSet set = new MigrationSet(settings, indexPaths);
        String newestOnTier = branch.map(b -> newestOnTier(policy, b)).orElse(null);
        boolean onTier = branch.flatMap(policy::tierForBranch).isPresent();
        for (Change c : changes) {
            if (!set.isMigration(c.path())) {
                continue;
            }
            if (c.kind() == 'A') {
                String sql = GitRepo.text(git.read(c.staged()));
                if (onTier && !git.mergeInProgress()) {
                    v = v.and(Verdict.refused(Rule.MIGRATION_TIER_DIRECT.id(), c.path() + " (branch " + branch.get() + ")",
                            "a migration is added directly on tier branch " + branch.get() + "; migrations reach tiers only by merge",
                            "commit it on a working branch (tiergate claim <feature-id>) and merge it through a pull request"));
                    continue;
                }
                v = v.and(set.checkNew(c.path(), sql, newestOnTier));
                if (!ledger.records(c.path())) {
                    recorded = recorded.record(c.path(), git.read(c.staged()));
                }
            } else {
                // an edit or deletion of a committed migration
                String sum = ledger.recordedChecksum(c.path()).orElse(MigrationChecksums.checksum(git.read(c.before())));
                v = v.and(MigrationRules.checkUnchanged(c.path(), sum, c.kind() == 'D' ? null : git.read(c.staged())));
            }
        }
        if (claim.isPresent() && claim.get().actorClass() == ActorClass.AGENT) {
            for (Change c : changes) {
                if (c.kind() == 'D' && TestFiles.isTestFile(c.path()) && !claim.get().supersedes(c.path())) {
                    v = v.and(Verdict.refused(Rule.TESTS_AGENT_DELETED.id(), c.path() + " (branch " + branch.get() + ")",
                            "an agent's branch deletes a test file that is not on the claim's superseded-tests allowlist",
                            "restore it (git restore --staged --worktree " + c.path() + "), or have a human add it to"
                                    + " superseded_tests of the claim in " + Workspace.STATE_PATH));
                }
            }
        }
        v = v.withSeverities(policy.severity());
        return new Result(v, v.isAllowed() && recorded != ledger ? recorded : null, changes);
    }

    private Verdict stateFiles(List<Change> changes, Optional<String> branch) throws IOException {
        Verdict v = Verdict.allowed();
        for (Change c : changes) {
            if (c.path().equals(StateFileValidator.KIT_STATE_PATH) && c.kind() != 'D') {
                byte[] content = ws.git().read(c.staged());
                Verdict sv = StateFileValidator.validateKitState(content, c.path());
                v = v.and(sv);
                if (sv.isAllowed() && branch.isPresent()) {
                    Policy policy = ws.policy();
                    List<String> tierBranches = policy.tiers().stream().map(Tier::branch).toList();
                    v = v.and(KitState.read(content).map(k -> k.mayBeCommittedOn(branch.get(), tierBranches, c.path()))
                            .orElse(Verdict.allowed()));
                }
            }
        }
        try {
            ws.state(); // read once, validated against its schema
        } catch (dev.tiergate.core.state.StateException e) {
            v = v.and(e.verdict());
        }
        return v;
    }

    /**
     * A working branch needs a claim: tiergate's own (in {@code .tiergate/workflow-state.json}) or the Lakebase kit's
     * row for this branch in {@code feature-claimed}, {@code pr-ready} or {@code ci-green}.
     */
    static Verdict claimRule(Policy policy, String branch, boolean claimed) {
        Optional<dev.tiergate.core.policy.WorkingBranchType> type = policy.typeForBranch(branch);
        if (type.isEmpty() || claimed) {
            return Verdict.allowed();
        }
        String id = type.get().featureIdOf(branch);
        return Verdict.refused(Rule.WORKFLOW_NO_CLAIM.id(), "branch " + branch,
                "working branch " + branch + " has no claim in " + Workspace.STATE_PATH + " (nor a claim of it in "
                        + StateFileValidator.KIT_STATE_PATH + ")",
                "claim the feature first: tiergate claim " + id + " --type " + type.get().name()
                        + " (or, for an existing branch, tiergate claim " + id + " --here; in a Lakebase kit project the"
                        + " kit's claim, committed on this branch, counts)");
    }

    /** The newest migration version on the tier this branch merges into (local branch, else origin's). */
    private String newestOnTier(Policy policy, String branch) {
        Optional<Tier> tier = Workspace.targetTier(policy, branch);
        if (tier.isEmpty()) {
            return null;
        }
        try {
            Optional<String> ref = ws.git().firstExisting("refs/heads/" + tier.get().branch(), "refs/remotes/origin/" + tier.get().branch());
            if (ref.isEmpty()) {
                return null;
            }
            Map<String, ?> files = ws.git().filesAt(ref.get(), policy.migrations().directory());
            return MigrationSet.newestVersion(policy.migrations(), files.keySet());
        } catch (IOException e) {
            return null;
        }
    }
}
