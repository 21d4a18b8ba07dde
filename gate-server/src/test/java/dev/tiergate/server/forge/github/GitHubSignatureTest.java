package dev.tiergate.server.forge.github;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GitHubSignatureTest {
    // GitHub's published test vector ("Validating webhook deliveries")
    static final String SECRET = "It's a Secret to Everybody";
    static final byte[] PAYLOAD = "Hello, World!".getBytes(StandardCharsets.UTF_8);
    static final String SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    @Test
    void matchesGitHubsPublishedVector() {
        assertEquals(SIGNATURE, GitHubSignature.sign(SECRET, PAYLOAD));
        assertNull(GitHubSignature.problem(SECRET, SIGNATURE, PAYLOAD));
    }

    @Test
    void refusesMissingMalformedAndWrongSignatures() {
        assertEquals("missing X-Hub-Signature-256 header", GitHubSignature.problem(SECRET, null, PAYLOAD));
        assertEquals(
                "X-Hub-Signature-256 must start with sha256=", GitHubSignature.problem(SECRET, "sha1=abc", PAYLOAD));
        assertEquals(
                "X-Hub-Signature-256 does not match the body (wrong secret or altered payload)",
                GitHubSignature.problem(SECRET, SIGNATURE, "Hello, World?".getBytes(StandardCharsets.UTF_8)));
        assertEquals(
                "X-Hub-Signature-256 does not match the body (wrong secret or altered payload)",
                GitHubSignature.problem("another secret", SIGNATURE, PAYLOAD));
    }
}
