package dev.tiergate.core.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** What a migrated branch has that its base tier has not, and the reverse: one line per difference. */
public final class SchemaDiff {
    private SchemaDiff() {}

    /** One difference: {@code +} added, {@code -} dropped, {@code ~} changed; {@code what} names it, {@code detail} says how. */
    public record Change(char sign, String what, String detail) {
        public String render() {
            return sign + " " + what + (detail == null || detail.isEmpty() ? "" : ": " + detail);
        }
    }

    public static List<Change> between(SchemaSnapshot base, SchemaSnapshot head) {
        List<Change> out = new ArrayList<>();
        TreeSet<String> names = new TreeSet<>(base.tables().keySet());
        names.addAll(head.tables().keySet());
        for (String t : names) {
            SchemaSnapshot.Table b = base.tables().get(t);
            SchemaSnapshot.Table h = head.tables().get(t);
            if (b == null) {
                out.add(new Change(
                        '+',
                        "table " + t,
                        String.join(
                                ", ",
                                h.columns().keySet().stream()
                                        .sorted()
                                        .map(c -> c + " " + h.columns().get(c).describe())
                                        .toList())));
                continue;
            }
            if (h == null) {
                out.add(new Change('-', "table " + t, null));
                continue;
            }
            compare(out, "column " + t + ".", b.columns(), h.columns());
            compareText(out, "index " + t + ".", b.indexes(), h.indexes());
            compareText(out, "constraint " + t + ".", b.constraints(), h.constraints());
        }
        return out;
    }

    private static void compare(
            List<Change> out,
            String prefix,
            Map<String, SchemaSnapshot.Column> b,
            Map<String, SchemaSnapshot.Column> h) {
        TreeSet<String> names = new TreeSet<>(b.keySet());
        names.addAll(h.keySet());
        for (String n : names) {
            SchemaSnapshot.Column x = b.get(n);
            SchemaSnapshot.Column y = h.get(n);
            if (x == null) {
                out.add(new Change('+', prefix + n, y.describe()));
            } else if (y == null) {
                out.add(new Change('-', prefix + n, x.describe()));
            } else if (!x.equals(y)) {
                out.add(new Change('~', prefix + n, x.describe() + " -> " + y.describe()));
            }
        }
    }

    private static void compareText(List<Change> out, String prefix, Map<String, String> b, Map<String, String> h) {
        TreeSet<String> names = new TreeSet<>(b.keySet());
        names.addAll(h.keySet());
        for (String n : names) {
            String x = b.get(n);
            String y = h.get(n);
            if (x == null) {
                out.add(new Change('+', prefix + n, y));
            } else if (y == null) {
                out.add(new Change('-', prefix + n, x));
            } else if (!x.equals(y)) {
                out.add(new Change('~', prefix + n, x + " -> " + y));
            }
        }
    }
}
