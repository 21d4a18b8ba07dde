package dev.tiergate.server.gate;

import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.PolicyException;
import dev.tiergate.core.policy.PolicyReader;
import dev.tiergate.core.policy.PolicyValidator;
import dev.tiergate.core.verdict.Refusal;
import dev.tiergate.server.forge.Forge;
import dev.tiergate.server.repo.RepoRef;
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
            read = new Read(
                    forge.fileAt(repo, ref, Policy.PATH)
                            .map(bytes ->
                                    judged(PolicyReader.read(bytes, Policy.PATH + "@" + ref), Policy.PATH + "@" + ref)),
                    null);
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

    /**
     * A policy whose {@code database_access} holds what no database role can take (a group named {@code read-only},
     * a table without its schema) is invalid here as in {@code tiergate policy validate}: the server reads a policy
     * pushed past the hooks too, and never hands such a value to a backend.
     */
    static Policy judged(Policy policy, String where) {
        Optional<Refusal> wrong = PolicyValidator.validate(policy, where).refusals().stream()
                .filter(r -> r.rule().equals(PolicyValidator.ACCESS_VALUES))
                .findFirst();
        if (wrong.isPresent()) {
            throw new PolicyException(where + ": " + wrong.get().message() + " ["
                    + wrong.get().rule() + "]; " + wrong.get().fix());
        }
        return policy;
    }

    /** The policy on the default branch, which judges branch events. */
    Optional<Policy> onDefaultBranch(RepoRef repo) {
        return at(repo, forge.defaultBranch(repo));
    }
}
