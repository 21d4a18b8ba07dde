package dev.tiergate.server.gate;

import dev.tiergate.server.forge.Forge;
import dev.tiergate.server.repo.RepoRef;
import java.util.LinkedHashMap;
import java.util.Map;

/** A PR's own changes by (base, head) SHA, read once from the forge: the two commits never change. */
final class PullRequestChanges {
    private static final int ENTRIES = 2048;
    private final Forge forge;
    private final Map<String, Forge.Changes> known = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Forge.Changes> eldest) {
            return size() > ENTRIES;
        }
    };

    PullRequestChanges(Forge forge) {
        this.forge = forge;
    }

    Forge.Changes of(RepoRef repo, String baseSha, String headSha) {
        String key = repo.keyFor(baseSha + "..." + headSha);
        synchronized (known) {
            Forge.Changes c = known.get(key);
            if (c != null) {
                return c;
            }
        }
        Forge.Changes read = forge.changes(repo, baseSha, headSha);
        synchronized (known) {
            known.put(key, read);
        }
        return read;
    }
}
