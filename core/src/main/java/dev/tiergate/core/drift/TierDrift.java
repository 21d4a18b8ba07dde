package dev.tiergate.core.drift;

import dev.tiergate.core.drift.DriftFinding.Kind;
import dev.tiergate.core.schema.SchemaSnapshot;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Drift as a pure function of what was read: the schema a tier's applied migrations build against its live schema
 * (each difference with the DDL that reproduces it), its history against the repository, and its history against its
 * parent tier's. Findings already accepted ({@code tiergate drift accept}) are left out by {@link #unaccepted}.
 */
public final class TierDrift {
    private TierDrift() {}

    /** What the live schema has that the history-built one has not, and the reverse, with the DDL that makes it so. */
    public static List<DriftFinding> schema(SchemaSnapshot expected, SchemaSnapshot live) {
        List<DriftFinding> out = new ArrayList<>();
        for (String t : union(expected.tables().keySet(), live.tables().keySet())) {
            SchemaSnapshot.Table was = expected.tables().get(t);
            SchemaSnapshot.Table is = live.tables().get(t);
            if (was == null) {
                List<String> cols = new ArrayList<>();
                is.columns().entrySet().stream()
                        .sorted(Map.Entry.comparingByKey())
                        .forEach(c ->
                                cols.add(quote(c.getKey()) + " " + c.getValue().describe()));
                out.add(schema(
                        "table " + t, "made by hand", "CREATE TABLE " + t + " (" + String.join(", ", cols) + ");"));
                is.indexes().forEach((n, def) -> out.add(schema("index " + t + "." + n, "made by hand", def + ";")));
                continue;
            }
            if (is == null) {
                out.add(schema("table " + t, "dropped by hand", "DROP TABLE " + t + ";"));
                continue;
            }
            columns(out, t, was.columns(), is.columns());
            for (String n : union(was.indexes().keySet(), is.indexes().keySet())) {
                String a = was.indexes().get(n);
                String b = is.indexes().get(n);
                String drop = "DROP INDEX " + schemaOf(t) + "." + quote(n) + ";";
                if (a == null) {
                    out.add(schema("index " + t + "." + n, "made by hand: " + b, b + ";"));
                } else if (b == null) {
                    out.add(schema("index " + t + "." + n, "dropped by hand: " + a, drop));
                } else if (!a.equals(b)) {
                    out.add(schema("index " + t + "." + n, a + " -> " + b, drop + " " + b + ";"));
                }
            }
            for (String n : union(was.constraints().keySet(), is.constraints().keySet())) {
                String a = was.constraints().get(n);
                String b = is.constraints().get(n);
                String drop = "ALTER TABLE " + t + " DROP CONSTRAINT " + quote(n) + ";";
                String add = "ALTER TABLE " + t + " ADD CONSTRAINT " + quote(n) + " " + b + ";";
                if (a == null) {
                    out.add(schema("constraint " + t + "." + n, "made by hand: " + b, add));
                } else if (b == null) {
                    out.add(schema("constraint " + t + "." + n, "dropped by hand: " + a, drop));
                } else if (!a.equals(b)) {
                    out.add(schema("constraint " + t + "." + n, a + " -> " + b, drop + " " + add));
                }
            }
        }
        for (String key : union(expected.objects().keySet(), live.objects().keySet())) {
            String a = expected.objects().get(key);
            String b = live.objects().get(key);
            int space = key.indexOf(' ');
            String kind = key.substring(0, space);
            String drop = "DROP " + kind.toUpperCase(java.util.Locale.ROOT) + " " + key.substring(space + 1) + ";";
            if (a == null) {
                out.add(schema(key, "made by hand", b + ";"));
            } else if (b == null) {
                out.add(schema(key, "dropped by hand", drop));
            } else if (!a.equals(b)) {
                boolean replaceable = kind.equals("view") || kind.equals("function");
                out.add(schema(key, "changed by hand", replaceable ? b + ";" : drop + " " + b + ";"));
            }
        }
        return out;
    }

    private static void columns(
            List<DriftFinding> out,
            String t,
            Map<String, SchemaSnapshot.Column> was,
            Map<String, SchemaSnapshot.Column> is) {
        for (String n : union(was.keySet(), is.keySet())) {
            SchemaSnapshot.Column a = was.get(n);
            SchemaSnapshot.Column b = is.get(n);
            String what = "column " + t + "." + n;
            String alter = "ALTER TABLE " + t + " ";
            if (a == null) {
                out.add(schema(
                        what,
                        "added by hand: " + b.describe(),
                        alter + "ADD COLUMN " + quote(n) + " " + b.describe() + ";"));
            } else if (b == null) {
                out.add(schema(what, "dropped by hand: " + a.describe(), alter + "DROP COLUMN " + quote(n) + ";"));
            } else if (!a.equals(b)) {
                List<String> ddl = new ArrayList<>();
                String col = alter + "ALTER COLUMN " + quote(n) + " ";
                if (!a.type().equals(b.type())) {
                    ddl.add(col + "TYPE " + b.type() + ";");
                }
                if (!java.util.Objects.equals(a.defaultValue(), b.defaultValue())) {
                    ddl.add(col
                            + (b.defaultValue() == null ? "DROP DEFAULT;" : "SET DEFAULT " + b.defaultValue() + ";"));
                }
                if (a.nullable() != b.nullable()) {
                    ddl.add(col + (b.nullable() ? "DROP NOT NULL;" : "SET NOT NULL;"));
                }
                out.add(schema(what, a.describe() + " -> " + b.describe(), String.join(" ", ddl)));
            }
        }
    }

    /**
     * The tier's history against the repository at the tier's head, as Flyway's validation says it: an applied
     * version with no file ("database ahead of code"), a file edited after it was applied, a failed entry.
     */
    public static List<DriftFinding> history(String tierBranch, List<HistoryProblem> problems) {
        List<DriftFinding> out = new ArrayList<>();
        for (HistoryProblem p : problems) {
            switch (p.kind()) {
                case NO_FILE ->
                    out.add(new DriftFinding(
                            Kind.HISTORY,
                            "version " + p.version(),
                            "applied on the tier, but " + tierBranch + " has no file of it",
                            "restore " + (p.script() == null ? "its file" : p.script()) + " on " + tierBranch
                                    + " (a migration is never deleted once applied)"));
                case EDITED ->
                    out.add(new DriftFinding(
                            Kind.HISTORY,
                            "version " + p.version(),
                            (p.script() == null ? "its file" : p.script()) + " was edited after it was applied",
                            "restore the file as it was applied; change the schema with a new migration"));
                case FAILED ->
                    out.add(new DriftFinding(
                            Kind.HISTORY,
                            "version " + p.version(),
                            "recorded as failed on the tier",
                            "mend the tier by hand or roll it back (tiergate rollback), then remove the failed entry"));
            }
        }
        return out;
    }

    /** One history problem, as the server's reader classified Flyway's validation. */
    public record HistoryProblem(Problem kind, String version, String script) {
        public enum Problem {
            NO_FILE,
            EDITED,
            FAILED
        }
    }

    /**
     * Versions applied on the parent tier that this tier lacks: a hotfix merged into the parent and never carried down
     * (the fix: a back-merge PR from the parent's branch into this tier's).
     */
    public static List<DriftFinding> order(
            String tier,
            String tierBranch,
            String parent,
            String parentBranch,
            Set<String> parentApplied,
            Set<String> tierApplied) {
        List<DriftFinding> out = new ArrayList<>();
        for (String v : new TreeSet<>(parentApplied)) {
            if (!tierApplied.contains(v)) {
                out.add(new DriftFinding(
                        Kind.ORDER,
                        "version " + v,
                        "applied on " + parent + " but not on " + tier,
                        "open a pull request from " + parentBranch + " into " + tierBranch + " (a back-merge)"));
            }
        }
        return out;
    }

    /** The findings not accepted yet: an accepted finding stays accepted only while it is exactly the same. */
    public static List<DriftFinding> unaccepted(List<DriftFinding> found, Collection<String> acceptedKeys) {
        Set<String> accepted = Set.copyOf(acceptedKeys);
        return found.stream().filter(f -> !accepted.contains(f.key())).toList();
    }

    private static DriftFinding schema(String what, String detail, String ddl) {
        return new DriftFinding(Kind.SCHEMA, what, detail, ddl);
    }

    private static TreeSet<String> union(Collection<String> a, Collection<String> b) {
        TreeSet<String> out = new TreeSet<>(a);
        out.addAll(b);
        return out;
    }

    private static String schemaOf(String qualifiedTable) {
        int dot = qualifiedTable.indexOf('.');
        return dot < 0 ? "public" : qualifiedTable.substring(0, dot);
    }

    /** A name as PostgreSQL would need it: quoted unless it is plain lower case. */
    static String quote(String name) {
        return name.matches("[a-z_][a-z0-9_$]*") ? name : "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
