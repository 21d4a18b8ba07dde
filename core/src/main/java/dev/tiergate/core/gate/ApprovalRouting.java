package dev.tiergate.core.gate;

import dev.tiergate.core.gate.RehearsalEvidence.LintFinding;
import dev.tiergate.core.gate.RehearsalEvidence.MigrationFacts;
import dev.tiergate.core.gate.RehearsalEvidence.StatementFacts;
import dev.tiergate.core.gate.RehearsalEvidence.TableLock;
import dev.tiergate.core.gate.RehearsalEvidence.TableSize;
import dev.tiergate.core.policy.Actor;
import dev.tiergate.core.policy.ActorClass;
import dev.tiergate.core.policy.ApprovalRule;
import dev.tiergate.core.policy.Policy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The policy's {@code approval_rules} as a pure function of (policy, the rehearsal's evidence, the PR's files and
 * author, the reviews): which rules the PR's head matches and why ({@link #demands}), and which of them its approvals
 * do not meet yet ({@link #shortfalls}). An approval counts only from a login holding the rule's role (or in its
 * team), on the head commit, and, unless the rule allows it, from neither the author nor an agent. Two rules asking
 * the same reviewers do not add up: the larger count wins. Rules add to the edge's approvals: a reviewer's approval
 * counts towards both.
 */
public final class ApprovalRouting {
    private ApprovalRouting() {}

    /** One rule the PR matches, and why, in words a reviewer can check against the rehearsal's comment. */
    public record Demand(ApprovalRule rule, String reason) {}

    /**
     * A requirement not met on the head: {@code needed} approvals from {@code require}'s reviewers, {@code has} of
     * them, for {@code rule} because {@code reason}; {@code ignored} the approvals that did not count and why.
     */
    public record Shortfall(
            ApprovalRule.Require require, int needed, int has, String rule, String reason, List<String> ignored) {
        /** As the status says it: {@code Needs 1 approval from platform-engineer: <reason>}. */
        public String describe() {
            int missing = needed - has;
            return "Needs " + missing + " approval" + (missing == 1 ? "" : "s") + " from " + require.from() + ": "
                    + reason;
        }
    }

    /** Whether a rule judging PRs into {@code tier} needs the rehearsal's measurements. */
    public static boolean needsRehearsal(Policy policy, String tier) {
        return policy.approvalRules().stream()
                .anyMatch(r -> r.judges(tier) && r.when().needsRehearsal());
    }

    /**
     * The rules a PR into {@code tier} matches. {@code evidence} is the rehearsal of this very head (empty: not
     * rehearsed, and a rule that needs it does not match; the caller waits for it first).
     */
    public static List<Demand> demands(
            Policy policy,
            String tier,
            Optional<RehearsalEvidence> evidence,
            List<String> touchedFiles,
            ActorClass authorClass) {
        List<Demand> out = new ArrayList<>();
        for (ApprovalRule rule : policy.approvalRules()) {
            if (rule.judges(tier)) {
                match(rule.when(), evidence, touchedFiles, authorClass)
                        .ifPresent(why -> out.add(new Demand(rule, why)));
            }
        }
        return out;
    }

    /**
     * The demands the approvals on {@code headSha} do not meet, the strictest first per set of reviewers. {@code
     * teamMembers} gives a team's logins (lower case); it is asked only for a team some approval may belong to.
     */
    public static List<Shortfall> shortfalls(
            Policy policy,
            List<Demand> demands,
            ForgeIdentity author,
            String headSha,
            List<Approval> approvals,
            Function<String, Set<String>> teamMembers) {
        Map<ApprovalRule.Require, Demand> strictest = new LinkedHashMap<>();
        for (Demand d : demands) {
            strictest.merge(
                    d.rule().require().withoutCount(),
                    d,
                    (a, b) ->
                            b.rule().require().approvals() > a.rule().require().approvals() ? b : a);
        }
        List<Shortfall> out = new ArrayList<>();
        for (Demand d : strictest.values()) {
            ApprovalRule.Require need = d.rule().require();
            Set<String> counted = new TreeSet<>();
            List<String> ignored = new ArrayList<>();
            for (Approval a : approvals) {
                String login = a.reviewer().login();
                String key = login.toLowerCase(Locale.ROOT);
                Actor reviewer = policy.actorFor(login, a.reviewer().bot());
                if (a.commitSha() != null && !a.commitSha().equals(headSha)) {
                    ignored.add(login + " (approved an earlier commit)");
                } else if (need.excludeAuthor() && login.equalsIgnoreCase(author.login())) {
                    ignored.add(login + " (the author)");
                } else if (need.excludeAgents() && reviewer.actorClass() == ActorClass.AGENT) {
                    ignored.add(login + " (an agent)");
                } else if ((need.role() != null && reviewer.roles().contains(need.role()))
                        || (need.team() != null
                                && teamMembers.apply(need.team()).contains(key))) {
                    counted.add(key);
                } else {
                    ignored.add(login + " (not " + need.from() + ")");
                }
            }
            if (counted.size() < need.approvals()) {
                out.add(new Shortfall(
                        need, need.approvals(), counted.size(), d.rule().name(), d.reason(), ignored));
            }
        }
        return out;
    }

    /**
     * Whom to ask for a review a shortfall needs: the logins holding its role (not the author, humans only unless
     * agents count), and its team. Reviewers who approved this head are not asked again; those who approved an
     * earlier commit are, since the push reset their approval.
     */
    public static ReviewRequest reviewersFor(
            Policy policy, Shortfall s, ForgeIdentity author, String headSha, List<Approval> approvals) {
        Set<String> approved = new TreeSet<>();
        approvals.stream()
                .filter(a -> a.commitSha() == null || a.commitSha().equals(headSha))
                .forEach(a -> approved.add(a.reviewer().login().toLowerCase(Locale.ROOT)));
        List<String> logins = new ArrayList<>();
        if (s.require().role() != null) {
            for (Actor a : policy.actors()) {
                boolean agent = a.actorClass() == ActorClass.AGENT;
                if (a.roles().contains(s.require().role())
                        && !(s.require().excludeAgents() && agent)
                        && !a.id().equalsIgnoreCase(author.login())
                        && !approved.contains(a.id().toLowerCase(Locale.ROOT))) {
                    logins.add(a.id());
                }
            }
        }
        return new ReviewRequest(
                logins,
                s.require().team() == null ? List.of() : List.of(s.require().team()),
                s.rule());
    }

    /** The reviewers tiergate asks for on the forge (GitHub requested reviewers, GitLab reviewers), once per head. */
    public record ReviewRequest(List<String> logins, List<String> teams, String rule) {
        public ReviewRequest {
            logins = List.copyOf(logins);
            teams = List.copyOf(teams);
        }

        public boolean isEmpty() {
            return logins.isEmpty() && teams.isEmpty();
        }
    }

    // ---------------------------------------------------------------- conditions

    /** Why the conditions hold, every one of them; empty when one does not. */
    static Optional<String> match(
            ApprovalRule.When w, Optional<RehearsalEvidence> evidence, List<String> touched, ActorClass author) {
        List<String> why = new ArrayList<>();
        if (!w.author().isEmpty()) {
            if (!w.author().contains(author)) {
                return Optional.empty();
            }
            why.add("opened by a " + author.wireName());
        }
        if (!w.files().isEmpty()) {
            Optional<String> file = touched.stream()
                    .filter(path -> w.files().stream().anyMatch(g -> globMatches(g, path)))
                    .findFirst();
            if (file.isEmpty()) {
                return Optional.empty();
            }
            why.add("changes " + file.get());
        }
        if (w.needsRehearsal()) {
            if (evidence.isEmpty()) {
                return Optional.empty();
            }
            RehearsalEvidence e = evidence.get();
            for (Optional<String> held : List.of(
                    lock(w, e),
                    rewrite(w, e),
                    statementTime(w, e),
                    migrationTime(w, e),
                    outcome(w, e),
                    phase(w, e),
                    lint(w, e))) {
                if (held.isEmpty()) {
                    return Optional.empty();
                }
                if (!held.get().isEmpty()) {
                    why.add(held.get());
                }
            }
        }
        return why.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", why));
    }

    // each condition: empty when it does not hold, "" when it is not asked, else why it holds

    private static Optional<String> lock(ApprovalRule.When w, RehearsalEvidence e) {
        if (w.lock() == null) {
            return Optional.of("");
        }
        String best = null;
        long bestRows = Long.MIN_VALUE;
        for (MigrationFacts m : e.migrations()) {
            for (StatementFacts s : m.statements()) {
                for (TableLock l : s.locks()) {
                    if (w.lock().matches(l.mode(), l.rows(), l.bytes()) && l.rows() > bestRows) {
                        bestRows = l.rows();
                        best = l.mode() + " on " + l.table() + " (" + size(l.rows(), l.bytes()) + seconds(s.millis())
                                + ") in " + at(m, s);
                    }
                }
            }
        }
        return Optional.ofNullable(best);
    }

    private static Optional<String> rewrite(ApprovalRule.When w, RehearsalEvidence e) {
        if (w.rewrite() == null) {
            return Optional.of("");
        }
        for (MigrationFacts m : e.migrations()) {
            for (StatementFacts s : m.statements()) {
                for (TableSize t : s.rewrites()) {
                    if (w.rewrite().matches(t.rows(), t.bytes())) {
                        return Optional.of("rewrites " + t.table() + " (" + size(t.rows(), t.bytes())
                                + seconds(s.millis()) + ") in " + at(m, s));
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> statementTime(ApprovalRule.When w, RehearsalEvidence e) {
        if (w.statementSeconds() == null) {
            return Optional.of("");
        }
        for (MigrationFacts m : e.migrations()) {
            for (StatementFacts s : m.statements()) {
                if (s.millis() > w.statementSeconds() * 1000) {
                    return Optional.of("a statement ran " + seconds(s.millis()).substring(2) + " in " + at(m, s));
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> migrationTime(ApprovalRule.When w, RehearsalEvidence e) {
        if (w.migrationSeconds() == null) {
            return Optional.of("");
        }
        return e.migrations().stream()
                .filter(m -> m.millis() > w.migrationSeconds() * 1000)
                .findFirst()
                .map(m -> name(m) + " ran " + seconds(m.millis()).substring(2));
    }

    private static Optional<String> outcome(ApprovalRule.When w, RehearsalEvidence e) {
        if (w.rehearsal().isEmpty()) {
            return Optional.of("");
        }
        return w.rehearsal().contains(e.outcome().wireName())
                ? Optional.of("the rehearsal " + e.outcome().wireName())
                : Optional.empty();
    }

    private static Optional<String> phase(ApprovalRule.When w, RehearsalEvidence e) {
        if (w.phase().isEmpty()) {
            return Optional.of("");
        }
        return e.migrations().stream()
                .filter(m -> m.phase() != null && w.phase().contains(m.phase()))
                .findFirst()
                .map(m -> m.phase() + " phase in " + name(m));
    }

    private static Optional<String> lint(ApprovalRule.When w, RehearsalEvidence e) {
        if (w.lint().isEmpty()) {
            return Optional.of("");
        }
        return e.findings().stream()
                .filter(f -> w.lint().contains(f.rule()))
                .findFirst()
                .map(ApprovalRouting::finding);
    }

    private static String finding(LintFinding f) {
        return f.rule() + (f.waived() ? " (waived)" : "") + " at " + f.where();
    }

    private static String at(MigrationFacts m, StatementFacts s) {
        return name(m) + ":" + s.line();
    }

    private static String name(MigrationFacts m) {
        return m.version() == null ? m.file() : "V" + m.version();
    }

    /** {@code 3.1 M rows}, {@code 52 k rows}, {@code 812 rows}; the size in MB when the rows are unknown. */
    static String size(long rows, long bytes) {
        if (rows >= 0) {
            if (rows >= 1_000_000) {
                return String.format(Locale.ROOT, "%.1f M rows", rows / 1_000_000.0);
            }
            if (rows >= 10_000) {
                return (rows / 1000) + " k rows";
            }
            return rows + " rows";
        }
        if (bytes >= 0) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024.0));
        }
        return "size unknown";
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, ", %.1f s", millis / 1000.0);
    }

    /**
     * Whether {@code path} matches {@code glob}: {@code **}{@code /} matches any folders (or none), {@code **} anything,
     * {@code *} and {@code ?} stay within one folder. By dynamic programming over (glob token, path position), never by
     * backtracking: a policy's glob like {@code *a*a*a*a*b} costs glob length x path length, not exponential time.
     */
    static boolean globMatches(String glob, String path) {
        int n = path.length();
        boolean[] next = new boolean[n + 1]; // next[t]: the glob's tokens after this one match path[t..]
        next[n] = true;
        boolean[] row = new boolean[n + 1];
        int g = glob.length();
        while (g > 0) {
            char c = glob.charAt(g - 1);
            int start = g - 1;
            String token;
            if (c == '/' && g >= 3 && glob.startsWith("**/", g - 3)) {
                token = "**/";
                start = g - 3;
            } else if (c == '*' && g >= 2 && glob.charAt(g - 2) == '*') {
                token = "**";
                start = g - 2;
            } else {
                token = String.valueOf(c);
            }
            row[n] = switch (token) {
                case "**/", "**", "*" -> next[n];
                default -> false;
            };
            boolean slashThenRest = false; // for "**/": some k >= t with path[k] == '/' and next[k + 1]
            for (int t = n - 1; t >= 0; t--) {
                char p = path.charAt(t);
                row[t] = switch (token) {
                    case "**/" -> {
                        slashThenRest = slashThenRest || (p == '/' && next[t + 1]);
                        yield next[t] || slashThenRest;
                    }
                    case "**" -> next[t] || row[t + 1];
                    case "*" -> next[t] || (p != '/' && row[t + 1]);
                    case "?" -> p != '/' && next[t + 1];
                    default -> p == c && next[t + 1];
                };
            }
            boolean[] swap = next;
            next = row;
            row = swap;
            g = start;
        }
        return next[0];
    }
}
