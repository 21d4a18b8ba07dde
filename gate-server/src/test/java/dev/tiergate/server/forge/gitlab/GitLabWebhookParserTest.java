package dev.tiergate.server.forge.gitlab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.server.forge.ForgeEvent;
import org.junit.jupiter.api.Test;

class GitLabWebhookParserTest {
    @Test
    void aPushToABranchGitCannotHaveIsIgnoredWithTheReason() throws Exception {
        var body = new ObjectMapper().readTree("""
                {"ref":"refs/heads/feature/x.lock","before":"0000000000000000000000000000000000000000","after":"abc",
                 "project":{"path_with_namespace":"g/p"}}""");
        ForgeEvent.Ignored i = (ForgeEvent.Ignored) GitLabWebhookParser.parse("Push Hook", body).get(0);
        assertEquals("refused: 'feature/x.lock' cannot be a git branch name (its component 'x.lock' ends with '.lock')"
                + " [webhook.branch-name]", i.reason());
    }
}
