package dev.tiergate.core.policy;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Set;

/**
 * A kind of short-lived branch ({@code feature/*}, {@code hotfix/*}, ...) that forks from and merges
 * into its {@code target} tier. A {@code hotfix} type may target a tier above the entry tier. {@code pattern} is one
 * glob or a list of them, e.g. {@code ["feature/*", "feature-*"]} for tiergate's and the Lakebase kit's naming; the
 * first is the one {@code tiergate claim} names new branches after.
 */
public record WorkingBranchType(
        @JsonProperty("name") String name,

        @JsonProperty("pattern")
        @JsonFormat(
                with = {
                    JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY,
                    JsonFormat.Feature.WRITE_SINGLE_ELEM_ARRAYS_UNWRAPPED
                })
        List<String> patterns,

        @JsonProperty("target") String target,
        @JsonProperty("actors") Set<ActorClass> actors,
        @JsonProperty("hotfix") boolean hotfix) {

    public WorkingBranchType {
        patterns = patterns == null ? List.of() : List.copyOf(patterns);
        actors = actors == null || actors.isEmpty() ? Set.of(ActorClass.values()) : Set.copyOf(actors);
    }

    public WorkingBranchType(String name, String pattern, String target, Set<ActorClass> actors, boolean hotfix) {
        this(name, List.of(pattern), target, actors, hotfix);
    }

    /** The first pattern: the one new branches of this type are named after. */
    public String pattern() {
        return patterns.isEmpty() ? "" : patterns.get(0);
    }

    /** The branch {@code tiergate claim <featureId>} makes for this type. */
    public String branchFor(String featureId) {
        return pattern().replace("*", featureId);
    }

    /** Glob match where {@code *} matches any run of characters, including {@code /}; any pattern may match. */
    public boolean matches(String gitBranch) {
        return patterns.stream().anyMatch(p -> globMatches(p, 0, gitBranch, 0));
    }

    /** The part of the branch name the {@code *} of the matching pattern stands for ({@code feature/F1} -> {@code F1}). */
    public String featureIdOf(String gitBranch) {
        for (String p : patterns) {
            int star = p.indexOf('*');
            if (star >= 0 && p.indexOf('*', star + 1) < 0 && globMatches(p, 0, gitBranch, 0)) {
                return gitBranch.substring(star, gitBranch.length() - (p.length() - star - 1));
            }
        }
        return gitBranch;
    }

    private static boolean globMatches(String glob, int g, String text, int t) {
        while (g < glob.length()) {
            char c = glob.charAt(g);
            if (c == '*') {
                for (int k = t; k <= text.length(); k++) {
                    if (globMatches(glob, g + 1, text, k)) {
                        return true;
                    }
                }
                return false;
            }
            if (t >= text.length() || text.charAt(t) != c) {
                return false;
            }
            g++;
            t++;
        }
        return t == text.length();
    }
}
