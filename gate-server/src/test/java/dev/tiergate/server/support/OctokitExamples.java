package dev.tiergate.server.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;

/** GitHub's published webhook examples (npm @octokit/webhooks-examples), installed by .ci/fetch-webhook-examples. */
public final class OctokitExamples {
    private OctokitExamples() {}

    public static JsonNode index() throws Exception {
        String dir = System.getenv("TIERGATE_WEBHOOK_EXAMPLES");
        Path index = dir == null ? null : Path.of(dir, "index.json");
        if (index == null || !Files.exists(index)) {
            throw new AssertionError(
                    "GitHub's webhook examples are missing (" + index + "): run `bash .ci/fetch-webhook-examples`"
                            + " (./install.sh and .ci/run do it) to install the npm package @octokit/webhooks-examples");
        }
        return new ObjectMapper().readTree(index.toFile());
    }
}
