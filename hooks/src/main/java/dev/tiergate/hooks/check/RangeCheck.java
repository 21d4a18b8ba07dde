package dev.tiergate.hooks.check;

import dev.tiergate.core.migration.MigrationChecksums;
import dev.tiergate.core.migration.MigrationLedger;
import dev.tiergate.core.migration.MigrationRules;
import dev.tiergate.core.migration.MigrationSet;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.state.StateFileValidator;
import dev.tiergate.core.verdict.Refusal;
import dev.tiergate.core.verdict.Verdict;
import dev.tiergate.hooks.Workspace;
import dev.tiergate.hooks.git.GitRepo;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * {@code tiergate check [--base REF]}: every rule over a commit range, for CI where hooks may have been skipped.
 * New migrations in the range are judged like pre-commit judges them; every commit is checked for edits of
 * committed migrations; the ledger must match the files; the Lakebase kit's state file must validate in every
 * commit that wrote it.
 */
public final class RangeCheck {
    private final Workspace ws;

    public RangeCheck(Workspace ws) {
        this.ws = ws;
    }

    public Verdict run(String baseRev) throws IOException {
        Policy policy = ws.validatedPolicy();
        GitRepo git = ws.git();
        ObjectId head = git.resolve("HEAD").orElseThrow(() -> new IOException("HEAD does not name a commit"));
        Optional<String> branch = git.currentBranch();
        String base = baseRev;
        if (base == null && branch.isPresent()) {
            base = Workspace.targetTier(policy, branch.get())
                    .flatMap(t -> {
                        try {
                            return git.firstExisting("refs/remotes/origin/" + t.branch(), "refs/heads/" + t.branch());
                        } catch (IOException e) {
                            return Optional.empty();
                        }
                    })
                    .orElse(null);
        }
        String dir = policy.migrations().directory();
        Map<String, ObjectId> atBase = base == null ? Map.of() : git.filesAt(base, dir);
        Map<String, ObjectId> atHead = git.filesAt("HEAD", dir);
        MigrationSet set = new MigrationSet(policy.migrations(), atHead.keySet());
        String newestOnBase = MigrationSet.newestVersion(policy.migrations(), atBase.keySet());
        Verdict v = Verdict.allowed();
        for (Map.Entry<String, ObjectId> e : atHead.entrySet()) {
            if (!set.isMigration(e.getKey())) {
                continue;
            }
            if (!atBase.containsKey(e.getKey())) {
                v = v.and(set.checkNew(e.getKey(), GitRepo.text(git.read(e.getValue())), newestOnBase));
            }
        }
        // the ledger at HEAD must vouch for every migration as it is now
        MigrationLedger ledger = git.fileAt("HEAD", MigrationChecksums.PATH)
                .map(b -> MigrationLedger.parse(GitRepo.text(b)))
                .orElse(MigrationLedger.empty());
        for (Map.Entry<String, ObjectId> e : atHead.entrySet()) {
            Optional<String> sum = ledger.recordedChecksum(e.getKey());
            if (sum.isPresent() && MigrationRules.isMigrationPath(e.getKey(), policy.migrations())) {
                v = v.and(MigrationRules.checkUnchanged(e.getKey(), sum.get(), git.read(e.getValue())));
            }
        }
        List<ObjectId> exclude =
                base == null ? List.of() : List.of(git.resolve(base).orElseThrow());
        List<RevCommit> commits = git.newCommits(head, exclude);
        v = v.and(kitStateInEveryCommit(commits));
        return v.and(new PrePushCheck(ws).immutableMigrations(policy, commits)).withSeverities(policy.severity());
    }

    /**
     * The Lakebase kit's state file as each commit of the range wrote it (a commit that leaves it as a parent had it
     * is not asked again), against the kit-v1 schema and strict JSON: hooks may have been skipped with --no-verify.
     */
    Verdict kitStateInEveryCommit(List<RevCommit> commits) throws IOException {
        GitRepo git = ws.git();
        Verdict v = Verdict.allowed();
        Set<ObjectId> judged = new HashSet<>();
        for (RevCommit c : commits) {
            Optional<ObjectId> blob = git.blobAt(c, StateFileValidator.KIT_STATE_PATH);
            if (blob.isEmpty() || !judged.add(blob.get())) {
                continue;
            }
            boolean asAParentHadIt = false;
            for (RevCommit parent : c.getParents()) {
                asAParentHadIt |=
                        git.blobAt(parent, StateFileValidator.KIT_STATE_PATH).equals(blob);
            }
            if (asAParentHadIt) {
                continue;
            }
            Verdict sv = StateFileValidator.validateKitState(git.read(blob.get()), StateFileValidator.KIT_STATE_PATH);
            String commit = " (commit " + c.name().substring(0, 7) + " \"" + c.getShortMessage() + "\")";
            v = v.and(new Verdict(sv.refusals().stream()
                    .map(r -> new Refusal(r.rule(), r.where() + commit, r.message(), r.fix()))
                    .toList()));
        }
        return v;
    }
}
