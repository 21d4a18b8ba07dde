package dev.tiergate.core.policy;

import static dev.tiergate.core.policy.PolicyValidator.MASKING;

import dev.tiergate.core.masking.MaskingMethod;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The policy's {@code masking}, masking that can be applied: known methods, existing source tiers, one rule per
 * column.
 */
final class MaskingSection {
    private MaskingSection() {}

    static void check(PolicyProblems problems) {
        Policy p = problems.policy();
        Masking m = p.masking();
        if (m == null) {
            return;
        }
        for (int i = 0; i < m.sourceTiers().size(); i++) {
            String t = m.sourceTiers().get(i);
            if (p.tier(t).isEmpty()) {
                problems.refuse(
                        MASKING,
                        "/masking/source_tiers/" + i,
                        "masking names source tier '" + t + "', which is not a tier",
                        "name tiers from " + problems.tierNames());
            }
        }
        if (!m.onUnruled().equals(Masking.FAIL) && !m.onUnruled().equals(Masking.WARN)) {
            problems.refuse(
                    MASKING, "/masking/default", "masking.default is '" + m.onUnruled() + "'", "use fail or warn");
        }
        Set<String> ruled = new HashSet<>();
        for (int i = 0; i < m.rules().size(); i++) {
            Masking.Rule r = m.rules().get(i);
            String at = "/masking/rules/" + i;
            if (r.table() == null || r.column() == null || r.method() == null) {
                problems.refuse(MASKING, at, "a masking rule needs table, column and method", "write all three");
                continue;
            }
            if (!r.table().matches("([A-Za-z_][A-Za-z0-9_$]{0,62}\\.)?[A-Za-z_][A-Za-z0-9_$]{0,62}")
                    || !r.column().matches("[A-Za-z_][A-Za-z0-9_$]{0,62}")) {
                problems.refuse(
                        MASKING,
                        at,
                        "masking rule " + r.table() + "." + r.column() + " is not a table and column name",
                        "name them as PostgreSQL does: letters, digits, _ and $ (table or schema.table)");
                continue;
            }
            if (!ruled.add(r.where())) {
                problems.refuse(MASKING, at, "column " + r.where() + " has two masking rules", "keep one");
            }
            Optional<MaskingMethod> method = r.parsed();
            if (method.isEmpty()) {
                problems.refuse(
                        MASKING,
                        at + "/method",
                        "masking rule " + r.where() + " names method '" + r.method() + "', which tiergate does not"
                                + " have",
                        "use one of " + MaskingMethod.KNOWN);
            } else if (method.get() instanceof MaskingMethod.Anon
                    && !p.migrations().extensions().contains("anon")) {
                problems.refuse(
                        MASKING,
                        at + "/method",
                        "masking rule " + r.where() + " uses anon(), but the policy does not name the anon"
                                + " extension",
                        "add anon to migrations.extensions, or use a built-in method");
            }
        }
        for (int i = 0; i < m.personalData().size(); i++) {
            String w = m.personalData().get(i);
            if (w.strip().length() < 2 || w.length() > 40) {
                problems.refuse(
                        MASKING,
                        "/masking/personal_data/" + i,
                        "personal_data word '" + w + "' is too short or too long",
                        "use words of 2 to 40 characters");
            }
        }
    }
}
