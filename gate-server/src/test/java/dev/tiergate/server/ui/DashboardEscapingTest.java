package dev.tiergate.server.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.gate.BranchKind;
import dev.tiergate.core.gate.StatusState;
import dev.tiergate.core.workflow.WorkflowState;
import dev.tiergate.server.audit.AuditKind;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.BranchRecord;
import dev.tiergate.server.store.MigrationStore;
import dev.tiergate.server.support.ServerHarness;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every string the pages show that came from a repository or a database (repository and branch names, logins, rule
 * ids, verdicts, audit details, a held tier's reason, a rehearsal) is HTML-escaped: stored with markup in it, it
 * shows as text on every page. Plain HTTP; the browser test covers the scripts.
 */
class DashboardEscapingTest {
    static final String SCRIPT = "<script>alert(1)</script>";
    static final String IMG = "\"><img src=x onerror=alert(2)>";
    static final String POLICY = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            """;

    @Test
    void markupStoredFromARepositoryOrADatabaseShowsAsTextOnEveryPage() throws Exception {
        try (ServerHarness h = new ServerHarness()) {
            h.github.policy("main", POLICY);
            String branch = "feature/" + SCRIPT;
            h.server
                    .store()
                    .save(
                            BranchRecord.tracked(
                                    h.repo,
                                    "staging",
                                    "staging",
                                    "production",
                                    BranchKind.TIER,
                                    WorkflowState.MERGED,
                                    "a1"),
                            "tier");
            h.server
                    .store()
                    .save(
                            BranchRecord.tracked(
                                            h.repo,
                                            branch,
                                            "feature-x" + IMG,
                                            "staging",
                                            BranchKind.WORKING,
                                            WorkflowState.FEATURE_CLAIMED,
                                            "b2" + IMG)
                                    .withPullRequest(null, "<b>mallory</b>"),
                            "claim " + SCRIPT);
            h.server
                    .store()
                    .save(
                            BranchRecord.tracked(
                                            h.repo,
                                            "pull/7",
                                            "ci-pr-7",
                                            "staging",
                                            BranchKind.CI,
                                            WorkflowState.PR_READY,
                                            "c3")
                                    .withPullRequest(7L, "mallory" + IMG)
                                    .withVerdict(StatusState.FAILURE, "c3" + SCRIPT, "<i>rule</i>", "</details>" + IMG),
                            "status");
            h.server
                    .audit()
                    .append(
                            AuditKind.REFUSAL,
                            h.repo,
                            "pull/7",
                            Map.of("rule", "<u>rule</u>", "message", IMG + SCRIPT));
            h.server
                    .audit()
                    .append(
                            AuditKind.REFUSAL,
                            h.repo,
                            "<svg onload=alert(3)>",
                            Map.of("error", "relation \"" + SCRIPT + "\" does not exist"));
            MigrationStore migrations = new MigrationStore(h.db.dataSource());
            migrations.hold(h.repo, "staging", 7L, "PR #7 failed: " + SCRIPT, "staging-backup" + IMG);
            migrations.saveRehearsal(
                    h.repo,
                    new MigrationStore.Rehearsal(
                            7, "d4" + IMG, "e5", "staging" + SCRIPT, false, "<i>r</i>", List.of("2026" + SCRIPT)));
            RepoRef hostileRepo = new RepoRef("github", null, "evil/" + "x" + IMG);
            h.server
                    .store()
                    .save(
                            BranchRecord.tracked(
                                    hostileRepo, "main", "main", null, BranchKind.TIER, WorkflowState.MERGED, "f6"),
                            "tier");

            String seg = Html.seg(branch);
            for (String page : List.of(
                    "/",
                    "/ui/" + h.repoPath,
                    "/ui/" + h.repoPath + "/branches/" + seg,
                    "/ui/" + h.repoPath + "/branches/pull%2F7",
                    "/ui/" + h.repoPath + "/branches/staging",
                    "/ui/" + h.repoPath + "/audit",
                    "/ui/" + h.repoPath + "/audit?branch=" + URLEncoder.encode(SCRIPT, StandardCharsets.UTF_8)
                            + "&kind=%3Cb%3E&since=%22%3E%3Cscript%3E",
                    "/ui/" + h.repoPath + "/branches/%3Cscript%3E")) {
                HttpResponse<String> r = h.get(page);
                assertTrue(
                        r.statusCode() == 200 || r.statusCode() == 404 || r.statusCode() == 400,
                        page + " " + r.statusCode() + " " + r.body());
                String body = r.body();
                for (String raw : List.of(
                        "<script>alert", "<img", "<svg onload", "<b>mallory", "<i>r", "<u>rule", "</details>")) {
                    assertFalse(body.contains(raw), page + " shows " + raw + " unescaped: " + body);
                }
            }
            String pr = h.get("/ui/" + h.repoPath + "/branches/pull%2F7").body();
            assertTrue(pr.contains("&lt;/details&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"), pr);
            assertTrue(pr.contains("&lt;i&gt;rule&lt;/i&gt;"), pr);
            String tier = h.get("/ui/" + h.repoPath + "/branches/staging").body();
            // without a viewer token the hold's reason stops before PostgreSQL's text, which a signed-in viewer sees
            // escaped
            assertTrue(
                    tier.contains(
                            "This tier is held: PR #7 failed (PostgreSQL&#39;s message: to a signed-in viewer only)"),
                    tier);
            String home = h.get("/").body();
            assertTrue(home.contains("evil/x&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"), home);
            assertEquals(200, h.get("/ui/" + h.repoPath + "/branches/" + seg).statusCode());
        }
    }
}
