package dev.tiergate.hooks.agent;

import java.util.Optional;

/**
 * The three forge calls the agent commands make with the caller's own token: find the open pull (merge) request of a
 * head branch, open one, merge one at a given head. Everything else (verdicts, approvals, migrations) is the tiergate
 * server's to say; the forge's branch protection (required {@code tiergate/workflow}) is what holds a merge.
 */
public interface ForgeApi {
    /** github or gitlab. */
    String name();

    /** The open PR from {@code headBranch}, if any. */
    Optional<Pull> openPull(String headBranch) throws ForgeFailure;

    Pull open(String headBranch, String base, String title, String body, boolean draft) throws ForgeFailure;

    /** Merges PR {@code number} if its head is still {@code sha}; the new head of the base branch. */
    String merge(long number, String sha, String method) throws ForgeFailure;

    /** A pull (merge) request as the forge shows it. */
    record Pull(long number, String url, String headSha, String base, boolean draft) {}

    /**
     * The forge said no ({@code refused}: a 4xx with its message, exit 2) or could not answer (a 5xx, a time-out, no
     * connection: exit 3).
     */
    final class ForgeFailure extends Exception {
        private final boolean refused;
        private final int status;

        public ForgeFailure(boolean refused, int status, String message) {
            super(message);
            this.refused = refused;
            this.status = status;
        }

        public boolean refused() {
            return refused;
        }

        public int status() {
            return status;
        }
    }
}
