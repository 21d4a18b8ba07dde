package dev.tiergate.server.ui;

import io.javalin.http.Context;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code TIERGATE_VIEWER_TOKEN}: when set, the pages need it, as {@code Authorization: Bearer <token>} or as the
 * cookie the login form sets. The cookie holds an HMAC of a fixed text keyed by the token, never the token, and is
 * HttpOnly and SameSite=Strict. Every comparison is constant-time. Without a token the pages (the audit trail among
 * them) are open only on a server bound to loopback; bound anywhere else ({@code TIERGATE_BIND}) they are closed
 * until the token is set.
 */
final class ViewerAccess {
    static final String COOKIE = "tiergate_viewer";
    static final String NEEDS_TOKEN =
            "These pages need the viewer token (TIERGATE_VIEWER_TOKEN). Enter it to continue.";
    static final String WRONG_TOKEN =
            "That is not the viewer token. Ask whoever runs this server for TIERGATE_VIEWER_TOKEN.";
    static final String CLOSED =
            "These pages are closed: this server listens beyond this machine (TIERGATE_BIND) and has no viewer token."
                    + " Whoever runs it sets TIERGATE_VIEWER_TOKEN (or TIERGATE_VIEWER_TOKEN_FILE) and restarts it, or binds it to 127.0.0.1.";
    private final byte[] bearer;
    private final byte[] cookie;
    private final boolean secure;
    private final boolean closed;

    /**
     * {@code token} null: the pages are open to whoever reaches the server when {@code bindHost} is a loopback
     * address, and closed to everyone otherwise.
     */
    ViewerAccess(String token, boolean secureCookie, String bindHost) {
        this.bearer = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        this.cookie = token == null ? null : cookieValue(token).getBytes(StandardCharsets.UTF_8);
        this.secure = secureCookie;
        this.closed = token == null && !loopback(bindHost);
    }

    /** Why the pages are closed to everyone (a server reachable beyond loopback without a token), or empty. */
    static Optional<String> closedReason(String bindHost, String token) {
        return token == null && !loopback(bindHost) ? Optional.of(CLOSED) : Optional.empty();
    }

    /** Whether {@code host} is a loopback address; a name that does not resolve, or any other address, is not. */
    static boolean loopback(String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        String h = host.strip();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        try {
            for (InetAddress a : InetAddress.getAllByName(h)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    boolean required() {
        return bearer != null;
    }

    /** No token can open the pages: they are refused to everyone, with {@link #CLOSED}. */
    boolean closed() {
        return closed;
    }

    boolean admits(Context ctx) {
        if (closed) {
            return false;
        }
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
        ctx.header(
                "Set-Cookie",
                COOKIE + "=" + new String(cookie, StandardCharsets.UTF_8) + "; Path=/; HttpOnly; SameSite=Strict"
                        + (secure ? "; Secure" : ""));
    }

    private static String cookieValue(String token) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal("tiergate viewer session v1".getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
