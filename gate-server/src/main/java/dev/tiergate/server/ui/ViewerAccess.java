package dev.tiergate.server.ui;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code TIERGATE_VIEWER_TOKEN}: when set, the pages need it, as {@code Authorization: Bearer <token>} or as the
 * cookie the login form sets. The cookie holds an HMAC of a fixed text keyed by the token, never the token, and is
 * HttpOnly and SameSite=Strict. Every comparison is constant-time.
 */
final class ViewerAccess {
    static final String COOKIE = "tiergate_viewer";
    static final String NEEDS_TOKEN = "These pages need the viewer token (TIERGATE_VIEWER_TOKEN). Enter it to continue.";
    static final String WRONG_TOKEN = "That is not the viewer token. Ask whoever runs this server for TIERGATE_VIEWER_TOKEN.";
    private final byte[] bearer;
    private final byte[] cookie;
    private final boolean secure;

    /** {@code token} null: the pages are open to whoever reaches the server. */
    ViewerAccess(String token, boolean secureCookie) {
        this.bearer = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        this.cookie = token == null ? null : cookieValue(token).getBytes(StandardCharsets.UTF_8);
        this.secure = secureCookie;
    }

    boolean required() {
        return bearer != null;
    }

    boolean admits(Context ctx) {
        if (bearer == null) {
            return true;
        }
        String auth = ctx.header("Authorization");
        if (auth != null && MessageDigest.isEqual(bearer, auth.getBytes(StandardCharsets.UTF_8))) {
            return true;
        }
        String c = ctx.cookie(COOKIE);
        return c != null && MessageDigest.isEqual(cookie, c.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether {@code given} (typed into the login form) is the token. */
    boolean isToken(String given) {
        if (bearer == null || given == null) {
            return false;
        }
        return MessageDigest.isEqual(bearer, ("Bearer " + given).getBytes(StandardCharsets.UTF_8));
    }

    void signIn(Context ctx) {
        ctx.header("Set-Cookie", COOKIE + "=" + new String(cookie, StandardCharsets.UTF_8) + "; Path=/; HttpOnly; SameSite=Strict"
                + (secure ? "; Secure" : ""));
    }

    private static String cookieValue(String token) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal("tiergate viewer session v1".getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | java.security.InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
