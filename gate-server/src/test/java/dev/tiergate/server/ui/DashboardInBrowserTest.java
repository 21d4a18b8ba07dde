package dev.tiergate.server.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.core.gate.BranchKind;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.server.demo.Demo;
import dev.tiergate.server.store.BranchRecord;
import dev.tiergate.testkit.GitHubPayloads;
import java.io.File;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: Debian's headless Chromium driven through /usr/bin/chromedriver, against a server
 * fed by the demo's story ({@link Demo#start}). One browser and one server for the class; screenshots of every page
 * land in target/screenshots/.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardInBrowserTest {
    static final String TOKEN = "viewer-token-for-the-browser-test";
    static final String XSS_BRANCH = "feature/<svg/onload=document.title='x'>";
    static final Path SHOTS = Path.of("target", "screenshots");
    Demo.Running demo;
    ChromeDriver browser;
    Path profile;

    @BeforeAll
    void start() throws Exception {
        demo = Demo.start(new PrintStream(OutputStream.nullOutputStream()), Map.of("TIERGATE_VIEWER_TOKEN", TOKEN));
        browser = startBrowser();
        // the README's picture (docs/dashboard-tier-tree.png is a copy): the demo's story as tiergate demo shows it
        browser.manage().window().setSize(new Dimension(900, 1300));
        open("/ui/" + demo.repo());
        Files.write(
                SHOTS.resolve("readme-tier-tree.png"),
                browser.findElement(By.tagName("main")).getScreenshotAs(OutputType.BYTES));
        browser.manage().window().setSize(new Dimension(1100, 900));
        // a valid git branch name full of HTML: it must render as text and run nothing
        String sha = "ab".repeat(20);
        demo.github().branch(XSS_BRANCH, sha);
        demo.deliver("push", GitHubPayloads.push(demo.repo(), XSS_BRANCH, GitHubPayloads.ZERO, sha, "bob"));
    }

    private ChromeDriver startBrowser() throws Exception {
        Files.createDirectories(SHOTS);
        profile = Files.createTempDirectory("tiergate-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-dev-shm-usage",
                "--user-data-dir=" + profile,
                "--window-size=1100,900");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        return driver;
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            if (demo != null) {
                demo.close();
            }
            deleteTree(profile);
        }
    }

    @Test
    void theTierTreeShowsEveryBranchInItsState() throws Exception {
        open("/ui/" + demo.repo());
        List<BranchRecord> records = demo.server().store().listByPath(demo.repo());
        assertTrue(records.size() >= 7, "the story leaves tiers, working and CI branches: " + records);
        List<WebElement> nodes = browser.findElements(By.cssSelector("#tree svg g.branch"));
        for (BranchRecord r : records) {
            WebElement node = nodes.stream()
                    .filter(n ->
                            n.findElement(By.cssSelector("text.name")).getText().startsWith(r.gitBranch()))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(r.gitBranch() + " is not in the tree"));
            assertEquals(r.state().wireName(), node.getDomAttribute("data-state"), r.gitBranch());
            assertEquals(
                    r.state().wireName(),
                    node.findElement(By.cssSelector("text.pill")).getText(),
                    r.gitBranch() + ": the state as a word");
            assertTrue(node.getText().contains("database " + r.dbBranch()), node.getText());
        }
        // production at the top, each tier under its parent, working and CI branches under their tier
        assertTrue(nodes.get(0).getText().contains("main (tier)"), nodes.get(0).getText());
        assertTrue(
                nodes.get(1).getText().contains("staging (tier)"), nodes.get(1).getText());
        WebElement pr3 = nodes.stream()
                .filter(n -> n.getText().contains("(PR #3)"))
                .findFirst()
                .orElseThrow();
        String pr3Text = pr3.getText();
        assertTrue(pr3Text.contains("claude-agent (agent)"), pr3Text);
        assertTrue(
                pr3Text.contains("tiergate/workflow: ") && pr3Text.contains(Rule.GATE_APPROVALS_AGENT_NEEDS_HUMAN.id()),
                pr3Text);
        assertTrue(pr3Text.contains("tiergate/migrations: "), pr3Text);
        assertTrue(
                pr3Text.matches("(?s).*database ci-pr-3 · (\\d+ kB|[\\d.]+ MB).*"),
                "the postgres backend measures the branch: " + pr3Text);
        shot("tier-tree");
    }

    @Test
    void theTreeUpdatesWithoutAReloadWhenADeliveryChangesSomething() throws Exception {
        open("/ui/" + demo.repo());
        ((JavascriptExecutor) browser).executeScript("window.tiergateNotReloaded = true;");
        String sha = "cd".repeat(20);
        demo.github().branch("feature/F4-live", sha);
        demo.deliver("push", GitHubPayloads.push(demo.repo(), "feature/F4-live", GitHubPayloads.ZERO, sha, "alice"));
        waitUntil(20, d -> textOf("tree").contains("feature/F4-live"));
        assertEquals(
                Boolean.TRUE,
                ((JavascriptExecutor) browser).executeScript("return window.tiergateNotReloaded === true;"),
                "the page was reloaded instead of refreshed in place");
    }

    @Test
    void aBlockedPullRequestsDetailsPageShowsTheRuleAndTheFix() throws Exception {
        BranchRecord ci = demo.server().store().listByPath(demo.repo()).stream()
                .filter(r -> r.kind() == BranchKind.CI && Long.valueOf(3).equals(r.prNumber()))
                .findFirst()
                .orElseThrow();
        List<JsonNode> posted = demo.github().posted(ci.headSha(), "tiergate/workflow");
        String details =
                posted.get(posted.size() - 1).path("target_url").asText(); // what the status's Details link opens
        open(URI.create(details).getRawPath());
        String verdict = browser.findElement(By.id("verdict")).getText();
        assertTrue(verdict.contains(Rule.GATE_APPROVALS_AGENT_NEEDS_HUMAN.id()), verdict);
        assertTrue(verdict.contains(Rule.GATE_APPROVALS_AGENT_NEEDS_HUMAN.meaning()), verdict);
        assertTrue(verdict.contains("Fix: " + Rule.GATE_APPROVALS_AGENT_NEEDS_HUMAN.fix()), verdict);
        assertFalse(browser.findElements(By.cssSelector("#history tr")).size() < 2, "the transitions are listed");
        String connection = browser.findElement(By.id("connection")).getText();
        assertTrue(
                connection.contains(demo.server()
                        .backend()
                        .connection(ci.repo(), ci.dbBranch())
                        .user()),
                connection);
        String password =
                demo.server().backend().connection(ci.repo(), ci.dbBranch()).password();
        assertNotNull(password, "the postgres backend gives each branch a password, which the page must not show");
        assertFalse(browser.getPageSource().contains(password), "the branch's password is on the page");
        assertFalse(browser.getPageSource().contains(TOKEN), "the viewer token is on the page");
        shot("branch-blocked-pr");
    }

    @Test
    void theAuditPageSaysIntactAndNamesATamperedRecord() throws Exception {
        open("/ui/" + demo.repo() + "/audit");
        assertTrue(
                browser.findElement(By.id("chain")).getText().startsWith("Hash chain intact"),
                browser.findElement(By.id("chain")).getText());
        shot("audit-intact");
        long seq = 5;
        String original = detailsOf(seq);
        try {
            update(seq, "{\"rule\":\"gate.ok\",\"tampered\":true}");
            open("/ui/" + demo.repo() + "/audit");
            String chain = browser.findElement(By.id("chain")).getText();
            assertTrue(chain.startsWith("Hash chain BROKEN: record " + seq + " "), chain);
            assertEquals(
                    "refused",
                    browser.findElement(By.cssSelector("#audit tr[data-seq='" + seq + "']"))
                            .getDomAttribute("class"));
            shot("audit-tampered");
        } finally {
            update(seq, original);
        }
        open("/ui/" + demo.repo() + "/audit?kind=transition");
        List<WebElement> rows = browser.findElements(By.cssSelector("#audit tr[data-seq]"));
        assertFalse(rows.isEmpty());
        for (WebElement row : rows) {
            assertEquals("transition", row.findElements(By.tagName("td")).get(2).getText());
        }
        open("/ui/" + demo.repo() + "/audit?since=yesterday");
        assertTrue(
                browser.getPageSource().contains("since is not a day: write it as YYYY-MM-DD (UTC)"),
                "a bad day is refused in words");
        assertTrue(browser.findElement(By.id("chain")).getText().startsWith("Hash chain intact"), "restored");
    }

    @Test
    void aBranchNamedLikeMarkupRendersAsTextAndRunsNothing() throws Exception {
        open("/ui/" + demo.repo());
        assertEquals("tiergate: " + demo.repo(), browser.getTitle());
        assertTrue(
                browser.findElements(By.cssSelector("[onload]")).isEmpty(),
                "an element with onload came from a branch name");
        assertTrue(
                browser.findElements(By.cssSelector("#tree svg g.branch text.name")).stream()
                        .anyMatch(t -> t.getText().equals(XSS_BRANCH)),
                "the branch name shows as text");
        open(Html.branchHref(demo.repo(), XSS_BRANCH));
        assertEquals("tiergate: " + XSS_BRANCH, browser.getTitle());
        assertEquals(
                XSS_BRANCH + " feature-claimed",
                browser.findElement(By.tagName("h1")).getText());
        assertTrue(browser.findElements(By.cssSelector("main svg, [onload]")).isEmpty());
        shot("branch-markup-name");
        open("/ui/" + demo.repo() + "/audit?branch=" + Html.seg(XSS_BRANCH));
        assertEquals("tiergate: audit of " + demo.repo(), browser.getTitle());
        assertTrue(browser.findElements(By.cssSelector("[onload]")).isEmpty());
    }

    @Test
    void thePagesNeedTheViewerToken() throws Exception {
        browser.manage().deleteAllCookies();
        browser.get(demo.baseUrl() + "/ui/" + demo.repo());
        assertEquals("tiergate: sign in", browser.getTitle());
        assertEquals(
                ViewerAccess.NEEDS_TOKEN, browser.findElement(By.id("message")).getText());
        assertTrue(browser.findElements(By.id("tree")).isEmpty());
        shot("sign-in");
        browser.findElement(By.id("token")).sendKeys("not-the-token");
        browser.findElement(By.id("sign-in")).click();
        waitUntil(10, d -> textOf("message").equals(ViewerAccess.WRONG_TOKEN));
        browser.findElement(By.id("token")).sendKeys(TOKEN);
        browser.findElement(By.id("sign-in")).click();
        waitUntil(10, d -> !d.findElements(By.id("tree")).isEmpty());
        assertEquals(demo.baseUrl() + "/ui/" + demo.repo(), browser.getCurrentUrl(), "back where the viewer was going");
        assertFalse(
                browser.manage().getCookieNamed(ViewerAccess.COOKIE).getValue().contains(TOKEN),
                "the cookie holds no token");
        assertTrue(browser.manage().getCookieNamed(ViewerAccess.COOKIE).isHttpOnly());
        open("/");
        assertTrue(
                browser.findElement(By.id("repos")).getText().contains(demo.repo()),
                browser.findElement(By.id("repos")).getText());
        shot("home");
    }

    @Test
    void thePagesFitAPhonesWidth() throws Exception {
        browser.manage().window().setSize(new Dimension(390, 844));
        try {
            for (String page : List.of(
                    "/",
                    "/ui/" + demo.repo(),
                    "/ui/" + demo.repo() + "/audit",
                    Html.branchHref(demo.repo(), "feature/F3-agent-index"))) {
                open(page);
                Object overflow = ((JavascriptExecutor) browser)
                        .executeScript(
                                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
                assertEquals(
                        0L,
                        ((Number) overflow).longValue(),
                        page + " is wider than the phone: only the tree and tables scroll inside");
            }
            open("/ui/" + demo.repo());
            shot("tier-tree-phone");
        } finally {
            browser.manage().window().setSize(new Dimension(1100, 900));
        }
    }

    @Test
    void thePagesFollowTheSystemsDarkScheme() throws Exception {
        try {
            browser.executeCdpCommand(
                    "Emulation.setEmulatedMedia",
                    Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
            open("/ui/" + demo.repo());
            assertEquals(
                    "rgba(15, 23, 42, 1)",
                    browser.findElement(By.tagName("body")).getCssValue("background-color"));
            assertEquals(
                    "rgba(229, 231, 235, 1)",
                    browser.findElement(By.tagName("h1")).getCssValue("color"));
            shot("tier-tree-dark");
        } finally {
            browser.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features", List.of()));
        }
        open("/ui/" + demo.repo());
        assertEquals(
                "rgba(255, 255, 255, 1)",
                browser.findElement(By.tagName("body")).getCssValue("background-color"));
    }

    /** Opens a page, signing in through the form first when the browser has no cookie yet. */
    private void open(String path) {
        if (browser.manage().getCookieNamed(ViewerAccess.COOKIE) == null) {
            browser.get(demo.baseUrl() + "/ui/login?next=" + Html.seg(path));
            browser.findElement(By.id("token")).sendKeys(TOKEN);
            browser.findElement(By.id("sign-in")).click();
            waitUntil(10, d -> d.manage().getCookieNamed(ViewerAccess.COOKIE) != null);
        }
        browser.get(demo.baseUrl() + path);
    }

    /**
     * Polls until {@code condition} holds. While a posted form loads the next page, Chrome may answer for an element of
     * the old one with a stale reference or with "Node with given id does not belong to the document" (a plain
     * WebDriverException, seen in CI); both only mean "not yet", and the time-out keeps the last one as its cause.
     */
    private void waitUntil(int seconds, Function<WebDriver, Boolean> condition) {
        new WebDriverWait(browser, Duration.ofSeconds(seconds))
                .ignoring(StaleElementReferenceException.class)
                .ignoring(WebDriverException.class)
                .until(condition);
    }

    /** The text of the element with this id, read in one script call so no element reference can go stale. */
    private String textOf(String id) {
        Object text = ((JavascriptExecutor) browser)
                .executeScript("var e = document.getElementById(arguments[0]); return e ? e.innerText : '';", id);
        return text == null ? "" : text.toString();
    }

    private void shot(String name) throws Exception {
        Path png = browser.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(png, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private String detailsOf(long seq) throws Exception {
        try (Connection c = demo.db().dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("select details from audit where seq = ?")) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "record " + seq + " exists");
                return rs.getString(1);
            }
        }
    }

    private void update(long seq, String details) throws Exception {
        try (Connection c = demo.db().dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("update audit set details = ? where seq = ?")) {
            ps.setString(1, details);
            ps.setLong(2, seq);
            assertEquals(1, ps.executeUpdate());
        }
    }

    private static void deleteTree(Path root) throws Exception {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
