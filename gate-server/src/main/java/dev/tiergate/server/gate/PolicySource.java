package dev.tiergate.server.gate;

import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.PolicyException;
import dev.tiergate.core.policy.PolicyReader;
import dev.tiergate.server.forge.Forge;
import dev.tiergate.server.forge.RepoRef;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The policy a decision is judged by, read through the forge. A file at a commit SHA never changes, so a policy
 * read at a SHA (or found missing or invalid there) is kept and never read again; at a branch name it is read
 * anew each time (a conditional request, free when unchanged).
 */
final class PolicySource {
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}");
    private static final int ENTRIES = 2048;
    private final Forge forge;
    private final Map<String, Read> bySha = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Read> eldest) {
            return size() > ENTRIES;
        }
    };

    private record Read(Optional<Policy> policy, PolicyException invalid) {
        Optional<Policy> get() {
            if (invalid != null) {
                throw invalid;
            }
            return policy;
        }
    }

    PolicySource(Forge forge) {
        this.forge = forge;
    }

    /** The policy at a commit SHA or branch; empty when the file is not there; {@link PolicyException} when invalid. */
    Optional<Policy> at(RepoRef repo, String ref) {
        boolean immutable = ref != null && SHA.matcher(ref).matches();
        String key = repo.keyFor(ref);
        if (immutable) {
            synchronized (bySha) {
                Read known = bySha.get(key);
                if (known != null) {
                    return known.get();
                }
            }
        }
        Read read;
        try {
            read = new Read(forge.fileAt(repo, ref, Policy.PATH).map(bytes -> PolicyReader.read(bytes, Policy.PATH + "@" + ref)), null);
        } catch (PolicyException e) {
            read = new Read(Optional.empty(), e);
        }
        if (immutable) {
            synchronized (bySha) {
                bySha.put(key, read);
            }
        }
        return read.get();
    }

    /** The policy on the default branch, which judges branch events. */
    Optional<Policy> onDefaultBranch(RepoRef repo) {
        return at(repo, forge.defaultBranch(repo));
    }
}
