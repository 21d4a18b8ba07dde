package dev.tiergate.server.forge;

import dev.tiergate.core.gate.CheckResult;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a forge shows on one commit, read in one go: the CI results, never tiergate's own statuses or jobs among
 * them (tiergate must not wait on, or be made green by, itself), and tiergate's own statuses by context as the
 * forge shows them now, which is what a new status is compared with before it is posted.
 */
public record CommitChecks(List<CheckResult> ci, Map<String, CommitStatus> ours) {
    public static final CommitChecks NONE = new CommitChecks(List.of(), Map.of());

    public CommitChecks {
        ci = List.copyOf(ci);
        ours = Map.copyOf(ours);
    }

    /** tiergate's status in {@code context} as the forge shows it, if any. */
    public Optional<CommitStatus> shown(String context) {
        return Optional.ofNullable(ours.get(context));
    }

    /** A status or job name that belongs to tiergate ({@code tiergate/workflow}, {@code tiergate/migrations}, …). */
    public static boolean isOurs(String context) {
        return context != null && context.startsWith("tiergate/");
    }
}
