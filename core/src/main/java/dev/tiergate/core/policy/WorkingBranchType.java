package dev.tiergate.core.policy;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Set;

/**
 * A kind of short-lived branch ({@code feature/*}, {@code hotfix/*}, ...) that forks from and merges
 * into its {@code target} tier. A {@code hotfix} type may target a tier above the entry tier.
 */
public record WorkingBranchType(
        @JsonProperty("name") String name,
        @JsonProperty("pattern") String pattern,
        @JsonProperty("target") String target,
        @JsonProperty("actors") Set<ActorClass> actors,
        @JsonProperty("hotfix") boolean hotfix) {

    public WorkingBranchType {
        actors = actors == null || actors.isEmpty() ? Set.of(ActorClass.values()) : Set.copyOf(actors);
    }

    /** Glob match where {@code *} matches any run of characters, including {@code /}. */
    public boolean matches(String gitBranch) {
        return globMatches(pattern, 0, gitBranch, 0);
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
