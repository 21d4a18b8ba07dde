package dev.tiergate.server.http;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What {@code GET /api/v1/doctor} and {@code GET /metrics} ask of a caller. Both need {@code TIERGATE_API_TOKEN},
 * even on a server that sets none (then they are closed): they describe how the server is made, and the doctor makes
 * it read a repository through the forge with its own credentials. The doctor's {@code repo} is a repository's path
 * and nothing else, so no caller can point the server's token at another forge endpoint.
 */
final class ApiAccess {
    static final String NO_TOKEN =
            "/api/v1/doctor and /metrics need TIERGATE_API_TOKEN, and this server sets none: set TIERGATE_API_TOKEN"
                    + " (or TIERGATE_API_TOKEN_FILE) on the server, restart it, and send Authorization: Bearer <token>";
    /** One path segment as GitHub and GitLab allow it in a repository path (letters, digits, {@code . _ -}). */
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_.-]{1,100}");
    /** GitLab nests groups at most 20 deep. */
    private static final int MAX_SEGMENTS = 21;

    private ApiAccess() {}

    /**
     * Why {@code repo} is not a repository path ({@code owner/name}; with GitLab served, {@code group/subgroup/name}
     * too), or empty when it is or when none was given. No {@code ..}, {@code ?}, {@code #}, {@code %}, white space
     * or any other character outside letters, digits, {@code . _ -} and the separating {@code /}.
     */
    static Optional<String> repoProblem(String repo, boolean nestedGroups) {
        if (repo == null || repo.isEmpty()) {
            return Optional.empty();
        }
        String rule = nestedGroups
                ? "repo must be a repository's path: owner/name (GitHub) or group/subgroup/name (GitLab), each part letters, digits, '.', '_' or '-'"
                : "repo must be a repository's path, owner/name, each part letters, digits, '.', '_' or '-'";
        String[] parts = repo.split("/", -1);
        if (parts.length < 2 || parts.length > (nestedGroups ? MAX_SEGMENTS : 2)) {
            return Optional.of(rule);
        }
        for (String part : parts) {
            if (!SEGMENT.matcher(part).matches() || part.equals(".") || part.contains("..")) {
                return Optional.of(rule);
            }
        }
        return Optional.empty();
    }
}
