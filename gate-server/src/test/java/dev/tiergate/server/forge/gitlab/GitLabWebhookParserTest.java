package dev.tiergate.server.forge.gitlab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.server.forge.ForgeEvent;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GitLabWebhookParserTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SHA = "c".repeat(40);
    static final Map<String, Object> PROJECT = Map.of("id", 15, "path_with_namespace", "acme/inv");

    static List<ForgeEvent> parse(String event, Map<String, Object> body) {
        return GitLabWebhookParser.parse(event, JSON.valueToTree(body));
    }

    static Map<String, Object> job(String name, String status) {
        return Map.of(
                "object_kind", "build", "sha", SHA, "build_name", name, "build_status", status, "project", PROJECT);
    }

    @Test
    void aFinishedCiJobIsACheckChangeAJobOnItsWayAndTiergatesOwnAreIgnored() {
        assertInstanceOf(
                ForgeEvent.ChecksChanged.class,
                parse("Job Hook", job("build", "success")).get(0));
        assertInstanceOf(
                ForgeEvent.ChecksChanged.class,
                parse("Job Hook", job("build", "failed")).get(0));
        ForgeEvent running = parse("Job Hook", job("build", "running")).get(0);
        assertInstanceOf(ForgeEvent.Ignored.class, running);
        assertTrue(((ForgeEvent.Ignored) running).reason().contains("outcome is not known yet"));
        ForgeEvent own = parse("Job Hook", job("tiergate/workflow", "success")).get(0);
        assertTrue(((ForgeEvent.Ignored) own).reason().contains("tiergate's own job"));
    }

    @Test
    void aPipelineHookNamesTheOtherJobsSoOnlyTheirChangesCount() {
        Map<String, Object> attrs = Map.of("id", 31, "sha", SHA, "status", "running");
        ForgeEvent.ChecksChanged a = (ForgeEvent.ChecksChanged) parse(
                        "Pipeline Hook",
                        Map.of(
                                "object_attributes",
                                attrs,
                                "project",
                                PROJECT,
                                "builds",
                                List.of(Map.of("id", 1, "name", "build", "status", "success"))))
                .get(0);
        ForgeEvent.ChecksChanged b = (ForgeEvent.ChecksChanged) parse(
                        "Pipeline Hook",
                        Map.of(
                                "object_attributes",
                                Map.of("id", 31, "sha", SHA, "status", "success"),
                                "project",
                                PROJECT,
                                "builds",
                                List.of(Map.of("id", 1, "name", "build", "status", "success"))))
                .get(0);
        assertEquals(a.otherJobs(), b.otherJobs(), "only the pipeline's status (tiergate's own job) changed");
        ForgeEvent.ChecksChanged c = (ForgeEvent.ChecksChanged) parse(
                        "Pipeline Hook",
                        Map.of(
                                "object_attributes",
                                attrs,
                                "project",
                                PROJECT,
                                "builds",
                                List.of(Map.of("id", 1, "name", "build", "status", "failed"))))
                .get(0);
        assertTrue(!a.otherJobs().equals(c.otherJobs()));
        ForgeEvent.ChecksChanged none = (ForgeEvent.ChecksChanged)
                parse("Pipeline Hook", Map.of("object_attributes", attrs, "project", PROJECT))
                        .get(0);
        assertNull(none.otherJobs(), "without builds in the payload every delivery is looked at");
    }

    @Test
    void aPushToABranchGitCannotHaveIsIgnoredWithTheReason() throws Exception {
        var body = new ObjectMapper().readTree("""
                {"ref":"refs/heads/feature/x.lock","before":"0000000000000000000000000000000000000000","after":"abc",
                 "project":{"path_with_namespace":"g/p"}}""");
        ForgeEvent.Ignored i = (ForgeEvent.Ignored)
                GitLabWebhookParser.parse("Push Hook", body).get(0);
        assertEquals(
                "refused: 'feature/x.lock' cannot be a git branch name (its component 'x.lock' ends with '.lock')"
                        + " [webhook.branch-name]",
                i.reason());
    }
}
