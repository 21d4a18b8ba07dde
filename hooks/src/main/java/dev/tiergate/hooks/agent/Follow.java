package dev.tiergate.hooks.agent;

import static dev.tiergate.hooks.TerminalText.plain;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.tiergate.core.agent.PrView;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.hooks.Main;
import dev.tiergate.hooks.git.GitCommand;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Follows one PR on the server (not the forge) until it reaches a point: {@code ci-green}, {@code mergeable} ({@code
 * tiergate/workflow} success), {@code merged} or {@code migrated} (the tier applied its migrations). Each request is a
 * long-poll that the server answers when the PR's view changes. Only a verdict on the head being followed counts; a
 * push (seen in the local branch or on the server) restarts the wait on the new head. The outcome is an exit code: 0
 * reached, 2 a failure verdict (its rule and fix), 3 the server could not answer for longer than the budget, 4 the
 * time ran out (with what it was still waiting for).
 */
final class Follow {
    static final String CI_GREEN = "ci-green";
    static final String MERGEABLE = "mergeable";
    static final String MERGED = "merged";
    static final String MIGRATED = "migrated";
    /** The {@code since} that asks the server to hold its answer until it knows the PR (PullRequestApi's). */
    static final String ABSENT = "absent";

    /** One line of {@code tiergate wait --json} (state-schemas/schemas/cli-wait.schema.json). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Event(
            String event,
            String until,
            long pr,
            String headSha,
            String state,
            String workflow,
            String migrations,
            String migration,
            String reason,
            String rule,
            String fix,
            String at) {}

    /** Where a view stands for {@code until}: reached, failed (why, rule, fix) or still waiting (why). */
    record Judgement(String outcome, String reason, String rule, String fix) {
        static Judgement reached(String why) {
            return new Judgement("reached", why, null, null);
        }

        static Judgement waiting(String why, String rule) {
            return new Judgement("waiting", why, rule, null);
        }

        static Judgement failed(String why, String rule, String fix) {
            return new Judgement("failed", why, rule, fix);
        }
    }

    private final AgentCommand c;
    private final String until;
    private final Duration timeout;
    private final Duration serverBudget;
    private final boolean followLocalHead;
    private final boolean jsonEvents;
    private PrView last;

    /**
     * {@code followLocalHead}: the checked-out branch is the PR's head, so a commit there restarts the wait; {@code
     * jsonEvents}: with {@code --json} each change is a JSON line (wait), else a line of text on standard error (merge,
     * whose standard output is its one document).
     */
    Follow(
            AgentCommand c,
            String until,
            Duration timeout,
            Duration serverBudget,
            boolean followLocalHead,
            boolean jsonEvents) {
        this.c = c;
        this.jsonEvents = jsonEvents;
        this.until = until;
        this.timeout = timeout;
        this.serverBudget = serverBudget;
        this.followLocalHead = followLocalHead;
    }

    /** The last view the server gave (null before the first). */
    PrView last() {
        return last;
    }

    static boolean known(String until) {
        return until.equals(CI_GREEN) || until.equals(MERGEABLE) || until.equals(MERGED) || until.equals(MIGRATED);
    }

    /** Follows PR {@code number} from head {@code head} (null: the server's head); the exit code. */
    int run(long number, String head) throws IOException, AgentCommand.Stop {
        long deadline = System.nanoTime() + timeout.toNanos();
        String target = head;
        String serverHead = null;
        String since = null;
        Long unreachableSince = null;
        boolean seen = false;
        String lastSaid = null;
        while (true) {
            if (System.nanoTime() > deadline) {
                String why = last == null
                        ? "the server never showed PR #" + number
                        : judge(last, target).reason();
                emit(
                        "timeout",
                        number,
                        target,
                        "timed out after " + human(timeout) + " waiting for " + until + ": " + why,
                        null,
                        null);
                return Main.TIMED_OUT;
            }
            if (followLocalHead) {
                String local = GitCommand.run(c.ws().top(), "rev-parse", "HEAD").strip();
                if (target != null && !local.equals(target)) {
                    target = local;
                    lastSaid = null;
                    emit(
                            "restarted",
                            number,
                            target,
                            "a new commit on the branch: waiting on " + shortSha(local),
                            null,
                            null);
                }
            }
            Optional<PrView> v;
            long asked = System.nanoTime();
            try {
                v = c.viewOrUnreachable(number, since);
                unreachableSince = null;
            } catch (ServerClient.Unreachable e) {
                long now = System.nanoTime();
                unreachableSince = unreachableSince == null ? now : unreachableSince;
                if (now - unreachableSince > serverBudget.toNanos()) {
                    emit(
                            "unreachable",
                            number,
                            target,
                            e.getMessage() + " (for longer than " + human(serverBudget) + ")",
                            null,
                            null);
                    return Main.FAILED;
                }
                sleep(Duration.ofSeconds(2));
                continue;
            }
            if (v.isEmpty()) {
                if (seen) {
                    emit(
                            "failed",
                            number,
                            target,
                            "PR #" + number + " was closed without a merge",
                            null,
                            "open it again, or tiergate pr");
                    return Main.REFUSED;
                }
                // a PR just opened, whose webhook is not in yet: the next ask is held until the server knows it
                if (ABSENT.equals(since)
                        && System.nanoTime() - asked < Duration.ofSeconds(1).toNanos()) {
                    sleep(Duration.ofSeconds(1)); // the server held no wait (it holds as many as it will)
                }
                since = ABSENT;
                continue;
            }
            seen = true;
            PrView view = v.get();
            boolean unchanged = view.version().equals(since);
            since = view.version();
            last = view;
            if (target == null) {
                target = view.headSha();
            } else if (!view.headSha().equals(target) && target.equals(serverHead)) {
                // the server saw a push since (from elsewhere): the wait starts over on that head
                target = view.headSha();
                lastSaid = null;
                emit("restarted", number, target, "a new push: waiting on " + shortSha(target), null, null);
            }
            serverHead = view.headSha();
            Judgement j = judge(view, target);
            String said = j.outcome() + "|" + j.reason() + "|" + view.state() + "|" + target;
            if (!said.equals(lastSaid)) {
                lastSaid = said;
                emit(j.outcome(), number, target, j.reason(), j.rule(), j.fix());
            }
            if (j.outcome().equals("reached")) {
                return Main.OK;
            }
            if (j.outcome().equals("failed")) {
                return Main.REFUSED;
            }
            if (unchanged && System.nanoTime() - asked < Duration.ofSeconds(1).toNanos()) {
                sleep(Duration.ofSeconds(1)); // the server answered at once (it holds as many waits as it will)
            }
        }
    }

    /** Where {@code v} stands for {@link #until} on {@code head}. */
    Judgement judge(PrView v, String head) {
        if (v.merged()) {
            PrView.Merge m = v.merge();
            if (!until.equals(MIGRATED)) {
                return Judgement.reached("PR #" + v.number() + " is merged");
            }
            if (m.migrated()) {
                return Judgement.reached(
                        m.migration().equals("nothing")
                                ? "merged; no migration to apply on " + m.tier()
                                : "merged; " + m.tier() + " applied the migrations");
            }
            if (m.failed()) {
                return Judgement.failed(
                        Objects.requireNonNullElse(m.detail(), "the migration did not apply on " + m.tier()),
                        m.migration().equals("held")
                                ? Rule.MIGRATION_TIER_DRIFTED.id()
                                : Rule.MIGRATION_TIER_MIGRATE_FAILED.id(),
                        m.rollback() == null
                                ? "tiergate drift --tier " + m.tier()
                                : "ask the server's operator: " + m.rollback());
            }
            return Judgement.waiting("merged; " + m.tier() + " has not finished its migrations", null);
        }
        if (!Objects.equals(v.headSha(), head)) {
            return Judgement.waiting(
                    "the server has not seen " + shortSha(head) + " yet (it shows " + shortSha(v.headSha()) + ")",
                    null);
        }
        PrView.Check wf = v.workflow() == null ? PrView.Check.none() : v.workflow();
        PrView.Check mig = v.migrations() == null ? PrView.Check.none() : v.migrations();
        if (wf.is(PrView.Check.FAILURE, head)) {
            return Judgement.failed(wf.description(), wf.rule(), wf.fix());
        }
        if (mig.is(PrView.Check.FAILURE, head) && !until.equals(CI_GREEN)) {
            return Judgement.failed(
                    "the rehearsal of the migrations failed on " + shortSha(head) + " (tiergate status)",
                    mig.rule(),
                    mig.fix());
        }
        String pending = wf.sha() != null && wf.sha().equals(head) && wf.description() != null
                ? wf.description()
                : "the server has not judged " + shortSha(head) + " yet";
        return switch (until) {
            case CI_GREEN ->
                v.state().equals("ci-green")
                        ? Judgement.reached("CI is green on " + shortSha(head))
                        : Judgement.waiting(pending, wf.rule());
            case MERGEABLE ->
                wf.is(PrView.Check.SUCCESS, head)
                        ? Judgement.reached("tiergate/workflow is success on " + shortSha(head))
                        : Judgement.waiting(pending, wf.rule());
            default ->
                Judgement.waiting(
                        "not merged yet" + (wf.is(PrView.Check.SUCCESS, head) ? " (mergeable)" : ": " + pending),
                        wf.rule());
        };
    }

    private void emit(String event, long number, String head, String reason, String rule, String fix) {
        PrView v = last;
        if (c.json && jsonEvents) {
            c.printJson(new Event(
                    event,
                    until,
                    number,
                    head,
                    v == null ? null : v.state(),
                    v == null || v.workflow() == null ? null : v.workflow().state(),
                    v == null || v.migrations() == null ? null : v.migrations().state(),
                    v == null || v.merge() == null ? null : v.merge().migration(),
                    reason,
                    rule,
                    fix,
                    Instant.now().toString()));
        } else {
            c.text()
                    .println("[" + event + "] PR #" + number + " " + shortSha(head) + ": " + plain(reason)
                            + (rule == null ? "" : " [" + rule + "]"));
            if (fix != null) {
                c.text().println("  fix: " + plain(fix));
            }
            c.text().flush();
        }
    }

    static Duration parse(String s) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,6})([smh]?)")
                .matcher(s.strip().toLowerCase(Locale.ROOT));
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException("'" + s + "' is not a duration; write e.g. 90s, 30m or 2h");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        return s % 3600 == 0 && s > 0 ? s / 3600 + "h" : s % 60 == 0 && s > 0 ? s / 60 + "m" : s + "s";
    }

    static String shortSha(String sha) {
        return sha == null ? "(none)" : sha.substring(0, Math.min(7, sha.length()));
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
