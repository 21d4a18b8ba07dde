package dev.tiergate.hooks.git;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.AndTreeFilter;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * History as the pre-push hook and the CLI read it, through JGit: commits, trees, refs and config. Opened from the
 * environment git gives a hook (GIT_DIR, worktrees). The index is read through {@link GitIndex}, by the git binary.
 */
public final class GitRepo implements AutoCloseable {
    private final Repository repo;
    private final Path workTree;

    private GitRepo(Repository repo) {
        this.repo = repo;
        this.workTree = repo.isBare() ? null : repo.getWorkTree().toPath();
    }

    public static GitRepo open(Path dir) throws IOException {
        GitSystemConfig.install();
        FileRepositoryBuilder b = new FileRepositoryBuilder().readEnvironment();
        if (b.getGitDir() == null) {
            b.findGitDir(dir.toFile());
        }
        if (b.getGitDir() == null) {
            throw new IOException(dir + " is not inside a git repository");
        }
        b.setMustExist(true);
        return new GitRepo(b.build());
    }

    public Path workTree() {
        return workTree;
    }

    public Path gitDir() {
        return repo.getDirectory().toPath();
    }

    public Repository jgit() {
        return repo;
    }

    /** The checked-out branch (short name), or empty on a detached HEAD. */
    public Optional<String> currentBranch() throws IOException {
        Ref head = repo.exactRef(Constants.HEAD);
        if (head == null || !head.isSymbolic()) {
            return Optional.empty();
        }
        return Optional.of(Repository.shortenRefName(head.getTarget().getName()));
    }

    public boolean mergeInProgress() {
        return Files.exists(gitDir().resolve("MERGE_HEAD"));
    }

    public byte[] read(ObjectId blob) throws IOException {
        try (ObjectReader r = repo.newObjectReader();
                InputStream in = r.open(blob).openStream()) {
            return in.readAllBytes();
        }
    }

    /** Paths and blobs under {@code dir} in the tree of {@code rev} (a ref or SHA); empty when rev is unknown. */
    public Map<String, ObjectId> filesAt(String rev, String dir) throws IOException {
        ObjectId commit = repo.resolve(rev + "^{commit}");
        if (commit == null) {
            return Map.of();
        }
        try (RevWalk rw = new RevWalk(repo)) {
            return filesIn(rw.parseCommit(commit).getTree(), dir);
        }
    }

    public Map<String, ObjectId> filesIn(RevTree tree, String dir) throws IOException {
        Map<String, ObjectId> out = new LinkedHashMap<>();
        try (TreeWalk tw = new TreeWalk(repo)) {
            tw.addTree(tree);
            tw.setRecursive(true);
            if (dir != null && !dir.isEmpty()) {
                tw.setFilter(PathFilter.create(dir));
            }
            while (tw.next()) {
                if (tw.getFileMode(0) != FileMode.GITLINK) {
                    out.put(tw.getPathString(), tw.getObjectId(0));
                }
            }
        }
        return out;
    }

    /** A path that differs between two commits: old blob (null when added), new blob (null when deleted). */
    public record Diff(String path, ObjectId before, ObjectId after) {}

    /** Paths under {@code dir} that differ between {@code from} and {@code to}; walks only the changed subtrees. */
    public List<Diff> diff(RevCommit from, RevCommit to, String dir) throws IOException {
        List<Diff> out = new ArrayList<>();
        try (RevWalk rw = new RevWalk(repo);
                TreeWalk tw = new TreeWalk(repo)) {
            tw.addTree(rw.parseCommit(from).getTree());
            tw.addTree(rw.parseCommit(to).getTree());
            tw.setRecursive(true);
            TreeFilter changed = TreeFilter.ANY_DIFF;
            tw.setFilter(
                    dir == null || dir.isEmpty() ? changed : AndTreeFilter.create(PathFilter.create(dir), changed));
            while (tw.next()) {
                ObjectId a = tw.getFileMode(0) == FileMode.MISSING ? null : tw.getObjectId(0);
                ObjectId b = tw.getFileMode(1) == FileMode.MISSING ? null : tw.getObjectId(1);
                out.add(new Diff(tw.getPathString(), a, b));
            }
        }
        return out;
    }

    public Optional<byte[]> fileAt(String rev, String path) throws IOException {
        ObjectId commit = repo.resolve(rev + "^{commit}");
        if (commit == null) {
            return Optional.empty();
        }
        try (RevWalk rw = new RevWalk(repo);
                TreeWalk tw =
                        TreeWalk.forPath(repo, path, rw.parseCommit(commit).getTree())) {
            return tw == null ? Optional.empty() : Optional.of(read(tw.getObjectId(0)));
        }
    }

    /** The blob of {@code path} in a commit's tree; empty when the commit has no such file. */
    public Optional<ObjectId> blobAt(RevCommit commit, String path) throws IOException {
        try (RevWalk rw = new RevWalk(repo);
                TreeWalk tw =
                        TreeWalk.forPath(repo, path, rw.parseCommit(commit).getTree())) {
            return tw == null ? Optional.empty() : Optional.of(tw.getObjectId(0));
        }
    }

    public Optional<ObjectId> resolve(String rev) throws IOException {
        return Optional.ofNullable(repo.resolve(rev));
    }

    /** The first of the candidate refs that exists (e.g. a tier branch locally or at the remote). */
    public Optional<String> firstExisting(String... refs) throws IOException {
        for (String r : refs) {
            if (repo.resolve(r + "^{commit}") != null) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** Commits reachable from {@code tip} and from none of {@code exclude}, oldest first. */
    public List<RevCommit> newCommits(ObjectId tip, List<ObjectId> exclude) throws IOException {
        List<RevCommit> out = new ArrayList<>();
        try (RevWalk rw = new RevWalk(repo)) {
            rw.markStart(rw.parseCommit(tip));
            for (ObjectId x : exclude) {
                try {
                    rw.markUninteresting(rw.parseCommit(x));
                } catch (MissingObjectException e) {
                    // the remote has a commit we never fetched: nothing of ours is behind it
                }
            }
            for (RevCommit c : rw) {
                out.add(c);
            }
        }
        Collections.reverse(out);
        return out;
    }

    /** Tips of every remote-tracking branch of {@code remote}: what the remote already has. */
    public List<ObjectId> remoteTips(String remote) throws IOException {
        List<ObjectId> out = new ArrayList<>();
        for (Ref r : repo.getRefDatabase().getRefsByPrefix(Constants.R_REMOTES + remote + "/")) {
            if (r.getObjectId() != null) {
                out.add(r.getObjectId());
            }
        }
        return out;
    }

    public Optional<String> defaultBranchGuess() throws IOException {
        for (String candidate : List.of("main", "master", "trunk")) {
            if (repo.resolve(Constants.R_HEADS + candidate) != null) {
                return Optional.of(candidate);
            }
        }
        return currentBranch();
    }

    public static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    public File dir() {
        return repo.getDirectory();
    }

    @Override
    public void close() {
        repo.close();
    }
}
