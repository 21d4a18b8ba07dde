package dev.tiergate.server.audit;

import java.util.Optional;

/**
 * What an audit record says happened. One constant per kind, so a new kind is one line here with its meaning, and
 * {@code docs/operations.md} lists each (AuditKindsDocumentedTest); the store and the export keep the wire name.
 */
public enum AuditKind {
    DELIVERY("delivery", "a webhook delivery was acknowledged (written with its inbox row, in one transaction)"),
    TRANSITION("transition", "a branch moved to another workflow state"),
    STATUS("status", "a commit status or check was posted to the forge, or an external status check answered"),
    REFUSAL("refusal", "the gate refused something: a PR's status, a policy that does not validate, a tier it holds"),
    VIOLATION(
            "violation",
            "something happened that the gate had refused: a merge without success, a merge's migrations that failed on the tier"),
    REVIEW_REQUESTED(
            "review.requested",
            "tiergate asked the forge for the reviews an approval rule needs (or the forge refused; the record says so)"),
    DRIFT_FOUND("drift.found", "a drift pass found a tier no longer is what its migrations say (or the drift changed)"),
    DRIFT_CLEARED(
            "drift.cleared", "a tier found drifted is what its migrations say again (fixed by a migration or by hand)"),
    DRIFT_ACCEPTED(
            "drift.accepted",
            "a tier's drift was accepted as its new baseline (tiergate drift accept), with the reason"),
    REHEARSAL("rehearsal", "a PR's or a merge group's migrations were rehearsed on a copy of the target tier"),
    BRANCH_CREATE("branch.create", "a database branch was created (a tier, a working branch, a PR's ci-pr-N)"),
    BRANCH_DELETE("branch.delete", "a database branch was deleted"),
    BRANCH_RESET("branch.reset", "a working branch's database was made again from its tier"),
    BRANCH_MIGRATE("branch.migrate", "a working branch's database followed a push"),
    BRANCH_FOLLOW_AGAIN(
            "branch.follow-again",
            "the reconcile pass asked again for a working branch's follow that had failed for good"),
    TIER_SEED("tier.seed", "a tier was loaded from the policy's seed"),
    TIER_MIGRATE("tier.migrate", "a tier's migrations were applied (set-up or a merge)"),
    TIER_ROLLBACK("tier.rollback", "a tier was restored from its snapshot by tiergate rollback"),
    TIER_RELEASE("tier.release", "a held tier was released"),
    GRANTS_APPLIED("grants.applied", "the policy's database access was applied to a tier by tiergate grants apply"),
    GRANTS_REPAIRED(
            "grants.repaired",
            "privileges that differed from the policy were put back (a tier that does not say drift: hold)"),
    GRANTS_DRIFTED("grants.drifted", "privileges differ from the policy and the tier is held (drift: hold)"),
    GRANTS_CLEARED("grants.cleared", "a tier held for privilege drift matches the policy again"),
    GRANTS_FAILED("grants.failed", "the policy's privileges could not be applied after a tier moved"),
    CREDENTIAL_ISSUED("credential.issued", "an actor was given its own login on a branch"),
    CREDENTIAL_REFUSED("credential.refused", "an actor asked for a login the policy does not give it"),
    TOKEN_CREATED("token.created", "an actor's API token was created"),
    TOKEN_REVOKED("token.revoked", "an actor's API token was revoked"),
    MASKING_RUN("masking.run", "a source tier's masked copy was made again, every rule applied and verified"),
    MASKING_FAILED(
            "masking.run-failed",
            "a source tier's masked copy could not be made or verified: the rule and column; the last good copy is kept"),
    MASKING_WAIVED(
            "masking.waived",
            "a PR added a personal-looking column with a tiergate:not-personal waiver (the column, the reason)"),
    AGENT_ASK(
            "agent.ask",
            "a transition was asked through tiergate's CLI or MCP server (pr, merge): the actor, the head and the answer");

    private final String wireName;
    private final String meaning;

    AuditKind(String wireName, String meaning) {
        this.wireName = wireName;
        this.meaning = meaning;
    }

    /** As stored and exported. */
    public String wireName() {
        return wireName;
    }

    public String meaning() {
        return meaning;
    }

    public static Optional<AuditKind> ofWireName(String name) {
        for (AuditKind k : values()) {
            if (k.wireName.equals(name)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
