package dev.tiergate.core.migration;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The named database refactorings of Scott Ambler and Pramod Sadalage's catalog ("Refactoring Databases:
 * Evolutionary Database Design", 2006), by category, plus the plain aliases people write ("Add Column" for
 * "Introduce New Column"). Matching ignores case and repeated spaces.
 */
public final class RefactoringCatalog {
    private static final Map<String, List<String>> BY_CATEGORY = new LinkedHashMap<>();

    static {
        BY_CATEGORY.put(
                "structural",
                List.of(
                        "Drop Column",
                        "Drop Table",
                        "Drop View",
                        "Introduce Calculated Column",
                        "Introduce Surrogate Key",
                        "Merge Columns",
                        "Merge Tables",
                        "Move Column",
                        "Rename Column",
                        "Rename Table",
                        "Rename View",
                        "Replace LOB With Table",
                        "Replace Column",
                        "Replace One-To-Many With Associative Table",
                        "Replace Surrogate Key With Natural Key",
                        "Split Column",
                        "Split Table"));
        BY_CATEGORY.put(
                "data quality",
                List.of(
                        "Add Lookup Table",
                        "Apply Standard Codes",
                        "Apply Standard Type",
                        "Consolidate Key Strategy",
                        "Drop Column Constraint",
                        "Drop Default Value",
                        "Drop Non-Nullable",
                        "Introduce Column Constraint",
                        "Introduce Common Format",
                        "Introduce Default Value",
                        "Make Column Non-Nullable",
                        "Move Data",
                        "Replace Type Code With Property Flags"));
        BY_CATEGORY.put(
                "referential integrity",
                List.of(
                        "Add Foreign Key Constraint",
                        "Add Trigger For Calculated Column",
                        "Drop Foreign Key Constraint",
                        "Introduce Cascading Delete",
                        "Introduce Hard Delete",
                        "Introduce Soft Delete",
                        "Introduce Trigger For History"));
        BY_CATEGORY.put(
                "architectural",
                List.of(
                        "Add CRUD Methods",
                        "Add Mirror Table",
                        "Add Read Method",
                        "Encapsulate Table With View",
                        "Introduce Calculation Method",
                        "Introduce Index",
                        "Introduce Read-Only Table",
                        "Migrate Method From Database",
                        "Migrate Method To Database",
                        "Replace Method(s) With View",
                        "Replace View With Method(s)",
                        "Use Official Data Source"));
        BY_CATEGORY.put(
                "method",
                List.of(
                        "Add Parameter",
                        "Parameterize Method",
                        "Remove Parameter",
                        "Rename Method",
                        "Reorder Parameters",
                        "Replace Parameter With Explicit Methods",
                        "Consolidate Conditional Expression",
                        "Decompose Conditional",
                        "Extract Method",
                        "Introduce Variable",
                        "Replace Literal With Table Lookup",
                        "Replace Nested Conditional With Guard Clauses",
                        "Split Temporary Variable",
                        "Substitute Algorithm"));
        BY_CATEGORY.put(
                "transformation",
                List.of("Insert Data", "Introduce New Column", "Introduce New Table", "Introduce View", "Update Data"));
        // What people write for catalog entries whose book title differs.
        BY_CATEGORY.put(
                "alias",
                List.of(
                        "Add Column",
                        "Add Table",
                        "Add View",
                        "Add Index",
                        "Drop Index",
                        "Drop Non-Nullable Constraint",
                        "Replace Method With View",
                        "Replace Methods With View",
                        "Replace View With Method",
                        "Replace View With Methods",
                        "Delete Data"));
    }

    private static final Map<String, String> BY_KEY = new LinkedHashMap<>();

    static {
        BY_CATEGORY.values().forEach(names -> names.forEach(n -> BY_KEY.put(key(n), n)));
    }

    private RefactoringCatalog() {}

    /** Every accepted name, in catalog order. */
    public static Set<String> names() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(BY_KEY.values()));
    }

    /** Category (structural, data quality, referential integrity, architectural, method, transformation, alias) → names. */
    public static Map<String, List<String>> byCategory() {
        return Collections.unmodifiableMap(BY_CATEGORY);
    }

    public static boolean contains(String name) {
        return canonical(name).isPresent();
    }

    /** The catalog's spelling of a name written in any case or spacing. */
    public static Optional<String> canonical(String name) {
        return Optional.ofNullable(BY_KEY.get(key(name)));
    }

    /** The nearest catalog name by edit distance, when it is close enough to be a typo. */
    public static Optional<String> closest(String name) {
        String k = key(name);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Map.Entry<String, String> e : BY_KEY.entrySet()) {
            int d = distance(k, e.getKey());
            if (d < bestDistance) {
                bestDistance = d;
                best = e.getValue();
            }
        }
        return bestDistance <= Math.max(2, k.length() / 4) ? Optional.ofNullable(best) : Optional.empty();
    }

    private static String key(String name) {
        return name.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
