package dev.tiergate.testkit;

import static dev.tiergate.testkit.HostedRepository.gitBlobSha;

import dev.tiergate.testkit.ForgeStub.Answer;
import dev.tiergate.testkit.ForgeStub.Call;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@link GitHubApiStub}'s files at refs as GitHub's APIs read them from the {@link HostedRepository}: the contents
 * API (files and folders), git trees and blobs, and the comparison of two commits (their merge base and the files
 * the head changed).
 *
 * <p>Not thread-safe: the stub calls it only under its own lock (it synchronizes on itself), the lock that also
 * guards the repository model, where it did when this was part of it.
 */
final class GitHubContents {
    /** GitHub's contents API lists at most this many entries of a folder. */
    static final int CONTENTS_LIMIT = 1000;

    private final HostedRepository repository;
    /** The sha of every folder listed so far → its ref and path, for GET /git/trees/{sha}. */
    private final Map<String, String[]> trees = new LinkedHashMap<>();
    /** "base...head" → the files the head removed since the merge base. */
    private final Map<String, List<String>> removedFiles = new LinkedHashMap<>();

    GitHubContents(HostedRepository repository) {
        this.repository = repository;
    }

    /** The head removed these files since its merge base with the base (the compare API's "removed" files). */
    void removed(String base, String head, List<String> paths) {
        removedFiles.put(base + "..." + head, paths);
    }

    /**
     * The compare API's view of {@code baseSha...headSha}: their merge base (its files imported) and the files the
     * head removed since; nothing when either commit is not in the bare repository.
     */
    void recordMergeBase(String baseSha, String headSha) {
        String mb = repository.recordMergeBase(baseSha, headSha);
        if (mb != null) {
            removedFiles.put(baseSha + "..." + headSha, repository.git().deleted(mb, headSha));
        }
    }

    /** A folder's entries at a ref (files and sub-folders, by name), as the contents API shows them; "" is the top. */
    private List<Map<String, Object>> folder(String ref, String dir) {
        String prefix = dir.isEmpty() ? "" : dir + "/";
        TreeMap<String, Map<String, Object>> byName = new TreeMap<>();
        repository.files(ref).forEach((path, body) -> {
            if (!path.startsWith(prefix)) {
                return;
            }
            String rest = path.substring(prefix.length());
            int slash = rest.indexOf('/');
            if (slash < 0) {
                byName.put(
                        rest,
                        Map.of(
                                "type",
                                "file",
                                "name",
                                rest,
                                "path",
                                path,
                                "sha",
                                gitBlobSha(body),
                                "size",
                                body.length()));
            } else {
                String name = rest.substring(0, slash);
                String sub = prefix + name;
                String sha = gitBlobSha("tree " + ref + " " + sub); // a stand-in tree id, stable per ref and folder
                trees.put(sha, new String[] {ref, sub});
                byName.putIfAbsent(name, Map.of("type", "dir", "name", name, "path", sub, "sha", sha, "size", 0));
            }
        });
        return new ArrayList<>(byName.values());
    }

    /** GET /contents and /contents/{path} ({@code p}, from the repository's path on) at {@code ?ref=}. */
    Answer contents(String p, Call c) {
        String file = p.equals("/contents") ? "" : p.substring("/contents/".length());
        String ref = c.query().getOrDefault("ref", "main");
        List<Map<String, Object>> entries = folder(ref, file);
        if (!entries.isEmpty()) {
            // a folder: its entries, files and folders, at most 1,000: "If you need more, use the Git Trees API"
            // (docs.github.com/en/rest/repos/contents#get-repository-content)
            return Answer.json(200, entries.subList(0, Math.min(CONTENTS_LIMIT, entries.size())));
        }
        String content = repository.file(ref, file);
        if (content == null) {
            return Answer.json(
                    404,
                    Map.of(
                            "message",
                            "Not Found",
                            "documentation_url",
                            "https://docs.github.com/rest/repos/contents#get-repository-content"));
        }
        return Answer.json(
                200,
                Map.of(
                        "type",
                        "file",
                        "encoding",
                        "base64",
                        "path",
                        file,
                        "name",
                        file.substring(file.lastIndexOf('/') + 1),
                        "content",
                        Base64.getMimeEncoder().encodeToString(content.getBytes(StandardCharsets.UTF_8))));
    }

    /** GET /compare/{base}...{head}. */
    Answer compare(String baseSha, String headSha) {
        String recorded = repository.mergeBase(baseSha, headSha);
        String mb = recorded == null ? baseSha : recorded;
        // at most 300 changed files for the whole comparison
        // (docs.github.com/en/rest/commits/commits#compare-two-commits)
        return Answer.json(
                200,
                Map.of(
                        "status",
                        mb.equals(baseSha) ? "ahead" : "diverged",
                        "merge_base_commit",
                        Map.of("sha", mb),
                        "base_commit",
                        Map.of("sha", baseSha),
                        "files",
                        changedFiles(mb, baseSha, headSha).stream().limit(300).toList()));
    }

    /** GET /git/trees/{sha}. */
    Answer tree(String sha, Call c) {
        // a folder's tree, by the sha its parent's listing gave (docs.github.com/en/rest/git/trees#get-a-tree)
        String[] where = trees.get(sha);
        if (where == null && "1".equals(c.query().get("recursive"))) {
            // a commit's whole tree, every file by its full path (a commit the stand-in holds no file of is empty)
            List<Object> all = new ArrayList<>();
            repository
                    .files(sha)
                    .forEach((path, body) ->
                            all.add(Map.of("path", path, "mode", "100644", "type", "blob", "sha", gitBlobSha(body))));
            return Answer.json(200, Map.of("sha", sha, "tree", all, "truncated", false));
        }
        if (where == null) {
            return Answer.json(404, Map.of("message", "Not Found"));
        }
        List<Object> entries = new ArrayList<>();
        for (Map<String, Object> e : folder(where[0], where[1])) {
            boolean isDir = e.get("type").equals("dir");
            entries.add(Map.of(
                    "path",
                    e.get("name"),
                    "mode",
                    isDir ? "040000" : "100644",
                    "type",
                    isDir ? "tree" : "blob",
                    "sha",
                    e.get("sha")));
        }
        return Answer.json(200, Map.of("sha", sha, "tree", entries, "truncated", false));
    }

    /** GET /git/blobs/{sha}. */
    Answer blob(String sha) {
        String content = repository.blob(sha);
        return content == null
                ? Answer.json(404, Map.of("message", "Not Found"))
                : Answer.json(
                        200,
                        Map.of(
                                "sha",
                                sha,
                                "size",
                                content.length(),
                                "encoding",
                                "base64",
                                "content",
                                Base64.getMimeEncoder().encodeToString(content.getBytes(StandardCharsets.UTF_8))));
    }

    /**
     * The files a comparison lists: those added or changed at the head since the merge base (or the base, when the
     * stand-in holds no file of the merge base), and those a test said it removed. A head the stand-in holds no file
     * of changed nothing it knows of.
     */
    private List<Map<String, Object>> changedFiles(String mergeBase, String baseSha, String headSha) {
        List<Map<String, Object>> out = new ArrayList<>();
        Map<String, String> head = repository.holds(headSha) ? repository.files(headSha) : null;
        Map<String, String> before = repository.files(repository.holds(mergeBase) ? mergeBase : baseSha);
        if (head != null) {
            new TreeMap<>(head).forEach((path, body) -> {
                String was = before.get(path);
                if (was == null || !was.equals(body)) {
                    out.add(Map.of("filename", path, "status", was == null ? "added" : "modified"));
                }
            });
        }
        removedFiles
                .getOrDefault(baseSha + "..." + headSha, List.of())
                .forEach(f -> out.add(Map.of("filename", f, "status", "removed")));
        return out;
    }
}
