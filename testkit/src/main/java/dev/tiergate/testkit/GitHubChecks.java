package dev.tiergate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tiergate.testkit.ForgeStub.Answer;
import dev.tiergate.testkit.ForgeStub.Call;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * {@link GitHubApiStub}'s commit statuses and check runs on SHAs, and the status checks its protected branches
 * require before a merge: every status posted joins that SHA's combined status (latest per context first); at most
 * 1,000 statuses per SHA and context, the next is refused with 422
 * (docs.github.com/en/rest/commits/statuses#create-a-commit-status). The {@code status} and {@code check_run}
 * webhooks are the stub's to send, outside its lock.
 *
 * <p>Not thread-safe: the stub calls it only under its own lock (it synchronizes on itself), where it did when this
 * was part of it; only the status listener is read without it.
 */
final class GitHubChecks {
    private static final int STATUS_CAP = 1000;
    /** The stub's ids, shared with its tokens and comments: a status or a run takes the next one. */
    private final AtomicLong ids;

    private final GitHubPaging paging;
    /** Every status posted on a SHA, oldest first (tiergate's and CI's). */
    private final Map<String, List<Map<String, Object>>> statuses = new LinkedHashMap<>();

    private final Map<String, List<Map<String, Object>>> checkRuns = new LinkedHashMap<>();
    /** Protected branches → the status check contexts they require before a merge. */
    private final Map<String, List<String>> protections = new LinkedHashMap<>();
    /** Told of every status as it is recorded (sha, its body): a benchmark takes the moment GitHub would have it. */
    private volatile BiConsumer<String, Map<String, Object>> statusListener;

    GitHubChecks(AtomicLong ids, GitHubPaging paging) {
        this.ids = ids;
        this.paging = paging;
    }

    /** {@code listener} hears of every status recorded on a SHA, at the moment it is recorded (before any webhook). */
    void onStatus(BiConsumer<String, Map<String, Object>> listener) {
        this.statusListener = listener;
    }

    /**
     * Protects {@code branch} with required status checks (see {@link GitHubApiStub#protect}, which cites GitHub's
     * documentation of them).
     */
    void protect(String branch, List<String> requiredContexts) {
        protections.put(branch, requiredContexts);
    }

    /** Whether {@code branch} is protected (the branches API's {@code protected}). */
    boolean isProtected(String branch) {
        return protections.containsKey(branch);
    }

    /** A new run of CI's app on the SHA, recorded (the caller holds the lock). */
    Map<String, Object> newRun(String sha, String name, String status, String conclusion) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("id", ids.incrementAndGet());
        run.put("name", name);
        run.put("head_sha", sha);
        run.put("status", status);
        run.put("conclusion", conclusion);
        run.put("app", Map.of("slug", "ci"));
        checkRuns.computeIfAbsent(sha, k -> new ArrayList<>()).add(run);
        return run;
    }

    /**
     * CI completes a run made by {@link GitHubApiStub#checkRunCreated}, without a webhook. GitHub updates the run in
     * place (same id; the SHA's list does not grow: docs.github.com/en/rest/checks/runs#update-a-check-run). Returns
     * it.
     */
    Map<String, Object> checkRunCompleted(String sha, long id, String conclusion) {
        for (Map<String, Object> run : checkRuns.getOrDefault(sha, List.of())) {
            if (((Number) run.get("id")).longValue() == id) {
                run.put("status", "completed");
                run.put("conclusion", conclusion);
                return new LinkedHashMap<>(run);
            }
        }
        throw new IllegalArgumentException("no check run " + id + " on " + sha);
    }

    /** The bodies of the statuses posted on a SHA in one context, oldest first. */
    List<JsonNode> posted(String sha, String context) {
        List<JsonNode> out = new ArrayList<>();
        for (Map<String, Object> s : statuses.getOrDefault(sha, List.of())) {
            if (String.valueOf(s.get("context")).equals(context)) {
                out.add(ForgeStub.JSON.valueToTree(Map.of(
                        "state",
                        s.get("state"),
                        "context",
                        s.get("context"),
                        "description",
                        String.valueOf(s.get("description")),
                        "target_url",
                        String.valueOf(s.get("target_url")))));
            }
        }
        return out;
    }

    /** Every SHA that holds at least one status, tiergate's or CI's. */
    Set<String> shasWithStatuses() {
        return new TreeSet<>(statuses.keySet());
    }

    /**
     * The refusal of a merge into a protected branch whose required checks the head has not all passed; null when it
     * has (or the branch is not protected). A context passes with its latest commit status {@code success}, or its
     * latest check run completed {@code success}, {@code neutral} or {@code skipped}.
     */
    String unmetRequiredCheck(String base, String headSha) {
        for (String context : protections.getOrDefault(base, List.of())) {
            String state = null;
            for (Map<String, Object> s : statuses.getOrDefault(headSha, List.of())) {
                if (context.equals(s.get("context"))) {
                    state = String.valueOf(s.get("state"));
                }
            }
            for (Map<String, Object> run : checkRuns.getOrDefault(headSha, List.of())) {
                if (context.equals(run.get("name"))) {
                    Object conclusion = run.get("conclusion");
                    state = !"completed".equals(run.get("status"))
                            ? "pending"
                            : List.of("success", "neutral", "skipped").contains(String.valueOf(conclusion))
                                    ? "success"
                                    : "failure";
                }
            }
            if (state == null || state.equals("pending")) {
                return "Required status check \"" + context + "\" is expected.";
            }
            if (!state.equals("success")) {
                return "Required status check \"" + context + "\" is failing.";
            }
        }
        return null;
    }

    /** GET /commits/{sha}/check-runs. */
    Answer checkRuns(String sha, Call c) {
        // filter=latest (GitHub's default) lists only the most recent run of each name: a job run again on the same
        // SHA hides its earlier runs (docs.github.com/en/rest/checks/runs#list-check-runs-for-a-git-reference)
        List<Map<String, Object>> runs = checkRuns.getOrDefault(sha, List.of());
        if (!"all".equals(c.query().get("filter"))) {
            Map<String, Map<String, Object>> latest = new LinkedHashMap<>();
            for (Map<String, Object> run : runs) {
                latest.put(String.valueOf(run.get("name")), run); // ids grow: the last one of a name is the most recent
            }
            runs = new ArrayList<>(latest.values());
        }
        // paged like every listing (docs.github.com/en/rest/checks/runs#list-check-runs-for-a-git-reference)
        GitHubPaging.Page listed = paging.pageOf(runs, c);
        return listed.linked(Answer.json(200, Map.of("total_count", runs.size(), "check_runs", listed.items())));
    }

    /** The latest status per context, newest first, and the combined state over them. */
    Answer combinedStatus(String sha, Call c) {
        Map<String, Map<String, Object>> latest = new LinkedHashMap<>();
        List<Map<String, Object>> all = new ArrayList<>(statuses.getOrDefault(sha, List.of()));
        Collections.reverse(all);
        for (Map<String, Object> s : all) {
            latest.putIfAbsent(String.valueOf(s.get("context")), s);
        }
        String state = latest.isEmpty()
                ? "pending"
                : latest.values().stream()
                                .anyMatch(s -> s.get("state").equals("failure")
                                        || s.get("state").equals("error"))
                        ? "failure"
                        : latest.values().stream().anyMatch(s -> s.get("state").equals("pending"))
                                ? "pending"
                                : "success";
        // paged: per_page (at most 100) and a Link to the next page
        // (docs.github.com/en/rest/commits/statuses#get-the-combined-status-for-a-specific-reference)
        GitHubPaging.Page p = paging.pageOf(new ArrayList<>(latest.values()), c);
        return p.linked(Answer.json(
                200, Map.of("state", state, "sha", sha, "statuses", p.items(), "total_count", latest.size())));
    }

    /**
     * POST /statuses/{sha}: 201 with the status, which {@code recorded} is then given (the stub sends the
     * {@code status} webhook of it once it has answered); 422 past the cap of statuses per SHA and context.
     */
    Answer createStatus(String sha, Call c, Consumer<Map<String, Object>> recorded) {
        JsonNode body;
        try {
            body = ForgeStub.JSON.readTree(c.body());
        } catch (Exception e) {
            return Answer.json(400, Map.of("message", "Problems parsing JSON"));
        }
        String state = body.path("state").asText();
        if (!List.of("error", "failure", "pending", "success").contains(state)) {
            return Answer.json(422, Map.of("message", "Validation Failed"));
        }
        String context = body.path("context").asText("default");
        long already = statuses.getOrDefault(sha, List.of()).stream()
                .filter(s -> context.equals(s.get("context")))
                .count();
        if (already >= STATUS_CAP) {
            return Answer.json(
                    422,
                    Map.of(
                            "message",
                            "Validation Failed",
                            "errors",
                            List.of(Map.of(
                                    "resource",
                                    "Status",
                                    "code",
                                    "custom",
                                    "message",
                                    "This SHA and context has reached the maximum number of statuses."))));
        }
        Map<String, Object> s = addStatus(
                sha,
                context,
                state,
                body.path("description").asText(null),
                body.path("target_url").asText(null));
        recorded.accept(s);
        return Answer.json(201, s);
    }

    /** A status recorded on {@code sha}, told to the listener; the caller sends its webhook, if any. */
    Map<String, Object> addStatus(String sha, String context, String state, String description, String targetUrl) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("id", ids.incrementAndGet());
        s.put("state", state);
        s.put("description", description);
        s.put("target_url", targetUrl);
        s.put("context", context);
        s.put("created_at", Instant.now().toString());
        statuses.computeIfAbsent(sha, k -> new ArrayList<>()).add(s);
        var listener = statusListener;
        if (listener != null) {
            listener.accept(sha, s);
        }
        return s;
    }
}
