package dev.tiergate.server.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.server.audit.AuditKind;
import dev.tiergate.server.config.ServerConfig;
import dev.tiergate.server.http.GateServer;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.store.Database;
import dev.tiergate.server.wiring.ForgeBindings;
import dev.tiergate.testkit.GitHubApiStub;
import dev.tiergate.testkit.GitHubPayloads;
import dev.tiergate.testkit.Pull;
import dev.tiergate.testkit.WebhookSender;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code tiergate demo}: the whole story in one command — embedded PostgreSQL in a temporary folder, a stand-in
 * GitHub on loopback, the real server and endpoint, signed deliveries — told in plain words. Leaves nothing running.
 */
public final class Demo {
    static final String REPO = "acme/inventory";
    static final String POLICY = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: staging, actors: [human, agent]}
              - {name: hotfix, pattern: "hotfix/*", target: production, actors: [human], hotfix: true}
            actors:
              - {id: alice, class: human, roles: [release-manager]}
              - {id: bob, class: human}
              - {id: claude-agent, class: agent}
              - {id: ci-bot, class: bot}
            edges:
              - {from: feature, to: staging, approvals: 1, agent_needs_human_approval: true}
              - {from: staging, to: production, mergers: {classes: [human], roles: [release-manager]}, approvals: 1}
              - {from: hotfix, to: production, mergers: {classes: [human]}, approvals: 1}
            required_checks: [build]
            """;

    private Demo() {}

    /** The story, then stops at once (scripts, tests: {@code --no-wait}). */
    public static int run(PrintStream out) throws Exception {
        return run(out, null);
    }

    /**
     * The story; then, with {@code enter} given, keeps the server running and shows where its pages are until a line
     * (Enter) or the end of input arrives on it.
     */
    public static int run(PrintStream out, InputStream enter) throws Exception {
        out.println("tiergate demo — a claim, a PR, CI, an approval and a merge, then two refusals.");
        out.println("Starting an embedded PostgreSQL (a few seconds) and a stand-in for the GitHub API on loopback...");
        try (Running demo = start(out, Map.of())) {
            if (enter != null) {
                String base = demo.baseUrl();
                String ui = base + "/ui/" + REPO;
                out.println();
                out.println("The server is still running. Open the dashboard:");
                out.println("   " + base + "/   the dashboard: repositories, counts by state");
                out.println(
                        "   " + ui + "   the tier tree: every branch, its state, database and the gate's last word");
                out.println("   " + ui
                        + "/branches/feature%2FF3-agent-index   one branch: why its PR is held, its history");
                out.println("   " + ui + "/audit   the audit trail and whether its hash chain is intact");
                out.println("   " + base + "/api/v1/repos/" + REPO + "/branches   the same as JSON");
                out.println("Press Enter to stop.");
                new BufferedReader(new InputStreamReader(enter, StandardCharsets.UTF_8)).readLine();
            }
        }
        out.println();
        out.println("Done. Server, stand-in GitHub and database stopped; temporary files removed.");
        return 0;
    }

    /**
     * The demo's world, started and with the story told on {@code out}: an embedded PostgreSQL in a temporary folder,
     * the stand-in GitHub, the real server. {@code settings} add to (or override) the demo's configuration, e.g.
     * {@code TIERGATE_VIEWER_TOKEN}. Closing it stops everything and removes the folder. The dashboard's browser tests
     * start it this way, so what they look at is what {@code tiergate demo} shows.
     */
    public static Running start(PrintStream out, Map<String, String> settings) throws Exception {
        Path home = Files.createTempDirectory("tiergate-demo");
        String secret = "demo-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
        GitHubApiStub github = null;
        Database db = null;
        GateServer server = null;
        try {
            github = new GitHubApiStub(REPO);
            github.policy("main", POLICY); // the policy on the default branch judges branch events
            Map<String, String> env = new HashMap<>(Map.of(
                    "TIERGATE_HOME",
                    home.toString(),
                    "TIERGATE_PORT",
                    "0",
                    "TIERGATE_GITHUB_WEBHOOK_SECRET",
                    secret,
                    "TIERGATE_GITHUB_API_URL",
                    github.url(),
                    "TIERGATE_RETRY_BASE_MS",
                    "100"));
            env.putAll(settings);
            ServerConfig cfg = ServerConfig.fromEnvironment(env, null);
            db = Database.open(cfg);
            server = GateServer.start(cfg, db, ForgeBindings.fromConfig(cfg));
            Running running = new Running(
                    home, github, db, server, new WebhookSender("http://127.0.0.1:" + server.port(), secret));
            new Story(out, running).tell();
            return running;
        } catch (Exception | Error e) {
            closeAll(server, db, github);
            deleteTree(home);
            throw e;
        }
    }

    /** The demo running: its server, its stand-in GitHub, and a way to deliver more events to it. */
    public static final class Running implements AutoCloseable {
        private final Path home;
        private final GitHubApiStub github;
        private final Database db;
        private final GateServer server;
        private final WebhookSender hooks;

        private Running(Path home, GitHubApiStub github, Database db, GateServer server, WebhookSender hooks) {
            this.home = home;
            this.github = github;
            this.db = db;
            this.server = server;
            this.hooks = hooks;
        }

        public GateServer server() {
            return server;
        }

        public GitHubApiStub github() {
            return github;
        }

        public Database db() {
            return db;
        }

        public String repo() {
            return REPO;
        }

        public String baseUrl() {
            return "http://127.0.0.1:" + server.port();
        }

        /** Sends a signed delivery and waits until the server has processed it. */
        public void deliver(String event, Object payload) throws Exception {
            int code = hooks.send(event, payload);
            if (code != 202) {
                throw new IllegalStateException("server answered " + code + " to a " + event + " delivery");
            }
            long deadline = System.currentTimeMillis() + 30_000;
            while (server.pendingWork() > 0) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("delivery not processed within 30 s");
                }
                Thread.sleep(20);
            }
        }

        @Override
        public void close() throws IOException {
            closeAll(server, db, github);
            deleteTree(home);
        }
    }

    private static void closeAll(AutoCloseable... all) {
        RuntimeException first = null;
        for (AutoCloseable c : all) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) {
                    first = new IllegalStateException("stopping the demo: " + e.getMessage(), e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static final class Story {
        private final PrintStream out;
        private final Running demo;
        private final GitHubApiStub github;
        private final GateServer server;
        private final RepoRef repo = new RepoRef("github", null, REPO);

        Story(PrintStream out, Running demo) {
            this.out = out;
            this.demo = demo;
            this.github = demo.github;
            this.server = demo.server;
        }

        void tell() throws Exception {
            String main = sha("main");
            String staging = sha("staging");
            github.policy(main, POLICY);
            github.policy(staging, POLICY);
            github.file(main, MIGRATIONS + "V20260101000000__inventory.sql", INVENTORY);
            github.file(staging, MIGRATIONS + "V20260101000000__inventory.sql", INVENTORY);
            github.branch("main", main);
            github.branch("staging", staging);
            step("1. The repository " + REPO
                    + " has a policy: production (main) <- staging; feature/* merges into staging.");
            deliver("push", GitHubPayloads.push(REPO, "main", sha("main0"), main, "alice"));
            dbBranches();

            String f1 = sha("f1");
            github.copyFiles(staging, f1);
            github.file(f1, MIGRATIONS + "V20260616093000__split_inventory_code.sql", SPLIT);
            step(
                    "2. alice claims feature F1 and pushes feature/F1-split-inventory with one migration (Split Column, expand).");
            github.branch("feature/F1-split-inventory", f1);
            deliver("push", GitHubPayloads.push(REPO, "feature/F1-split-inventory", GitHubPayloads.ZERO, f1, "alice"));
            dbBranches();

            step("3. alice opens PR #1 into staging.");
            Pull pr1 = new Pull(1, "feature/F1-split-inventory", f1, "staging", staging, "alice", false, "open", false);
            github.pull(pr1);
            deliver("pull_request", GitHubPayloads.pullRequest(REPO, "opened", pr1));
            state("feature/F1-split-inventory");
            status(f1);
            dbBranches();
            migrations(f1, 1);

            step("4. CI reports the required check 'build' green on " + f1.substring(0, 7) + ".");
            github.ciStatus(f1, "build", "success");
            deliver("status", GitHubPayloads.status(REPO, f1, "build", "success"));
            state("feature/F1-split-inventory");
            status(f1);

            step("5. bob approves PR #1.");
            github.review(1, "bob", false, "APPROVED", f1);
            deliver("pull_request_review", GitHubPayloads.review(REPO, pr1, "bob"));
            status(f1);

            step("6. PR #1 is merged.");
            Pull merged = new Pull(1, pr1.head(), f1, "staging", staging, "alice", false, "closed", true);
            github.pull(merged);
            String stagingAfter = sha("staging-after-merge");
            github.copyFiles(f1, stagingAfter);
            github.branch("staging", stagingAfter);
            deliver("pull_request", GitHubPayloads.pullRequest(REPO, "closed", merged));
            state("feature/F1-split-inventory");
            dbBranches();
            out.println("   the merge migrated staging (after a snapshot, staging-backup-pr1): "
                    + server.audit().all().stream()
                            .filter(r -> r.kind().equals(AuditKind.TIER_MIGRATE.wireName())
                                    && r.details().contains("20260616093000"))
                            .findFirst()
                            .map(r -> "V20260616093000 applied")
                            .orElse("nothing applied"));

            String f2 = sha("f2");
            step("7. alice opens PR #2 from feature/F2-rush straight into main (production), CI green, approved.");
            github.copyFiles(main, f2);
            github.branch("feature/F2-rush", f2);
            Pull pr2 = new Pull(2, "feature/F2-rush", f2, "main", main, "alice", false, "open", false);
            github.pull(pr2);
            github.ciStatus(f2, "build", "success");
            github.review(2, "bob", false, "APPROVED", f2);
            deliver("pull_request", GitHubPayloads.pullRequest(REPO, "opened", pr2));
            status(f2);

            String f3 = sha("f3");
            step("8. The agent claude-agent opens PR #3 into staging; CI is green; only ci-bot approved.");
            github.copyFiles(stagingAfter, f3);
            github.branch("feature/F3-agent-index", f3);
            Pull pr3 = new Pull(
                    3, "feature/F3-agent-index", f3, "staging", stagingAfter, "claude-agent", false, "open", false);
            github.pull(pr3);
            github.ciStatus(f3, "build", "success");
            github.review(3, "ci-bot", false, "APPROVED", f3);
            deliver("pull_request", GitHubPayloads.pullRequest(REPO, "opened", pr3));
            status(f3);
            out.println("   -> held until a human other than the agent approves.");
            step("Audit trail: " + server.audit().all().size() + " hash-chained records; "
                    + server.audit().verify().map(p -> "BROKEN: " + p).orElse("chain intact."));
        }

        private void deliver(String event, Object payload) throws Exception {
            demo.deliver(event, payload);
        }

        private void step(String text) {
            out.println();
            out.println(text);
        }

        private void dbBranches() {
            List<String> names = server.backend().list(repo);
            out.println("   database branches in PostgreSQL: " + String.join(", ", names));
        }

        private void state(String branch) {
            server.store()
                    .find(repo, branch)
                    .ifPresent(r -> out.println("   " + branch + " is "
                            + r.state().wireName() + " (database branch " + r.dbBranch() + ")"));
        }

        /** The tiergate/migrations status and the heart of the rehearsal comment. */
        private void migrations(String sha, long pr) {
            List<JsonNode> posted = github.posted(sha, "tiergate/migrations");
            if (!posted.isEmpty()) {
                JsonNode last = posted.get(posted.size() - 1);
                out.println("   tiergate/migrations on " + sha.substring(0, 7) + ": "
                        + last.path("state").asText().toUpperCase(Locale.ROOT) + " — "
                        + last.path("description").asText());
            }
            List<String> comments = github.comments(pr);
            if (!comments.isEmpty()) {
                out.println("   the PR comment, rehearsed on ci-pr-" + pr + " (a fresh copy of staging):");
                // each table with its own header row: the per-migration table, then the statement-by-statement one
                comments.get(comments.size() - 1)
                        .lines()
                        .filter(l -> l.startsWith("| `V")
                                || l.startsWith("+ ")
                                || l.startsWith("| migration")
                                || l.startsWith("| file:line"))
                        .limit(7)
                        .forEach(l -> out.println("     " + l));
            }
        }

        private void status(String sha) {
            List<JsonNode> posted = github.posted(sha);
            if (posted.isEmpty()) {
                out.println("   tiergate/workflow on " + sha.substring(0, 7) + ": (none posted)");
                return;
            }
            JsonNode last = posted.get(posted.size() - 1);
            out.println("   tiergate/workflow on " + sha.substring(0, 7) + ": "
                    + last.path("state").asText().toUpperCase(Locale.ROOT) + " — "
                    + last.path("description").asText());
        }

        static final String MIGRATIONS = "db/migration/";
        static final String INVENTORY = """
                -- refactoring: Introduce Table
                -- phase: expand
                create table inventory (id bigint primary key, code text not null);
                insert into inventory select g, 'SKU-' || g from generate_series(1, 1000) g;
                """;
        static final String SPLIT = """
                -- refactoring: Split Column
                -- phase: expand
                alter table inventory add column code_prefix text;
                alter table inventory add column code_number int;
                """;

        private static String sha(String seed) {
            StringBuilder sb = new StringBuilder();
            int h = seed.hashCode();
            while (sb.length() < 40) {
                h = h * 31 + 7;
                sb.append(Integer.toHexString(h & 0xffff | 0x10000).substring(1));
            }
            return sb.substring(0, 40);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
