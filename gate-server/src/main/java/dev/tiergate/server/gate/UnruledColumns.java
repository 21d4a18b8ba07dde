package dev.tiergate.server.gate;

import dev.tiergate.core.gate.PullRequestFacts;
import dev.tiergate.core.masking.MaskingCoverage;
import dev.tiergate.core.policy.Masking;
import dev.tiergate.core.policy.Policy;
import dev.tiergate.core.policy.PolicyException;
import dev.tiergate.core.policy.PolicyReader;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.schema.SchemaSnapshot;
import dev.tiergate.core.verdict.Refusal;
import dev.tiergate.server.audit.AuditKind;
import dev.tiergate.server.audit.AuditTrail;
import dev.tiergate.server.forge.Forge;
import dev.tiergate.server.migrate.MigrationFile;
import dev.tiergate.server.repo.RepoRef;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rehearsal's masking check: the columns a PR's migrations add into a masked tier, read from the schema before and
 * after they ran (so any syntax counts), against the masking rules and the migrations' waivers. The decision is
 * {@link MaskingCoverage}'s; this reads the PR's own policy and audits each waiver.
 */
final class UnruledColumns {
    private final Forge forge;
    private final AuditTrail audit;

    UnruledColumns(Forge forge, AuditTrail audit) {
        this.forge = forge;
        this.audit = audit;
    }

    /**
     * {@code masking.column-unruled}: each column the PR's migrations add that looks like personal data needs a masking
     * rule (in the base's policy or the PR's own: a PR may bring the rule with its column) or a waiver in its
     * migrations ({@code -- tiergate:not-personal <table>.<column> <why>}, audited); else it is refused, or warned of
     * when the policy's {@code masking.default} is {@code warn}.
     */
    void judge(
            RepoRef repo,
            PullRequestFacts pr,
            Policy policy,
            List<MigrationFile> head,
            List<MigrationFile> base,
            SchemaSnapshot before,
            SchemaSnapshot after,
            List<Refusal> refusals,
            List<Refusal> warnings) {
        List<Masking.Rule> rules = new ArrayList<>(policy.masking().rules());
        try {
            forge.fileAt(repo, pr.headSha(), Policy.PATH)
                    .map(bytes -> PolicyReader.read(bytes, Policy.PATH + "@" + pr.headSha()))
                    .map(Policy::masking)
                    .ifPresent(m -> rules.addAll(m.rules()));
        } catch (PolicyException e) {
            // the PR's policy does not read: only the base's rules count (its validation is the policy rules' to say)
        }
        Set<String> basePaths = new HashSet<>();
        base.forEach(f -> basePaths.add(f.path()));
        Map<String, String> waivers = new LinkedHashMap<>();
        head.stream()
                .filter(f -> !basePaths.contains(f.path()))
                .forEach(f -> waivers.putAll(MaskingCoverage.waivers(new String(f.content(), StandardCharsets.UTF_8))));
        for (MaskingCoverage.Column c :
                MaskingCoverage.uncovered(before, after, rules, policy.masking().personalData(), waivers)) {
            if (c.waiver() != null) {
                audit.append(
                        AuditKind.MASKING_WAIVED,
                        repo,
                        "pull/" + pr.number(),
                        Map.of("column", c.where(), "reason", c.waiver(), "sha", pr.headSha()));
                continue;
            }
            Refusal r = new Refusal(
                    Rule.MASKING_COLUMN_UNRULED.id(),
                    policy.migrations().directory(),
                    "column " + c.where() + " (" + c.type() + ") looks like personal data (" + c.why()
                            + ") and no masking rule covers it",
                    "add {table: " + c.table().replaceFirst("^public\\.", "") + ", column: " + c.column()
                            + ", method: ...} to masking.rules in .tiergate/policy.yaml, or waive it in the migration:"
                            + " -- tiergate:not-personal " + c.where() + " <why>");
            (policy.masking().onUnruled().equals(Masking.WARN) ? warnings : refusals).add(r);
        }
    }
}
