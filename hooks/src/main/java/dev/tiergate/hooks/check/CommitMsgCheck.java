package dev.tiergate.hooks.check;

import dev.tiergate.core.migration.MigrationHeader;
import dev.tiergate.core.migration.MigrationName;
import dev.tiergate.core.migration.MigrationRules;
import dev.tiergate.core.migration.MigrationSet;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.verdict.Verdict;
import dev.tiergate.hooks.Workspace;
import dev.tiergate.hooks.git.GitIndex;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * commit-msg: adds trailers that say which migrations the commit adds and the actor class, and refuses a message
 * whose own tiergate trailers contradict the staged content (a message must not claim what the commit is not).
 */
public final class CommitMsgCheck {
    public static final String MIGRATION_TRAILER = "Tiergate-Migration";
    public static final String ACTOR_TRAILER = "Tiergate-Actor-Class";
    private final Workspace ws;

    public CommitMsgCheck(Workspace ws) {
        this.ws = ws;
    }

    public record Result(Verdict verdict, String message) {}

    public Result run(String message) throws IOException {
        Policy policy = ws.policy();
        String actorClass = ws.actorClass(policy).wireName();
        Result r = check(message, expectedMigrationTrailers(policy, "HEAD"), actorClass);
        if (!r.verdict().isAllowed() && ws.index().resolves("HEAD")) {
            // git does not tell hooks it is amending: `commit --amend` repeats HEAD's message, whose trailers describe
            // what HEAD adds to its parent. A message that is true of the index against HEAD's parent is let through.
            Result amend = check(message, expectedMigrationTrailers(policy, "HEAD~1"), actorClass);
            if (amend.verdict().isAllowed()) {
                return amend;
            }
        }
        return r;
    }

    /**
     * The trailers a commit of the staged content carries, as lines ready to append. Pre-commit hands them to the
     * commit-msg shim in a file so that a normal commit starts one JVM, not two.
     */
    public List<String> trailersFor(List<GitIndex.Change> stagedChanges) throws IOException {
        Policy policy = ws.policy();
        Set<String> expected = expectedMigrationTrailers(policy, stagedChanges);
        List<String> out = new ArrayList<>();
        for (String e : expected) {
            out.add(MIGRATION_TRAILER + ": " + e);
        }
        if (!expected.isEmpty()) {
            out.add(ACTOR_TRAILER + ": " + ws.actorClass(policy).wireName());
        }
        return out;
    }

    /** The migration trailers of a commit of the index whose parent is {@code base}. */
    private Set<String> expectedMigrationTrailers(Policy policy, String base) throws IOException {
        return expectedMigrationTrailers(policy, ws.index().changesAgainst(base));
    }

    private Set<String> expectedMigrationTrailers(Policy policy, List<GitIndex.Change> changes) throws IOException {
        Set<String> expected = new LinkedHashSet<>();
        for (GitIndex.Change c : changes) {
            if (c.kind() != 'A' || !MigrationRules.isMigrationPath(c.path(), policy.migrations())) {
                continue;
            }
            Optional<MigrationName> n = MigrationName.parse(
                    MigrationSet.fileName(c.path()), policy.migrations().naming());
            Optional<MigrationHeader> h = MigrationHeader.parse(
                            GitIndex.text(ws.index().read(c.staged())))
                    .header();
            if (n.isPresent() && h.isPresent()) {
                expected.add("V" + n.get().version() + " \"" + h.get().refactoring() + "\" "
                        + h.get().phase().name().toLowerCase(Locale.ROOT));
            }
        }
        return expected;
    }

    private Result check(String message, Set<String> expected, String actorClass) {
        List<String> lines = new ArrayList<>(List.of(message.split("\n", -1)));
        Set<String> given = new LinkedHashSet<>();
        String givenActor = null;
        for (String line : lines) {
            if (line.startsWith(MIGRATION_TRAILER + ":")) {
                given.add(line.substring(MIGRATION_TRAILER.length() + 1).strip());
            } else if (line.startsWith(ACTOR_TRAILER + ":")) {
                givenActor = line.substring(ACTOR_TRAILER.length() + 1).strip();
            }
        }
        Verdict v = Verdict.allowed();
        for (String g : given) {
            if (!expected.contains(g)) {
                v = v.and(Verdict.refused(
                        Rule.COMMIT_MSG_TRAILERS.id(),
                        "commit message",
                        "trailer '" + MIGRATION_TRAILER + ": " + g + "' names a migration this commit does not add",
                        "remove the trailer; tiergate adds the right ones itself"));
            }
        }
        if (givenActor != null && !givenActor.equals(actorClass)) {
            v = v.and(Verdict.refused(
                    Rule.COMMIT_MSG_TRAILERS.id(),
                    "commit message",
                    "trailer '" + ACTOR_TRAILER + ": " + givenActor + "' but the policy says this committer is "
                            + actorClass,
                    "remove the trailer; the actor class comes from the policy's actor list"));
        }
        if (!v.isAllowed()) {
            return new Result(v, message);
        }
        List<String> toAdd = new ArrayList<>();
        for (String e : expected) {
            if (!given.contains(e)) {
                toAdd.add(MIGRATION_TRAILER + ": " + e);
            }
        }
        if (givenActor == null && !expected.isEmpty()) {
            toAdd.add(ACTOR_TRAILER + ": " + actorClass);
        }
        return new Result(v, withTrailers(message, toAdd));
    }

    /** Appends trailers in git's format: one block at the end, after a blank line (comment lines kept last). */
    static String withTrailers(String message, List<String> trailers) {
        if (trailers.isEmpty()) {
            return message;
        }
        List<String> body = new ArrayList<>();
        List<String> comments = new ArrayList<>();
        for (String line : message.split("\n", -1)) {
            (line.startsWith("#") ? comments : body).add(line);
        }
        while (!body.isEmpty() && body.get(body.size() - 1).isBlank()) {
            body.remove(body.size() - 1);
        }
        boolean lastIsTrailerBlock =
                !body.isEmpty() && body.get(body.size() - 1).matches("^[A-Za-z-]+: .*");
        StringBuilder sb = new StringBuilder(String.join("\n", body));
        sb.append(lastIsTrailerBlock ? "\n" : "\n\n")
                .append(String.join("\n", trailers))
                .append('\n');
        for (String c : comments) {
            sb.append(c).append('\n');
        }
        return sb.toString();
    }
}
