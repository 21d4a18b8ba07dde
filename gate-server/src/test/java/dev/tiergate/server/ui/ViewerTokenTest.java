package dev.tiergate.server.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.server.support.ServerHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** TIERGATE_VIEWER_TOKEN over plain HTTP: every refusal and its words, the cookie, and the pages open without it. */
class ViewerTokenTest {
    static final String TOKEN = "v1ewer-t0ken";
    final HttpClient http = HttpClient.newHttpClient(); // follows no redirects

    @Test
    void withATokenEveryPageNeedsIt() throws Exception {
        try (ServerHarness h = new ServerHarness(Map.of("TIERGATE_VIEWER_TOKEN", TOKEN))) {
            for (String page : new String[] {"/", "/ui/" + h.repoPath, "/ui/" + h.repoPath + "/audit", "/ui/" + h.repoPath + "/branches/main"}) {
                HttpResponse<String> none = get(h, page, null, null);
                assertEquals(401, none.statusCode(), page);
                assertTrue(none.body().contains(ViewerAccess.NEEDS_TOKEN), none.body());
                assertTrue(none.body().contains("<input type=hidden name=next value=\"" + Html.esc(page) + "\">"), none.body());
                HttpResponse<String> wrong = get(h, page, "Bearer not-it", null);
                assertEquals(401, wrong.statusCode(), page);
                assertTrue(wrong.body().contains(ViewerAccess.NEEDS_TOKEN), wrong.body());
                assertEquals(401, get(h, page, TOKEN, null).statusCode(), "the token without 'Bearer '");
                assertEquals(401, get(h, page, null, ViewerAccess.COOKIE + "=" + TOKEN).statusCode(), "the token itself is not the cookie");
                assertFalse(wrong.body().contains(TOKEN));
            }
            HttpResponse<String> mark = get(h, "/ui/" + h.repoPath + "/changes", null, null);
            assertEquals(401, mark.statusCode());
            assertEquals(ViewerAccess.NEEDS_TOKEN, mark.body());
            assertEquals(200, get(h, "/", "Bearer " + TOKEN, null).statusCode());
            assertEquals(200, get(h, "/ui/static/tiergate.css", null, null).statusCode(), "the style sheet is no secret");
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
            assertEquals("/ui/" + h.repoPath + "/audit", right.headers().firstValue("Location").orElseThrow());
            String cookie = right.headers().firstValue("Set-Cookie").orElseThrow();
            assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"), cookie);
            assertFalse(cookie.contains(TOKEN), cookie);
            String pair = cookie.substring(0, cookie.indexOf(';'));
            assertEquals(200, get(h, "/", null, pair).statusCode());

            assertEquals("/", login(h, TOKEN, "//evil.example/x").headers().firstValue("Location").orElseThrow(), "no open redirect");
            assertEquals("/", login(h, TOKEN, "https://evil.example/").headers().firstValue("Location").orElseThrow(), "no open redirect");
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
        assertEquals("feature/&lt;svg/onload=document.title=&#39;x&#39;&gt;&amp;&quot;", Html.esc("feature/<svg/onload=document.title='x'>&\""));
        assertEquals("/", Dashboard.safeNext("/\\evil.example"));
        assertEquals("/ui/a/b?kind=x", Dashboard.safeNext("/ui/a/b?kind=x"));
    }

    private HttpResponse<String> get(ServerHarness h, String path, String authorization, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(h.baseUrl() + path));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> login(ServerHarness h, String token, String next) throws Exception {
        String form = "token=" + java.net.URLEncoder.encode(token, StandardCharsets.UTF_8) + "&next=" + java.net.URLEncoder.encode(next, StandardCharsets.UTF_8);
        return http.send(HttpRequest.newBuilder(URI.create(h.baseUrl() + "/ui/login")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
