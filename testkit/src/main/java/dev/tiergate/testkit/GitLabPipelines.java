package dev.tiergate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tiergate.testkit.ForgeStub.Answer;
import dev.tiergate.testkit.ForgeStub.Call;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@link GitLabApiStub}'s pipelines and their jobs on SHAs: CI's jobs and the external commit statuses posted through
 * the API, each a job of a pipeline (docs.gitlab.com/api/commits/#set-the-pipeline-status-of-a-commit), the
 * pipeline's status GitLab's composite status over them, and the Pipeline and Job Hooks that follow a change
 * (docs.gitlab.com/user/project/integrations/webhook_events/#pipeline-events, #job-events). The hooks are the stub's
 * to send, outside its lock.
 *
 * <p>Not thread-safe: the stub calls it only under its own lock (it synchronizes on itself), where it did when this
 * was part of it.
 */
final class GitLabPipelines {
    private final String path;
    private final HostedRepository repository;
    /** The stub's ids, shared with its notes and status check responses: a pipeline or a job takes the next one. */
    private final AtomicLong ids;
    /** The MR whose head a SHA is (the first such), which a Pipeline Hook names. */
    private final Function<String, Optional<Map<String, Object>>> mergeRequestWithHead;

    private final List<Pipeline> pipelines = new ArrayList<>();
    private final List<JsonNode> postedStatuses = new ArrayList<>();

    private static final class Job {
        final long id;
        final String name;
        final String stage;
        String status;
        String description;
        String targetUrl;
        boolean allowFailure;

        Job(long id, String name, String stage, String status) {
            this.id = id;
            this.name = name;
            this.stage = stage;
            this.status = status;
        }

        boolean external() {
            return stage.equals("external");
        }
    }

    private static final class Pipeline {
        final long id;
        final String sha;
        final String ref;
        final String source;
        final Map<String, Job> jobs = new LinkedHashMap<>();

        Pipeline(long id, String sha, String ref, String source) {
            this.id = id;
            this.sha = sha;
            this.ref = ref;
            this.source = source;
        }

        /**
         * GitLab's composite status over the jobs (Gitlab::Ci::Status::Composite): all success → success; only
         * pending/created → pending; any running or pending beside other states → running; then canceled, failed.
         * So [build: success, tiergate: pending] is running, exactly as [build: running, tiergate: pending] was.
         */
        String status() {
            List<String> st = jobs.values().stream()
                    .map(j -> j.allowFailure && j.status.equals("failed") ? "success" : j.status)
                    .toList();
            if (st.isEmpty() || st.stream().allMatch(x -> x.equals("skipped"))) {
                return "skipped";
            }
            if (st.stream().allMatch(x -> x.equals("success") || x.equals("skipped"))) {
                return "success";
            }
            if (st.stream().allMatch(x -> x.equals("created") || x.equals("skipped"))) {
                return "created";
            }
            if (st.stream().allMatch(x -> x.equals("canceled") || x.equals("success") || x.equals("skipped"))) {
                return "canceled";
            }
            if (st.stream().allMatch(x -> x.equals("pending") || x.equals("created") || x.equals("skipped"))) {
                return "pending";
            }
            if (st.stream().anyMatch(x -> x.equals("running") || x.equals("pending") || x.equals("created"))) {
                return "running";
            }
            return "failed";
        }
    }

    GitLabPipelines(
            String path,
            HostedRepository repository,
            AtomicLong ids,
            Function<String, Optional<Map<String, Object>>> mergeRequestWithHead) {
        this.path = path;
        this.repository = repository;
        this.ids = ids;
        this.mergeRequestWithHead = mergeRequestWithHead;
    }

    /** The bodies of the statuses posted on a SHA in one name (accepted or not), oldest first. */
    List<JsonNode> posted(String sha, String name) {
        return postedStatuses.stream()
                .filter(n -> n.path("_sha").asText().equals(sha)
                        && n.path("name").asText().equals(name))
                .toList();
    }

    long latestPipelineId(String sha) {
        return latestPipeline(sha).map(pl -> pl.id).orElse(-1L);
    }

    /** The status GitLab shows for the SHA's latest pipeline ("none" without one). */
    String pipelineStatus(String sha) {
        return latestPipeline(sha).map(Pipeline::status).orElse("none");
    }

    /** GET /repository/commits/:sha/statuses: CI jobs and external statuses alike, the latest per name, paged. */
    Answer commitStatuses(String sha, Call c) {
        Map<String, Object> latest = new LinkedHashMap<>();
        for (int i = pipelines.size() - 1; i >= 0; i--) {
            Pipeline pl = pipelines.get(i);
            if (pl.sha.equals(sha)) {
                pl.jobs.values().forEach(j -> latest.putIfAbsent(j.name, jobJson(pl, j)));
            }
        }
        return GitLabPaging.page(new ArrayList<>(latest.values()), c);
    }

    /** GET /pipelines?sha=: the newest first, paged. */
    Answer list(Call c) {
        String sha = c.query().get("sha");
        List<Object> list = new ArrayList<>();
        for (int i = pipelines.size() - 1; i >= 0; i--) {
            Pipeline pl = pipelines.get(i);
            if (sha == null || pl.sha.equals(sha)) {
                list.add(Map.of("id", pl.id, "sha", pl.sha, "ref", pl.ref, "status", pl.status(), "source", pl.source));
            }
        }
        return GitLabPaging.page(list, c);
    }

    /**
     * POST /statuses/:sha: the status becomes a job of its pipeline (see {@link GitLabApiStub}); {@code changed} is
     * given the Pipeline Hook when the pipeline's status changed, for the stub to send once it answered.
     */
    Answer createStatus(String sha, Call c, Consumer<Map<String, Object>> changed) {
        JsonNode body = GitLabApiStub.parse(c.body());
        ((ObjectNode) body).put("_sha", sha);
        postedStatuses.add(body);
        String state = body.path("state").asText();
        if (!List.of("pending", "running", "success", "failed", "canceled", "skipped")
                .contains(state)) {
            return Answer.json(400, Map.of("message", "state does not have a valid value"));
        }
        String name = body.path("name").asText("default");
        Pipeline pl;
        if (body.hasNonNull("pipeline_id")) {
            pl = pipelines.stream()
                    .filter(x -> x.id == body.path("pipeline_id").asLong() && x.sha.equals(sha))
                    .findFirst()
                    .orElse(null);
            if (pl == null) {
                return Answer.json(404, Map.of("message", "404 Pipeline Not Found"));
            }
        } else {
            pl = latestPipeline(sha).orElseGet(() -> newPipeline(sha, "external"));
        }
        String before = pl.status();
        Job job = pl.jobs.get(name);
        if (job != null && job.status.equals(state) && (state.equals("pending") || state.equals("running"))) {
            return Answer.json(
                    400,
                    Map.of(
                            "message",
                            "Cannot transition status via :" + (state.equals("pending") ? "enqueue" : "run") + " from :"
                                    + state));
        }
        if (job == null) {
            job = new Job(ids.incrementAndGet(), name, "external", state);
            pl.jobs.put(name, job);
        }
        job.status = state;
        job.description = body.path("description").asText(null);
        job.targetUrl = body.path("target_url").asText(null);
        Map<String, Object> answer = jobJson(pl, job);
        if (!before.equals(pl.status())) {
            Map<String, Object> hook = pipelineHook(pl);
            changed.accept(hook);
        }
        return Answer.json(201, answer);
    }

    /**
     * A CI job of the SHA's latest CI pipeline (a new one when none) in {@code status}; the Pipeline Hook when the
     * pipeline's status changed, else null.
     */
    Map<String, Object> setJob(String sha, String name, String status) {
        Pipeline pl = pipelines.stream()
                .filter(x -> x.sha.equals(sha) && !x.source.equals("external"))
                .reduce((a, b) -> b)
                .orElseGet(() -> newPipeline(sha, "push"));
        String before = pl.jobs.isEmpty() ? "none" : pl.status();
        // (a new pipeline's first job always changes its status from none)
        pl.jobs.computeIfAbsent(name, n -> new Job(ids.incrementAndGet(), n, "test", status)).status = status;
        return before.equals(pl.status()) ? null : pipelineHook(pl);
    }

    /** The Job Hook of CI job {@code name} of the SHA's latest CI pipeline, as {@link #setJob} left it. */
    Map<String, Object> jobHook(String sha, String name) {
        Pipeline pl = pipelines.stream()
                .filter(x -> x.sha.equals(sha) && !x.source.equals("external"))
                .reduce((a, b) -> b)
                .orElseThrow();
        Job j = pl.jobs.get(name);
        Map<String, Object> jobHook = new LinkedHashMap<>();
        jobHook.put("object_kind", "build");
        jobHook.put("ref", pl.ref);
        jobHook.put("sha", sha);
        jobHook.put("build_id", j.id);
        jobHook.put("build_name", j.name);
        jobHook.put("build_stage", j.stage);
        jobHook.put("build_status", j.status);
        jobHook.put("build_allow_failure", j.allowFailure);
        jobHook.put("pipeline_id", pl.id);
        jobHook.put("project_id", 15);
        jobHook.put("project", Map.of("id", 15, "path_with_namespace", path, "default_branch", "main"));
        return jobHook;
    }

    private Pipeline newPipeline(String sha, String source) {
        String ref = repository.branches().entrySet().stream()
                .filter(e -> e.getValue().equals(sha))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElse("main");
        Pipeline pl = new Pipeline(ids.incrementAndGet(), sha, ref, source);
        pipelines.add(pl);
        return pl;
    }

    private Optional<Pipeline> latestPipeline(String sha) {
        return pipelines.stream().filter(x -> x.sha.equals(sha)).reduce((a, b) -> b);
    }

    private Map<String, Object> jobJson(Pipeline pl, Job j) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", j.id);
        m.put("sha", pl.sha);
        m.put("ref", pl.ref);
        m.put("status", j.status);
        m.put("name", j.name);
        m.put("stage", j.stage);
        m.put("description", j.description);
        m.put("target_url", j.targetUrl);
        m.put("allow_failure", j.allowFailure);
        m.put("pipeline_id", pl.id);
        return m;
    }

    private Map<String, Object> pipelineHook(Pipeline pl) {
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("id", pl.id);
        attrs.put("iid", pl.id - 100);
        attrs.put("ref", pl.ref);
        attrs.put("tag", false);
        attrs.put("sha", pl.sha);
        attrs.put("source", pl.source);
        attrs.put("status", pl.status());
        attrs.put("detailed_status", pl.status());
        List<Object> builds = new ArrayList<>();
        for (Job j : pl.jobs.values()) {
            if (!j.external()) { // the hook lists CI builds, not external commit statuses
                builds.add(Map.of(
                        "id",
                        j.id,
                        "stage",
                        j.stage,
                        "name",
                        j.name,
                        "status",
                        j.status,
                        "allow_failure",
                        j.allowFailure));
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("object_kind", "pipeline");
        m.put("object_attributes", attrs);
        mergeRequestWithHead
                .apply(pl.sha)
                .ifPresent(mr -> m.put(
                        "merge_request",
                        Map.of(
                                "id",
                                mr.get("id"),
                                "iid",
                                mr.get("iid"),
                                "source_branch",
                                mr.get("source_branch"),
                                "target_branch",
                                mr.get("target_branch"),
                                "state",
                                mr.get("state"))));
        m.put("project", Map.of("id", 15, "path_with_namespace", path, "default_branch", "main"));
        m.put("builds", builds);
        return m;
    }
}
