package dev.tiergate.core.access;

import dev.tiergate.core.policy.DatabaseAccess;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a branch's privileges should be, from the policy's groups and what the database holds, and how they differ
 * from what is in place: every privilege a group of the policy should hold and does not ({@code missing}), and
 * every privilege held by a group, PUBLIC or any role tiergate does not know ({@code extra}: a hand-run
 * {@code GRANT SELECT … TO PUBLIC}). tiergate's own roles and actors' logins hold what tiergate gave them and are not
 * judged here. Pure: no database.
 */
public final class GrantDrift {
    private GrantDrift() {}

    /** The difference: nothing in either list when the database is as the policy says. */
    public record Diff(List<Privilege> missing, List<Privilege> extra) {
        public boolean none() {
            return missing.isEmpty() && extra.isEmpty();
        }
    }

    /**
     * The privileges {@code groups} give on what {@code held} holds: what the backends' {@code applyAccess} grants, no
     * more. Only a group's table privileges ({@link DatabaseAccess#TABLE_PRIVILEGES}) are granted, and a group with
     * none gets nothing (no USAGE, no sequences); a table not written {@code schema.table} is no table.
     */
    public static Set<Privilege> expected(List<DatabaseAccess.Group> groups, AccessSnapshot held) {
        Set<Privilege> out = new TreeSet<>();
        for (DatabaseAccess.Group g : groups) {
            String who = Privilege.group(g.name());
            List<String> tablePrivileges = g.tablePrivileges().stream()
                    .map(p -> p.toUpperCase(Locale.ROOT))
                    .toList();
            if (tablePrivileges.isEmpty()) {
                continue; // the backends make its role and grant it nothing
            }
            List<String> sequencePrivileges = g.writes() ? List.of("SELECT", "UPDATE", "USAGE") : List.of("SELECT");
            Set<String> schemas = new TreeSet<>();
            if (g.everySchema()) {
                schemas.addAll(held.schemas());
            } else {
                g.schemas().stream().filter(held.schemas()::contains).forEach(schemas::add);
            }
            for (String s : schemas) {
                out.add(new Privilege(who, Privilege.Kind.SCHEMA, s, "USAGE"));
                for (String t : held.tables().getOrDefault(s, List.of())) {
                    tablePrivileges.forEach(p -> out.add(new Privilege(who, Privilege.Kind.TABLE, s + "." + t, p)));
                }
                for (String q : held.sequences().getOrDefault(s, List.of())) {
                    sequencePrivileges.forEach(
                            p -> out.add(new Privilege(who, Privilege.Kind.SEQUENCE, s + "." + q, p)));
                }
            }
            for (String qualified : g.tables()) {
                int dot = qualified.indexOf('.');
                if (dot < 0) {
                    continue; // the backends skip it too; the policy's validation refuses it (policy.access.values)
                }
                String s = qualified.substring(0, dot);
                if (held.tables().getOrDefault(s, List.of()).contains(qualified.substring(dot + 1))) {
                    out.add(new Privilege(who, Privilege.Kind.SCHEMA, s, "USAGE"));
                    tablePrivileges.forEach(p -> out.add(new Privilege(who, Privilege.Kind.TABLE, qualified, p)));
                }
            }
        }
        return out;
    }

    /** The difference between what the policy's groups should hold and what is in place. */
    public static Diff between(List<DatabaseAccess.Group> groups, AccessSnapshot held) {
        Set<Privilege> want = expected(groups, held);
        Set<Privilege> judged = new TreeSet<>();
        for (Privilege p : held.privileges()) {
            if (!p.grantee().startsWith("tiergate:") && !p.grantee().startsWith("login:")) {
                judged.add(p);
            }
        }
        List<Privilege> missing = want.stream().filter(p -> !judged.contains(p)).toList();
        List<Privilege> extra = judged.stream().filter(p -> !want.contains(p)).toList();
        return new Diff(missing, extra);
    }
}
