package dev.tiergate.server.forge.github;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.server.config.ConfigException;
import dev.tiergate.server.config.ServerConfig;
import dev.tiergate.server.forge.ForgeException;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.support.MutableClock;
import dev.tiergate.testkit.GitHubApiStub;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Signing in as a GitHub App, against the stand-in that checks the JWT with the app's public key and expires tokens. */
class GitHubAppTest {
    static final String APP_ID = "123456";
    static final KeyPair APP_KEY = rsa();
    static final KeyPair OTHER_KEY = rsa();
    static final String INSTALLATION = "GET /repos/{repo}/installation";
    static final String EXCHANGE = "POST /app/installations/{n}/access_tokens";
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));
    final GitHubApiStub github = new GitHubApiStub("acme/inventory");
    final RepoRef repo = new RepoRef("github", null, "acme/inventory");

    GitHubAppTest() {
        github.installApp(APP_ID, APP_KEY.getPublic(), clock, Duration.ofHours(1));
        github.branch("main", "a".repeat(40));
    }

    @AfterEach
    void stop() {
        github.close();
    }

    GitHubForge forge(String pem) {
        return GitHubForge.signedInAsApp(github.url(), APP_ID, pem, clock);
    }

    @Test
    void theInstallationTokenIsFetchedOnceAndSentOnEveryCall() {
        GitHubForge forge = forge(pkcs1Pem(APP_KEY));
        assertEquals("main", forge.defaultBranch(repo));
        assertEquals("main", forge.defaultBranch(repo));
        assertEquals(Map.of("main", "a".repeat(40)), forge.branches(repo));
        assertEquals(1, github.tokensIssued());
        assertEquals(1L, github.requestsByRoute().get(INSTALLATION));
        assertEquals(1L, github.requestsByRoute().get(EXCHANGE));
        assertEquals("GitHub App 123456", forge.credentials().describe());
    }

    @Test
    void theTokenIsRenewedBeforeItExpires() {
        GitHubForge forge = forge(pkcs1Pem(APP_KEY));
        forge.defaultBranch(repo);
        clock.advance(Duration.ofMinutes(54)); // 6 minutes left: still used
        forge.defaultBranch(repo);
        assertEquals(1, github.tokensIssued());
        clock.advance(Duration.ofMinutes(2)); // 4 minutes left, under the 5-minute margin: renewed while still valid
        forge.defaultBranch(repo);
        assertEquals(2, github.tokensIssued());
        assertEquals(1L, github.requestsByRoute().get(INSTALLATION), "the installation is remembered");
        clock.advance(Duration.ofHours(2)); // long idle: the cached token has expired; a fresh one is fetched first
        forge.defaultBranch(repo);
        assertEquals(3, github.tokensIssued());
        assertEquals(
                4L, github.requestsByRoute().get("GET /repos/{repo}"), "four calls, none answered 401 and sent again");
    }

    @Test
    void aTokenRefusedWith401IsReplacedAndTheCallSentOnceMore() {
        GitHubForge forge = forge(pkcs1Pem(APP_KEY));
        forge.defaultBranch(repo);
        github.revokeTokens();
        assertEquals("main", forge.defaultBranch(repo));
        assertEquals(2, github.tokensIssued());
        assertEquals(
                3L,
                github.requestsByRoute().get("GET /repos/{repo}"),
                "the first call, the refused one, and its retry");
    }

    @Test
    void a401ThatPersistsIsRetriedOnlyOnceAndThenFails() {
        GitHubForge forge = forge(pkcs1Pem(APP_KEY));
        github.failPath("^/repos/acme/inventory/pulls/", 401, Map.of(), "{\"message\":\"Bad credentials\"}");
        ForgeException e = assertThrows(ForgeException.class, () -> forge.pullRequest(repo, 7));
        assertTrue(
                e.getMessage().contains("answered 401") && e.getMessage().contains("Bad credentials"), e.getMessage());
        assertFalse(e.retryable());
        assertEquals(2L, github.requestsByRoute().get("GET /repos/{repo}/pulls/{n}"));
        assertEquals(2, github.tokensIssued());
    }

    @Test
    void aKeyThatIsNotTheAppsIsRefusedWithTheFix() {
        GitHubForge forge = forge(pkcs1Pem(OTHER_KEY));
        ForgeException e = assertThrows(ForgeException.class, () -> forge.defaultBranch(repo));
        assertEquals(
                "GitHub refused the GitHub App's sign-in (GET /repos/acme/inventory/installation answered 401: A JSON web token could"
                        + " not be decoded); fix: check that TIERGATE_GITHUB_APP_ID (123456) is the app's ID and TIERGATE_GITHUB_APP_PRIVATE_KEY_FILE"
                        + " holds one of its current private keys (the app's settings, Private keys), and that this machine's clock is right",
                e.getMessage());
        assertFalse(e.retryable());
        assertEquals(0, github.tokensIssued());
    }

    @Test
    void aRepositoryTheAppIsNotInstalledOnIsNamed() {
        GitHubForge forge = forge(pkcs1Pem(APP_KEY));
        ForgeException e = assertThrows(
                ForgeException.class, () -> forge.defaultBranch(new RepoRef("github", null, "acme/other")));
        assertTrue(e.getMessage().startsWith("the GitHub App 123456 is not installed on acme/other"), e.getMessage());
        assertTrue(e.getMessage().contains("fix: install the app on that repository"), e.getMessage());
    }

    @Test
    void pkcs8KeysWorkToo() {
        GitHubForge forge = forge(pem("PRIVATE KEY", APP_KEY.getPrivate().getEncoded()));
        assertEquals("main", forge.defaultBranch(repo));
        assertEquals(1, github.tokensIssued());
    }

    @Test
    void theJwtIsIssuedAMinuteInThePastLastsTenMinutesAndNamesTheApp() throws Exception {
        GitHubAppKey key = GitHubAppKey.parse(pkcs1Pem(APP_KEY));
        String jwt = new GitHubAppCredentials(APP_ID, key, null, clock).jwt();
        JsonNode header = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]));
        JsonNode claims = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
        long now = clock.instant().getEpochSecond();
        assertEquals("RS256", header.path("alg").asText());
        assertEquals(now - 60, claims.path("iat").asLong());
        assertEquals(now + 540, claims.path("exp").asLong());
        assertEquals(123456, claims.path("iss").asLong());
        // the stand-in's checks bite: a JWT that lasts an hour is refused as GitHub refuses it
        String tooLong = key.signJwt("{\"iat\":" + (now - 60) + ",\"exp\":" + (now + 3600) + ",\"iss\":123456}");
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(github.url() + "/repos/acme/inventory/installation"))
                                .header("Authorization", "Bearer " + tooLong)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode());
        assertTrue(r.body().contains("'Expiration time' claim ('exp') is too far in the future"), r.body());
        String future = key.signJwt("{\"iat\":" + (now + 120) + ",\"exp\":" + (now + 500) + ",\"iss\":123456}");
        HttpResponse<String> f = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(github.url() + "/repos/acme/inventory/installation"))
                                .header("Authorization", "Bearer " + future)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertTrue(
                f.body().contains("'Issued at' claim ('iat') must be an Integer representing a time in the past"),
                f.body());
    }

    @Test
    void aFileThatIsNoRsaKeyIsRefusedAtStartUp() {
        ConfigException e = assertThrows(
                ConfigException.class, () -> forge("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"));
        assertTrue(
                e.getMessage()
                        .startsWith("the GitHub App private key is not an RSA private key in PEM; fix: point"
                                + " TIERGATE_GITHUB_APP_PRIVATE_KEY_FILE at the .pem file"),
                e.getMessage());
        ConfigException broken = assertThrows(
                ConfigException.class,
                () -> forge("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"));
        assertTrue(broken.getMessage().startsWith("the GitHub App private key cannot be read: "), broken.getMessage());
    }

    @Test
    void anAppIdWithoutAKeyAndAKeyWithoutAnAppIdAreNamed() {
        assertEquals(
                "TIERGATE_GITHUB_APP_ID is set but TIERGATE_GITHUB_APP_PRIVATE_KEY_FILE is not; set it to the app's private key"
                        + " (the .pem file GitHub let you download under the app's settings, Private keys)",
                ServerConfig.fromEnvironment(Map.of("TIERGATE_GITHUB_APP_ID", "1"), null)
                        .githubAppProblem());
        assertTrue(ServerConfig.fromEnvironment(Map.of("TIERGATE_GITHUB_APP_PRIVATE_KEY", "pem"), null)
                .githubAppProblem()
                .startsWith("TIERGATE_GITHUB_APP_PRIVATE_KEY_FILE is set but TIERGATE_GITHUB_APP_ID is not"));
        assertEquals(null, ServerConfig.fromEnvironment(Map.of(), null).githubAppProblem());
    }

    /** GitHub's download: PKCS#1. The JDK encodes PKCS#8; for RSA its inner OCTET STRING is the PKCS#1 key. */
    static String pkcs1Pem(KeyPair kp) {
        byte[] pkcs8 = kp.getPrivate().getEncoded();
        // PrivateKeyInfo: 30 82 LL LL | 02 01 00 | 30 0d (rsaEncryption, NULL) | 04 82 LL LL | RSAPrivateKey
        assertEquals(0x04, pkcs8[22]);
        return pem("RSA PRIVATE KEY", Arrays.copyOfRange(pkcs8, 26, pkcs8.length));
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
