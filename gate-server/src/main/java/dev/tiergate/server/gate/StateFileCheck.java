package dev.tiergate.server.gate;

import dev.tiergate.core.state.StateFileValidator;
import dev.tiergate.core.verdict.Refusal;
import dev.tiergate.core.verdict.Verdict;
import dev.tiergate.server.forge.Forge;
import dev.tiergate.server.repo.RepoRef;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The workflow state files at a PR's head (the Lakebase kit's {@code .lakebase/workflow-state.json} and
 * tiergate's own), validated by the same core rules as the hooks, so a file committed with {@code --no-verify}
 * still cannot merge. A file at a SHA never changes: each SHA is read once.
 */
final class StateFileCheck {
    private static final int ENTRIES = 2048;
    private final Forge forge;
    private final Map<String, Optional<Refusal>> bySha = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Optional<Refusal>> eldest) {
            return size() > ENTRIES;
        }
    };

    StateFileCheck(Forge forge) {
        this.forge = forge;
    }

    /** The first refusal of a state file at {@code sha}; empty when the files are valid or absent. */
    Optional<Refusal> refusalAt(RepoRef repo, String sha) {
        String key = repo.keyFor(sha);
        Optional<Refusal> refusal;
        synchronized (bySha) {
            refusal = bySha.get(key);
        }
        if (refusal == null) {
            refusal = firstRefusal(repo, sha);
            synchronized (bySha) {
                bySha.put(key, refusal);
            }
        }
        return refusal;
    }

    private Optional<Refusal> firstRefusal(RepoRef repo, String sha) {
        Optional<byte[]> kit = forge.fileAt(repo, sha, StateFileValidator.KIT_STATE_PATH);
        if (kit.isPresent()) {
            Verdict v = StateFileValidator.validateKitState(kit.get(), StateFileValidator.KIT_STATE_PATH);
            if (!v.isAllowed()) {
                return Optional.of(v.refusals().get(0));
            }
        }
        Optional<byte[]> own = forge.fileAt(repo, sha, StateFileValidator.TIERGATE_STATE_PATH);
        if (own.isPresent()) {
            Verdict v = StateFileValidator.validateTiergateState(own.get(), StateFileValidator.TIERGATE_STATE_PATH);
            if (!v.isAllowed()) {
                return Optional.of(v.refusals().get(0));
            }
        }
        return Optional.empty();
    }
}
