package dev.tiergate.server.forge.gitlab;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.core.naming.GitRefName;
import dev.tiergate.server.forge.ForgeEvent;
import dev.tiergate.server.forge.ForgeEvent.PullRequestChanged.Action;
import dev.tiergate.server.forge.RepoRef;
import java.util.List;

/**
 * GitLab event ({@code X-Gitlab-Event}) + payload → forge-neutral events. Never throws on a well-formed payload;
 * events tiergate does not use are {@link ForgeEvent.Ignored} (and still answered 2xx: GitLab disables hooks
 * that answer 4xx).
 */
public final class GitLabWebhookParser {
    private static final String ZERO_SHA = "0000000000000000000000000000000000000000";
    private static final String HEADS = "refs/heads/";

    private GitLabWebhookParser() {
    }

    public static List<ForgeEvent> parse(String event, JsonNode body) {
        return parse(event, body, null);
    }

    public static List<ForgeEvent> parse(String event, JsonNode body, String instance) {
        String path = body.path("project").path("path_with_namespace").asText(null);
        if (path == null) {
            return List.of(new ForgeEvent.Ignored(null, event + " without a project"));
        }
        RepoRef repo = new RepoRef(GitLabForge.ID, instance, path);
        JsonNode attrs = body.path("object_attributes");
        if (body.has("external_approval_rule")) {
            // an external status check request: answer for exactly this MR and SHA
            return List.of(new ForgeEvent.ExternalStatusCheckRequested(repo, attrs.path("iid").asLong(),
                    attrs.path("last_commit").path("id").asText(null), body.path("external_approval_rule").path("id").asLong()));
        }
        switch (event) {
            case "Push Hook": {
                String ref = body.path("ref").asText("");
                if (!ref.startsWith(HEADS)) {
                    return ignored(repo, "push to " + ref);
                }
                String before = body.path("before").asText(ZERO_SHA);
                String after = body.path("after").asText(ZERO_SHA);
                boolean deleted = ZERO_SHA.equals(after);
                String branch = ref.substring(HEADS.length());
                var problem = GitRefName.branchNameProblem(branch);
                if (problem.isPresent()) {
                    return ignored(repo, "refused: '" + GitRefName.printable(branch) + "' cannot be a git branch name ("
                            + problem.get() + ") [webhook.branch-name]");
                }
                return List.of(new ForgeEvent.BranchPushed(repo, branch, before, deleted ? null : after,
                        ZERO_SHA.equals(before), deleted));
            }
            case "Merge Request Hook": {
                long iid = attrs.path("iid").asLong();
                String head = attrs.path("last_commit").path("id").asText(null);
                String action = attrs.path("action").asText("");
                Action a = switch (action) {
                    case "open" -> Action.OPENED;
                    case "reopen" -> Action.REOPENED;
                    case "update" -> attrs.hasNonNull("oldrev") ? Action.SYNCHRONIZED
                            : body.path("changes").has("target_branch") ? Action.BASE_CHANGED : Action.EDITED;
                    case "approved", "unapproved", "approval", "unapproval" -> Action.APPROVAL_CHANGED;
                    case "merge" -> Action.MERGED;
                    case "close" -> Action.CLOSED;
                    default -> null;
                };
                return a == null ? ignored(repo, "merge request " + action) : List.of(new ForgeEvent.PullRequestChanged(repo, iid, a, head));
            }
            case "Pipeline Hook":
                return List.of(new ForgeEvent.ChecksChanged(repo, attrs.path("sha").asText()));
            default:
                return ignored(repo, event + " is not used by tiergate");
        }
    }

    private static List<ForgeEvent> ignored(RepoRef repo, String why) {
        return List.of(new ForgeEvent.Ignored(repo, why));
    }
}
