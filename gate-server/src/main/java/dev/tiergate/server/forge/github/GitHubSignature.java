package dev.tiergate.server.forge.github;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** {@code X-Hub-Signature-256}: HMAC-SHA256 of the exact request bytes, compared in constant time. */
public final class GitHubSignature {
    private static final String PREFIX = "sha256=";

    private GitHubSignature() {}

    public static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return PREFIX + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Null when {@code header} is the right signature of {@code body}; otherwise why not. */
    public static String problem(String secret, String header, byte[] body) {
        if (header == null || header.isBlank()) {
            return "missing X-Hub-Signature-256 header";
        }
        if (!header.startsWith(PREFIX)) {
            return "X-Hub-Signature-256 must start with sha256=";
        }
        byte[] expected = sign(secret, body).getBytes(StandardCharsets.US_ASCII);
        byte[] given = header.strip().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, given)
                ? null
                : "X-Hub-Signature-256 does not match the body (wrong secret or altered payload)";
    }
}
