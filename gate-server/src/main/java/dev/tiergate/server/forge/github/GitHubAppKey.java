package dev.tiergate.server.forge.github;

import dev.tiergate.server.config.ConfigException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * A GitHub App's private key, read from PEM with the JDK alone: PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, what GitHub
 * hands out) is wrapped into PKCS#8, which the JDK reads ({@code BEGIN PRIVATE KEY}, what {@code openssl pkcs8}
 * makes of it). Signs RS256 (RSASSA-PKCS1-v1_5 with SHA-256), the only algorithm GitHub accepts for app JWTs.
 */
final class GitHubAppKey {
    /** DER of AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }. */
    private static final byte[] RSA_ALGORITHM = {
        0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00
    };

    private final PrivateKey key;

    private GitHubAppKey(PrivateKey key) {
        this.key = key;
    }

    static GitHubAppKey parse(String pem) {
        String fix =
                "; fix: point TIERGATE_GITHUB_APP_PRIVATE_KEY_FILE at the .pem file GitHub let you download under the app's"
                        + " settings, Private keys (it starts with -----BEGIN RSA PRIVATE KEY-----)";
        boolean pkcs1 = pem.contains("-----BEGIN RSA PRIVATE KEY-----");
        boolean pkcs8 = pem.contains("-----BEGIN PRIVATE KEY-----");
        if (!pkcs1 && !pkcs8) {
            throw new ConfigException("the GitHub App private key is not an RSA private key in PEM"
                    + (pem.contains("ENCRYPTED")
                            ? " (it is encrypted; decrypt it: openssl rsa -in key.pem -out plain.pem)"
                            : "")
                    + fix);
        }
        String type = pkcs1 ? "RSA PRIVATE KEY" : "PRIVATE KEY";
        int from = pem.indexOf("-----BEGIN " + type + "-----") + ("-----BEGIN " + type + "-----").length();
        int to = pem.indexOf("-----END " + type + "-----", from);
        if (to < 0) {
            throw new ConfigException("the GitHub App private key has no -----END " + type + "----- line" + fix);
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(pem.substring(from, to));
            byte[] pkcs8Der = pkcs1 ? wrapPkcs1(der) : der;
            return new GitHubAppKey(KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8Der)));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new ConfigException("the GitHub App private key cannot be read: " + e.getMessage() + fix);
        }
    }

    /** PrivateKeyInfo { version 0, rsaEncryption, OCTET STRING { the PKCS#1 RSAPrivateKey } }. */
    static byte[] wrapPkcs1(byte[] pkcs1) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(RSA_ALGORITHM);
        body.write(0x04);
        body.writeBytes(derLength(pkcs1.length));
        body.writeBytes(pkcs1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x30);
        out.writeBytes(derLength(body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static byte[] derLength(int n) {
        if (n < 0x80) {
            return new byte[] {(byte) n};
        }
        if (n < 0x100) {
            return new byte[] {(byte) 0x81, (byte) n};
        }
        if (n < 0x10000) {
            return new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
        }
        return new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
    }

    /** A compact JWS: base64url(header).base64url(claims).base64url(RS256 signature). */
    String signJwt(String claimsJson) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
                + "." + b64.encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8));
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(key);
            s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64.encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the GitHub App JWT: " + e.getMessage(), e);
        }
    }
}
