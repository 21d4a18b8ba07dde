package dev.tiergate.server.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tiergate.server.support.TestPolicies;
import dev.tiergate.testkit.GitHubApiStub;
import dev.tiergate.testkit.GitHubPayloads;
import dev.tiergate.testkit.Pull;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A seeded, realistic stream of one repository's GitHub deliveries for bench/crash-mix.sh: pushes over
 * {@code branches} feature branches, {@code prs} PRs from the first of them into staging (opened, synchronize on a
 * push, ready_for_review, closed merged or not), CI as commit statuses or check runs (pending/queued, then a
 * conclusion) and approvals. Each step first changes the stand-in forge as GitHub would have changed by then and
 * then returns the deliveries that announce the change, in GitHub's order (a push to a PR's branch: {@code push},
 * then {@code pull_request synchronize}; a merge: {@code pull_request closed}, the base's {@code push}, and, when the
 * head branch is deleted, its {@code push} with {@code deleted}; docs.github.com/en/webhooks/webhook-events-and-payloads).
 * The same seed gives the same forge history and the same deliveries, with the same ids.
 */
final class DeliveryMix {
    static final String REPO = "acme/crashmix";
    static final String POLICY = TestPolicies.TWO_TIERS;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MAIN = "1111111111111111111111111111111111111111";

    record Delivery(String id, String event, byte[] body) {}

    private enum Ci {
        NONE,
        PENDING,
        SUCCESS,
        FAILURE
    }

    private final GitHubApiStub forge;
    private final Random random;
    private final String idPrefix;
    private final int prs;
    private final String[] head; // per branch: its head SHA, null while it does not exist
    private final int[] commits;
    private final boolean[] retired; // its PR merged or closed: no more activity on it
    private final String[] prState; // per PR (index = number - 1): null, "open", "closed", "merged"
    private final String[] prBase;
    private final boolean[] ready;
    private final Map<String, Ci> ci = new LinkedHashMap<>();
    private final Map<String, Boolean> approved = new LinkedHashMap<>();
    private final Map<String, Integer> counts = new TreeMap<>();
    private String staging = "2222222222222222222222222222222222222222";
    private int stagingCommits;
    private long next;

    DeliveryMix(GitHubApiStub forge, long seed, int branches, int prs) {
        this.forge = forge;
        this.random = new Random(seed);
        this.idPrefix = "cm-" + seed + "-";
        this.prs = prs;
        this.head = new String[branches];
        this.commits = new int[branches];
        this.retired = new boolean[branches];
        this.prState = new String[prs];
        this.prBase = new String[prs];
        this.ready = new boolean[prs];
        for (String ref : List.of("main", MAIN, staging)) {
            forge.policy(ref, POLICY);
        }
        forge.branch("main", MAIN);
        forge.branch("staging", staging);
    }

    /** The next step: the forge changed, and the deliveries that say so (one to three). */
    List<Delivery> next() throws Exception {
        List<Delivery> out = new ArrayList<>();
        // weights: CI 45, approvals 10, PR events 10, merges 5, pushes 30; a step that does not apply is drawn again
        for (int tries = 0; tries < 50; tries++) {
            int roll = random.nextInt(100);
            boolean done = roll < 45
                    ? ci(out)
                    : roll < 55 ? review(out) : roll < 65 ? pullRequest(out) : roll < 70 ? merge(out) : push(out);
            if (done) {
                return out;
            }
        }
        push(out);
        return out;
    }

    /** Counts of deliveries by event and action. */
    Map<String, Integer> counts() {
        return counts;
    }

    /** The head SHA of every PR still open, by number: the SHAs whose last status must not depend on timing. */
    Map<Long, String> openHeads() {
        Map<Long, String> out = new TreeMap<>();
        for (int i = 0; i < prs; i++) {
            if ("open".equals(prState[i])) {
                out.put((long) i + 1, head[i]);
            }
        }
        return out;
    }

    private static String branch(int i) {
        return String.format("feature/b%03d", i);
    }

    private String login(int i) {
        return i % 3 == 0 ? "carol" : "alice";
    }

    private Pull pull(int i) {
        String state = prState[i].equals("open") ? "open" : "closed";
        return new Pull(
                i + 1, branch(i), head[i], "staging", prBase[i], login(i), false, state, prState[i].equals("merged"));
    }

    private void forgePull(int i) {
        Pull p = pull(i);
        forge.pull(p.number(), p.head(), p.headSha(), p.base(), p.baseSha(), p.login(), false, p.state(), p.merged());
    }

    /** A push to a branch (the first one creates it); a third of them go to a PR's branch. */
    private boolean push(List<Delivery> out) throws Exception {
        int i = random.nextInt(3) == 0 ? random.nextInt(prs) : random.nextInt(head.length);
        for (int tries = 0; retired[i] && tries < head.length; tries++) {
            i = (i + 1) % head.length;
        }
        if (retired[i]) {
            return false;
        }
        String before = head[i] == null ? GitHubPayloads.ZERO : head[i];
        head[i] = String.format("%08x%032x", i + 1, ++commits[i]);
        forge.branch(branch(i), head[i]);
        out.add(delivery("push", GitHubPayloads.push(REPO, branch(i), before, head[i], login(i))));
        if (i < prs && "open".equals(prState[i])) {
            prBase[i] = staging;
            forgePull(i);
            out.add(delivery("pull_request", GitHubPayloads.pullRequest(REPO, "synchronize", pull(i))));
        }
        return true;
    }

    /** Opens a PR, or (already open) marks it ready for review, which tiergate records and ignores. */
    private boolean pullRequest(List<Delivery> out) throws Exception {
        int i = random.nextInt(prs);
        if (head[i] == null || retired[i]) {
            return false;
        }
        if (prState[i] == null) {
            prState[i] = "open";
            prBase[i] = staging;
            forgePull(i);
            out.add(delivery("pull_request", GitHubPayloads.pullRequest(REPO, "opened", pull(i))));
            return true;
        }
        if (random.nextInt(25) == 0) { // now and then a PR is closed without merging
            prState[i] = "closed";
            retired[i] = true;
            forgePull(i);
            out.add(delivery("pull_request", GitHubPayloads.pullRequest(REPO, "closed", pull(i))));
            return true;
        }
        if (ready[i]) {
            return false;
        }
        ready[i] = true; // opened as a draft, then marked ready once
        out.add(delivery("pull_request", GitHubPayloads.pullRequest(REPO, "ready_for_review", pull(i))));
        return true;
    }

    /** CI on an open PR's head (now and then on a branch without one): pending or queued first, then its conclusion. */
    private boolean ci(List<Delivery> out) throws Exception {
        int i = random.nextInt(4) == 0 ? random.nextInt(head.length) : random.nextInt(prs);
        if (head[i] == null || retired[i]) {
            return false;
        }
        String sha = head[i];
        Ci now = ci.getOrDefault(sha, Ci.NONE);
        if (now == Ci.SUCCESS || now == Ci.FAILURE) {
            return false;
        }
        Ci then = now == Ci.NONE ? Ci.PENDING : random.nextInt(8) == 0 ? Ci.FAILURE : Ci.SUCCESS;
        ci.put(sha, then);
        String state = then.name().toLowerCase(Locale.ROOT);
        if (i % 2 == 0) { // commit statuses (docs.github.com/en/rest/commits/statuses)
            forge.ciStatus(sha, "build", state);
            out.add(delivery("status", GitHubPayloads.status(REPO, sha, "build", state)));
        } else { // a check run (GitHub Actions): queued, then completed; the stand-in serves only completed runs
            if (then != Ci.PENDING) {
                forge.checkRun(sha, "build", state);
            }
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("id", 9_000_000L + next);
            run.put("name", "build");
            run.put("head_sha", sha);
            run.put("status", then == Ci.PENDING ? "queued" : "completed");
            run.put("conclusion", then == Ci.PENDING ? null : state);
            run.put("app", Map.of("slug", "github-actions"));
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("action", then == Ci.PENDING ? "created" : "completed");
            payload.put("check_run", run);
            payload.put("repository", Map.of("full_name", REPO, "name", "crashmix", "default_branch", "main"));
            payload.put("sender", Map.of("login", "github-actions[bot]", "type", "Bot"));
            out.add(delivery("check_run", payload));
        }
        return true;
    }

    private boolean review(List<Delivery> out) throws Exception {
        int i = random.nextInt(prs);
        if (!"open".equals(prState[i]) || approved.getOrDefault(head[i], false)) {
            return false;
        }
        approved.put(head[i], true);
        forge.review(i + 1, "bob", false, "APPROVED", head[i]);
        out.add(delivery("pull_request_review", GitHubPayloads.review(REPO, pull(i), "bob")));
        return true;
    }

    /**
     * Merges an open PR whose head is green and approved: staging moves on; half the time the head branch is deleted.
     * Two PRs in five are never merged, so that PRs stay open to the end and their final verdicts can be compared.
     */
    private boolean merge(List<Delivery> out) throws Exception {
        int i = random.nextInt(prs);
        if (i % 5 >= 3
                || !"open".equals(prState[i])
                || ci.get(head[i]) != Ci.SUCCESS
                || !approved.getOrDefault(head[i], false)) {
            return false;
        }
        prState[i] = "merged";
        retired[i] = true;
        forgePull(i);
        out.add(delivery("pull_request", GitHubPayloads.pullRequest(REPO, "closed", pull(i))));
        String before = staging;
        staging = String.format("5%07x%032x", 0, ++stagingCommits);
        forge.policy(staging, POLICY);
        forge.branch("staging", staging);
        out.add(delivery("push", GitHubPayloads.push(REPO, "staging", before, staging, login(i))));
        if (random.nextBoolean()) {
            String was = head[i];
            forge.branch(branch(i), null);
            out.add(delivery("push", GitHubPayloads.push(REPO, branch(i), was, GitHubPayloads.ZERO, login(i))));
        }
        return true;
    }

    private Delivery delivery(String event, Map<String, Object> payload) throws Exception {
        Object action = payload.get("action");
        String kind = event
                + (action == null ? "" : " " + action)
                + (event.equals("push") && Boolean.TRUE.equals(payload.get("created")) ? " (new branch)" : "")
                + (event.equals("push") && Boolean.TRUE.equals(payload.get("deleted")) ? " (deleted)" : "")
                + (event.equals("pull_request")
                                && "closed".equals(action)
                                && Boolean.TRUE.equals(((Map<?, ?>) payload.get("pull_request")).get("merged"))
                        ? " (merged)"
                        : "");
        counts.merge(kind, 1, Integer::sum);
        return new Delivery(idPrefix + (next++), event, JSON.writeValueAsBytes(payload));
    }
}
