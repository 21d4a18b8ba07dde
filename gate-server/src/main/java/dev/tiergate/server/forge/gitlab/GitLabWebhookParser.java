package dev.tiergate.server.forge.gitlab;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.core.naming.GitRefName;
import dev.tiergate.server.forge.CommitChecks;
import dev.tiergate.server.forge.ForgeEvent;
import dev.tiergate.server.forge.ForgeEvent.PullRequestChanged.Action;
import dev.tiergate.server.repo.RepoRef;
import java.util.List;
import java.util.TreeMap;

/**
 * GitLab event ({@code X-Gitlab-Event}) + payload → forge-neutral events. Never throws on a well-formed payload;
 * events tiergate does not use are {@link ForgeEvent.Ignored} (and still answered 2xx: GitLab disables hooks
 * that answer 4xx).
 */
public final class GitLabWebhookParser {
    private static final String ZERO_SHA = "0000000000000000000000000000000000000000";
    private static final String HEADS = "refs/heads/";

    private GitLabWebhookParser() {}

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
            return List.of(new ForgeEvent.ExternalStatusCheckRequested(
                    repo,
                    attrs.path("iid").asLong(),
                    attrs.path("last_commit").path("id").asText(null),
                    body.path("external_approval_rule").path("id").asLong()));
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
                    return ignored(
                            repo,
                            "refused: '" + GitRefName.printable(branch) + "' cannot be a git branch name ("
                                    + problem.get() + ") [webhook.branch-name]");
                }
                return List.of(new ForgeEvent.BranchPushed(
                        repo, branch, before, deleted ? null : after, ZERO_SHA.equals(before), deleted));
            }
            case "Merge Request Hook": {
                long iid = attrs.path("iid").asLong();
                String head = attrs.path("last_commit").path("id").asText(null);
                String action = attrs.path("action").asText("");
                Action a = switch (action) {
                    case "open" -> Action.OPENED;
                    case "reopen" -> Action.REOPENED;
                    case "update" ->
                        attrs.hasNonNull("oldrev")
                                ? Action.SYNCHRONIZED
                                : body.path("changes").has("target_branch") ? Action.BASE_CHANGED : Action.EDITED;
                    case "approved", "unapproved", "approval", "unapproval" -> Action.APPROVAL_CHANGED;
                    case "merge" -> Action.MERGED;
                    case "close" -> Action.CLOSED;
                    default -> null;
                };
                return a == null
                        ? ignored(repo, "merge request " + action)
                        : List.of(new ForgeEvent.PullRequestChanged(repo, iid, a, head));
            }
            case "Pipeline Hook":
                return pipeline(repo, attrs.path("sha").asText(), body.path("builds"));
            case "Job Hook":
                return job(repo, body);
            default:
                return ignored(repo, event + " is not used by tiergate");
        }
    }

    /**
     * A Pipeline Hook fires whenever the pipeline's status changes, and tiergate's own commit status is a job of
     * that pipeline (stage {@code external}): the other jobs' statuses are named so that a delivery whose only
     * change is tiergate's own job does nothing, and a pipeline of nothing but tiergate's job is ignored outright.
     */
    private static List<ForgeEvent> pipeline(RepoRef repo, String sha, JsonNode builds) {
        if (!builds.isArray() || builds.isEmpty()) {
            return List.of(new ForgeEvent.ChecksChanged(repo, sha));
        }
        TreeMap<String, String> others = new TreeMap<>();
        for (JsonNode b : builds) {
            String name = b.path("name").asText();
            if (!CommitChecks.isOurs(name)) {
                others.put(name + "#" + b.path("id").asText(), b.path("status").asText());
            }
        }
        if (others.isEmpty()) {
            return ignored(repo, "pipeline on " + sha + " holds only tiergate's own job");
        }
        return List.of(new ForgeEvent.ChecksChanged(repo, sha, others.toString()));
    }

    /**
     * A CI job finished. Needed beside Pipeline Hooks: by GitLab's composite status a pipeline holding a finished
     * build and tiergate's own pending job stays "running", as it was while the build ran, so no Pipeline Hook
     * says that CI went green. Jobs still on their way are ignored (their outcome is not known yet; a retry of a
     * finished pipeline changes its status and fires a Pipeline Hook). External statuses fire no Job Hooks.
     */
    private static List<ForgeEvent> job(RepoRef repo, JsonNode body) {
        String name = body.path("build_name").asText();
        String status = body.path("build_status").asText();
        if (CommitChecks.isOurs(name)) {
            return ignored(repo, "tiergate's own job " + name);
        }
        if (!List.of("success", "failed", "canceled", "skipped", "manual").contains(status)) {
            return ignored(repo, "job " + name + " is " + status + "; its outcome is not known yet");
        }
        return List.of(new ForgeEvent.ChecksChanged(repo, body.path("sha").asText()));
    }

    private static List<ForgeEvent> ignored(RepoRef repo, String why) {
        return List.of(new ForgeEvent.Ignored(repo, why));
    }
}
