package dev.tiergate.server.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.audit.AuditLog;
import dev.tiergate.server.store.BranchStore;
import dev.tiergate.server.store.DriftStore;
import dev.tiergate.server.store.MigrationStore;
import dev.tiergate.server.support.ServerHarness;
import io.javalin.Javalin;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** TIERGATE_VIEWER_TOKEN over plain HTTP: every refusal and its words, the cookie, and the pages open without it. */
class ViewerTokenTest {
    static final String TOKEN = "v1ewer-t0ken";
    final HttpClient http = HttpClient.newHttpClient(); // follows no redirects

    @Test
    void withATokenEveryPageNeedsIt() throws Exception {
        try (ServerHarness h = new ServerHarness(Map.of("TIERGATE_VIEWER_TOKEN", TOKEN))) {
            for (String page : new String[] {
                "/", "/ui/" + h.repoPath, "/ui/" + h.repoPath + "/audit", "/ui/" + h.repoPath + "/branches/main"
            }) {
                HttpResponse<String> none = get(h, page, null, null);
                assertEquals(401, none.statusCode(), page);
                assertTrue(none.body().contains(ViewerAccess.NEEDS_TOKEN), none.body());
                assertTrue(
                        none.body().contains("<input type=hidden name=next value=\"" + Html.esc(page) + "\">"),
                        none.body());
                HttpResponse<String> wrong = get(h, page, "Bearer not-it", null);
                assertEquals(401, wrong.statusCode(), page);
                assertTrue(wrong.body().contains(ViewerAccess.NEEDS_TOKEN), wrong.body());
                assertEquals(401, get(h, page, TOKEN, null).statusCode(), "the token without 'Bearer '");
                assertEquals(
                        401,
                        get(h, page, null, ViewerAccess.COOKIE + "=" + TOKEN).statusCode(),
                        "the token itself is not the cookie");
                assertFalse(wrong.body().contains(TOKEN));
            }
            HttpResponse<String> mark = get(h, "/ui/" + h.repoPath + "/changes", null, null);
            assertEquals(401, mark.statusCode());
            assertEquals(ViewerAccess.NEEDS_TOKEN, mark.body());
            assertEquals(200, get(h, "/", "Bearer " + TOKEN, null).statusCode());
            assertEquals(
                    200, get(h, "/ui/static/tiergate.css", null, null).statusCode(), "the style sheet is no secret");
            assertEquals(200, get(h, "/healthz", null, null).statusCode(), "health stays public");
        }
    }

    @Test
    void theLoginFormSetsAnHttpOnlyCookieThatIsNotTheToken() throws Exception {
        try (ServerHarness h = new ServerHarness(Map.of("TIERGATE_VIEWER_TOKEN", TOKEN))) {
            HttpResponse<String> wrong = login(h, "guess", "/ui/" + h.repoPath);
            assertEquals(401, wrong.statusCode());
            assertTrue(wrong.body().contains(ViewerAccess.WRONG_TOKEN), wrong.body());
            assertTrue(wrong.headers().firstValue("Set-Cookie").isEmpty());

            HttpResponse<String> right = login(h, TOKEN, "/ui/" + h.repoPath + "/audit");
            assertEquals(303, right.statusCode());
            assertEquals(
                    "/ui/" + h.repoPath + "/audit",
                    right.headers().firstValue("Location").orElseThrow());
            String cookie = right.headers().firstValue("Set-Cookie").orElseThrow();
            assertTrue(
                    cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"),
                    cookie);
            assertFalse(cookie.contains(TOKEN), cookie);
            String pair = cookie.substring(0, cookie.indexOf(';'));
            assertEquals(200, get(h, "/", null, pair).statusCode());

            assertEquals(
                    "/",
                    login(h, TOKEN, "//evil.example/x")
                            .headers()
                            .firstValue("Location")
                            .orElseThrow(),
                    "no open redirect");
            assertEquals(
                    "/",
                    login(h, TOKEN, "https://evil.example/")
                            .headers()
                            .firstValue("Location")
                            .orElseThrow(),
                    "no open redirect");
            // next=/%0B/evil.example: a browser drops the control character and goes to //evil.example
            assertEquals(
                    "/",
                    login(h, TOKEN, "/\u000B/evil.example")
                            .headers()
                            .firstValue("Location")
                            .orElseThrow(),
                    "no open redirect");
            assertEquals(
                    "/",
                    login(h, TOKEN, "/\t/evil.example")
                            .headers()
                            .firstValue("Location")
                            .orElseThrow(),
                    "no open redirect");
        }
    }

    @Test
    void withoutATokenThePagesAreOpenAndForbidInlineScript() throws Exception {
        try (ServerHarness h = new ServerHarness()) {
            HttpResponse<String> home = get(h, "/", null, null);
            assertEquals(200, home.statusCode());
            String csp = home.headers().firstValue("Content-Security-Policy").orElseThrow();
            assertTrue(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), csp);
            HttpResponse<String> missing = get(h, "/ui/" + h.repoPath + "/branches/%3Cb%3E", null, null);
            assertEquals(404, missing.statusCode());
            assertTrue(missing.body().contains("The branch &lt;b&gt; is not tracked"), missing.body());
        }
    }

    @Test
    void escapingCoversEveryCharacterGitAllowsInABranchName() {
        assertEquals(
                "feature/&lt;svg/onload=document.title=&#39;x&#39;&gt;&amp;&quot;",
                Html.esc("feature/<svg/onload=document.title='x'>&\""));
    }

    @Test
    void afterSigningInOnlyAPlainLocalPathIsFollowed() {
        for (String local : new String[] {
            "/", "/ui/a/b?kind=x", "/ui/acme/x/branches/feature%2Fx", "/ui/acme/x/audit?branch=a+b&since=2026-01-01"
        }) {
            assertEquals(local, ViewerAccess.safeNext(local));
        }
        for (String elsewhere : new String[] {
            null,
            "",
            "ui/a",
            "//evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "/\u000B/evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\u0000/evil.example",
            "/ /evil.example",
            "/%0B/evil.example",
            "/%2F/evil.example",
            "/%5C/evil.example",
            "/ui/\\evil",
            "/\u202E/x",
            "/%E2%80%AE/x",
            "/%zz",
            "/" + "a".repeat(2001)
        }) {
            assertEquals("/", ViewerAccess.safeNext(elsewhere), String.valueOf(elsewhere));
        }
    }

    /** No token on a server bound beyond loopback: every page (the audit trail too) is refused, and says what to set. No database. */
    @Test
    void withoutATokenBeyondLoopbackThePagesAreClosed() throws Exception {
        try (Closeable app = dashboardOn("0.0.0.0", null)) {
            for (String page :
                    new String[] {"/", "/ui/acme/inv", "/ui/acme/inv/audit", "/ui/acme/inv/branches/main", "/ui/login"
                    }) {
                HttpResponse<String> r = get(app.url + page, null, null);
                assertEquals(401, r.statusCode(), page);
                assertTrue(r.body().contains(Html.esc(ViewerAccess.CLOSED)), r.body());
                assertFalse(r.body().contains("<form"), "no token opens them: no form " + r.body());
            }
            HttpResponse<String> mark = get(app.url + "/ui/acme/inv/changes", null, null);
            assertEquals(401, mark.statusCode());
            assertEquals(ViewerAccess.CLOSED, mark.body());
            HttpResponse<String> post = http.send(
                    HttpRequest.newBuilder(URI.create(app.url + "/ui/login"))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString("token=x&next=/"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, post.statusCode());
            assertTrue(post.headers().firstValue("Set-Cookie").isEmpty());
            assertEquals(
                    200,
                    get(app.url + "/ui/static/tiergate.css", null, null).statusCode(),
                    "the style sheet is no secret");
        }
        assertTrue(
                ViewerAccess.CLOSED.contains("TIERGATE_VIEWER_TOKEN") && ViewerAccess.CLOSED.contains("TIERGATE_BIND"));
        assertEquals(Optional.of(ViewerAccess.CLOSED), Dashboard.closedReason("0.0.0.0", null), "said at start-up too");
        assertEquals(Optional.empty(), Dashboard.closedReason("0.0.0.0", TOKEN));
        assertEquals(Optional.empty(), Dashboard.closedReason("127.0.0.1", null));
    }

    @Test
    void beyondLoopbackWithATokenThePagesAskForItAndOnLoopbackWithoutOneTheyAreOpen() throws Exception {
        try (Closeable app = dashboardOn("0.0.0.0", TOKEN)) {
            HttpResponse<String> r = get(app.url + "/", null, null);
            assertEquals(401, r.statusCode());
            assertTrue(r.body().contains(ViewerAccess.NEEDS_TOKEN), r.body());
        }
        try (Closeable app = dashboardOn("127.0.0.1", null)) {
            HttpResponse<String> r = get(app.url + "/ui/login", null, null);
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("These pages need no token on this server."), r.body());
        }
    }

    @Test
    void onlyALoopbackAddressIsLoopback() {
        for (String host : new String[] {"127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"}) {
            assertTrue(ViewerAccess.loopback(host), host);
        }
        for (String host : new String[] {null, "", "0.0.0.0", "::", "[::]", "10.0.0.1", "192.168.1.20"}) {
            assertFalse(ViewerAccess.loopback(host), host);
        }
    }

    /** The dashboard alone on a Javalin of its own; its stores are never reached while the pages refuse. */
    private static Closeable dashboardOn(String bindHost, String token) {
        Javalin app = Javalin.create(c -> c.showJavalinBanner = false);
        new Dashboard(
                        new BranchStore(null),
                        new AuditLog(null),
                        new MigrationStore(null),
                        new DriftStore(null),
                        null,
                        r -> Optional.empty(),
                        t -> Optional.empty(),
                        Clock.systemUTC(),
                        token,
                        false,
                        bindHost)
                .routes(app);
        app.start("127.0.0.1", 0);
        return new Closeable(app, "http://127.0.0.1:" + app.port());
    }

    private record Closeable(Javalin app, String url) implements AutoCloseable {
        @Override
        public void close() {
            app.stop();
        }
    }

    private HttpResponse<String> get(ServerHarness h, String path, String authorization, String cookie)
            throws Exception {
        return get(h.baseUrl() + path, authorization, cookie);
    }

    private HttpResponse<String> get(String url, String authorization, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> login(ServerHarness h, String token, String next) throws Exception {
        String form = "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&next="
                + URLEncoder.encode(next, StandardCharsets.UTF_8);
        return http.send(
                HttpRequest.newBuilder(URI.create(h.baseUrl() + "/ui/login"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
