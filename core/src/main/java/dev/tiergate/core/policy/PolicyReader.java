package dev.tiergate.core.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
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
            Policy policy = YAML.readValue(content, Policy.class);
            if (policy == null) {
                throw new PolicyException(where + ": policy file is empty; fix: run 'tiergate init' or restore the file");
            }
            return policy;
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
