package dev.tiergate.server.http;

import dev.tiergate.server.store.ApiTokenStore;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Resolves the caller of {@code /api} and {@code /metrics} once per request, from {@code Authorization: Bearer <token>}:
 * {@code TIERGATE_API_TOKEN} is the admin, a token the store knows and holds as active is its actor, no header is
 * nobody. Both comparisons are of SHA-256 digests: against the admin token's with {@link MessageDigest#isEqual}, and in
 * the store by the digest as a key. A token that is unknown, revoked or expired gets one and the same answer (a
 * difference would tell the holder of a stolen token that it once worked). Then each endpoint asks what it needs:
 * {@link #requireAdmin} for the metrics and the doctor, {@link #requireReader} for the branches' read API.
 */
final class ApiAuth {
    static final String ATTRIBUTE = "tiergate.api.caller";
    private static final String INVALID =
            "the bearer token is not one this server accepts: it is unknown, revoked or expired";
    private static final String NEW_TOKEN =
            "ask the server's operator for a token of your own (tiergate token create --actor <your login>),"
                    + " or use TIERGATE_API_TOKEN if you are the operator";
    private final byte[] adminDigest;
    private final ApiTokenStore tokens;

    /** {@code adminToken}: TIERGATE_API_TOKEN, or null when the server sets none. */
    ApiAuth(String adminToken, ApiTokenStore tokens) {
        this.adminDigest = adminToken == null ? null : sha256(adminToken);
        this.tokens = tokens;
    }

    boolean adminConfigured() {
        return adminDigest != null;
    }

    /**
     * Before every {@code /api} and {@code /metrics} request: resolves the caller (401 for a header that names no
     * active token) and, on a server with an admin token, turns away a request that sent none.
     */
    void screen(Context ctx) {
        if (caller(ctx) instanceof ApiCaller.Anonymous && adminConfigured()) {
            if (adminOnly(ctx.path())) {
                requireAdmin(ctx);
            }
            throw ApiRefusal.unauthenticated("the API needs Authorization: Bearer <token>", NEW_TOKEN, "Bearer");
        }
    }

    /** A repository's grants and their repair, which are the operator's alone. */
    private static final Pattern GRANTS = Pattern.compile("/api/v1/repos/[^/]+/[^/]+/grants(/apply)?/?");

    private static boolean adminOnly(String path) {
        return path.startsWith("/metrics")
                || path.startsWith("/api/v1/doctor")
                || GRANTS.matcher(path).matches();
    }

    /** The admin's endpoints ({@code /metrics}, {@code /api/v1/doctor}, the grants): TIERGATE_API_TOKEN and nothing else. */
    void requireAdmin(Context ctx) {
        if (!adminConfigured()) {
            throw ApiRefusal.forbidden(
                    ApiAccess.NO_TOKEN,
                    "set TIERGATE_API_TOKEN (or TIERGATE_API_TOKEN_FILE) on the server and restart it");
        }
        ApiCaller c = caller(ctx);
        if (c instanceof ApiCaller.Anonymous) {
            throw ApiRefusal.unauthenticated(
                    ctx.path() + " needs Authorization: Bearer <TIERGATE_API_TOKEN>",
                    "send the server's admin token, TIERGATE_API_TOKEN",
                    "Bearer");
        }
        if (c instanceof ApiCaller.Actor a) {
            throw ApiRefusal.forbidden(
                    ctx.path() + " needs the admin token (TIERGATE_API_TOKEN); "
                            + a.token().actor() + "'s token reaches the branches' read API only",
                    "ask the server's operator, who holds TIERGATE_API_TOKEN");
        }
    }

    /**
     * The branches' read API: the admin, an actor whose token reaches this repository, or, on a server that sets no
     * admin token, anybody (who is never shown a password).
     */
    ApiCaller requireReader(Context ctx) {
        ApiCaller c = caller(ctx);
        if (c instanceof ApiCaller.Anonymous && adminConfigured()) {
            throw ApiRefusal.unauthenticated("the API needs Authorization: Bearer <token>", NEW_TOKEN, "Bearer");
        }
        String repo = ctx.pathParam("owner") + "/" + ctx.pathParam("repo");
        if (c instanceof ApiCaller.Actor a && !a.token().reaches(repo)) {
            throw ApiRefusal.forbidden(
                    "token " + a.token().id() + " of " + a.token().actor() + " reaches "
                            + a.token().repo() + " only, not " + repo,
                    "ask the server's operator for one that reaches " + repo + ": tiergate token create --actor "
                            + a.token().actor() + " --repo " + repo);
        }
        return c;
    }

    /** The request's caller, resolved on first use and kept on the request. */
    ApiCaller caller(Context ctx) {
        ApiCaller known = ctx.attribute(ATTRIBUTE);
        if (known != null) {
            return known;
        }
        ApiCaller c = resolve(ctx.header("Authorization"));
        ctx.attribute(ATTRIBUTE, c);
        return c;
    }

    private ApiCaller resolve(String authorization) {
        if (authorization == null) {
            return new ApiCaller.Anonymous();
        }
        if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7) || authorization.length() == 7) {
            throw ApiRefusal.unauthenticated("Authorization must be 'Bearer <token>'", NEW_TOKEN, "Bearer");
        }
        String secret = authorization.substring(7).strip();
        if (adminDigest != null && MessageDigest.isEqual(adminDigest, sha256(secret))) { // both 32 bytes: constant-time
            return new ApiCaller.Admin();
        }
        Optional<ApiTokenStore.ApiToken> token = tokens.active(secret);
        if (token.isEmpty()) {
            throw ApiRefusal.unauthenticated(INVALID, NEW_TOKEN, "Bearer error=\"invalid_token\"");
        }
        return new ApiCaller.Actor(token.get());
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
