package dev.tiergate.server.forge.github;

import dev.tiergate.server.forge.JsonHttp;
import dev.tiergate.server.repo.RepoRef;
import java.time.Clock;

/**
 * How tiergate signs in to GitHub for one repository: a token ({@code TIERGATE_GITHUB_TOKEN}), or a GitHub App
 * ({@code TIERGATE_GITHUB_APP_ID} and its private key) whose installation token differs per repository.
 */
public interface GitHubCredentials {
    /** The {@code Authorization} header's value for calls about {@code repo}, or null to send none. */
    String authorization(RepoRef repo);

    /** GitHub answered 401 to {@code rejected}: forget it; true when asking again may give a different one. */
    boolean rejected(RepoRef repo, String rejected);

    /** For the start-up line and doctor: "token", "GitHub App 123", "no credentials". */
    String describe();

    static GitHubCredentials token(String token) {
        return new Token(token);
    }

    /** A GitHub App: {@code api} is the unauthenticated client its JWT calls go through. */
    static GitHubCredentials app(String appId, String privateKeyPem, JsonHttp api, Clock clock) {
        return new GitHubAppCredentials(appId, GitHubAppKey.parse(privateKeyPem), api, clock);
    }

    /** A fixed token (or none), the same for every repository. */
    record Token(String token) implements GitHubCredentials {
        @Override
        public String authorization(RepoRef repo) {
            return token == null ? null : "Bearer " + token;
        }

        @Override
        public boolean rejected(RepoRef repo, String rejected) {
            return false;
        }

        @Override
        public String describe() {
            return token == null ? "no credentials" : "token";
        }

        @Override
        public String toString() {
            return "Token[" + describe() + "]";
        }
    }
}
