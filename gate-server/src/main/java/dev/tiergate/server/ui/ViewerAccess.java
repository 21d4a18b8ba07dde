package dev.tiergate.server.ui;

import static dev.tiergate.server.ui.Html.esc;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.InetAddress;
import java.net.URLDecoder;
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
 * until the token is set. It guards every page ({@link #guard}) and serves the sign-in form ({@code /ui/login}).
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

    // ---- the guard and the sign-in form

    /**
     * Before {@code /} and every {@code /ui/} path: the security headers; a viewer it does not admit gets 401 and, in
     * place of the page, the sign-in form (or the closed page, or for a {@code changes} mark a plain text). The static
     * files and the sign-in form itself are open to all.
     */
    void guard(Context ctx) {
        String path = ctx.path();
        headers(ctx);
        if (path.startsWith("/ui/static/") || path.equals("/ui/login") || admits(ctx)) {
            return;
        }
        ctx.status(401);
        if (closed()) {
            closedPage(ctx, path);
        } else if (path.endsWith("/changes")) {
            ctx.contentType("text/plain; charset=utf-8").result(NEEDS_TOKEN);
        } else {
            String next = path + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
            ctx.html(loginForm(NEEDS_TOKEN, next));
        }
        ctx.skipRemainingHandlers();
    }

    /** The pages are closed to everyone: no form, since no token opens them; what to set instead. */
    private static void closedPage(Context ctx, String path) {
        ctx.status(401);
        if (path.endsWith("/changes")) {
            ctx.contentType("text/plain; charset=utf-8").result(CLOSED);
        } else {
            ctx.html(Html.page(
                    "tiergate: closed",
                    "",
                    null,
                    "<h1>Closed</h1><p class=\"card refused\" id=message>" + esc(CLOSED) + "</p>"));
        }
    }

    void loginPage(Context ctx) {
        headers(ctx);
        if (closed()) {
            closedPage(ctx, ctx.path());
            return;
        }
        ctx.html(loginForm(
                required() ? NEEDS_TOKEN : "These pages need no token on this server.",
                safeNext(ctx.queryParam("next"))));
    }

    void login(Context ctx) {
        headers(ctx);
        if (closed()) {
            closedPage(ctx, ctx.path());
            return;
        }
        String next = safeNext(ctx.formParam("next"));
        if (!required()) {
            ctx.redirect(next, HttpStatus.SEE_OTHER);
            return;
        }
        if (!isToken(ctx.formParam("token"))) {
            ctx.status(401).html(loginForm(WRONG_TOKEN, next));
            return;
        }
        signIn(ctx);
        ctx.redirect(next, HttpStatus.SEE_OTHER);
    }

    /**
     * Where the sign-in form sends a viewer afterwards: only a plain path on this server, else {@code /}. It starts
     * with one {@code /} and its second character is neither {@code /} nor {@code \} (both make a browser leave for
     * another host), it holds no backslash, no control character and no white space (a browser drops some of them,
     * so {@code /%0B/evil.example} or a tab would become {@code //evil.example}), and the same holds once more after
     * percent-decoding it (for whatever decodes it again on the way). A path cannot carry a scheme.
     */
    static String safeNext(String next) {
        if (!plainLocalPath(next)) {
            return "/";
        }
        try {
            return plainLocalPath(URLDecoder.decode(next.replace("+", "%2B"), StandardCharsets.UTF_8)) ? next : "/";
        } catch (IllegalArgumentException e) {
            return "/"; // a malformed percent sequence
        }
    }

    private static boolean plainLocalPath(String p) {
        if (p == null || p.isEmpty() || p.length() > 2000 || p.charAt(0) != '/') {
            return false;
        }
        if (p.length() > 1 && (p.charAt(1) == '/' || p.charAt(1) == '\\')) {
            return false;
        }
        return p.codePoints()
                .noneMatch(cp -> cp == '\\'
                        || Character.isISOControl(cp)
                        || Character.isWhitespace(cp)
                        || Character.isSpaceChar(cp)
                        || Character.getType(cp) == Character.FORMAT);
    }

    private static String loginForm(String message, String next) {
        return Html.page(
                "tiergate: sign in",
                "",
                null,
                "<h1>Sign in</h1><p class=\"card refused\" id=message>" + esc(message) + "</p>"
                        + "<form method=post action=\"/ui/login\"><input type=hidden name=next value=\"" + esc(next)
                        + "\">"
                        + "<p><label>Viewer token <input type=password name=token id=token autocomplete=current-password required></label></p>"
                        + "<p><button type=submit id=sign-in>Sign in</button></p></form>");
    }

    private static void headers(Context ctx) {
        ctx.header("Content-Security-Policy", Html.CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cache-Control", "no-store");
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
