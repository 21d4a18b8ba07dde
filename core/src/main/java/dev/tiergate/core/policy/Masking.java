package dev.tiergate.core.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tiergate.core.masking.MaskingMethod;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The policy's {@code masking}: which tiers hold real personal data ({@code source_tiers}, default the root tier), the
 * rule for each personal column, and what a pull request that adds an unruled personal-looking column meets
 * ({@code default: fail}, or {@code warn}). Every copy made from a source tier for anyone else — a child tier, a
 * working branch, a PR's {@code ci-pr-<N>} — is made from a masked copy of it, never from the tier itself.
 */
public record Masking(
        @JsonProperty("source_tiers") List<String> sourceTiers,
        @JsonProperty("rules") List<Rule> rules,
        @JsonProperty("default") String onUnruled,

        @JsonProperty("personal_data") @JsonInclude(JsonInclude.Include.NON_EMPTY)
        List<String> personalData) {

    public static final String FAIL = "fail";
    public static final String WARN = "warn";

    public Masking {
        sourceTiers = sourceTiers == null ? List.of() : List.copyOf(sourceTiers);
        rules = rules == null ? List.of() : List.copyOf(rules);
        onUnruled = onUnruled == null ? FAIL : onUnruled;
        personalData = personalData == null ? List.of() : List.copyOf(personalData);
    }

    /** One column's rule: {@code table} (optionally {@code schema.table}), {@code column}, {@code method}. */
    public record Rule(
            @JsonProperty("table") String table,
            @JsonProperty("column") String column,
            @JsonProperty("method") String method) {

        /** The method, parsed (the validator refuses a policy whose method names none). */
        public Optional<MaskingMethod> parsed() {
            return MaskingMethod.parse(method);
        }

        /** {@code schema.table.column} as a rule names it, {@code public} when no schema is given. */
        public String where() {
            return qualified(table) + "." + column;
        }

        public boolean covers(String tableName, String columnName) {
            return qualified(table).equalsIgnoreCase(qualified(tableName)) && column.equalsIgnoreCase(columnName);
        }
    }

    /** {@code public.t} for {@code t}; a qualified name as it is. */
    public static String qualified(String table) {
        String t = table.toLowerCase(Locale.ROOT);
        return t.contains(".") ? t : "public." + t;
    }

    /** The tiers whose data is real: {@code source_tiers}, or the root tier when it names none. */
    public List<String> sources(Policy policy) {
        if (!sourceTiers.isEmpty()) {
            return sourceTiers;
        }
        return policy.rootTier().map(t -> List.of(t.name())).orElse(List.of());
    }

    public Optional<Rule> ruleFor(String table, String column) {
        return rules.stream().filter(r -> r.covers(table, column)).findFirst();
    }
}
