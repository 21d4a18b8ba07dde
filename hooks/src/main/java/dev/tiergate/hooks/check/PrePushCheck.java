package dev.tiergate.hooks.check;

import dev.tiergate.core.migration.MigrationChecksums;
import dev.tiergate.core.migration.MigrationLedger;
import dev.tiergate.core.migration.MigrationRules;
import dev.tiergate.core.policy.Actor;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.state.KitState;
import dev.tiergate.core.state.StateFileValidator;
import dev.tiergate.core.verdict.Refusal;
import dev.tiergate.core.verdict.Verdict;
import dev.tiergate.hooks.Workspace;
import dev.tiergate.hooks.git.GitRepo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * pre-push: for each pushed ref, only the commits the remote does not have yet. Refuses a direct push to a
 * protected tier (unless the tier's direct_push allows the actor), an edit of a committed migration anywhere in
 * the range, and a working branch with no claim.
 */
public final class PrePushCheck {
    private final Workspace ws;

    public PrePushCheck(Workspace ws) {
        this.ws = ws;
    }

    public Verdict run(String remote, List<String> refLines) throws IOException {
        Policy policy = ws.policy();
        Actor actor = ws.actor(policy);
        Verdict v = Verdict.allowed();
        for (String line : refLines) {
            Optional<PushedRef> pushed = PushedRef.parse(line);
            if (pushed.isEmpty()
                    || pushed.get().deletion()
                    || pushed.get().remoteBranch().isEmpty()) {
                continue; // not git's shape, a deletion, or not a branch
            }
            PushedRef ref = pushed.get();
            String branch = ref.remoteBranch().get();
            Optional<Tier> tier = policy.tierForBranch(branch);
            if (tier.isPresent()
                    && tier.get().protectedTier()
                    && !tier.get().directPush().allows(actor)) {
                v = v.and(Verdict.refused(
                        Rule.PUSH_PROTECTED_TIER.id(),
                        "branch " + branch,
                        "direct push to protected tier " + tier.get().name() + " by "
                                + actor.actorClass().wireName() + " " + actor.id() + "; allowed: "
                                + tier.get().directPush().describe(),
                        "push a working branch and open a pull request into " + branch));
            }
            if (policy.typeForBranch(branch).isPresent() && ws.claimFor(branch).isEmpty()) {
                boolean kitClaims = ws.git()
                        .fileAt(ref.localSha(), StateFileValidator.KIT_STATE_PATH)
                        .flatMap(KitState::read)
                        .filter(k -> k.claims(branch))
                        .isPresent();
                v = v.and(PreCommitCheck.claimRule(policy, branch, kitClaims));
            }
            List<ObjectId> exclude = new ArrayList<>(ws.git().remoteTips(remote));
            if (!ref.newOnRemote()) {
                exclude.add(ObjectId.fromString(ref.remoteSha()));
            }
            v = v.and(immutableMigrations(policy, ws.git().newCommits(ObjectId.fromString(ref.localSha()), exclude)));
        }
        return v.withSeverities(policy.severity());
    }

    /** Any commit in the list that edits or deletes a migration its parent already had. */
    Verdict immutableMigrations(Policy policy, List<RevCommit> commits) throws IOException {
        Verdict v = Verdict.allowed();
        String dir = policy.migrations().directory();
        for (RevCommit c : commits) {
            if (c.getParentCount() != 1) {
                continue; // merges bring other branches' migrations; their own commits are checked where they were made
            }
            RevCommit parent = c.getParent(0);
            MigrationLedger ledger = null;
            for (GitRepo.Diff d : ws.git().diff(parent, c, dir)) {
                if (d.before() == null || !MigrationRules.isMigrationPath(d.path(), policy.migrations())) {
                    continue; // an added file is not an edit
                }
                if (ledger == null) {
                    ledger = ws.git()
                            .fileAt(parent.name(), MigrationChecksums.PATH)
                            .map(b -> MigrationLedger.parse(GitRepo.text(b)))
                            .orElse(MigrationLedger.empty());
                }
                String sum = ledger.recordedChecksum(d.path())
                        .orElse(MigrationChecksums.checksum(ws.git().read(d.before())));
                Verdict u = MigrationRules.checkUnchanged(
                        d.path(), sum, d.after() == null ? null : ws.git().read(d.after()));
                if (!u.isAllowed()) {
                    v = v.and(new Verdict(u.refusals().stream()
                            .map(r -> new Refusal(
                                    r.rule(),
                                    r.where() + " (commit " + c.name().substring(0, 7) + " \"" + c.getShortMessage()
                                            + "\")",
                                    r.message(),
                                    r.fix()))
                            .toList()));
                }
            }
        }
        return v;
    }
}
