package dev.tiergate.testkit;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The repository a forge stand-in ({@link GitHubApiStub}, {@link GitLabApiStub}) serves, as both model it: the files
 * at each ref (a branch name or a commit SHA), every file's content by its git blob SHA, the branches and their heads,
 * the merge bases recorded between two commits and, once {@link #host hosted}, the bare repository behind the git
 * URLs, whose commits' files the model reads when it needs them. The forge's own records (pull or merge requests,
 * statuses, webhooks) stay with the stand-in.
 *
 * <p>Not thread-safe: the stand-in that owns it calls it only under its own lock (the stand-ins synchronize on
 * themselves), the lock that also keeps the model and the stand-in's records in step; it takes no lock of its own.
 */
final class HostedRepository {
    /** ref → path → content. */
    private final Map<String, Map<String, String>> files = new LinkedHashMap<>();
    /** Content by git blob SHA, as GitHub's GET /git/blobs/{sha} and GitLab's GET /repository/blobs/{sha}/raw serve it. */
    private final Map<String, String> blobs = new LinkedHashMap<>();
    /** Branch name → its head. */
    private final Map<String, String> branches = new LinkedHashMap<>();
    /**
     * "base...head" → their merge base, as the compare APIs diff from and GitLab's GET /repository/merge_base answers;
     * a pair not named here forked at its base (the head is not behind).
     */
    private final Map<String, String> mergeBases = new LinkedHashMap<>();
    /** Commits whose every file the model holds (read from the bare repository). */
    private final Set<String> imported = new HashSet<>();
    /** The bare repository behind the git URLs (null: the stand-in hosts no git). */
    private GitHost git;

    /** git's object id of a blob: SHA-1 of "blob <size>\0<content>". */
    static String gitBlobSha(String content) {
        try {
            byte[] body = content.getBytes(StandardCharsets.UTF_8);
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(("blob " + body.length + "\0").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha1.digest(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A file at a ref (a SHA or a branch name). */
    void file(String ref, String path, String content) {
        files.computeIfAbsent(ref, k -> new LinkedHashMap<>()).put(path, content);
        blobs.put(gitBlobSha(content), content);
    }

    /** {@code path} no longer at {@code ref} (a commit that deletes it). */
    void deleteFile(String ref, String path) {
        files.getOrDefault(ref, new LinkedHashMap<>()).remove(path);
    }

    /** Every file of {@code from} also at {@code to} (a new commit on top of another). */
    void copyFiles(String from, String to) {
        files.getOrDefault(from, Map.of()).forEach((p, c) -> file(to, p, c));
    }

    /** The content of {@code path} at {@code ref}; null when the model holds no such file. */
    String file(String ref, String path) {
        return files(ref).get(path);
    }

    /** Every file at {@code ref}, path → content (read-only; empty when the model holds none). */
    Map<String, String> files(String ref) {
        return Collections.unmodifiableMap(files.getOrDefault(ref, Map.of()));
    }

    /** Whether the model holds the files at {@code ref} (a commit it holds no file of changed nothing it knows of). */
    boolean holds(String ref) {
        return files.containsKey(ref);
    }

    /** A file's content by its git blob SHA; null when no file of the model has it. */
    String blob(String sha) {
        return blobs.get(sha);
    }

    /** {@code name} at {@code sha}; null deletes it. */
    void branch(String name, String sha) {
        if (sha == null) {
            branches.remove(name);
        } else {
            branches.put(name, sha);
        }
    }

    /** The branches and their heads, in the order they came (read-only). */
    Map<String, String> branches() {
        return Collections.unmodifiableMap(branches);
    }

    /** The head forked from the base's history at {@code forkedAt} (the head is behind a base that moved on). */
    void mergeBase(String base, String head, String forkedAt) {
        mergeBases.put(base + "..." + head, forkedAt);
    }

    /** The merge base recorded for {@code base...head}; null when none is (the head forked at its base). */
    String mergeBase(String base, String head) {
        return mergeBases.get(base + "..." + head);
    }

    /**
     * From now on the repository's git data is the bare repository {@code host}; the branches it already has enter
     * the model (branch and files).
     */
    void host(GitHost host) {
        git = host;
        host.heads().forEach(this::importBranch);
    }

    /** The bare repository behind the git URLs; null while the stand-in hosts no git. */
    GitHost git() {
        return git;
    }

    /** The bare repository's folder; null while the stand-in hosts no git. */
    Path dir() {
        return git == null ? null : git.dir();
    }

    /** Whether the stand-in hosts git and its bare repository has both commits. */
    boolean hasCommits(String a, String b) {
        return git != null && git.hasCommit(a) && git.hasCommit(b);
    }

    /**
     * The branches that moved in the bare repository since the model last saw them (only {@code branch} when not
     * null), for the stand-in to take ({@link #moved}) and fire the webhooks of a push for.
     */
    List<GitHost.RefChange> changes(String branch) {
        if (git == null) {
            throw new IllegalStateException("pushed(" + branch + ") needs gitHosted(...) first");
        }
        return git.changes(branch);
    }

    /** The model takes a branch that moved in the bare repository: gone, or at its new head with every file there. */
    void moved(GitHost.RefChange ch) {
        if (ch.after() == null) {
            branches.remove(ch.branch());
            files.remove(ch.branch());
        } else {
            importBranch(ch.branch(), ch.after());
        }
    }

    /**
     * Whether the move {@code ch} (to a new head, not a deletion) brought commit {@code sha} into its branch: the new
     * head contains it and the old one did not, as when a pull or merge request's head was merged outside the API.
     */
    boolean brings(GitHost.RefChange ch, String sha) {
        return git.isAncestor(sha, ch.after()) && (ch.before() == null || !git.isAncestor(sha, ch.before()));
    }

    /**
     * The merge base of two commits of the bare repository, recorded as {@code from...to}'s (its files imported);
     * null when there is none, when either commit is not in the bare repository or when the stand-in hosts no git.
     */
    String recordMergeBase(String from, String to) {
        if (!hasCommits(from, to)) {
            return null;
        }
        String mb = git.mergeBase(from, to);
        if (mb != null) {
            importFiles(mb);
            mergeBases.put(from + "..." + to, mb);
        }
        return mb;
    }

    /** Every file at {@code sha} from the bare repository, under the SHA (once) and under {@code branch}. */
    private void importBranch(String branch, String sha) {
        importFiles(sha);
        files.put(branch, new LinkedHashMap<>(files.get(sha)));
        branches.put(branch, sha);
    }

    /** Every file at commit {@code sha} from the bare repository, under the SHA (read once). */
    void importFiles(String sha) {
        if (!imported.add(sha)) {
            return;
        }
        Map<String, String> all = git.files(sha);
        files.put(sha, new LinkedHashMap<>(all));
        all.values().forEach(c -> blobs.put(gitBlobSha(c), c));
    }
}
