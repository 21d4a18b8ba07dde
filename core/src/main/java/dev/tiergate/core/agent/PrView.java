package dev.tiergate.core.agent;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * The server's view of one pull (merge) request, as {@code GET /api/v1/repos/{owner}/{repo}/pulls/{n}} answers it and
 * {@code tiergate status --json} prints it (state-schemas/schemas/cli-status.schema.json): its workflow state and head,
 * both verdicts on that head with the rule, what it means and the fix, the reviews the policy asks for, and, once
 * merged, what became of its migrations on the tier. {@code version} changes whenever anything else does (the
 * long-poll's {@code since}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record PrView(
        String repo,
        long number,
        String headBranch,
        String baseTier,
        String state,
        String headSha,
        Check workflow,
        Check migrations,
        List<Review> reviews,
        Merge merge,
        String link,
        String version) {

    public PrView {
        reviews = reviews == null ? List.of() : List.copyOf(reviews);
    }

    /** One status on a head: success, pending, failure, or none (not posted yet). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Check(String state, String sha, String rule, String meaning, String fix, String description) {
        public static final String SUCCESS = "success";
        public static final String PENDING = "pending";
        public static final String FAILURE = "failure";
        public static final String NONE = "none";

        public static Check none() {
            return new Check(NONE, null, null, null, null, null);
        }

        /** Whether this check says {@code state} of {@code head}. */
        public boolean is(String wanted, String head) {
            return wanted.equals(state) && head != null && head.equals(sha);
        }
    }

    /** An approval rule's demand: how many approvals, from which role or team, who can give one, and why. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Review(
            String rule, int approvals, String from, List<String> reviewers, List<String> teams, String why) {
        public Review {
            reviewers = reviewers == null ? List.of() : List.copyOf(reviewers);
            teams = teams == null ? List.of() : List.copyOf(teams);
        }
    }

    /**
     * A merged PR's migrations on its tier: {@code pending}, {@code applied}, {@code nothing} (none to apply),
     * {@code failed} (restored and held) or {@code held} (the tier drifted); with the hold's reason and the command
     * that rolls the tier back.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Merge(String migration, String tier, String detail, String rollback) {
        public boolean migrated() {
            return migration.equals("applied") || migration.equals("nothing");
        }

        public boolean failed() {
            return migration.equals("failed") || migration.equals("held");
        }
    }

    public boolean merged() {
        return merge != null;
    }
}
