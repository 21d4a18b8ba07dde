package dev.tiergate.core.access;

import dev.tiergate.core.gate.BranchKind;
import dev.tiergate.core.policy.Actor;
import dev.tiergate.core.policy.ActorClass;
import dev.tiergate.core.policy.DatabaseAccess;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.Tier;
import dev.tiergate.core.policy.WorkingBranchType;
import dev.tiergate.core.rules.Rule;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Which of the policy's groups an actor's own login gets on one tracked branch, and how long it lives: the pure half
 * of handing out a database login ({@code GET …/branches/<branch>} with an actor's token). The grants that apply are a
 * tier's ({@link DatabaseAccess#grantsOnTier}), a working branch's type's ({@link DatabaseAccess#grantsOnWorking}) or,
 * for a pull request's copy, {@link DatabaseAccess#CI}'s; the actor is the policy's for the login (an unlisted login
 * is a human: a token never makes its holder a bot); the author is the branch's recorded author, compared without
 * case as forge logins are. No group: no login, refused with {@link Rule#PERMISSIONS_NO_ACCESS}.
 *
 * @param place the branch as the policy sees it ("tier production"), or null when the policy knows it as neither a
 *              tier nor a working-branch type
 */
public record BranchLogin(
        String gitBranch,
        Actor actor,
        boolean author,
        String place,
        List<DatabaseAccess.Grant> grants,
        List<String> groups,
        boolean forThePullRequestsLife,
        int hours) {

    public BranchLogin {
        grants = List.copyOf(grants);
        groups = List.copyOf(groups);
    }

    /**
     * Decides for {@code login} on the tracked branch {@code gitBranch} of {@code kind}, whose recorded author is
     * {@code authorLogin} (null: none yet), by {@code policy}, the policy on the repository's default branch.
     */
    public static BranchLogin decide(
            Policy policy, BranchKind kind, String gitBranch, String authorLogin, String login) {
        DatabaseAccess access = policy.access();
        Actor actor = policy.actorFor(login, false);
        boolean author = authorLogin != null && authorLogin.equalsIgnoreCase(login);
        String place = null;
        List<DatabaseAccess.Grant> grants = List.of();
        switch (kind) {
            case TIER -> {
                Optional<Tier> tier = policy.tierForBranch(gitBranch);
                if (tier.isPresent()) {
                    place = "tier " + tier.get().name();
                    grants = access.grantsOnTier(tier.get());
                }
            }
            case WORKING -> {
                Optional<WorkingBranchType> type = policy.typeForBranch(gitBranch);
                if (type.isPresent()) {
                    place = "working branch of type " + type.get().name();
                    grants = access.grantsOnWorking(type.get().name());
                }
            }
            case CI -> {
                place = "a pull request's copy, " + DatabaseAccess.CI;
                grants = access.grantsOnWorking(DatabaseAccess.CI);
            }
        }
        List<String> groups = DatabaseAccess.groupsFor(grants, actor, author);
        boolean prLife = kind == BranchKind.CI && actor.actorClass() == ActorClass.BOT;
        return new BranchLogin(
                gitBranch, actor, author, place, grants, groups, prLife, access.credentialHoursOrDefault());
    }

    /** Whether the login is given: the policy names at least one group for the actor here. */
    public boolean granted() {
        return !groups.isEmpty();
    }

    /** The rule a refusal names. */
    public Rule rule() {
        return Rule.PERMISSIONS_NO_ACCESS;
    }

    /** When the login stops working: {@code now} plus the policy's credential hours; null for a bot's on a PR's copy (the PR's life). */
    public Instant validUntil(Instant now) {
        return forThePullRequestsLife ? null : now.plus(Duration.ofHours(hours));
    }

    /** What is wrong, in one sentence naming the actor, the branch and what the policy grants there. */
    public String refusal(String repoPath) {
        String who = actor.id() + " (" + actor.actorClass().wireName() + ")";
        if (place == null) {
            return who + " gets no login on " + gitBranch + " of " + repoPath
                    + ": it is neither a tier nor of a working-branch type" + " of the policy on the default branch";
        }
        String given = grants.isEmpty()
                ? "no group to anyone"
                : grants.stream().map(g -> g.group() + " to " + g.describe()).collect(Collectors.joining("; "));
        return who + " gets no login on " + gitBranch + " (" + place + ") of " + repoPath
                + ": database_access gives there " + given;
    }

    /** What to do about a refusal. */
    public String fix() {
        if (place == null) {
            return "ask for a branch the policy knows (a tier or a working branch of one of its types)";
        }
        return "ask for a branch where the policy grants you a group, or have database_access changed for "
                + (place.startsWith("a pull request's copy") ? "ci" : place.replace("working branch of type", "type"))
                + " in .tiergate/policy.yaml on the default branch (a reviewed change like any other)";
    }
}
