package dev.tiergate.hooks.git;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What a commit of the index would contain, as the {@code git} binary reports it: the staged changes against a
 * revision, the index's paths and blobs, blob contents, and the files under a directory at a ref. The pre-commit hook
 * reads through this and not through JGit: opening a repository with JGit costs a fresh JVM about 70 ms of class
 * loading, while git answers the same questions in a few milliseconds a process (see BENCHMARKS.md, hook steps). It
 * also means the hook sees exactly what git sees: GIT_INDEX_FILE (set for {@code commit -a} and
 * {@code commit <paths>}), worktrees, alternates, packed or loose objects and any ref storage.
 *
 * <p>Every listing uses {@code -z}, so no path is ever quoted or split; trees are read as objects through the same
 * cat-file. Meant for one thread (a hook's); the cat-file exchange and {@link #close} are synchronized, because
 * close also runs from a shutdown hook.
 */
public final class GitIndex implements AutoCloseable {
    private final Path top;
    private final Path gitDir;
    /** Path → staged blob (stage 0, or "ours" during a conflicted merge), in index order; read once. */
    private Map<String, String> entries;
    /** The index listing, when {@link #prefetch} started it. */
    private Process pendingEntries;
    /** Config lookups started ahead, by pattern. */
    private final Map<String, Process> prefetched = new HashMap<>();

    private Process catFile;
    private OutputStream catFileIn;
    private InputStream catFileOut;

    public GitIndex(Path top, Path gitDir) {
        this.top = top;
        this.gitDir = gitDir;
    }

    /**
     * The index of the working tree at {@code top} (a hook's working directory). The git dir is found as git finds
     * it, without running git: GIT_DIR when exported, else {@code .git} in {@code top} or the nearest parent, which in
     * a linked worktree is a file naming the real one.
     */
    public static GitIndex at(Path top) throws IOException {
        return new GitIndex(top, findGitDir(top));
    }

    static Path findGitDir(Path top) throws IOException {
        String env = System.getenv("GIT_DIR");
        if (env != null && !env.isEmpty()) {
            return top.resolve(env).normalize();
        }
        for (Path dir = top.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path dotGit = dir.resolve(".git");
            if (Files.isDirectory(dotGit)) {
                return dotGit;
            }
            if (Files.isRegularFile(dotGit)) {
                String line = Files.readString(dotGit, StandardCharsets.UTF_8).strip();
                if (line.startsWith("gitdir: ")) {
                    return dir.resolve(line.substring("gitdir: ".length())).normalize();
                }
            }
        }
        throw new IOException(top + " is not inside a git repository");
    }

    public Path top() {
        return top;
    }

    public Path gitDir() {
        return gitDir;
    }

    /** One staged change: A(dded), M(odified) or D(eleted), with the staged blob (A/M) and the blob before (M/D). */
    public record Change(char kind, String path, String staged, String before) {}

    /**
     * Starts the index listing and the blob reader now, beside whatever git is asked next: a hook that needs the
     * staged changes, the paths and some blobs then waits for one git start-up instead of three in a row.
     */
    public void prefetch() throws IOException {
        if (entries == null && pendingEntries == null) {
            pendingEntries = start("ls-files", "--stage", "-z");
        }
        catFile();
    }

    /**
     * The pre-commit shim's own {@code git diff-index --cached --no-renames --no-abbrev HEAD}, which it ran on the
     * same index a moment earlier to decide whether to start the JVM at all (see Shims).
     */
    public static final String STAGED_RAW_ENV = "TIERGATE_STAGED_RAW";

    /**
     * Index against HEAD: every staged path that differs (everything, on a branch with no commit yet). Taken from the
     * shim's hand-over when there is one this can read, else asked of git.
     */
    public List<Change> changes() throws IOException {
        String handed = System.getenv(STAGED_RAW_ENV);
        if (handed != null) {
            Optional<List<Change>> parsed = parseRaw(handed);
            if (parsed.isPresent()) {
                return parsed.get();
            }
        }
        return changesAgainst("HEAD");
    }

    /**
     * Raw diff lines without {@code -z} ({@code :<mode> <mode> <before> <after> <status>\t<path>}); empty when any
     * line is not one, or when git quoted a path (then git is asked again, with {@code -z}).
     */
    static Optional<List<Change>> parseRaw(String raw) {
        if (raw.indexOf('"') >= 0) {
            return Optional.empty();
        }
        List<Change> changes = new ArrayList<>();
        for (String line : raw.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            int tab = line.indexOf('\t');
            String[] f =
                    tab > 0 && line.startsWith(":") ? line.substring(1, tab).split(" ") : new String[0];
            if (f.length != 5 || !isObjectId(f[2]) || !isObjectId(f[3]) || f[4].isEmpty()) {
                return Optional.empty();
            }
            String path = line.substring(tab + 1);
            switch (f[4].charAt(0)) {
                case 'A' -> changes.add(new Change('A', path, f[3], null));
                case 'D' -> changes.add(new Change('D', path, null, f[2]));
                case 'M', 'T' -> changes.add(new Change('M', path, f[3], f[2]));
                case 'U' -> {
                    // unmerged: git refuses the commit before any hook runs
                }
                default -> {
                    return Optional.empty();
                }
            }
        }
        return Optional.of(changes);
    }

    private static boolean isObjectId(String s) {
        return (s.length() == 40 || s.length() == 64)
                && s.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f');
    }

    /** Index against the tree of {@code rev}; when rev does not resolve (HEAD~1 of a root commit), every path is new. */
    public List<Change> changesAgainst(String rev) throws IOException {
        Output out = git(false, "diff-index", "--cached", "--raw", "-z", "--no-renames", "--no-abbrev", rev, "--");
        if (out.exit != 0) {
            if (!git(false, "rev-parse", "--quiet", "--verify", rev + "^{tree}").ok()) {
                List<Change> all = new ArrayList<>();
                entries().forEach((path, blob) -> all.add(new Change('A', path, blob, null)));
                return all;
            }
            throw out.failure("diff-index --cached " + rev);
        }
        // ":<mode> <mode> <before> <after> <status>\0<path>\0" per change
        List<Change> changes = new ArrayList<>();
        byte[] b = out.bytes;
        int i = 0;
        while (i < b.length && b[i] == ':') {
            int headerEnd = indexOf(b, i, (byte) 0);
            int pathEnd = indexOf(b, headerEnd + 1, (byte) 0);
            String[] f = new String(b, i + 1, headerEnd - i - 1, StandardCharsets.US_ASCII).split(" ");
            String path = new String(b, headerEnd + 1, pathEnd - headerEnd - 1, StandardCharsets.UTF_8);
            char status = f[4].charAt(0);
            switch (status) {
                case 'A' -> changes.add(new Change('A', path, f[3], null));
                case 'D' -> changes.add(new Change('D', path, null, f[2]));
                case 'M', 'T' -> changes.add(new Change('M', path, f[3], f[2]));
                default -> {
                    // 'U' (unmerged): git refuses the commit before any hook runs
                }
            }
            i = pathEnd + 1;
        }
        return changes;
    }

    /** Every path in the index, in index order. */
    public List<String> paths() throws IOException {
        return new ArrayList<>(entries().keySet());
    }

    /** The staged content of a path, if it is in the index. */
    public Optional<byte[]> staged(String path) throws IOException {
        String blob = entries().get(path);
        return blob == null ? Optional.empty() : Optional.of(read(blob));
    }

    private Map<String, String> entries() throws IOException {
        if (entries == null) {
            // "<mode> <blob> <stage>\t<path>\0" per entry; stages 1 and 3 (base, theirs) only exist mid-conflict
            Process started = pendingEntries;
            pendingEntries = null;
            Output out = started != null ? finish(started, "ls-files") : git(false, "ls-files", "--stage", "-z");
            if (!out.ok()) {
                throw out.failure("ls-files");
            }
            byte[] b = out.bytes;
            Map<String, String> map = new LinkedHashMap<>();
            int i = 0;
            while (i < b.length) {
                int tab = indexOf(b, i, (byte) '\t');
                int end = indexOf(b, tab + 1, (byte) 0);
                String[] f = new String(b, i, tab - i, StandardCharsets.US_ASCII).split(" ");
                if (f[2].equals("0") || f[2].equals("2")) {
                    map.put(new String(b, tab + 1, end - tab - 1, StandardCharsets.UTF_8), f[1]);
                }
                i = end + 1;
            }
            entries = map;
        }
        return entries;
    }

    /** A blob's content, through one {@code git cat-file --batch} kept open for the run. */
    public byte[] read(String blob) throws IOException {
        return object(blob)
                .orElseThrow(
                        () -> new IOException("git cat-file cannot read object " + blob + ": git has no such object"))
                .content();
    }

    private synchronized void catFile() throws IOException {
        if (catFile == null) {
            catFile = new ProcessBuilder("git", "cat-file", "--batch")
                    .directory(top.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            catFileIn = catFile.getOutputStream();
            catFileOut = new BufferedInputStream(catFile.getInputStream());
            // At exit the JVM waits up to 300 ms for threads in native code, and the thread that reaps cat-file
            // stays in waitpid until cat-file's input ends: end it first, whoever forgot to close this index.
            Runtime.getRuntime().addShutdownHook(new Thread(this::close, "tiergate-cat-file-close"));
        }
    }

    /**
     * Paths under {@code dir} in the tree of the first of {@code refs} that names a commit (for example a tier branch
     * locally, else at origin); empty when none does. Asked of the cat-file process already open (as
     * {@code <ref>:<dir>} and then each subtree by id), not of one more git process.
     */
    public Optional<List<String>> pathsAt(String dir, String... refs) throws IOException {
        String d = dir.equals(".") ? "" : dir;
        if (d.contains("\n")) {
            throw new IOException("a migration directory with a line break cannot be looked up: " + dir);
        }
        for (String ref : refs) {
            if (ref.contains("\n") || object(ref + "^{commit}").isEmpty()) {
                continue;
            }
            List<String> paths = new ArrayList<>();
            Optional<GitObject> top = object(d.isEmpty() ? ref + "^{tree}" : ref + ":" + d);
            if (top.isPresent() && top.get().type().equals("tree")) {
                collect(top.get(), d.isEmpty() ? "" : d + "/", paths);
            } else if (top.isPresent()) {
                paths.add(d); // the "directory" is a file: what ls-tree would list
            }
            return Optional.of(paths);
        }
        return Optional.empty();
    }

    /** An object as cat-file gives it: its id, type and content. */
    private record GitObject(String id, String type, byte[] content) {}

    /** The object {@code spec} names (an id, or {@code rev:path}), or empty when git has none. */
    private synchronized Optional<GitObject> object(String spec) throws IOException {
        catFile();
        catFileIn.write((spec + "\n").getBytes(StandardCharsets.UTF_8));
        catFileIn.flush();
        String[] f = readLine(catFileOut).split(" ");
        if (f.length != 3) {
            return Optional.empty(); // "<spec> missing" (or ambiguous)
        }
        byte[] content = catFileOut.readNBytes(Integer.parseInt(f[2]));
        if (catFileOut.read() != '\n') {
            throw new IOException("git cat-file: unexpected output after object " + spec);
        }
        return Optional.of(new GitObject(f[0], f[1], content));
    }

    /** Every non-tree entry below {@code tree}, recursively, as {@code prefix + name}: what {@code ls-tree -r} lists. */
    private void collect(GitObject tree, String prefix, List<String> out) throws IOException {
        // "<mode> <name>\0<id as raw bytes>" per entry; the id is as long as the tree's own (SHA-1 or SHA-256)
        int idBytes = tree.id().length() / 2;
        byte[] b = tree.content();
        int i = 0;
        while (i < b.length) {
            int space = indexOf(b, i, (byte) ' ');
            int nul = indexOf(b, space + 1, (byte) 0);
            String mode = new String(b, i, space - i, StandardCharsets.US_ASCII);
            String name = new String(b, space + 1, nul - space - 1, StandardCharsets.UTF_8);
            if (mode.equals("40000")) {
                String id = HexFormat.of().formatHex(b, nul + 1, nul + 1 + idBytes);
                Optional<GitObject> sub = object(id);
                if (sub.isPresent()) {
                    collect(sub.get(), prefix + name + "/", out);
                }
            } else {
                out.add(prefix + name);
            }
            i = nul + 1 + idBytes;
        }
    }

    /**
     * The checked-out branch (short name), or empty on a detached HEAD. Read from the HEAD file as git writes it;
     * git asked only when that file does not say (the reftable format's placeholder).
     */
    public Optional<String> currentBranch() throws IOException {
        String head =
                Files.readString(gitDir.resolve("HEAD"), StandardCharsets.UTF_8).strip();
        if (head.startsWith("ref: refs/heads/") && !head.equals("ref: refs/heads/.invalid")) {
            return Optional.of(head.substring("ref: refs/heads/".length()));
        }
        if (!head.startsWith("ref: ")) {
            return Optional.empty(); // a commit id: detached
        }
        Output out = git(false, "symbolic-ref", "--quiet", "--short", "HEAD");
        return out.ok() ? Optional.of(new String(out.bytes, StandardCharsets.UTF_8).strip()) : Optional.empty();
    }

    /** Whether {@code rev} names a commit (HEAD does not on a branch with no commit yet). */
    public boolean resolves(String rev) throws IOException {
        return git(false, "rev-parse", "--quiet", "--verify", rev + "^{commit}").ok();
    }

    public boolean mergeInProgress() {
        return Files.exists(gitDir.resolve("MERGE_HEAD"));
    }

    /**
     * Starts asking git for these config keys now, so that {@link #config} with the same keys finds the answer ready
     * (a hook asks while it waits for other work; git's start-up then costs it nothing).
     */
    public void prefetchConfig(String... keys) throws IOException {
        String pattern = configPattern(keys);
        if (!prefetched.containsKey(pattern)) {
            prefetched.put(pattern, start("config", "-z", "--get-regexp", pattern));
        }
    }

    private static String configPattern(String... keys) {
        StringBuilder pattern = new StringBuilder("^(");
        for (int k = 0; k < keys.length; k++) {
            pattern.append(k == 0 ? "" : "|").append(keys[k].replace(".", "\\."));
        }
        return pattern.append(")$").toString();
    }

    /** The values of the given config keys that are set (the last one when set more than once), as git reads them. */
    public Map<String, String> config(String... keys) throws IOException {
        String pattern = configPattern(keys);
        Process started = prefetched.remove(pattern);
        Output out = started != null ? finish(started, "config") : git(false, "config", "-z", "--get-regexp", pattern);
        Map<String, String> values = new LinkedHashMap<>();
        if (out.exit == 1) {
            return values; // none set
        }
        if (!out.ok()) {
            throw out.failure("config");
        }
        // "<key>\n<value>\0" per value
        for (String entry : new String(out.bytes, StandardCharsets.UTF_8).split("\0")) {
            int nl = entry.indexOf('\n');
            if (nl > 0) {
                values.put(entry.substring(0, nl), entry.substring(nl + 1));
            }
        }
        return values;
    }

    /** Ends the cat-file process, if one was started, and waits for it (it exits as soon as its input ends). */
    @Override
    public synchronized void close() {
        Process p = catFile;
        if (p == null) {
            return;
        }
        catFile = null;
        try {
            catFileIn.close();
            if (!p.waitFor(1, TimeUnit.SECONDS)) {
                p.destroy();
            }
        } catch (IOException e) {
            p.destroy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroy();
        }
    }

    private record Output(int exit, byte[] bytes, String stderr) {
        boolean ok() {
            return exit == 0;
        }

        IOException failure(String what) {
            return new IOException("git " + what + " failed (exit " + exit + "): " + stderr.strip());
        }
    }

    private Output git(boolean mustSucceed, String... args) throws IOException {
        Output o = finish(start(args), args[0]);
        if (mustSucceed && !o.ok()) {
            throw o.failure(args[0]);
        }
        return o;
    }

    private Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(args.length + 1);
        cmd.add("git");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(top.toFile()).start();
        p.getOutputStream().close();
        return p;
    }

    private static Output finish(Process p, String what) throws IOException {
        byte[] out;
        byte[] err;
        try (InputStream stdout = p.getInputStream();
                InputStream stderr = p.getErrorStream()) {
            // stderr is small (one message) and written after stdout in practice; read stdout first
            out = stdout.readAllBytes();
            err = stderr.readAllBytes();
        }
        int exit;
        try {
            exit = p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running git " + what, e);
        }
        return new Output(exit, out, new String(err, StandardCharsets.UTF_8));
    }

    /** A file's content as text (git stores bytes; tiergate's files are UTF-8). */
    public static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] b, int from, byte value) throws IOException {
        for (int i = from; i < b.length; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        throw new IOException("git's output ended in the middle of an entry");
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("git cat-file ended early");
            }
            line.write(c);
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
