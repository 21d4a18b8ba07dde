package dev.tiergate.core.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;

/**
 * Reads a policy from YAML or JSON text (JSON is YAML, so one parser serves both): SnakeYAML's parser into a
 * {@link YamlTree}, then the records ({@link PolicyTree}). Jackson only writes policies ({@link #toYaml}).
 */
public final class PolicyReader {
    /** Only for writing; made on first use, so reading a policy never starts Jackson. */
    private static final class Writer {
        static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    }

    private PolicyReader() {
    }

    public static Policy read(byte[] content, String where) {
        return read(new String(content, StandardCharsets.UTF_8), where);
    }

    public static Policy read(String content, String where) {
        java.util.Optional<YamlTree> root;
        try {
            root = YamlTree.parse(content);
        } catch (YamlTree.SyntaxError e) {
            throw new PolicyException(where + (e.line > 0 ? ":" + e.line : "") + ": policy file cannot be read: " + e.getMessage()
                    + "; fix: correct the file (run 'tiergate policy validate " + where + "')", e);
        }
        if (root.isEmpty() || root.get().isNull()) {
            throw new PolicyException(where + ": policy file is empty; fix: run 'tiergate init' or restore the file");
        }
        // the records by hand from the tree (PolicyTree), which SnakeYAML reads without starting Jackson
        return PolicyTree.policy(root.get(), where);
    }

    public static String toYaml(Policy policy) {
        try {
            return Writer.YAML.writeValueAsString(policy);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
