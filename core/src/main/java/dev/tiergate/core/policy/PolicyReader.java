package dev.tiergate.core.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tiergate.core.state.JsonLocations;
import java.nio.charset.StandardCharsets;

/** Reads a policy from YAML or JSON text (JSON is YAML, so one parser serves both). */
public final class PolicyReader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private PolicyReader() {
    }

    public static Policy read(byte[] content, String where) {
        return read(new String(content, StandardCharsets.UTF_8), where);
    }

    public static Policy read(String content, String where) {
        try {
            com.fasterxml.jackson.databind.JsonNode root = YAML.readTree(content);
            if (root == null || root.isMissingNode() || root.isNull()) {
                throw new PolicyException(where + ": policy file is empty; fix: run 'tiergate init' or restore the file");
            }
            // the records by hand from the tree (PolicyTree); lines for an error message only when there is one
            return PolicyTree.policy(root, where, () -> JsonLocations.of(YAML.getFactory(), content.getBytes(StandardCharsets.UTF_8)));
        } catch (JsonProcessingException e) {
            String line = e.getLocation() == null ? "" : ":" + e.getLocation().getLineNr();
            throw new PolicyException(where + line + ": policy file cannot be read: " + e.getOriginalMessage()
                    + "; fix: correct the file (run 'tiergate policy validate " + where + "')", e);
        }
    }

    public static String toYaml(Policy policy) {
        try {
            return YAML.writeValueAsString(policy);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
