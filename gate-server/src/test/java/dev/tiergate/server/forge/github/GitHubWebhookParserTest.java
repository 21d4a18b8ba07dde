package dev.tiergate.server.forge.github;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.server.forge.ForgeEvent;
import dev.tiergate.server.support.OctokitExamples;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GitHubWebhookParserTest {
    static final Set<String> USED = Set.of(
            "push",
            "create",
            "delete",
            "pull_request",
            "pull_request_review",
            "status",
            "check_run",
            "check_suite",
            "merge_group");

    @Test
    void everyPublishedExampleParsesToTheExpectedKind() throws Exception {
        int parsed = 0;
        for (JsonNode event : OctokitExamples.index()) {
            String name = event.path("name").asText();
            for (JsonNode example : event.path("examples")) {
                List<ForgeEvent> events = GitHubWebhookParser.parse(name, example);
                assertFalse(events.isEmpty(), name);
                ForgeEvent e = events.get(0);
                String action = example.path("action").asText("");
                if (!USED.contains(name)) {
                    assertInstanceOf(ForgeEvent.Ignored.class, e, name + " " + action);
                } else if (name.equals("pull_request")
                        && Set.of("opened", "reopened", "synchronize", "closed").contains(action)) {
                    assertInstanceOf(ForgeEvent.PullRequestChanged.class, e, name + " " + action);
                } else if (name.equals("status")) {
                    assertInstanceOf(ForgeEvent.ChecksChanged.class, e);
                } else if ((name.equals("check_run") || name.equals("check_suite")) && action.equals("completed")) {
                    assertInstanceOf(ForgeEvent.ChecksChanged.class, e, name);
                } else if (name.equals("merge_group") && action.equals("checks_requested")) {
                    assertInstanceOf(ForgeEvent.MergeGroupRequested.class, e);
                } else if ((name.equals("create") || name.equals("delete"))) {
                    boolean branch = example.path("ref_type").asText().equals("branch");
                    assertEquals(branch, e instanceof ForgeEvent.BranchPushed, name + " " + example.path("ref_type"));
                } else if (name.equals("push")) {
                    boolean branch = example.path("ref").asText().startsWith("refs/heads/");
                    assertEquals(branch, e instanceof ForgeEvent.BranchPushed, "push " + example.path("ref"));
                }
                parsed++;
            }
        }
        assertTrue(parsed > 250, "expected the full example set, parsed " + parsed);
    }

    @Test
    void pushCreateAndDeleteOfBranchesAreRecognised() throws Exception {
        ObjectMapper m = new ObjectMapper();
        JsonNode created = m.readTree("""
                {"ref":"refs/heads/feature/x","before":"0000000000000000000000000000000000000000",
                 "after":"abc","created":true,"deleted":false,"repository":{"full_name":"o/r"}}""");
        ForgeEvent.BranchPushed p = (ForgeEvent.BranchPushed)
                GitHubWebhookParser.parse("push", created).get(0);
        assertEquals("feature/x", p.branch());
        assertTrue(p.created());
        JsonNode deleted = m.readTree("""
                {"ref":"refs/heads/feature/x","before":"abc","after":"0000000000000000000000000000000000000000",
                 "created":false,"deleted":true,"repository":{"full_name":"o/r"}}""");
        assertTrue(((ForgeEvent.BranchPushed)
                        GitHubWebhookParser.parse("push", deleted).get(0))
                .deleted());
        JsonNode tag = m.readTree("{\"ref\":\"v1\",\"ref_type\":\"tag\",\"repository\":{\"full_name\":\"o/r\"}}");
        assertInstanceOf(
                ForgeEvent.Ignored.class,
                GitHubWebhookParser.parse("create", tag).get(0));
        JsonNode baseChanged = m.readTree("""
                {"action":"edited","number":5,"changes":{"base":{"ref":{"from":"main"}}},
                 "pull_request":{"number":5,"head":{"sha":"h"}},"repository":{"full_name":"o/r"}}""");
        assertEquals(
                ForgeEvent.PullRequestChanged.Action.BASE_CHANGED,
                ((ForgeEvent.PullRequestChanged) GitHubWebhookParser.parse("pull_request", baseChanged)
                                .get(0))
                        .action());
    }

    @Test
    void tiergatesOwnStatusAndCheckRunAreIgnoredOthersAreChecks() throws Exception {
        ObjectMapper json = new ObjectMapper();
        var repo = Map.of("full_name", "acme/inv");
        var own = GitHubWebhookParser.parse(
                "status",
                json.valueToTree(Map.of(
                        "sha",
                        "a".repeat(40),
                        "context",
                        "tiergate/workflow",
                        "state",
                        "success",
                        "repository",
                        repo)));
        assertInstanceOf(dev.tiergate.server.forge.ForgeEvent.Ignored.class, own.get(0));
        assertTrue(((dev.tiergate.server.forge.ForgeEvent.Ignored) own.get(0))
                .reason()
                .contains("tiergate's own status"));
        var ci = GitHubWebhookParser.parse(
                "status",
                json.valueToTree(
                        Map.of("sha", "a".repeat(40), "context", "build", "state", "success", "repository", repo)));
        assertInstanceOf(dev.tiergate.server.forge.ForgeEvent.ChecksChanged.class, ci.get(0));
        var run = GitHubWebhookParser.parse(
                "check_run",
                json.valueToTree(Map.of(
                        "action",
                        "completed",
                        "check_run",
                        Map.of("name", "tiergate/migrations", "head_sha", "a".repeat(40)),
                        "repository",
                        repo)));
        assertInstanceOf(dev.tiergate.server.forge.ForgeEvent.Ignored.class, run.get(0));
    }

    @Test
    void aBranchNameGitCannotHaveIsIgnoredWithTheReasonNotRetried() throws Exception {
        ObjectMapper m = new ObjectMapper();
        JsonNode push = m.readTree("""
                {"ref":"refs/heads/feature/a\\u0000b","before":"0000000000000000000000000000000000000000",
                 "after":"abc","repository":{"full_name":"o/r"}}""");
        ForgeEvent.Ignored i =
                (ForgeEvent.Ignored) GitHubWebhookParser.parse("push", push).get(0);
        assertEquals(
                "refused: 'feature/a\\u0000b' cannot be a git branch name (it contains the control character U+0000)"
                        + " [webhook.branch-name]",
                i.reason());
        JsonNode create = m.readTree("""
                {"ref":"x..y","ref_type":"branch","repository":{"full_name":"o/r"}}""");
        assertTrue(((ForgeEvent.Ignored)
                        GitHubWebhookParser.parse("create", create).get(0))
                .reason()
                .contains("it contains '..'"));
    }
}
