package dev.tiergate.server.forge.github;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.core.naming.GitRefName;
import dev.tiergate.server.forge.CommitChecks;
import dev.tiergate.server.forge.ForgeEvent;
import dev.tiergate.server.forge.ForgeEvent.PullRequestChanged.Action;
import dev.tiergate.server.repo.RepoRef;
import java.util.List;

/** GitHub event type + payload → forge-neutral events. Never throws on a well-formed payload. */
public final class GitHubWebhookParser {
    private static final String ZERO_SHA = "0000000000000000000000000000000000000000";
    private static final String HEADS = "refs/heads/";

    private GitHubWebhookParser() {}

    public static List<ForgeEvent> parse(String event, JsonNode body) {
        RepoRef repo = repo(body);
        if (repo == null) {
            return List.of(new ForgeEvent.Ignored(null, event + " without a repository"));
        }
        String action = body.path("action").asText("");
        switch (event) {
            case "push": {
                String ref = body.path("ref").asText("");
                if (!ref.startsWith(HEADS)) {
                    return ignored(repo, "push to " + ref + " (not a branch)");
                }
                String before = body.path("before").asText(ZERO_SHA);
                String after = body.path("after").asText(ZERO_SHA);
                boolean deleted = body.path("deleted").asBoolean(ZERO_SHA.equals(after));
                boolean created = body.path("created").asBoolean(ZERO_SHA.equals(before));
                return branchEvent(
                        repo,
                        new ForgeEvent.BranchPushed(
                                repo, ref.substring(HEADS.length()), before, deleted ? null : after, created, deleted));
            }
            case "create":
            case "delete": {
                if (!"branch".equals(body.path("ref_type").asText())) {
                    return ignored(
                            repo, event + " of a " + body.path("ref_type").asText("?"));
                }
                boolean deleted = event.equals("delete");
                return branchEvent(
                        repo,
                        new ForgeEvent.BranchPushed(repo, body.path("ref").asText(), null, null, !deleted, deleted));
            }
            case "pull_request": {
                JsonNode pr = body.path("pull_request");
                long number = body.path("number").asLong(pr.path("number").asLong());
                String head = pr.path("head").path("sha").asText(null);
                Action a = switch (action) {
                    case "opened" -> Action.OPENED;
                    case "reopened" -> Action.REOPENED;
                    case "synchronize" -> Action.SYNCHRONIZED;
                    case "edited" -> body.path("changes").has("base") ? Action.BASE_CHANGED : Action.EDITED;
                    case "closed" -> pr.path("merged").asBoolean(false) ? Action.MERGED : Action.CLOSED;
                    default -> null;
                };
                return a == null
                        ? ignored(repo, "pull_request " + action)
                        : List.of(new ForgeEvent.PullRequestChanged(repo, number, a, head));
            }
            case "pull_request_review": {
                if (!action.equals("submitted") && !action.equals("dismissed") && !action.equals("edited")) {
                    return ignored(repo, "pull_request_review " + action);
                }
                JsonNode pr = body.path("pull_request");
                return List.of(new ForgeEvent.PullRequestChanged(
                        repo,
                        pr.path("number").asLong(),
                        Action.APPROVAL_CHANGED,
                        pr.path("head").path("sha").asText(null)));
            }
            case "status":
                // GitHub sends a status event for every status posted, tiergate's own included: reacting to those
                // would post again and loop (one SHA holds at most 1,000 statuses per context)
                if (CommitChecks.isOurs(body.path("context").asText())) {
                    return ignored(
                            repo,
                            "tiergate's own status " + body.path("context").asText() + " on "
                                    + body.path("sha").asText());
                }
                return List.of(
                        new ForgeEvent.ChecksChanged(repo, body.path("sha").asText()));
            case "check_run":
                if (CommitChecks.isOurs(body.path("check_run").path("name").asText())) {
                    return ignored(
                            repo,
                            "tiergate's own check run "
                                    + body.path("check_run").path("name").asText());
                }
                return action.equals("completed")
                        ? List.of(new ForgeEvent.ChecksChanged(
                                repo, body.path("check_run").path("head_sha").asText()))
                        : ignored(repo, "check_run " + action);
            case "check_suite":
                return action.equals("completed")
                        ? List.of(new ForgeEvent.ChecksChanged(
                                repo, body.path("check_suite").path("head_sha").asText()))
                        : ignored(repo, "check_suite " + action);
            case "merge_group": {
                if (!action.equals("checks_requested")) {
                    return ignored(repo, "merge_group " + action);
                }
                JsonNode g = body.path("merge_group");
                String baseRef = g.path("base_ref").asText("");
                String base = baseRef.startsWith(HEADS) ? baseRef.substring(HEADS.length()) : baseRef;
                var problem = GitRefName.branchNameProblem(base);
                if (problem.isPresent()) {
                    return ignored(repo, impossibleBranch(base, problem.get()));
                }
                return List.of(new ForgeEvent.MergeGroupRequested(
                        repo, g.path("head_sha").asText(), g.path("head_ref").asText(), base));
            }
            default:
                return ignored(repo, event + (action.isEmpty() ? "" : " " + action) + " is not used by tiergate");
        }
    }

    /** A branch git cannot have is a forged or broken delivery: ignored with the reason, never retried. */
    private static List<ForgeEvent> branchEvent(RepoRef repo, ForgeEvent.BranchPushed p) {
        return GitRefName.branchNameProblem(p.branch())
                .map(problem -> ignored(repo, impossibleBranch(p.branch(), problem)))
                .orElseGet(() -> List.of(p));
    }

    static String impossibleBranch(String branch, String problem) {
        return "refused: '" + GitRefName.printable(branch) + "' cannot be a git branch name (" + problem
                + ") [webhook.branch-name]";
    }

    private static List<ForgeEvent> ignored(RepoRef repo, String why) {
        return List.of(new ForgeEvent.Ignored(repo, why));
    }

    private static RepoRef repo(JsonNode body) {
        String fullName = body.path("repository").path("full_name").asText(null);
        return fullName == null ? null : new RepoRef(GitHubForge.ID, null, fullName);
    }
}
