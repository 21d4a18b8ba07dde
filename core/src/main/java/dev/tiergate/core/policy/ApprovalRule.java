package dev.tiergate.core.policy;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * One of the policy's {@code approval_rules}: when a pull request's evidence matches {@code when} (every condition
 * given must hold), it needs {@code require}'s approvals on top of its edge's. Read at the PR's base, like the rest of
 * the policy, so a PR cannot loosen the rules that route its own review.
 *
 * @param name what the rule is called in statuses and comments
 * @param into the tiers (by name) whose PRs the rule judges; empty: every tier
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ApprovalRule(
        @JsonProperty("name") String name,
        @JsonProperty("into") List<String> into,
        @JsonProperty("when") When when,
        @JsonProperty("require") Require require) {

    public ApprovalRule {
        into = into == null ? List.of() : List.copyOf(into);
        when = when == null ? When.NOTHING : when;
    }

    /** Whether the rule judges PRs into {@code tier}. */
    public boolean judges(String tier) {
        return into.isEmpty() || into.contains(tier);
    }

    /**
     * The conditions over a PR's head; absent ones are not asked. The rehearsal's are measured on a copy of the base
     * tier: {@code lock} (a lock at least this strong on a table at least this large), {@code rewrite} (a table
     * rewritten, at least this large), {@code statement_seconds} / {@code migration_seconds} (ran longer), {@code
     * rehearsal} (its outcome: failed, skipped). The others are read from the PR: {@code phase} (a migration's header),
     * {@code lint} (a finding of these rules, waived or not), {@code files} (globs over the paths it changes), {@code
     * author} (the author's class).
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record When(
            @JsonProperty("lock") Lock lock,
            @JsonProperty("rewrite") TableSize rewrite,
            @JsonProperty("statement_seconds") Double statementSeconds,
            @JsonProperty("migration_seconds") Double migrationSeconds,
            @JsonProperty("rehearsal") Set<String> rehearsal,
            @JsonProperty("phase") Set<String> phase,
            @JsonProperty("lint") Set<String> lint,
            @JsonProperty("files") List<String> files,
            @JsonProperty("author") Set<ActorClass> author) {
        static final When NOTHING = new When(null, null, null, null, null, null, null, null, null);

        public When {
            rehearsal = rehearsal == null ? Set.of() : Set.copyOf(rehearsal);
            phase = phase == null ? Set.of() : Set.copyOf(phase);
            lint = lint == null ? Set.of() : Set.copyOf(lint);
            files = files == null ? List.of() : List.copyOf(files);
            author = author == null ? Set.of() : Set.copyOf(author);
        }

        /** Whether the rule needs the rehearsal's measurements to be judged. */
        public boolean needsRehearsal() {
            return lock != null
                    || rewrite != null
                    || statementSeconds != null
                    || migrationSeconds != null
                    || !rehearsal.isEmpty()
                    || !lint.isEmpty()
                    || !phase.isEmpty();
        }

        @JsonIgnore
        public boolean isEmpty() {
            return !needsRehearsal() && files.isEmpty() && author.isEmpty();
        }
    }

    /** A table at least {@code min_rows} rows or {@code min_mb} MB; neither given: any table. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TableSize(
            @JsonProperty("min_rows") Long minRows,
            @JsonProperty("min_mb") Long minMb) {
        public boolean matches(long rows, long bytes) {
            if (minRows == null && minMb == null) {
                return true;
            }
            return (minRows != null && rows >= minRows) || (minMb != null && bytes >= minMb * 1024L * 1024L);
        }
    }

    /** A lock of {@code mode} or stronger (PostgreSQL's table lock levels; default AccessExclusiveLock) on a table. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Lock(
            @JsonProperty("mode") String mode,
            @JsonProperty("min_rows") Long minRows,
            @JsonProperty("min_mb") Long minMb) {
        /** PostgreSQL's table lock modes, weakest first (postgresql.org/docs/current/explicit-locking.html). */
        public static final List<String> MODES = List.of(
                "AccessShareLock",
                "RowShareLock",
                "RowExclusiveLock",
                "ShareUpdateExclusiveLock",
                "ShareLock",
                "ShareRowExclusiveLock",
                "ExclusiveLock",
                "AccessExclusiveLock");

        public Lock {
            mode = mode == null ? "AccessExclusiveLock" : mode;
        }

        /** The level of a mode written as pg_locks does, or as the SQL's words ("ACCESS EXCLUSIVE"); -1 if unknown. */
        public static int level(String mode) {
            if (mode == null) {
                return -1;
            }
            String squeezed = mode.replace(" ", "").replace("_", "").toLowerCase(Locale.ROOT);
            for (int i = 0; i < MODES.size(); i++) {
                String m = MODES.get(i).toLowerCase(Locale.ROOT);
                if (m.equals(squeezed) || m.equals(squeezed + "lock")) {
                    return i;
                }
            }
            return -1;
        }

        public boolean matches(String takenMode, long rows, long bytes) {
            return level(takenMode) >= level(mode) && new TableSize(minRows, minMb).matches(rows, bytes);
        }
    }

    /**
     * How many approvals, from whom: logins holding {@code role} (the policy's {@code actors}), or members of {@code
     * team} (GitHub {@code org/team-slug}, GitLab group path); the author and agents do not count unless allowed.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Require(
            @JsonProperty("approvals") Integer approvals,
            @JsonProperty("role") String role,
            @JsonProperty("team") String team,
            @JsonProperty("exclude_author") Boolean excludeAuthor,
            @JsonProperty("exclude_agents") Boolean excludeAgents) {
        public Require {
            approvals = approvals == null ? 1 : approvals;
            excludeAuthor = excludeAuthor == null ? Boolean.TRUE : excludeAuthor;
            excludeAgents = excludeAgents == null ? Boolean.TRUE : excludeAgents;
        }

        /** Who the approvals come from, as statuses say it: the role, else the team. */
        public String from() {
            return Optional.ofNullable(role)
                    .map(r -> team == null ? r : r + " or team " + team)
                    .orElse("team " + team);
        }

        /** Two requirements of the same reviewers: the strictest count wins between them. */
        public Require withoutCount() {
            return new Require(0, role, team, excludeAuthor, excludeAgents);
        }
    }
}
