package dev.tiergate.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.core.audit.AuditRecord;
import dev.tiergate.server.backend.BranchConnection;
import dev.tiergate.server.repo.RepoRef;
import dev.tiergate.server.support.GitHubFront;
import dev.tiergate.server.support.ServerHarness;
import dev.tiergate.server.support.TestPostgres;
import dev.tiergate.testkit.GitHubApiStub;
import dev.tiergate.testkit.GitHubPayloads;
import dev.tiergate.testkit.Pull;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The stage of one attack: a real server (ServerHarness: embedded PostgreSQL, the GitHub stand-in) whose GitHub API
 * address is a {@link GitHubFront}, so a second repository can be served beside the attacked one; a folder the test
 * owns (world-writable, so a successful attack can write there whatever user PostgreSQL runs as) holding a secret
 * token; and the canaries an attack aims at (databases, roles, a session), each dropped or closed again by
 * {@link #close}, together with whatever a successful attack left behind.
 *
 * <p>Everything an attack does is aimed at things this scene made: the canaries, the second repository's tier, the
 * scene's own folder and this server's own store. Nothing else on the shared test PostgreSQL is named by any attack.
 */
final class Scene implements AutoCloseable {
    static final String MAIN = "1111111111111111111111111111111111111111";
    static final String STAGING = "2222222222222222222222222222222222222222";
    static final String DIR = "db/migration/";
    static final String BASE = "V20260101000000__inventory.sql";
    static final String BASE_SQL = """
            -- refactoring: Introduce New Table
            -- phase: expand
            create table inventory (id int primary key, code text);
            insert into inventory select g, 'A-' || g from generate_series(1, 20) g;
            """;
    static final String POLICY = """
            version: 1
            tiers:
              - {name: production, branch: main}
              - {name: staging, branch: staging, parent: production}
            working_branch_types:
              - {name: feature, pattern: "feature/*", target: staging, actors: [human, agent]}
            """;

    final ServerHarness h;
    final GitHubFront front;
    /** The attacked repository. */
    final RepoRef repo;
    /** A folder only this scene writes to; an attack that reaches the host writes or reads here. */
    final Path dir;
    /** A random token in {@code dir/secret}: what a reading attack tries to get out. */
    final String secret;
    /** Short and random: in every canary's name, so no two scenes (or JVMs) aim at the same thing. */
    final String tag;

    private final String policy;
    private final Deque<Cleanup> cleanups = new ArrayDeque<>();
    private final Set<Long> pullRequests = new LinkedHashSet<>();
    private final Set<String> workingBranches = new LinkedHashSet<>();
    private Other other;
    private int commits;
    /** The branch cluster's administrator, as tiergate itself connects (taken once the tiers exist). */
    private final BranchConnection clusterAdmin;

    /** What a cleanup does; it may throw, {@link #close} carries on with the rest. */
    interface Cleanup {
        void run() throws Exception;
    }

    /** A check that throws AssertionError when an attack took effect. */
    interface Check {
        void verify() throws Exception;
    }

    /** A second repository on the same server, with its own tiers. */
    record Other(String path, RepoRef repo, GitHubApiStub github) {}

    /** A pull request the scene opened: its number, head branch and head SHA. */
    record Pr(long number, String branch, String headSha) {}

    private Scene(String policy) throws Exception {
        this.policy = policy;
        this.tag = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        this.front = new GitHubFront();
        this.h = new ServerHarness(Map.of("TIERGATE_GITHUB_API_URL", front.url()));
        this.repo = h.repo;
        try {
            front.route(h.repoPath, h.github);
            this.dir = Files.createTempDirectory("tiergate-attack-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            this.secret = "tg-secret-" + UUID.randomUUID().toString().replace("-", "");
            Path secretFile = dir.resolve("secret");
            Files.writeString(secretFile, secret);
            Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-r--r--"));
            seed(h.github);
            // the tiers exist before any attack: what the attack may not touch is there to be looked at
            h.deliver("push", GitHubPayloads.push(h.repoPath, "staging", GitHubPayloads.ZERO, STAGING, "alice"));
            if (!h.dbBranchExists("staging")) {
                throw new IllegalStateException("the scene's staging tier was not set up: "
                        + h.server.audit().all());
            }
            this.clusterAdmin = admin("staging");
        } catch (Exception | AssertionError e) {
            h.close();
            front.close();
            throw e;
        }
    }

    /** A scene under the usual policy. */
    static Scene start() throws Exception {
        return new Scene(POLICY);
    }

    /** A scene whose policy has this {@code migrations:} block (e.g. {@code "{run_minutes: 1}"}). */
    static Scene withMigrationSettings(String migrations) throws Exception {
        return new Scene(POLICY + "migrations: " + migrations + "\n");
    }

    private void seed(GitHubApiStub github) {
        for (String ref : List.of("main", MAIN, STAGING)) {
            github.policy(ref, policy);
        }
        github.file(MAIN, DIR + BASE, BASE_SQL);
        github.file(STAGING, DIR + BASE, BASE_SQL);
        github.branch("main", MAIN);
        github.branch("staging", STAGING);
    }

    // ---- the attacker's moves

    /** A migration file's text: the header the rules ask for, then {@code body}. */
    static String migration(String body) {
        return "-- refactoring: Introduce New Table\n-- phase: expand\n" + body.strip() + "\n";
    }

    /** A new commit on top of staging holding {@code files} (name in db/migration → content). */
    String commit(Map<String, String> files) {
        return commitOn(h.github, files);
    }

    private String commitOn(GitHubApiStub github, Map<String, String> files) {
        String sha = String.format("%08x", ++commits) + tag + "a".repeat(22);
        github.copyFiles(STAGING, sha);
        files.forEach((name, body) -> github.file(sha, name.contains("/") ? name : DIR + name, body));
        return sha;
    }

    /** Opens PR {@code n} from {@code feature/p<n>} into staging with these migration files, and waits until it is judged. */
    Pr openPullRequest(long n, Map<String, String> files) throws Exception {
        Pr pr = sendPullRequest(n, files);
        h.awaitIdle();
        return pr;
    }

    /** As {@link #openPullRequest}, without waiting for the server. */
    Pr sendPullRequest(long n, Map<String, String> files) throws Exception {
        return sendPullRequest(n, "feature/p" + n, STAGING, files);
    }

    /**
     * Opens PR {@code n} from {@code branch} into staging at {@code baseSha}, without waiting. A branch no working-branch
     * type matches (e.g. {@code sleepy/1}) gets no database of its own: only the PR's rehearsal runs its migrations.
     */
    Pr sendPullRequest(long n, String branch, String baseSha, Map<String, String> files) throws Exception {
        String sha = commit(files);
        h.github.branch(branch, sha);
        h.github.pull(n, branch, sha, "staging", baseSha, "alice", false, "open", false);
        pullRequests.add(n);
        workingBranches.add(branch);
        int code = h.hooks.send(
                "pull_request",
                GitHubPayloads.pullRequest(
                        h.repoPath,
                        "opened",
                        new Pull(n, branch, sha, "staging", baseSha, "alice", false, "open", false)));
        assertEquals(202, code, "the webhook was not accepted");
        return new Pr(n, branch, sha);
    }

    /** Pushes a new working branch (no pull request) holding these migration files; its database follows it. */
    String pushWorkingBranch(String branch, Map<String, String> files) throws Exception {
        String sha = commit(files);
        h.github.branch(branch, sha);
        workingBranches.add(branch);
        assertEquals(
                202, h.deliver("push", GitHubPayloads.push(h.repoPath, branch, GitHubPayloads.ZERO, sha, "alice")));
        return sha;
    }

    /**
     * PR {@code n} is opened with a harmless migration, then merged; what reaches staging with the merge also holds
     * {@code files} (GitHub merged more than was rehearsed), so only the tier's own migration run meets them.
     */
    void mergeOntoTier(long n, Map<String, String> files) throws Exception {
        Pr pr = openPullRequest(
                n, Map.of("V20260101120000__harmless.sql", migration("create table harmless (id int);")));
        String merged = String.format("%08x", ++commits) + tag + "b".repeat(22);
        h.github.copyFiles(pr.headSha(), merged);
        files.forEach((name, body) -> h.github.file(merged, name.contains("/") ? name : DIR + name, body));
        h.github.branch("staging", merged);
        h.github.pull(n, pr.branch(), pr.headSha(), "staging", STAGING, "alice", false, "closed", true);
        h.deliver(
                "pull_request",
                GitHubPayloads.pullRequest(
                        h.repoPath,
                        "closed",
                        new Pull(n, pr.branch(), pr.headSha(), "staging", STAGING, "alice", false, "closed", true)));
    }

    // ---- what tiergate published

    /** The last status in {@code context} on {@code sha}; null when none was posted. */
    JsonNode lastStatus(String sha, String context) {
        List<JsonNode> all = h.github.posted(sha, context);
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    /** tiergate's comments on PR {@code n}, joined. */
    String comment(long n) {
        return String.join("\n", h.github.comments(n));
    }

    /**
     * Everything tiergate published about the attacked repository (and the second one): every status description
     * on every SHA, every PR comment, every audit record, and the dashboard's pages and the branch API.
     */
    String published() throws Exception {
        return published(false);
    }

    /**
     * As {@link #published()}, with each comment as a forge renders it: what sits in a code span or a fenced block is
     * shown as text, never as markup, so it is left out when looking for markup that renders.
     */
    String publishedAsRendered() throws Exception {
        return published(true);
    }

    /** A Markdown text without its fenced blocks and code spans (whose content a forge shows literally). */
    static String outsideCode(String markdown) {
        String noFences = markdown.replaceAll("(?ms)^(`{3,}|~{3,})[^\\n]*\\n.*?^\\1[`~]*\\s*$", "");
        return noFences.replaceAll("(`+)(?:(?!\\1).)+?\\1", "");
    }

    private String published(boolean rendered) throws Exception {
        StringBuilder b = new StringBuilder();
        for (GitHubApiStub github : other == null ? List.of(h.github) : List.of(h.github, other.github())) {
            for (String sha : github.shasWithStatuses()) {
                for (String context : List.of("tiergate/workflow", "tiergate/migrations")) {
                    github.posted(sha, context)
                            .forEach(s -> b.append("status ").append(s).append('\n'));
                }
            }
        }
        for (long n : pullRequests) {
            h.github
                    .comments(n)
                    .forEach(c -> b.append("comment #")
                            .append(n)
                            .append(' ')
                            .append(rendered ? outsideCode(c) : c)
                            .append('\n'));
        }
        for (AuditRecord r : h.server.audit().all()) {
            b.append("audit ")
                    .append(r.kind())
                    .append(' ')
                    .append(r.subject())
                    .append(' ')
                    .append(r.details())
                    .append('\n');
        }
        List<String> pages = new ArrayList<>(List.of(
                "/",
                "/ui/" + h.repoPath,
                "/ui/" + h.repoPath + "/changes",
                "/ui/" + h.repoPath + "/audit",
                "/api/v1/repos/" + h.repoPath + "/branches"));
        for (long n : pullRequests) {
            pages.add("/ui/" + h.repoPath + "/branches/pull/" + n);
            pages.add("/api/v1/repos/" + h.repoPath + "/branches/pull/" + n);
        }
        for (String branch : workingBranches) {
            pages.add("/ui/" + h.repoPath + "/branches/"
                    + URLEncoder.encode(branch, StandardCharsets.UTF_8).replace("%2F", "/"));
        }
        pages.add("/ui/" + h.repoPath + "/branches/staging");
        for (String page : pages) {
            b.append("page ")
                    .append(page)
                    .append(' ')
                    .append(h.get(page).body())
                    .append('\n');
        }
        return b.toString();
    }

    /** Fails, naming where, when {@code text} appears in anything tiergate published. */
    void assertNotPublished(String text, String what) throws Exception {
        String all = published();
        int at = all.indexOf(text);
        if (at >= 0) {
            int lineStart = all.lastIndexOf('\n', at) + 1;
            int lineEnd = all.indexOf('\n', at);
            String line = all.substring(lineStart, lineEnd < 0 ? all.length() : lineEnd);
            throw new AssertionError(
                    what + " was published: " + (line.length() > 400 ? line.substring(0, 400) + "…" : line));
        }
    }

    // ---- the attacked repository's databases

    /** The branch cluster's admin, connected to one of the attacked repository's branches (for looking only). */
    BranchConnection admin(String dbBranch) {
        BranchConnection m = h.server.backend().migrationConnection(repo, dbBranch);
        TestPostgres.BranchCluster c = TestPostgres.branches();
        return new BranchConnection(m.host(), m.port(), m.database(), c.user(), c.password());
    }

    static Connection open(BranchConnection c) throws SQLException {
        return DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
    }

    /** The first column of the first row of {@code sql} on a branch of the attacked repository, as text; null when no row. */
    String value(String dbBranch, String sql) throws SQLException {
        try (Connection c = open(admin(dbBranch));
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    boolean hasTable(String dbBranch, String table) throws SQLException {
        return h.dbBranchExists(dbBranch)
                && "t"
                        .equals(value(
                                dbBranch,
                                "select case when to_regclass('public." + table + "') is null then 'f' else 't' end"));
    }

    /** The roles that installed migrations on a branch, from Flyway's history (the migration login(s)). */
    List<String> installers(String dbBranch) throws SQLException {
        List<String> out = new ArrayList<>();
        if (!hasTable(dbBranch, "flyway_schema_history")) {
            return out;
        }
        try (Connection c = open(admin(dbBranch));
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select distinct installed_by from flyway_schema_history")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** Whether a branch's Flyway history records {@code version} as applied with success. */
    boolean applied(String dbBranch, String version) throws SQLException {
        return hasTable(dbBranch, "flyway_schema_history")
                && value(dbBranch, "select 1 from flyway_schema_history where version = '" + version + "' and success")
                        != null;
    }

    // ---- the clusters

    /** The cluster where branch databases live (and migrations run), as its administrator, on its maintenance database. */
    Connection branchCluster() throws SQLException {
        return onBranchCluster("postgres");
    }

    /** A database of the branch cluster, as its administrator. */
    Connection onBranchCluster(String database) throws SQLException {
        BranchConnection a = clusterAdmin;
        return DriverManager.getConnection(
                new BranchConnection(a.host(), a.port(), database, a.user(), a.password()).jdbcUrl(),
                a.user(),
                a.password());
    }

    /** The cluster that holds tiergate's own store, as its administrator. */
    static Connection storeCluster() throws SQLException {
        return TestPostgres.server().getPostgresDatabase().getConnection();
    }

    /** host:port of the branch cluster. */
    String branchClusterAddress() {
        BranchConnection a = clusterAdmin;
        return a.host() + ":" + a.port();
    }

    /** host:port of the store's cluster. */
    String storeClusterAddress() {
        URI u = URI.create(h.db.jdbcUrl().substring("jdbc:".length()));
        return u.getHost() + ":" + u.getPort();
    }

    boolean oneCluster() {
        Set<String> loopback = Set.of("localhost", "127.0.0.1");
        String a = hostOf(branchClusterAddress());
        String b = hostOf(storeClusterAddress());
        return portOf(branchClusterAddress()) == portOf(storeClusterAddress())
                && (a.equals(b) || loopback.contains(a) && loopback.contains(b));
    }

    private static String hostOf(String address) {
        return address.substring(0, address.lastIndexOf(':'));
    }

    private static int portOf(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    /** The name of tiergate's own store database. */
    String storeDatabase() {
        String path = URI.create(h.db.jdbcUrl().substring("jdbc:".length())).getPath();
        return path.substring(1);
    }

    /** A libpq connection string to a database of the store's cluster as its administrator (what dblink would need). */
    String storeConnInfo(String database) {
        return "host=" + hostOf(storeClusterAddress()) + " port=" + portOf(storeClusterAddress()) + " dbname="
                + database + " user=" + h.db.user() + (h.db.password() == null ? "" : " password=" + h.db.password());
    }

    /** As {@link #storeConnInfo}, on the branch cluster. */
    String branchConnInfo(String database) {
        BranchConnection a = clusterAdmin;
        return "host=" + a.host() + " port=" + a.port() + " dbname=" + database + " user=" + a.user()
                + (a.password() == null ? "" : " password=" + a.password());
    }

    /** Every distinct cluster in play, as its administrator: the branch cluster, and the store's when it is another. */
    List<Connection> clusters() throws SQLException {
        List<Connection> out = new ArrayList<>();
        out.add(branchCluster());
        if (!oneCluster()) {
            out.add(storeCluster());
        }
        return out;
    }

    /** The physical-name prefix of the attacked repository's databases and logins on the branch cluster. */
    String attackedPrefix() {
        String staging = clusterAdmin.database();
        return staging.substring(0, staging.length() - "staging".length());
    }

    /** A picture of every cluster in play (see {@link ClusterCatalog}), by cluster. */
    Map<String, ClusterCatalog> catalogs() throws Exception {
        Map<String, ClusterCatalog> out = new LinkedHashMap<>();
        try (Connection c = branchCluster()) {
            out.put("branch cluster " + branchClusterAddress(), ClusterCatalog.of(c));
        }
        if (!oneCluster()) {
            try (Connection c = storeCluster()) {
                out.put("store cluster " + storeClusterAddress(), ClusterCatalog.of(c));
            }
        }
        return out;
    }

    /** Nothing on any cluster changed since {@code before} but the attacked repository's own databases and logins. */
    void assertCatalogsUnchanged(Map<String, ClusterCatalog> before) throws Exception {
        Map<String, ClusterCatalog> now = catalogs();
        List<String> changes = new ArrayList<>();
        before.forEach((cluster, was) ->
                now.get(cluster).changesSince(was, attackedPrefix()).forEach(c -> changes.add(cluster + ": " + c)));
        assertEquals(List.of(), changes, "the migration changed the cluster outside its own database");
    }

    // ---- canaries

    /** A database this scene owns, on the branch cluster ({@code onStoreCluster}: beside the store), dropped at the end. */
    String canaryDatabase(String role, boolean onStoreCluster) throws Exception {
        String name = "sec_" + tag + "_" + role;
        try (Connection c = onStoreCluster ? storeCluster() : branchCluster();
                Statement st = c.createStatement()) {
            st.execute("create database " + name);
            st.execute("revoke connect, temporary on database " + name + " from public");
        }
        cleanups.push(() -> {
            try (Connection c = onStoreCluster ? storeCluster() : branchCluster();
                    Statement st = c.createStatement()) {
                st.execute(
                        "set statement_timeout = '30s'"); // a cleanup stuck behind a hung attack reports, it does not
                // hang the JVM
                st.execute("drop database if exists " + name + " with (force)");
            }
        });
        return name;
    }

    /** Waits (at most 20 s) until no session of any cluster in play is dropping a database (an attack's drop sent asynchronously). */
    void awaitNoDropInFlight() throws Exception {
        await(Duration.ofSeconds(20), () -> {
            for (Connection c : clusters()) {
                try (c;
                        Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery("select count(*) from pg_stat_activity where state = 'active'"
                                + " and pid <> pg_backend_pid() and query ~* '^\\s*drop\\s+database'")) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return false;
                    }
                }
            }
            return true;
        });
    }

    /** Whether a canary database still exists and answers its administrator. */
    void assertAnswers(String database, boolean onStoreCluster, String what) throws Exception {
        awaitNoDropInFlight();
        Connection cluster = onStoreCluster ? storeCluster() : branchCluster();
        try (cluster;
                PreparedStatement ps = cluster.prepareStatement("select 1 from pg_database where datname = ?")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), what + " (database " + database + ") was dropped by the migration");
            }
        }
        String url = TestPostgres.server().getJdbcUrl("postgres", database);
        try (Connection c = onStoreCluster
                        ? DriverManager.getConnection(url, "postgres", null)
                        : onBranchCluster(database);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("select 1")) {
            assertTrue(rs.next(), what + " does not answer");
        }
    }

    /**
     * A role this scene owns on the branch cluster, with {@code attributes} (e.g. "nologin createrole"), dropped at
     * the end with whatever it made.
     */
    String canaryRole(String role, String attributes) throws Exception {
        String name = "sec_" + tag + "_" + role;
        try (Connection c = branchCluster();
                Statement st = c.createStatement()) {
            st.execute("create role " + name + " " + attributes);
        }
        dropRoleAtTheEnd(name);
        return name;
    }

    /** A role an attack may create, dropped at the end if it did. */
    String roleNameForAttack(String role) {
        String name = "sec_" + tag + "_" + role;
        dropRoleAtTheEnd(name);
        return name;
    }

    private void dropRoleAtTheEnd(String name) {
        cleanups.push(() -> {
            for (Connection c : clusters()) {
                try (c;
                        Statement st = c.createStatement()) {
                    st.execute("set statement_timeout = '30s'");
                    st.execute("drop role if exists " + name);
                }
            }
        });
    }

    /** Whether a role exists on any cluster in play. */
    boolean roleExists(String name) throws Exception {
        for (Connection c : clusters()) {
            try (c;
                    PreparedStatement ps = c.prepareStatement("select 1 from pg_roles where rolname = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** An open session of the administrator on {@code database} of the branch cluster, named {@code application}; closed at the end. */
    Connection canarySession(String database, String application) throws Exception {
        BranchConnection a = clusterAdmin;
        Properties p = new Properties();
        p.setProperty("user", a.user());
        if (a.password() != null) {
            p.setProperty("password", a.password());
        }
        p.setProperty("ApplicationName", application);
        Connection c = DriverManager.getConnection(
                new BranchConnection(a.host(), a.port(), database, a.user(), a.password()).jdbcUrl(), p);
        cleanups.push(c::close);
        return c;
    }

    /** Anything to undo at the end (what a successful attack left on a cluster). */
    void atTheEnd(Cleanup cleanup) {
        cleanups.push(cleanup);
    }

    // ---- a second repository

    /** A second repository on the same server, with its own staging tier set up (made on first use). */
    Other otherRepository() throws Exception {
        if (other != null) {
            return other;
        }
        String path = "acme/other-" + tag;
        GitHubApiStub github = new GitHubApiStub(path);
        cleanups.push(github::close);
        seed(github);
        front.route(path, github);
        github.deliverTo(h.hooks);
        other = new Other(path, new RepoRef("github", null, path), github);
        assertEquals(
                202, h.deliver("push", GitHubPayloads.push(path, "staging", GitHubPayloads.ZERO, STAGING, "alice")));
        assertTrue(
                h.server.backend().exists(other.repo(), "staging"),
                "the second repository's staging tier was not set up");
        return other;
    }

    /** The second repository's tier database: its physical name on the branch cluster. */
    String otherTierDatabase() throws Exception {
        return h.server
                .backend()
                .connection(otherRepository().repo(), "staging")
                .database();
    }

    /** Opens PR {@code n} on the second repository with these files, without waiting. */
    Pr sendOtherPullRequest(long n, Map<String, String> files) throws Exception {
        Other o = otherRepository();
        String sha = commitOn(o.github(), files);
        String branch = "feature/o" + n;
        o.github().branch(branch, sha);
        o.github().pull(n, branch, sha, "staging", STAGING, "bob", false, "open", false);
        assertEquals(
                202,
                h.hooks.send(
                        "pull_request",
                        GitHubPayloads.pullRequest(
                                o.path(),
                                "opened",
                                new Pull(n, branch, sha, "staging", STAGING, "bob", false, "open", false))));
        return new Pr(n, branch, sha);
    }

    // ---- host

    /** The files an attack wrote into the scene's folder (everything but the secret). */
    List<String> filesWritten() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals("secret"))
                    .sorted()
                    .toList();
        }
    }

    // ---- the end

    @Override
    public void close() {
        List<Throwable> problems = new ArrayList<>();
        // a session an attack left sleeping holds a worker: end it first (only sessions on this repository's databases)
        try {
            endSessionsOnAttackedDatabases();
        } catch (Exception e) {
            problems.add(e);
        }
        try {
            resetSystemSettings();
        } catch (Exception e) {
            problems.add(e);
        }
        try {
            h.close();
        } catch (Exception e) {
            problems.add(e);
        }
        while (!cleanups.isEmpty()) {
            try {
                cleanups.pop().run();
            } catch (Exception e) {
                problems.add(e);
            }
        }
        front.close();
        try {
            List<String> left = leftovers();
            if (!left.isEmpty()) {
                problems.add(new IllegalStateException("left on the test PostgreSQL after cleanup: " + left));
            }
        } catch (Exception e) {
            problems.add(e);
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            problems.add(e);
        }
        if (!problems.isEmpty()) {
            IllegalStateException e =
                    new IllegalStateException("the scene did not clean up entirely: " + problems.get(0));
            problems.forEach(e::addSuppressed);
            throw e;
        }
    }

    /** What this scene's canaries or attacks left on a cluster: databases and roles named after its tag, the ALTER SYSTEM value. */
    private List<String> leftovers() throws Exception {
        List<String> out = new ArrayList<>();
        for (Connection c : clusters()) {
            try (c;
                    Statement st = c.createStatement()) {
                String like = "'sec\\_" + tag + "\\_%'";
                try (ResultSet rs = st.executeQuery("select 'database ' || datname from pg_database where datname like "
                        + like + " union all select 'role ' || rolname from pg_roles where rolname like " + like)) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                if (autoConfHasAttackValue(st)) {
                    out.add("ALTER SYSTEM's " + SYSTEM_PARAMETER);
                }
            }
        }
        return out;
    }

    /** Ends the sessions sleeping on the attacked repository's databases (what a sleeping attack left); how many. */
    int endSessionsOnAttackedDatabases() throws Exception {
        String prefix = attackedPrefix();
        int ended = 0;
        try (Connection c = branchCluster();
                PreparedStatement ps = c.prepareStatement(
                        "select pg_terminate_backend(pid) from pg_stat_activity where datname like ? and pid <> pg_backend_pid()"
                                + " and state = 'active' and query ilike '%pg_sleep%'")) {
            ps.setString(1, prefix.replace("_", "\\_") + "%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ended++;
                }
            }
        }
        return ended;
    }

    /**
     * Ends sleeping attacks until the server is idle: each ended sleep lets the next queued PR of the attacked
     * repository start its own, so this goes on until no delivery is pending (at most {@code atMost}).
     */
    void endSleepsUntilIdle(Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline) {
            int ended = endSessionsOnAttackedDatabases();
            if (ended == 0 && h.server.inbox().pendingCount() == 0) {
                return;
            }
            Thread.sleep(200);
        }
    }

    /** The harmless parameter an ALTER SYSTEM attack sets; reset on every cluster where an attack set it. */
    static final String SYSTEM_PARAMETER = "log_min_duration_statement";

    static final String SYSTEM_VALUE = "3600001";

    private void resetSystemSettings() throws Exception {
        for (Connection c : clusters()) {
            try (c;
                    Statement st = c.createStatement()) {
                if (autoConfHasAttackValue(st)) {
                    st.execute("alter system reset " + SYSTEM_PARAMETER);
                    st.execute("select pg_reload_conf()");
                }
            }
        }
    }

    /** Whether postgresql.auto.conf of a cluster holds the value the ALTER SYSTEM attack sets. */
    static boolean autoConfHasAttackValue(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("select setting from pg_file_settings where name = '" + SYSTEM_PARAMETER
                + "' and sourcefile like '%postgresql.auto.conf'")) {
            while (rs.next()) {
                if (SYSTEM_VALUE.equals(rs.getString(1)) || rs.getString(1).startsWith(SYSTEM_VALUE)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether any cluster in play has the ALTER SYSTEM attack's value in its postgresql.auto.conf. */
    boolean systemSettingChanged() throws Exception {
        for (Connection c : clusters()) {
            try (c;
                    Statement st = c.createStatement()) {
                if (autoConfHasAttackValue(st)) {
                    return true;
                }
            }
        }
        return false;
    }

    // ---- assertions shared by the tests

    /**
     * The PR was refused: its tiergate/migrations status is a failure, its comment does not say it passed, and
     * {@code rule} is named (in the status, or among the comment's rules). Called after the effect assertions: what matters is that nothing happened; this is the message.
     */
    void assertRefused(Pr pr, String rule) {
        JsonNode s = lastStatus(pr.headSha(), "tiergate/migrations");
        assertTrue(
                s != null,
                "no tiergate/migrations status on the attack's head " + pr.headSha() + "; workflow: "
                        + h.github.posted(pr.headSha()));
        assertEquals("failure", s.path("state").asText(), "the attack's PR was not refused: " + s);
        assertFalse(
                comment(pr.number()).contains("**Passed.**"),
                "the comment says the attack passed:\n" + comment(pr.number()));
        // the status names the first rule broken; the comment lists them all
        assertTrue(
                s.path("description").asText().contains("[" + rule + "]")
                        || comment(pr.number()).contains("`" + rule + "`"),
                "the refusal does not name the rule " + rule
                        + " (the sandbox's rule for this attack), neither in the status: " + s
                        + "\nnor in the comment:\n" + comment(pr.number()));
    }

    /** A condition polled by {@link #await}. */
    interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls {@code condition} every 200 ms until it holds or {@code within} has passed; whether it held. */
    static boolean await(Duration within, Condition condition) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            if (condition.holds()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(200);
        }
    }

    /** A map of one migration file. */
    static Map<String, String> file(String name, String sql) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(name, sql);
        return m;
    }
}
