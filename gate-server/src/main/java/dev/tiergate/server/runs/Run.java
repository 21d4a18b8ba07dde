package dev.tiergate.server.runs;

import dev.tiergate.server.repo.RepoRef;
import java.util.Map;

/**
 * One run asked for: of what kind, in which repository, about what ({@code subject}: a tier, a git branch, a PR),
 * and what makes two asks the same run ({@code dedup}: the head it is for). {@code payload} carries the facts the
 * decision had; a run still re-reads what it needs, since the forge may have moved on. {@code id} and
 * {@code attempts} are the queue's, 0 before it is stored.
 */
public record Run(
        long id, RunKind kind, RepoRef repo, String subject, String dedup, Map<String, String> payload, int attempts) {
    public Run {
        payload = Map.copyOf(payload);
    }

    /** A run to ask for. */
    public static Run of(RunKind kind, RepoRef repo, String subject, String dedup, Map<String, String> payload) {
        return new Run(0, kind, repo, subject, dedup, payload, 0);
    }

    /** A payload value, or null. */
    public String get(String key) {
        return payload.get(key);
    }

    @Override
    public String toString() {
        return kind.wireName() + " " + repo.path() + " " + subject + (dedup.isEmpty() ? "" : " @" + dedup);
    }
}
