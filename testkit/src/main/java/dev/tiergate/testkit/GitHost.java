package dev.tiergate.testkit;

import com.sun.net.httpserver.HttpExchange;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The git side of a forge stand-in: one bare repository on disk, served over git's smart HTTP protocol by the real
 * {@code git http-backend} run as a CGI program (git-scm.com/docs/git-http-backend: GIT_PROJECT_ROOT, PATH_INFO,
 * REQUEST_METHOD, CONTENT_TYPE, QUERY_STRING, REMOTE_USER; the request body on its stdin, CGI headers and body on its
 * stdout; a gzip request body is passed on with HTTP_CONTENT_ENCODING, which http-backend inflates itself; protocol v2
 * with HTTP_GIT_PROTOCOL), and the plumbing the stand-ins use to read it into their in-memory models and to merge in
 * it (ls-tree, cat-file, merge-base, {@code merge-tree --write-tree}, commit-tree, update-ref).
 *
 * <p>Every git command runs with the inherited environment minus {@code GIT_*}, with no system or global
 * configuration (GIT_CONFIG_NOSYSTEM, GIT_CONFIG_GLOBAL=/dev/null): a developer's {@code core.hooksPath} or
 * {@code init.defaultBranch} does not reach the forge's repository.
 *
 * <p>The stub remembers the heads it last read ({@link #changes}): whatever moved since, by a push over HTTP, by a
 * merge through the API or by a test writing to the bare repository itself, is a change the model imports once.
 */
public final class GitHost {
    static final String ZERO = "0000000000000000000000000000000000000000";
    private static final Pattern SERVICE =
            Pattern.compile("/(info/refs|git-upload-pack|git-receive-pack|HEAD|objects/.+)");

    private final Path dir;
    /** Branch → SHA as the model last saw it. */
    private final Map<String, String> known = new LinkedHashMap<>();
    /** Commit SHA → every file at it (commits never change). */
    private final Map<String, Map<String, String>> treeCache = new LinkedHashMap<>();

    /** A branch that moved: {@code before} null when it is new, {@code after} null when it was deleted. */
    public record RefChange(String branch, String before, String after) {}

    /** A commit as push webhooks list it. */
    public record Commit(
            String sha,
            String authorName,
            String authorEmail,
            String timestamp,
            String message,
            List<String> added,
            List<String> modified,
            List<String> removed) {
        public String title() {
            int nl = message.indexOf('\n');
            return nl < 0 ? message : message.substring(0, nl);
        }
    }

    /** Who a commit made by the forge is by (a merge through the API). */
    public record Ident(String name, String email) {}

    /** A git command's outcome. */
    record Result(int exit, byte[] out, String err) {
        String text() {
            return new String(out, StandardCharsets.UTF_8);
        }
    }

    private GitHost(Path dir) {
        this.dir = dir;
    }

    /**
     * The bare repository at {@code dir}, made there ({@code git init --bare -b main}) when the folder holds none;
     * {@code http.receivepack} is turned on so http-backend takes pushes from the authenticated users the stub lets
     * through. The branches it already has count as known (no change to import).
     */
    public static GitHost open(Path dir) {
        GitHost h = new GitHost(dir.toAbsolutePath().normalize());
        try {
            Files.createDirectories(h.dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!Files.exists(h.dir.resolve("HEAD"))) {
            h.git("init", "--quiet", "--bare", "--initial-branch=main", h.dir.toString());
        }
        h.git("config", "http.receivepack", "true");
        h.known.putAll(h.heads());
        return h;
    }

    public Path dir() {
        return dir;
    }

    /** Where the smart HTTP route points after the repository's URL prefix, or null when the path is not git's. */
    static String serviceOf(String rest) {
        Matcher m = SERVICE.matcher(rest);
        return m.matches() ? m.group(1) : null;
    }

    // ---------------------------------------------------------------- smart HTTP

    /**
     * Answers one smart HTTP request by running {@code git http-backend}. {@code service} is what follows the
     * repository in the URL ({@code info/refs}, {@code git-upload-pack}, {@code git-receive-pack}). For a
     * receive-pack the answer is held until the process has exited and {@code afterPush} has run (the model imported
     * the push and the webhooks went out), so the push returns once the forge has told its listeners, as a test
     * wants it; the other answers are streamed.
     */
    void serve(HttpExchange ex, String service, String remoteUser, Runnable afterPush) throws IOException {
        String method = ex.getRequestMethod();
        ProcessBuilder pb = new ProcessBuilder("git", "http-backend");
        hermetic(pb.environment());
        Map<String, String> env = pb.environment();
        env.put("GIT_PROJECT_ROOT", dir.getParent().toString());
        env.put("PATH_INFO", "/" + dir.getFileName() + "/" + service);
        env.put("GIT_HTTP_EXPORT_ALL", "1");
        env.put("REQUEST_METHOD", method);
        String query = ex.getRequestURI().getRawQuery();
        env.put("QUERY_STRING", query == null ? "" : query);
        putIfPresent(env, "CONTENT_TYPE", ex.getRequestHeaders().getFirst("Content-Type"));
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        String transfer = ex.getRequestHeaders().getFirst("Transfer-Encoding");
        if (length != null
                && (transfer == null || !transfer.toLowerCase(Locale.ROOT).contains("chunked"))) {
            env.put("CONTENT_LENGTH", length); // chunked: none, and http-backend reads to the end of its stdin
        }
        putIfPresent(env, "HTTP_CONTENT_ENCODING", ex.getRequestHeaders().getFirst("Content-Encoding"));
        putIfPresent(env, "HTTP_GIT_PROTOCOL", ex.getRequestHeaders().getFirst("Git-Protocol"));
        if (remoteUser != null) {
            env.put("REMOTE_USER", remoteUser);
        }
        env.put("REMOTE_ADDR", ex.getRemoteAddress().getAddress().getHostAddress());
        env.put("SERVER_PROTOCOL", "HTTP/1.1");
        Process p = pb.start();
        Thread feed = daemon("git-http-stdin", () -> {
            try (InputStream in = ex.getRequestBody();
                    OutputStream to = p.getOutputStream()) {
                in.transferTo(to);
            } catch (IOException ignored) {
                // http-backend stopped reading (it answered an error): what it wrote still goes back
            }
        });
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread drain = daemon("git-http-stderr", () -> {
            try (InputStream e = p.getErrorStream()) {
                e.transferTo(err);
            } catch (IOException ignored) {
                // nothing more to read
            }
        });
        boolean receive = service.equals("git-receive-pack") && method.equals("POST");
        try (InputStream out = new BufferedInputStream(p.getInputStream())) {
            int status = 200;
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line = readLine(out); line != null && !line.isEmpty(); line = readLine(out)) {
                int colon = line.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                if (name.equalsIgnoreCase("Status")) {
                    status = Integer.parseInt(value.split(" ")[0]);
                } else {
                    headers.put(name, value);
                }
            }
            headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            if (receive) {
                byte[] body = out.readAllBytes();
                waitFor(p, feed, drain);
                report(err, p);
                afterPush.run();
                ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
                if (body.length > 0) {
                    try (OutputStream o = ex.getResponseBody()) {
                        o.write(body);
                    }
                }
            } else {
                boolean none = method.equals("HEAD") || status == 204 || status == 304;
                ex.sendResponseHeaders(status, none ? -1 : 0);
                if (!none) {
                    try (OutputStream o = ex.getResponseBody()) {
                        out.transferTo(o);
                    }
                }
                waitFor(p, feed, drain);
                report(err, p);
            }
        } finally {
            p.destroy();
        }
    }

    private static void putIfPresent(Map<String, String> env, String name, String value) {
        if (value != null) {
            env.put(name, value);
        }
    }

    private static void waitFor(Process p, Thread feed, Thread drain) {
        try {
            p.waitFor();
            feed.join(10_000);
            drain.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void report(ByteArrayOutputStream err, Process p) {
        if (err.size() > 0 && (p.exitValue() != 0 || System.getenv("STUB_TRACE") != null)) {
            System.err.println(
                    "git http-backend (exit " + p.exitValue() + "): " + err.toString(StandardCharsets.UTF_8));
        }
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** One CGI header line (LF or CRLF); null at the end of the stream. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.write(b);
        }
        if (b < 0 && line.size() == 0) {
            return null;
        }
        String s = line.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    // ---------------------------------------------------------------- refs

    /** Every branch and its SHA, as {@code git for-each-ref refs/heads} lists them. */
    public Map<String, String> heads() {
        Map<String, String> out = new TreeMap<>();
        for (String line : git("for-each-ref", "--format=%(objectname) %(refname)", "refs/heads")
                .split("\n")) {
            if (line.length() > 41) {
                out.put(line.substring(41).substring("refs/heads/".length()), line.substring(0, 40));
            }
        }
        return out;
    }

    /**
     * The branches that moved since the model last saw them (all of them, or only {@code only} when not null), and
     * from now on the model has seen them. The caller holds the stub's lock, so a push and a merge through the API
     * never import the same move twice.
     */
    public synchronized List<RefChange> changes(String only) {
        Map<String, String> now = heads();
        List<RefChange> out = new ArrayList<>();
        java.util.Set<String> names = new java.util.TreeSet<>(known.keySet());
        names.addAll(now.keySet());
        for (String b : names) {
            if (only != null && !only.equals(b)) {
                continue;
            }
            String before = known.get(b);
            String after = now.get(b);
            if (!Objects.equals(before, after)) {
                out.add(new RefChange(b, before, after));
                if (after == null) {
                    known.remove(b);
                } else {
                    known.put(b, after);
                }
            }
        }
        return out;
    }

    /**
     * Moves {@code branch} from {@code oldSha} to {@code newSha} ({@code git update-ref}, which refuses when the
     * branch is no longer at {@code oldSha}); null {@code newSha} deletes it. The model has then seen the move.
     */
    public synchronized boolean updateRef(String branch, String newSha, String oldSha) {
        Result r = newSha == null
                ? run(null, "update-ref", "-d", "refs/heads/" + branch, oldSha)
                : run(null, "update-ref", "refs/heads/" + branch, newSha, oldSha == null ? ZERO : oldSha);
        if (r.exit() != 0) {
            return false;
        }
        if (newSha == null) {
            known.remove(branch);
        } else {
            known.put(branch, newSha);
        }
        return true;
    }

    // ---------------------------------------------------------------- reading

    /** Every file at a commit, path → content (UTF-8), as {@code git ls-tree -r -z} and {@code git cat-file} read it. */
    public synchronized Map<String, String> files(String commit) {
        Map<String, String> cached = treeCache.get(commit);
        if (cached != null) {
            return cached;
        }
        Map<String, String> oidByPath = new LinkedHashMap<>();
        String listing = git("ls-tree", "-r", "-z", "--full-tree", commit);
        for (String entry : listing.split("\0")) {
            int tab = entry.indexOf('\t');
            if (tab < 0) {
                continue;
            }
            String[] meta = entry.substring(0, tab).split(" ");
            if (meta.length == 3 && meta[1].equals("blob")) { // a submodule is a "commit" entry: no file
                oidByPath.put(entry.substring(tab + 1), meta[2]);
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        if (!oidByPath.isEmpty()) {
            StringBuilder in = new StringBuilder();
            oidByPath.values().forEach(oid -> in.append(oid).append('\n'));
            byte[] batch = run(in.toString().getBytes(StandardCharsets.US_ASCII), "cat-file", "--batch")
                    .out();
            int at = 0;
            for (String path : oidByPath.keySet()) {
                int nl = indexOf(batch, (byte) '\n', at);
                String[] header = new String(batch, at, nl - at, StandardCharsets.US_ASCII).split(" ");
                int size = Integer.parseInt(header[2]);
                out.put(path, new String(batch, nl + 1, size, StandardCharsets.UTF_8));
                at = nl + 1 + size + 1;
            }
        }
        treeCache.put(commit, out);
        return out;
    }

    private static int indexOf(byte[] a, byte b, int from) {
        for (int i = from; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        throw new IllegalStateException("git cat-file --batch answered short");
    }

    /** Whether the repository has this commit. */
    public boolean hasCommit(String sha) {
        return sha != null
                && sha.matches("[0-9a-f]{40}")
                && run(null, "cat-file", "-e", sha + "^{commit}").exit() == 0;
    }

    /** {@code git merge-base a b}; null when the two share no history. */
    public String mergeBase(String a, String b) {
        Result r = run(null, "merge-base", a, b);
        return r.exit() == 0 ? r.text().trim() : null;
    }

    /** {@code git merge-base --is-ancestor a b}. */
    public boolean isAncestor(String a, String b) {
        return run(null, "merge-base", "--is-ancestor", a, b).exit() == 0;
    }

    /** How many commits {@code head} has that {@code base} lacks ({@code git rev-list --count base..head}). */
    public int commitsAhead(String base, String head) {
        return Integer.parseInt(git("rev-list", "--count", base + ".." + head).trim());
    }

    /** The paths deleted between two commits ({@code git diff --diff-filter=D}). */
    public List<String> deleted(String from, String to) {
        List<String> out = new ArrayList<>();
        for (String p : git("diff", "--name-only", "-z", "--no-renames", "--diff-filter=D", from, to)
                .split("\0")) {
            if (!p.isEmpty()) {
                out.add(p);
            }
        }
        return out;
    }

    /** {@code git rev-parse <sha>^{tree}}. */
    public String treeOf(String commit) {
        return git("rev-parse", commit + "^{tree}").trim();
    }

    /** One commit, as webhooks show it. */
    public Commit commit(String sha) {
        List<Commit> one = describe(List.of(sha));
        return one.get(0);
    }

    /**
     * The commits a push brought, oldest first, at most {@code limit} (the newest ones): {@code before..after}, or
     * for a new branch those of {@code after} that no other branch has. Empty when the branch was deleted.
     */
    public List<Commit> pushed(String branch, String before, String after, int limit) {
        if (after == null) {
            return List.of();
        }
        List<String> args = new ArrayList<>(List.of("rev-list", "--max-count=" + limit, after));
        if (before != null) {
            args.add("^" + before);
        } else {
            heads().forEach((b, sha) -> {
                if (!b.equals(branch)) {
                    args.add("^" + sha);
                }
            });
        }
        List<String> shas = new ArrayList<>();
        for (String s : git(args.toArray(String[]::new)).split("\n")) {
            if (!s.isBlank()) {
                shas.add(s.trim());
            }
        }
        java.util.Collections.reverse(shas);
        return describe(shas);
    }

    /** How many commits a push brought, without a limit. */
    public int pushedCount(String branch, String before, String after) {
        if (after == null) {
            return 0;
        }
        List<String> args = new ArrayList<>(List.of("rev-list", "--count", after));
        if (before != null) {
            args.add("^" + before);
        } else {
            heads().forEach((b, sha) -> {
                if (!b.equals(branch)) {
                    args.add("^" + sha);
                }
            });
        }
        return Integer.parseInt(git(args.toArray(String[]::new)).trim());
    }

    private List<Commit> describe(List<String> shas) {
        if (shas.isEmpty()) {
            return List.of();
        }
        List<String> args = new ArrayList<>(List.of("show", "-s", "-z", "--format=%H%x1f%an%x1f%ae%x1f%aI%x1f%B"));
        args.addAll(shas);
        Map<String, String[]> meta = new LinkedHashMap<>();
        for (String rec : git(args.toArray(String[]::new)).split("\0")) {
            String[] f = rec.split("\u001f", 5);
            if (f.length == 5) {
                meta.put(f[0].trim(), f);
            }
        }
        // the files each commit added, changed and removed against its first parent (none listed for a merge)
        StringBuilder in = new StringBuilder();
        shas.forEach(s -> in.append(s).append('\n'));
        String tree = new String(
                run(
                                in.toString().getBytes(StandardCharsets.US_ASCII),
                                "diff-tree",
                                "--stdin",
                                "-r",
                                "-z",
                                "--root",
                                "--no-renames",
                                "--name-status")
                        .out(),
                StandardCharsets.UTF_8);
        Map<String, List<List<String>>> changed = new LinkedHashMap<>();
        List<List<String>> current = null;
        String[] tokens = tree.split("\0");
        for (int i = 0; i < tokens.length; i++) {
            String t = tokens[i].trim();
            if (t.matches("[0-9a-f]{40}")) {
                current = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
                changed.put(t, current);
            } else if (current != null && t.length() == 1 && i + 1 < tokens.length) {
                String path = tokens[++i];
                current.get(t.equals("A") ? 0 : t.equals("D") ? 2 : 1).add(path);
            }
        }
        List<Commit> out = new ArrayList<>();
        for (String s : shas) {
            String[] f = meta.get(s);
            List<List<String>> files = changed.getOrDefault(s, List.of(List.of(), List.of(), List.of()));
            out.add(new Commit(
                    s,
                    f == null ? "" : f[1],
                    f == null ? "" : f[2],
                    f == null ? "" : f[3],
                    f == null ? "" : f[4].strip(),
                    files.get(0),
                    files.get(1),
                    files.get(2)));
        }
        return out;
    }

    // ---------------------------------------------------------------- writing

    /** The tree of merging two commits ({@code git merge-tree --write-tree}); null on a conflict (or no shared history). */
    public String mergeTree(String base, String head) {
        Result r = run(null, "merge-tree", "--write-tree", "--no-messages", base, head);
        if (r.exit() != 0) {
            return null;
        }
        return r.text().split("\n")[0].trim();
    }

    /** A new commit of {@code tree} on {@code parents} ({@code git commit-tree}). */
    public String commitTree(String tree, List<String> parents, String message, Ident author, Ident committer) {
        List<String> args = new ArrayList<>(List.of("commit-tree", tree));
        for (String p : parents) {
            args.add("-p");
            args.add(p);
        }
        ProcessBuilder pb = new ProcessBuilder(command(args));
        hermetic(pb.environment());
        pb.environment().put("GIT_AUTHOR_NAME", author.name());
        pb.environment().put("GIT_AUTHOR_EMAIL", author.email());
        pb.environment().put("GIT_COMMITTER_NAME", committer.name());
        pb.environment().put("GIT_COMMITTER_EMAIL", committer.email());
        Result r = exec(pb, message.getBytes(StandardCharsets.UTF_8));
        if (r.exit() != 0) {
            throw new IllegalStateException("git commit-tree failed: " + r.err());
        }
        return r.text().trim();
    }

    // ---------------------------------------------------------------- running git

    String git(String... args) {
        Result r = run(null, args);
        if (r.exit() != 0) {
            throw new IllegalStateException("git " + String.join(" ", args) + " failed: " + r.err());
        }
        return r.text();
    }

    private List<String> command(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("git", "--git-dir=" + dir));
        cmd.addAll(args);
        return cmd;
    }

    Result run(byte[] stdin, String... args) {
        List<String> cmd = args.length > 0 && args[0].equals("init")
                ? new ArrayList<>(List.of("git"))
                : new ArrayList<>(List.of("git", "--git-dir=" + dir));
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        hermetic(pb.environment());
        return exec(pb, stdin);
    }

    private static Result exec(ProcessBuilder pb, byte[] stdin) {
        try {
            Process p = pb.start();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread drain = daemon("git-stderr", () -> {
                try (InputStream e = p.getErrorStream()) {
                    e.transferTo(err);
                } catch (IOException ignored) {
                    // done
                }
            });
            Thread feed = daemon("git-stdin", () -> {
                try (OutputStream o = p.getOutputStream()) {
                    if (stdin != null) {
                        o.write(stdin);
                    }
                } catch (IOException ignored) {
                    // git did not read it all
                }
            });
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readAllBytes();
            }
            int exit = p.waitFor();
            feed.join(10_000);
            drain.join(10_000);
            return new Result(exit, out, err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run git", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void hermetic(Map<String, String> env) {
        env.keySet().removeIf(k -> k.startsWith("GIT_"));
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        env.put("GIT_TERMINAL_PROMPT", "0");
    }
}
