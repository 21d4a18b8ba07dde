package dev.tiergate.core.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Reads a policy from YAML or JSON text (JSON is YAML, so one parser serves both): SnakeYAML's parser into a
 * {@link YamlTree}, then the records ({@link PolicyTree}). Jackson only writes policies ({@link #toYaml}). The policy is
 * repository content, read by the server from a PR's base: a file over 256 KB, nested deeper than 64 levels or using
 * more than 50 aliases is refused before anything is built from it ({@link YamlTree#MAX_BYTES}, {@link YamlTree#MAX_DEPTH},
 * {@link YamlTree#MAX_ALIASES}).
 */
public final class PolicyReader {
    /** Only for writing; made on first use, so reading a policy never starts Jackson. */
    private static final class Writer {
        static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    }

    private PolicyReader() {}

    public static Policy read(byte[] content, String where) {
        if (content.length > YamlTree.MAX_BYTES) { // not even decoded
            throw refusedUnread(where, YamlTree.tooLarge(content.length));
        }
        return read(new String(content, StandardCharsets.UTF_8), where);
    }

    public static Policy read(String content, String where) {
        Optional<YamlTree> root;
        try {
            root = YamlTree.parse(content);
        } catch (YamlTree.LimitExceeded e) {
            throw refusedUnread(where, e);
        } catch (YamlTree.SyntaxError e) {
            throw new PolicyException(
                    where + (e.line > 0 ? ":" + e.line : "") + ": policy file cannot be read: " + e.getMessage()
                            + "; fix: correct the file (run 'tiergate policy validate " + where + "')",
                    e);
        }
        if (root.isEmpty() || root.get().isNull()) {
            throw new PolicyException(where + ": policy file is empty; fix: run 'tiergate init' or restore the file");
        }
        // the records by hand from the tree (PolicyTree), which SnakeYAML reads without starting Jackson
        return PolicyTree.policy(root.get(), where);
    }

    /**
     * Why {@code content} is refused unread (its size, depth or aliases past a bound), or empty: any other problem is
     * left to whoever reads the file next. {@link PolicyValidator} asks first, so the hook refuses as the server does.
     */
    static Optional<YamlTree.LimitExceeded> beyondBounds(byte[] content) {
        if (content.length > YamlTree.MAX_BYTES) {
            return Optional.of(YamlTree.tooLarge(content.length));
        }
        try {
            YamlTree.parse(new String(content, StandardCharsets.UTF_8));
        } catch (YamlTree.LimitExceeded e) {
            return Optional.of(e);
        } catch (YamlTree.SyntaxError e) {
            // the validator's to report in its own words
        }
        return Optional.empty();
    }

    private static PolicyException refusedUnread(String where, YamlTree.LimitExceeded e) {
        return new PolicyException(
                where + (e.line > 0 ? ":" + e.line : "") + ": policy file is refused unread: " + e.getMessage()
                        + "; fix: " + e.fix + " (run 'tiergate policy validate " + where + "')",
                e);
    }

    public static String toYaml(Policy policy) {
        try {
            return Writer.YAML.writeValueAsString(policy);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
