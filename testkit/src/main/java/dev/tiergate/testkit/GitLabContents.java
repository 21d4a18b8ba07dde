package dev.tiergate.testkit;

import dev.tiergate.testkit.ForgeStub.Answer;
import dev.tiergate.testkit.ForgeStub.Call;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link GitLabApiStub}'s files at refs as GitLab's repository APIs read them from the {@link HostedRepository}: a
 * file's raw content, the repository tree, raw blobs, the comparison of two commits and their merge base.
 *
 * <p>Not thread-safe: the stub calls it only under its own lock (it synchronizes on itself), the lock that also
 * guards the repository model, where it did when this was part of it.
 */
final class GitLabContents {
    private final HostedRepository repository;

    GitLabContents(HostedRepository repository) {
        this.repository = repository;
    }

    /** GET /repository/files/:file_path/raw?ref= (the default branch without one). */
    Answer rawFile(String filePath, Call c) {
        String yaml = repository.file(c.query().getOrDefault("ref", "main"), filePath);
        if (yaml == null) {
            return Answer.json(404, Map.of("message", "404 File Not Found"));
        }
        return new Answer(200, new LinkedHashMap<>(Map.of("Content-Type", "text/plain; charset=utf-8")), yaml);
    }

    /** GET /repository/merge_base?refs[]=&refs[]=. */
    Answer mergeBase(Call c) {
        // refs[]=base&refs[]=head: this stand-in's heads fork at their base (they are never behind)
        String first = c.params("refs[]").get(0);
        List<String> refs = c.params("refs[]");
        String known = refs.size() == 2 ? repository.mergeBase(refs.get(0), refs.get(1)) : null;
        if (known == null && refs.size() == 2) {
            known = repository.recordMergeBase(refs.get(0), refs.get(1)); // two commits of the bare repository
        }
        return Answer.json(200, Map.of("id", known != null ? known : first));
    }

    /** GET /repository/tree?path=&ref=: the files right in the folder, paged. */
    Answer tree(Call c) {
        // GET /projects/:id/repository/tree?path=&ref= (docs.gitlab.com/api/repositories/#list-repository-tree)
        String dir = c.query().getOrDefault("path", "");
        List<Object> entries = new ArrayList<>();
        repository.files(c.query().getOrDefault("ref", "main")).forEach((fp, body) -> {
            if (fp.startsWith(dir + "/") && fp.indexOf('/', dir.length() + 1) < 0) {
                entries.add(Map.of(
                        "id",
                        HostedRepository.gitBlobSha(body),
                        "name",
                        fp.substring(dir.length() + 1),
                        "type",
                        "blob",
                        "path",
                        fp,
                        "mode",
                        "100644"));
            }
        });
        return entries.isEmpty()
                ? Answer.json(404, Map.of("message", "404 Tree Not Found"))
                : GitLabPaging.page(entries, c);
    }

    /** GET /repository/blobs/:sha/raw. */
    Answer blob(String sha) {
        String body = repository.blob(sha);
        return body == null
                ? Answer.json(404, Map.of("message", "404 Blob Not Found"))
                : new Answer(200, new LinkedHashMap<>(Map.of("Content-Type", "text/plain; charset=utf-8")), body);
    }

    /**
     * GET /repository/compare?from=&to= (docs.gitlab.com/ee/api/repositories.html#compare-branches-tags-or-commits):
     * the diffs between the two commits' files as the stand-in holds them.
     */
    Answer compare(Call c) {
        String fromRef = c.query().get("from");
        String toRef = c.query().get("to");
        if (repository.hasCommits(fromRef, toRef)) {
            return compareInGit(fromRef, toRef, "true".equals(c.query().get("straight")));
        }
        Map<String, String> from = repository.files(fromRef);
        Map<String, String> to = repository.holds(toRef) ? repository.files(toRef) : null;
        List<Object> diffs = new ArrayList<>();
        if (to != null) {
            new java.util.TreeMap<>(to).forEach((fp, body) -> {
                String was = from.get(fp);
                if (was == null || !was.equals(body)) {
                    diffs.add(Map.of(
                            "old_path",
                            fp,
                            "new_path",
                            fp,
                            "new_file",
                            was == null,
                            "renamed_file",
                            false,
                            "deleted_file",
                            false,
                            "diff",
                            ""));
                }
            });
        }
        return Answer.json(
                200, Map.of("commits", List.of(), "diffs", diffs, "compare_timeout", false, "compare_same_ref", false));
    }

    /**
     * The comparison of two commits of the bare repository as GitLab makes it: from their merge base unless
     * {@code straight=true} ({@code from...to}, the default, versus {@code from..to}), each file added, changed or
     * deleted, and the commits {@code to} has that the merge base lacks.
     */
    private Answer compareInGit(String fromSha, String toSha, boolean straight) {
        String mb = straight ? fromSha : repository.recordMergeBase(fromSha, toSha);
        String start = mb == null ? fromSha : mb;
        repository.importFiles(start);
        repository.importFiles(toSha);
        Map<String, String> from = repository.files(start);
        Map<String, String> to = repository.files(toSha);
        java.util.TreeSet<String> paths = new java.util.TreeSet<>(from.keySet());
        paths.addAll(to.keySet());
        List<Object> diffs = new ArrayList<>();
        for (String fp : paths) {
            String was = from.get(fp);
            String now = to.get(fp);
            if (!java.util.Objects.equals(was, now)) {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("old_path", fp);
                d.put("new_path", fp);
                d.put("new_file", was == null);
                d.put("renamed_file", false);
                d.put("deleted_file", now == null);
                d.put("diff", "");
                diffs.add(d);
            }
        }
        List<Object> commits = new ArrayList<>();
        for (GitHost.Commit k : repository.git().pushed("", start, toSha, 10_000)) {
            commits.add(Map.of(
                    "id",
                    k.sha(),
                    "short_id",
                    k.sha().substring(0, 8),
                    "title",
                    k.title(),
                    "message",
                    k.message(),
                    "author_name",
                    k.authorName(),
                    "author_email",
                    k.authorEmail()));
        }
        return Answer.json(
                200,
                Map.of(
                        "commits",
                        commits,
                        "diffs",
                        diffs,
                        "compare_timeout",
                        false,
                        "compare_same_ref",
                        fromSha.equals(toSha)));
    }
}
