package dev.tiergate.server.forge.github;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.server.forge.ForgeException;
import dev.tiergate.server.forge.JsonHttp;
import dev.tiergate.server.repo.RepoRef;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Signs in as a GitHub App (docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app): a JWT
 * signed with the app's private key (RS256, issued 60 s in the past for clock drift, expiring 10 minutes after that)
 * finds the app's installation on a repository ({@code GET /repos/{owner}/{repo}/installation}) and exchanges it for
 * an installation token ({@code POST /app/installations/{id}/access_tokens}, valid one hour). Tokens are cached per
 * installation and renewed five minutes before they expire, or at once after GitHub answers 401 to one.
 */
final class GitHubAppCredentials implements GitHubCredentials {
    static final Duration CLOCK_DRIFT = Duration.ofSeconds(60);
    static final Duration JWT_LIFETIME = Duration.ofMinutes(10);
    static final Duration RENEW_BEFORE_EXPIRY = Duration.ofMinutes(5);
    private final String appId;
    private final GitHubAppKey key;
    private final JsonHttp api;
    private final Clock clock;
    private final Map<String, Installation> installations = new HashMap<>();
    private final Map<Long, InstallationToken> tokens = new HashMap<>();

    /** The app's installation on a repository and what it was granted there. */
    record Installation(long id, JsonNode permissions) {}

    private record InstallationToken(String token, Instant expiresAt) {}

    GitHubAppCredentials(String appId, GitHubAppKey key, JsonHttp api, Clock clock) {
        this.appId = appId;
        this.key = key;
        this.api = api;
        this.clock = clock;
    }

    @Override
    public synchronized String authorization(RepoRef repo) {
        if (repo == null) {
            return "Bearer " + jwt(); // a call about no repository (e.g. GET /app) is the app's own
        }
        long installation = installation(repo).id();
        InstallationToken t = tokens.get(installation);
        if (t == null || !clock.instant().plus(RENEW_BEFORE_EXPIRY).isBefore(t.expiresAt())) {
            t = exchange(installation, repo);
            tokens.put(installation, t);
        }
        return "Bearer " + t.token();
    }

    @Override
    public synchronized boolean rejected(RepoRef repo, String rejected) {
        if (repo == null) {
            return false;
        }
        Installation i = installations.get(repo.path());
        if (i == null) {
            return true;
        }
        InstallationToken t = tokens.get(i.id());
        if (t != null && rejected.equals("Bearer " + t.token())) {
            tokens.remove(i.id()); // revoked or expired early: the next call exchanges a fresh one
        }
        return true;
    }

    @Override
    public String describe() {
        return "GitHub App " + appId;
    }

    /** The installation on {@code repo} (cached), with the permissions the organisation granted it. */
    synchronized Installation installation(RepoRef repo) {
        Installation known = installations.get(repo.path());
        if (known != null) {
            return known;
        }
        JsonHttp.Response r = api.request("GET", "/repos/" + repo.path() + "/installation", null, appHeaders());
        if (r.status() == 404) {
            throw new ForgeException(
                    "the GitHub App " + appId + " is not installed on " + repo.path() + " (GET /repos/" + repo.path()
                            + "/installation answered 404); fix: install the app on that repository (the app's settings, Install App)",
                    false);
        }
        refuseUnlessOk(r, "GET /repos/" + repo.path() + "/installation");
        Installation i = new Installation(r.body().path("id").asLong(), r.body().path("permissions"));
        installations.put(repo.path(), i);
        return i;
    }

    private InstallationToken exchange(long installation, RepoRef repo) {
        String route = "POST /app/installations/" + installation + "/access_tokens";
        JsonHttp.Response r =
                api.request("POST", "/app/installations/" + installation + "/access_tokens", Map.of(), appHeaders());
        if (r.status() == 404) {
            installations.remove(repo.path()); // uninstalled since: look it up again next time
        }
        refuseUnlessOk(r, route);
        String token = r.body().path("token").asText("");
        if (token.isEmpty()) {
            throw new ForgeException(route + " answered " + r.status() + " without a token", true);
        }
        Instant expires;
        try {
            expires = Instant.parse(r.body().path("expires_at").asText());
        } catch (RuntimeException e) {
            expires = clock.instant().plus(Duration.ofMinutes(55)); // GitHub's tokens last an hour; renew well before
        }
        return new InstallationToken(token, expires);
    }

    private void refuseUnlessOk(JsonHttp.Response r, String route) {
        if (r.status() >= 200 && r.status() < 300) {
            return;
        }
        String message = r.body().path("message").asText(new String(r.bytes(), StandardCharsets.UTF_8));
        if (r.status() == 401) {
            throw new ForgeException(
                    "GitHub refused the GitHub App's sign-in (" + route + " answered 401: " + message
                            + "); fix: check that"
                            + " TIERGATE_GITHUB_APP_ID (" + appId
                            + ") is the app's ID and TIERGATE_GITHUB_APP_PRIVATE_KEY_FILE holds one of its"
                            + " current private keys (the app's settings, Private keys), and that this machine's clock is right",
                    false);
        }
        throw new ForgeException(route + " answered " + r.status() + ": " + message, r.status() >= 500);
    }

    private Map<String, String> appHeaders() {
        return Map.of("Authorization", "Bearer " + jwt());
    }

    /** iat 60 s in the past (clock drift), exp 10 minutes after iat, so never more than 10 minutes ahead; iss the app. */
    String jwt() {
        long now = clock.instant().getEpochSecond();
        long iat = now - CLOCK_DRIFT.toSeconds();
        long exp = iat + JWT_LIFETIME.toSeconds();
        String iss = appId.matches("\\d+")
                ? appId
                : "\"" + appId.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        return key.signJwt("{\"iat\":" + iat + ",\"exp\":" + exp + ",\"iss\":" + iss + "}");
    }
}
