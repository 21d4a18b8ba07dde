package dev.tiergate.core.policy;

import static dev.tiergate.core.policy.PolicyValidator.ACCESS_NAMES;
import static dev.tiergate.core.policy.PolicyValidator.ACCESS_VALUES;

import dev.tiergate.core.state.SchemaRefusals;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The policy's {@code database_access}: its values can reach the database ({@link AccessValues}'s words), and it names
 * only groups, tiers and working-branch types the policy has.
 */
final class DatabaseAccessSection {
    private DatabaseAccessSection() {}

    static void check(PolicyProblems problems) {
        accessValues(problems);
        accessNames(problems);
    }

    /**
     * database_access.groups hold only what reaches the database as it is: role names, table privileges, schema names,
     * schema.table. The grants' group names are judged where they are named ({@link #grantsName}).
     */
    private static void accessValues(PolicyProblems problems) {
        Policy p = problems.policy();
        DatabaseAccess a = p.databaseAccess();
        if (a == null) {
            return;
        }
        for (int i = 0; i < a.groups().size(); i++) {
            DatabaseAccess.Group g = a.groups().get(i);
            String at = "/database_access/groups/" + i;
            String field = "database_access.groups[" + i + "]";
            if (g.name() != null) {
                AccessValues.groupName(field + ".name", g.name())
                        .ifPresent(w -> problems.refuse(ACCESS_VALUES, at + "/name", w));
            }
            if (g.privileges().isEmpty()) {
                problems.refuse(
                        ACCESS_VALUES, at + "/privileges", AccessValues.noPrivileges(field + ".privileges", g.name()));
            }
            for (String privilege : g.privileges()) { // read in lower case, so not by their index in the file
                AccessValues.privilege(field + ".privileges", privilege)
                        .ifPresent(w -> problems.refuse(ACCESS_VALUES, at + "/privileges", w));
            }
            for (int j = 0; j < g.schemas().size(); j++) {
                String pointer = at + "/schemas/" + j;
                AccessValues.schema(field + ".schemas[" + j + "]", g.schemas().get(j))
                        .ifPresent(w -> problems.refuse(ACCESS_VALUES, pointer, w));
            }
            for (int j = 0; j < g.tables().size(); j++) {
                String pointer = at + "/tables/" + j;
                AccessValues.table(field + ".tables[" + j + "]", g.tables().get(j))
                        .ifPresent(w -> problems.refuse(ACCESS_VALUES, pointer, w));
            }
        }
    }

    /** database_access names only groups, tiers and types the policy has; a group holds privileges somewhere. */
    private static void accessNames(PolicyProblems problems) {
        Policy p = problems.policy();
        DatabaseAccess a = p.databaseAccess();
        if (a == null) {
            return;
        }
        Set<String> groups = new HashSet<>();
        for (int i = 0; i < a.groups().size(); i++) {
            DatabaseAccess.Group g = a.groups().get(i);
            if (!groups.add(g.name())) {
                problems.refuse(
                        ACCESS_NAMES,
                        "/database_access/groups/" + i + "/name",
                        "group '" + g.name() + "' is defined twice",
                        "keep one");
            }
            if (g.schemas().isEmpty() == g.tables().isEmpty()) {
                problems.refuse(
                        ACCESS_NAMES,
                        "/database_access/groups/" + i,
                        "group '" + g.name() + "' needs either schemas or tables, not "
                                + (g.schemas().isEmpty() ? "neither" : "both"),
                        "give it schemas: [public] (or [\"*\"]), or tables: [public.orders]");
            }
        }
        if (a.groups().isEmpty()) {
            groups.addAll(List.of(DatabaseAccess.READ.name(), DatabaseAccess.WRITE.name()));
        }
        Set<String> tiers = new HashSet<>();
        p.tiers().forEach(t -> tiers.add(t.name()));
        for (int i = 0; i < a.tiers().size(); i++) {
            DatabaseAccess.TierAccess t = a.tiers().get(i);
            if (!tiers.contains(t.tier())) {
                problems.refuse(
                        ACCESS_NAMES,
                        "/database_access/tiers/" + i + "/tier",
                        "database_access names tier '" + t.tier() + "', which the" + " policy does not have",
                        "use one of " + problems.tierNames());
            }
            grantsName(problems, groups, t.grants(), "/database_access/tiers/" + i + "/grants/");
        }
        Set<String> types = new HashSet<>(List.of(DatabaseAccess.CI));
        p.workingBranchTypes().forEach(w -> types.add(w.name()));
        for (int i = 0; i < a.working().size(); i++) {
            DatabaseAccess.WorkingAccess w = a.working().get(i);
            if (!types.contains(w.type())) {
                problems.refuse(
                        ACCESS_NAMES,
                        "/database_access/working/" + i + "/type",
                        "database_access names working-branch type '" + w.type() + "', which the policy does not have",
                        "use one of " + problems.typeNames() + " or ci");
            }
            grantsName(problems, groups, w.grants(), "/database_access/working/" + i + "/grants/");
        }
    }

    private static void grantsName(
            PolicyProblems problems, Set<String> groups, List<DatabaseAccess.Grant> grants, String at) {
        for (int j = 0; j < grants.size(); j++) {
            String g = grants.get(j).group();
            Optional<AccessValues.Wrong> wrong = g == null
                    ? Optional.empty()
                    : AccessValues.groupName(SchemaRefusals.plainName(at + j + "/group"), g);
            if (wrong.isPresent()) {
                problems.refuse(ACCESS_VALUES, at + j + "/group", wrong.get());
            } else if (!groups.contains(g)) {
                problems.refuse(
                        ACCESS_NAMES,
                        at + j + "/group",
                        "a grant names group '" + g + "', which database_access does not define",
                        "use one of " + new TreeSet<>(groups) + ", or add it under database_access.groups");
            }
        }
    }
}
