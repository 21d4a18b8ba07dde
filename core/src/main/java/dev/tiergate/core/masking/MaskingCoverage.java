package dev.tiergate.core.masking;

import dev.tiergate.core.policy.Masking;
import dev.tiergate.core.schema.SchemaSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code masking.column-unruled}: the columns a PR's migrations add (from the rehearsal's schema before and after, so
 * any syntax that makes a column counts) that look like personal data, with no masking rule for them in the base's
 * policy or the PR's own, and no waiver in the PR's migrations. A pure function; the rehearsal applies it.
 */
public final class MaskingCoverage {
    /** {@code -- tiergate:not-personal <table>.<column> <why>}: a column that only looks personal, and why. */
    static final Pattern WAIVER = Pattern.compile(
            "--\\s*tiergate:not-personal\\s+([A-Za-z_][A-Za-z0-9_$]*(?:\\.[A-Za-z_][A-Za-z0-9_$]*){1,2})\\s+(\\S.{0,300})");

    private MaskingCoverage() {}

    /** A personal-looking column the PR adds: where, its type, why it looks personal, and its waiver's reason if any. */
    public record Column(String table, String column, String type, String why, String waiver) {
        public String where() {
            return table + "." + column;
        }
    }

    /** Every waiver in {@code sql}: {@code schema.table.column} (public when unnamed) → its reason. */
    public static Map<String, String> waivers(String sql) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = WAIVER.matcher(sql);
        while (m.find()) {
            String[] parts = m.group(1).toLowerCase(Locale.ROOT).split("\\.");
            String key = parts.length == 3 ? String.join(".", parts) : "public." + parts[0] + "." + parts[1];
            out.put(key, m.group(2).strip());
        }
        return out;
    }

    /**
     * The personal-looking columns in {@code after} that {@code before} lacks and no rule of {@code rules} covers;
     * each waived one carries its reason (the caller audits it and lets it pass).
     */
    public static List<Column> uncovered(
            SchemaSnapshot before,
            SchemaSnapshot after,
            List<Masking.Rule> rules,
            List<String> personalData,
            Map<String, String> waivers) {
        List<Column> out = new ArrayList<>();
        after.tables().forEach((table, t) -> {
            SchemaSnapshot.Table was = before.tables().get(table);
            t.columns().forEach((column, c) -> {
                if (was != null && was.columns().containsKey(column)) {
                    return;
                }
                Optional<String> why = PersonalData.why(column, c.type(), personalData);
                if (why.isEmpty() || rules.stream().anyMatch(r -> r.covers(table, column))) {
                    return;
                }
                String key = Masking.qualified(table) + "." + column.toLowerCase(Locale.ROOT);
                out.add(new Column(table, column, c.type(), why.get(), waivers.get(key)));
            });
        });
        return out;
    }
}
