package dev.tiergate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.testkit.ForgeStub.Answer;
import dev.tiergate.testkit.ForgeStub.Call;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The GitHub App installed on {@link GitHubApiStub}'s repository, once {@link #install}ed: every call needs its
 * installation token. {@code GET /repos/{owner}/{repo}/installation} and
 * {@code POST /app/installations/{id}/access_tokens} want a JWT whose RS256 signature verifies with the app's public
 * key, {@code iss} the app id, {@code iat} in the past and {@code exp} at most 10 minutes ahead; tokens expire
 * ({@code expires_at}) and an expired, revoked or unknown one is answered 401 "Bad credentials"
 * (docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app).
 *
 * <p>Not thread-safe: the stub calls it only under its own lock (it synchronizes on itself), where it did when this
 * was part of it.
 */
final class GitHubAppAuth {
    /** The repository's path, {@code /repos/owner/repo}. */
    private final String base;
    /** The stub's ids, shared with its statuses, runs and comments: a token's name takes the next one. */
    private final AtomicLong ids;
    /** The installed app (null: no sign-in is checked). */
    private App app;

    private static final class App {
        final String id;
        final PublicKey key;
        final Clock clock;
        final Duration tokenLifetime;
        final long installationId = 4242;
        final Map<String, Instant> tokens = new LinkedHashMap<>();
        int issued;

        App(String id, PublicKey key, Clock clock, Duration tokenLifetime) {
            this.id = id;
            this.key = key;
            this.clock = clock;
            this.tokenLifetime = tokenLifetime;
        }
    }

    GitHubAppAuth(String base, AtomicLong ids) {
        this.base = base;
        this.ids = ids;
    }

    /** See {@link GitHubApiStub#installApp}. */
    void install(String appId, PublicKey publicKey, Clock clock, Duration tokenLifetime) {
        this.app = new App(appId, publicKey, clock, tokenLifetime);
    }

    /** Whether an app is installed (calls must then sign in as it). */
    boolean installed() {
        return app != null;
    }

    /** How many installation tokens the app was given. */
    int tokensIssued() {
        return app == null ? 0 : app.issued;
    }

    /** Revokes every installation token given so far. */
    void revokeTokens() {
        app.tokens.clear();
    }

    /** The app's endpoints, and the installation token every other call needs; null when the call may go on. */
    Answer signIn(Call c) {
        Matcher exchange =
                Pattern.compile("/app/installations/(\\d+)/access_tokens").matcher(c.path());
        boolean lookup = c.method().equals("GET") && c.path().matches("/repos/[^/]+/[^/]+/installation");
        if (lookup || c.method().equals("POST") && exchange.matches()) {
            String problem = jwtProblem(c.header("Authorization"));
            if (problem != null) {
                return Answer.json(
                        401, Map.of("message", problem, "documentation_url", "https://docs.github.com/rest"));
            }
            Map<String, Object> permissions = Map.of(
                    "contents",
                    "read",
                    "pull_requests",
                    "read",
                    "statuses",
                    "write",
                    "checks",
                    "read",
                    "metadata",
                    "read");
            if (lookup && !c.path().equals(base + "/installation")) {
                return Answer.json(
                        404,
                        Map.of(
                                "message",
                                "Not Found",
                                "documentation_url",
                                "https://docs.github.com/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app"));
            }
            if (lookup) {
                return Answer.json(
                        200,
                        Map.of(
                                "id",
                                app.installationId,
                                "app_id",
                                Long.parseLong(app.id),
                                "target_type",
                                "Organization",
                                "permissions",
                                permissions,
                                "events",
                                List.of("pull_request", "push", "status")));
            }
            if (Long.parseLong(exchange.group(1)) != app.installationId) {
                return Answer.json(404, Map.of("message", "Not Found"));
            }
            String token = "ghs_" + Long.toHexString(ids.incrementAndGet()) + "x" + app.issued;
            Instant expires = app.clock.instant().plus(app.tokenLifetime).truncatedTo(ChronoUnit.SECONDS);
            app.tokens.put(token, expires);
            app.issued++;
            return Answer.json(
                    201,
                    Map.of(
                            "token",
                            token,
                            "expires_at",
                            expires.toString(),
                            "permissions",
                            permissions,
                            "repository_selection",
                            "selected"));
        }
        String auth = c.header("Authorization");
        String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : null;
        Instant expires = token == null ? null : app.tokens.get(token);
        if (expires == null || !app.clock.instant().isBefore(expires)) {
            return Answer.json(
                    401, Map.of("message", "Bad credentials", "documentation_url", "https://docs.github.com/rest"));
        }
        return null;
    }

    /** GitHub's checks of an app JWT, with its messages; null when it is good. */
    private String jwtProblem(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return "A JSON web token could not be decoded";
        }
        String[] parts = authorization.substring(7).split("\\.");
        if (parts.length != 3) {
            return "A JSON web token could not be decoded";
        }
        try {
            Base64.Decoder d = Base64.getUrlDecoder();
            JsonNode header = ForgeStub.JSON.readTree(d.decode(parts[0]));
            JsonNode claims = ForgeStub.JSON.readTree(d.decode(parts[1]));
            Signature sig = Signature.getInstance("SHA256withRSA");
            sig.initVerify(app.key);
            sig.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!"RS256".equals(header.path("alg").asText()) || !sig.verify(d.decode(parts[2]))) {
                return "A JSON web token could not be decoded";
            }
            long now = app.clock.instant().getEpochSecond();
            if (!claims.path("iss").asText().equals(app.id)) {
                return "Integration not found"; // what GitHub says to an iss of another (or no) app
            }
            if (!claims.path("iat").canConvertToLong() || claims.path("iat").asLong() > now) {
                return "'Issued at' claim ('iat') must be an Integer representing a time in the past";
            }
            if (!claims.path("exp").canConvertToLong() || claims.path("exp").asLong() > now + 600) {
                return "'Expiration time' claim ('exp') is too far in the future";
            }
            if (claims.path("exp").asLong() <= now) {
                return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
            }
            return null;
        } catch (Exception e) {
            return "A JSON web token could not be decoded";
        }
    }
}
