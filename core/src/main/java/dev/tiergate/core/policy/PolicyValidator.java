package dev.tiergate.core.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.ValidationMessage;
import dev.tiergate.core.masking.MaskingMethod;
import dev.tiergate.core.migration.MigrationName;
import dev.tiergate.core.rules.Rule;
import dev.tiergate.core.state.JsonLocations;
import dev.tiergate.core.state.JsonSchemas;
import dev.tiergate.core.state.SchemaRefusals;
import dev.tiergate.core.verdict.Refusal;
import dev.tiergate.core.verdict.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a policy file: first its shape against {@code policy.schema.json} (unknown, missing and wrong-typed
 * fields), then what a schema cannot say: the tiers form one tree with one root, parents exist, names and
 * branches are unique, every working-branch type targets an existing tier, every edge's ends exist, and no edge
 * skips a tier except from a type marked {@code hotfix}. Refusals carry the file's line when it is known.
 */
public final class PolicyValidator {
    public static final String SYNTAX = Rule.POLICY_SYNTAX.id();
    public static final String SCHEMA = Rule.POLICY_SCHEMA.id();
    public static final String ONE_ROOT = Rule.POLICY_TIERS_ONE_ROOT.id();
    public static final String PARENT_EXISTS = Rule.POLICY_TIERS_PARENT_EXISTS.id();
    public static final String NO_CYCLE = Rule.POLICY_TIERS_NO_CYCLE.id();
    public static final String UNIQUE_TIER = Rule.POLICY_TIERS_UNIQUE.id();
    public static final String UNIQUE_TYPE = Rule.POLICY_TYPES_UNIQUE.id();
    public static final String TARGET_EXISTS = Rule.POLICY_TYPES_TARGET_EXISTS.id();
    public static final String TYPE_SKIPS = Rule.POLICY_TYPES_NO_SKIP.id();
    public static final String EDGE_ENDS = Rule.POLICY_EDGES_ENDS_EXIST.id();
    public static final String EDGE_SKIPS = Rule.POLICY_EDGES_NO_SKIP.id();
    public static final String EDGE_UNIQUE = Rule.POLICY_EDGES_UNIQUE.id();
    public static final String UNIQUE_ACTOR = Rule.POLICY_ACTORS_UNIQUE.id();
    public static final String ACCESS_NAMES = Rule.POLICY_ACCESS_NAMES.id();
    public static final String ACCESS_VALUES = Rule.POLICY_ACCESS_VALUES.id();
    public static final String MIGRATION_NAMING = Rule.POLICY_MIGRATIONS_NAMING.id();
    public static final String SEVERITY_RULE = Rule.POLICY_SEVERITY_RULE.id();
    public static final String APPROVAL_RULES = Rule.POLICY_APPROVAL_RULES.id();
    public static final String MASKING = Rule.POLICY_MASKING.id();

    /**
     * The rules whose severity a policy may set. The policy's own rules and the state-file schemas are not among
     * them: a file tiergate cannot read cannot be judged at all.
     */
    public static final Set<String> RULES_WITH_SEVERITY = rulesWithSeverity();

    private static Set<String> rulesWithSeverity() {
        Set<String> ids = new TreeSet<>(Set.of(
                Rule.MIGRATION_NAMING.id(),
                Rule.MIGRATION_VERSION_DUPLICATE.id(),
                Rule.MIGRATION_VERSION_ORDER.id(),
                Rule.MIGRATION_HEADER.id(),
                Rule.MIGRATION_DESTRUCTIVE.id(),
                Rule.MIGRATION_IMMUTABLE.id(),
                Rule.MIGRATION_TIER_DIRECT.id(),
                Rule.WORKFLOW_NO_CLAIM.id(),
                Rule.TESTS_AGENT_DELETED.id(),
                Rule.STATE_BRANCH_MISMATCH.id()));
        for (Rule r : Rule.values()) {
            if (r.id().startsWith("sql.")) {
                ids.add(r.id()); // every SQL lint rule
            }
        }
        return Collections.unmodifiableSet(ids);
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Map<String, String> HINTS = Map.ofEntries(
            Map.entry("version", "1"),
            Map.entry(
                    "tiers",
                    "[{name: production, branch: main}, {name: staging, branch: staging, parent: production}]"),
            Map.entry("name", "<name of letters, digits, ., _ or ->"),
            Map.entry("branch", "<git branch>"),
            Map.entry("parent", "<name of the parent tier>"),
            Map.entry("pattern", "\"feature/*\""),
            Map.entry("target", "<name of the tier this type merges into>"),
            Map.entry("from", "<working-branch type or tier name>"),
            Map.entry("to", "<tier name>"),
            Map.entry("approvals", "1"),
            Map.entry("class", "human (or agent, bot)"),
            Map.entry("id", "<forge login>"),
            Map.entry("protected", "true"),
            Map.entry("hotfix", "true"),
            Map.entry("agent_needs_human_approval", "true"),
            Map.entry("directory", "db/migration"),
            Map.entry("naming", MigrationSettings.DEFAULT_NAMING),
            Map.entry("fail_closed", "true"),
            Map.entry("privileges", "[select] (or more of " + String.join(", ", DatabaseAccess.TABLE_PRIVILEGES) + ")"),
            Map.entry("schemas", "[public] (or [\"*\"]: every schema)"),
            Map.entry("tables", "[public.orders]"),
            Map.entry("group", "<a group's name under database_access.groups>"));

    private PolicyValidator() {}

    public static Verdict validate(byte[] content, String path) {
        Optional<YamlTree.LimitExceeded> unread = PolicyReader.beyondBounds(content);
        if (unread.isPresent()) { // before Jackson builds anything from it, in the words the server uses
            YamlTree.LimitExceeded e = unread.get();
            return Verdict.refused(
                    SYNTAX,
                    path + (e.line > 0 ? ":" + e.line : ""),
                    "policy file is refused unread: " + e.getMessage(),
                    e.fix + " (run 'tiergate policy validate " + path + "')");
        }
        JsonNode root;
        try {
            root = YAML.readTree(content);
        } catch (JsonProcessingException e) {
            String line = e.getLocation() == null ? "" : ":" + e.getLocation().getLineNr();
            return Verdict.refused(
                    SYNTAX,
                    path + line,
                    "policy file is not valid YAML or JSON: " + e.getOriginalMessage(),
                    "correct the syntax (run 'tiergate policy validate " + path + "')");
        } catch (IOException e) {
            return Verdict.refused(SYNTAX, path, "policy file cannot be read: " + e.getMessage(), "restore the file");
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return Verdict.refused(
                    SCHEMA,
                    path,
                    "policy file is empty",
                    "run 'tiergate init' to write the default policy, or restore the file");
        }
        JsonLocations locations = JsonLocations.of(YAML.getFactory(), content);
        var problems = JsonSchemas.validate(JsonSchemas.POLICY, root);
        if (!problems.isEmpty()) {
            return new Verdict(schemaRefusals(problems, root, path, locations));
        }
        Policy policy;
        try {
            // the same reading the hooks and the server do (SnakeYAML); the schema above checked Jackson's tree of it
            policy = PolicyReader.read(new String(content, StandardCharsets.UTF_8), path);
        } catch (PolicyTree.Problem e) {
            return Verdict.refused(
                    SCHEMA,
                    e.where(),
                    "policy file cannot be read: " + e.problem(),
                    "correct the file (run 'tiergate policy validate " + path + "')");
        }
        return new Checks(policy, path, locations).run();
    }

    public static Verdict validate(Policy policy, String path) {
        return new Checks(policy, path, JsonLocations.none()).run();
    }

    /**
     * The schema's findings as refusals; one about a value of database_access that {@link AccessValues} judges (a
     * group's name, privileges, schema or table, a grant's group) in that rule's words, which name the fix, as the
     * checks of a policy read without the schema do.
     */
    private static List<Refusal> schemaRefusals(
            List<ValidationMessage> problems, JsonNode root, String path, JsonLocations locations) {
        Set<Refusal> out = new LinkedHashSet<>();
        for (var m : problems) {
            String pointer = m.getInstanceLocation().toString();
            Optional<AccessValues.Wrong> wrong = AccessValues.ofSchemaProblem(pointer, root);
            if (wrong.isPresent()) {
                String where =
                        locations.lineOf(pointer).map(l -> path + ":" + l).orElse(path);
                out.add(new Refusal(
                        ACCESS_VALUES, where, wrong.get().message(), wrong.get().fix()));
            } else {
                out.addAll(SchemaRefusals.toRefusals(List.of(m), root, path, SCHEMA, HINTS, locations));
            }
        }
        return new ArrayList<>(out);
    }

    /**
     * What is wrong with a value of database_access that reaches the database as a name or a privilege
     * ({@link Rule#POLICY_ACCESS_VALUES}): the field, the value and the fix. The patterns are {@link DatabaseAccess}'s,
     * the same as policy.schema.json's and the backends'.
     */
    static final class AccessValues {
        record Wrong(String message, String fix) {}

        /** The fields it judges, as the schema's refusals point at them. */
        private static final Pattern FIELD = Pattern.compile(
                "/database_access/(?:groups/(\\d+)/(name|privileges|privileges/\\d+|schemas/\\d+|tables/\\d+)|(?:tiers|working)/\\d+/grants/\\d+/(group))");

        private AccessValues() {}

        /** The schema refused the value at {@code pointer}: what this rule says of it, if it is one of its fields. */
        static Optional<Wrong> ofSchemaProblem(String pointer, JsonNode root) {
            Matcher m = FIELD.matcher(pointer);
            JsonNode value = root.at(pointer);
            if (!m.matches() || value.isMissingNode()) {
                return Optional.empty();
            }
            String field = SchemaRefusals.plainName(pointer);
            String what = m.group(3) != null ? m.group(3) : m.group(2).replaceAll("/\\d+$", "");
            if (what.equals("privileges") && value.isArray()) {
                JsonNode name = root.at("/database_access/groups/" + m.group(1) + "/name");
                return value.isEmpty()
                        ? Optional.of(noPrivileges(field, name.isTextual() ? name.asText() : null))
                        : Optional.empty();
            }
            if (!value.isTextual()) {
                return Optional.empty(); // a wrong type: the schema's words
            }
            String v = value.asText();
            return switch (what) {
                case "name", "group" -> groupName(field, v);
                case "privileges" -> privilege(field, v);
                case "schemas" -> schema(field, v);
                case "tables" -> table(field, v);
                default -> Optional.empty();
            };
        }

        static Optional<Wrong> groupName(String field, String name) {
            if (DatabaseAccess.GROUP_NAME.matcher(name).matches()) {
                return Optional.empty();
            }
            String like = nameLike(name);
            return Optional.of(new Wrong(
                    field + " is '" + name + "', which cannot be a database role: a group's name is"
                            + " lower-case letters, digits and _, starting with a letter, at most 31 characters ("
                            + DatabaseAccess.GROUP_NAME.pattern() + ")",
                    "rename the group" + (like == null ? "" : " to " + like)
                            + " under database_access.groups and in every grant that names it"));
        }

        static Optional<Wrong> privilege(String field, String written) {
            if (DatabaseAccess.isTablePrivilege(written)) {
                return Optional.empty();
            }
            String lower = written.toLowerCase(Locale.ROOT);
            if (DatabaseAccess.TABLE_PRIVILEGES.contains(lower)) {
                return Optional.of(new Wrong(
                        field + " is '" + written + "', a privilege written in mixed case",
                        "write it " + lower + " (or " + written.toUpperCase(Locale.ROOT) + ")"));
            }
            return Optional.of(new Wrong(
                    field + (field.endsWith("]") ? " is '" : " has '") + written
                            + "', which is not a table privilege: a group is"
                            + " granted table privileges only, and schema changes are the migrations' alone",
                    "use only " + String.join(", ", DatabaseAccess.TABLE_PRIVILEGES)
                            + (lower.equals("all") ? " (list the ones it needs instead of all)" : "")));
        }

        static Wrong noPrivileges(String field, String group) {
            return new Wrong(
                    field + " lists no privilege: group " + (group == null ? "" : "'" + group + "' ")
                            + "would hold nothing," + " not even USAGE on its schemas",
                    "give it privileges: [select] (or more), or remove the group and the grants that name it");
        }

        static Optional<Wrong> schema(String field, String schema) {
            if (schema.equals(DatabaseAccess.EVERY_SCHEMA)
                    || DatabaseAccess.SCHEMA_NAME.matcher(schema).matches()) {
                return Optional.empty();
            }
            int dot = schema.indexOf('.');
            String lower = schema.toLowerCase(Locale.ROOT);
            String fix;
            if (dot > 0) {
                fix = "name the schema alone, schemas: [" + schema.substring(0, dot) + "], or give the group tables: ["
                        + schema + "] instead of schemas";
            } else if (DatabaseAccess.SCHEMA_NAME.matcher(lower).matches()) {
                fix = "write it " + lower + ", as PostgreSQL keeps an unquoted name";
            } else {
                fix = "write a schema's name, e.g. public, or \"*\" for every schema";
            }
            return Optional.of(new Wrong(
                    field + " is '" + schema + "', which is not a schema's name: a letter or _, then"
                            + " letters, digits, _ or $, in lower case, at most 63 characters (or \"*\": every schema)",
                    fix));
        }

        static Optional<Wrong> table(String field, String table) {
            if (DatabaseAccess.TABLE_NAME.matcher(table).matches()) {
                return Optional.empty();
            }
            int dot = table.indexOf('.');
            String lower = table.toLowerCase(Locale.ROOT);
            String message = field + " is '" + table + "', which is not schema.table";
            String fix;
            if (table.equals("*") || table.endsWith(".*")) {
                String schema = table.equals("*") ? "\"*\"" : table.substring(0, table.length() - 2);
                message += ": tables takes no wildcard";
                fix = "for every table of " + (table.equals("*") ? "every schema" : "schema " + schema)
                        + " give the group schemas: [" + schema + "] instead of tables";
            } else if (dot < 0) {
                message += ": it names no schema";
                fix = "qualify it with its schema, e.g. public." + table;
            } else if (DatabaseAccess.TABLE_NAME.matcher(lower).matches()) {
                message += " as PostgreSQL keeps unquoted names";
                fix = "write it " + lower;
            } else {
                message +=
                        ": each part a letter or _, then letters, digits, _ or $, in lower case, at most 63 characters";
                fix = "write it as schema.table, e.g. public.orders";
            }
            return Optional.of(new Wrong(message, fix));
        }

        /** A group name like {@code name} that the pattern takes ({@code read-only}: {@code read_only}), or null. */
        static String nameLike(String name) {
            String s =
                    name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]+", "_").replaceAll("^_+|_+$", "");
            if (!s.isEmpty() && !Character.isLetter(s.charAt(0))) {
                s = "g_" + s;
            }
            s = s.length() > 31 ? s.substring(0, 31) : s;
            return DatabaseAccess.GROUP_NAME.matcher(s).matches() ? s : null;
        }
    }

    /** The semantic checks for one policy; collects every refusal rather than stopping at the first. */
    private static final class Checks {
        private final Policy p;
        private final String path;
        private final JsonLocations locations;
        private final List<Refusal> refusals = new ArrayList<>();

        Checks(Policy p, String path, JsonLocations locations) {
            this.p = p;
            this.path = path;
            this.locations = locations;
        }

        Verdict run() {
            if (p.tiers().isEmpty()) {
                refuse(
                        ONE_ROOT,
                        "/tiers",
                        "the policy has no tiers",
                        "add at least the root tier, e.g. tiers: [{name: production, branch: main}]");
                return new Verdict(refusals);
            }
            tiersAreUnique();
            parentsExist();
            oneRoot();
            noCycles();
            // Whether a tier edge skips a tier is only meaningful once the tiers form a tree.
            boolean treeIsSound = refusals.isEmpty();
            types();
            edges(treeIsSound);
            actorsAreUnique();
            accessValues();
            accessNames();
            migrationNaming();
            severities();
            approvalRules();
            masking();
            return new Verdict(refusals);
        }

        private void tiersAreUnique() {
            Map<String, Integer> names = new HashMap<>();
            Map<String, Integer> branches = new HashMap<>();
            for (int i = 0; i < p.tiers().size(); i++) {
                Tier t = p.tiers().get(i);
                Integer first = names.putIfAbsent(t.name(), i);
                if (first != null) {
                    refuse(
                            UNIQUE_TIER,
                            "/tiers/" + i + "/name",
                            "tier name '" + t.name() + "' is used twice (tiers " + first + " and " + i + ")",
                            "give each tier its own name");
                }
                Integer firstBranch = branches.putIfAbsent(t.branch(), i);
                if (firstBranch != null) {
                    refuse(
                            UNIQUE_TIER,
                            "/tiers/" + i + "/branch",
                            "tiers '" + p.tiers().get(firstBranch).name() + "' and '" + t.name()
                                    + "' share git branch '" + t.branch() + "'",
                            "give each tier its own long-running git branch");
                }
            }
        }

        private void parentsExist() {
            for (int i = 0; i < p.tiers().size(); i++) {
                Tier t = p.tiers().get(i);
                if (t.parent() != null && p.tier(t.parent()).isEmpty()) {
                    refuse(
                            PARENT_EXISTS,
                            "/tiers/" + i + "/parent",
                            "tier '" + t.name() + "' has parent '" + t.parent() + "', which is not a tier",
                            "set parent to one of " + tierNames() + " (or remove it on the root tier)");
                }
            }
        }

        private void oneRoot() {
            List<Integer> roots = new ArrayList<>();
            for (int i = 0; i < p.tiers().size(); i++) {
                if (p.tiers().get(i).isRoot()) {
                    roots.add(i);
                }
            }
            if (roots.isEmpty()) {
                refuse(
                        ONE_ROOT,
                        "/tiers",
                        "no tier is the root: every tier has a parent",
                        "remove 'parent' from the production tier, the end of the promotion path");
            } else if (roots.size() > 1) {
                List<String> names = roots.stream()
                        .map(i -> "'" + p.tiers().get(i).name() + "'")
                        .toList();
                refuse(
                        ONE_ROOT,
                        "/tiers/" + roots.get(1),
                        "the tiers must form one tree with one root, but " + String.join(" and ", names)
                                + " have no parent",
                        "give every tier but the production tier a 'parent', e.g. parent: "
                                + p.tiers().get(roots.get(0)).name());
            }
        }

        private void noCycles() {
            Set<String> reported = new HashSet<>();
            for (int i = 0; i < p.tiers().size(); i++) {
                Tier t = p.tiers().get(i);
                LinkedHashSet<String> chain = new LinkedHashSet<>();
                Tier cur = t;
                while (cur != null && cur.parent() != null && chain.add(cur.name())) {
                    cur = p.tier(cur.parent()).orElse(null);
                }
                if (cur != null
                        && chain.contains(cur.name())
                        && cur.name().equals(t.name())
                        && reported.add(t.name())) {
                    reported.addAll(chain);
                    refuse(
                            NO_CYCLE,
                            "/tiers/" + i + "/parent",
                            "tier parents form a cycle: " + String.join(" -> ", chain) + " -> " + t.name(),
                            "break the cycle: the promotion path must end at the root tier (the one without a parent)");
                }
            }
        }

        private void types() {
            Map<String, Integer> names = new HashMap<>();
            boolean rootHasChildren = p.rootTier()
                    .map(r -> p.tiers().stream().anyMatch(t -> r.name().equals(t.parent())))
                    .orElse(false);
            for (int i = 0; i < p.workingBranchTypes().size(); i++) {
                WorkingBranchType w = p.workingBranchTypes().get(i);
                Integer first = names.putIfAbsent(w.name(), i);
                if (first != null) {
                    refuse(
                            UNIQUE_TYPE,
                            "/working_branch_types/" + i + "/name",
                            "working-branch type name '" + w.name() + "' is used twice",
                            "give each working-branch type its own name");
                } else if (p.tier(w.name()).isPresent()) {
                    refuse(
                            UNIQUE_TYPE,
                            "/working_branch_types/" + i + "/name",
                            "'" + w.name()
                                    + "' names both a tier and a working-branch type, so an edge from it is ambiguous",
                            "rename the working-branch type, e.g. " + w.name() + "-work");
                }
                var target = p.tier(w.target());
                if (target.isEmpty()) {
                    refuse(
                            TARGET_EXISTS,
                            "/working_branch_types/" + i + "/target",
                            "working-branch type '" + w.name() + "' targets '" + w.target() + "', which is not a tier",
                            "set target to one of " + tierNames());
                } else if (!w.hotfix() && target.get().isRoot() && rootHasChildren) {
                    refuse(
                            TYPE_SKIPS,
                            "/working_branch_types/" + i + "/target",
                            "working-branch type '" + w.name() + "' targets the root tier '" + w.target()
                                    + "' and would skip the tiers below it",
                            "target the entry tier (e.g. " + entryTierName()
                                    + "), or mark the type 'hotfix: true' if it" + " really is an emergency path");
                }
            }
        }

        private void edges(boolean treeIsSound) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < p.edges().size(); i++) {
                TierEdge e = p.edges().get(i);
                String at = "/edges/" + i;
                String label = "edge " + e.from() + " -> " + e.to();
                if (!seen.add(e.from() + "\u0000" + e.to())) {
                    refuse(EDGE_UNIQUE, at, label + " is listed twice", "keep one entry per edge");
                }
                var fromType = p.workingBranchTypes().stream()
                        .filter(w -> w.name().equals(e.from()))
                        .findFirst();
                var fromTier = p.tier(e.from());
                boolean ok = true;
                if (fromType.isEmpty() && fromTier.isEmpty()) {
                    refuse(
                            EDGE_ENDS,
                            at + "/from",
                            label + ": '" + e.from() + "' is neither a working-branch type nor a tier",
                            "set from to one of " + typeNames() + " or " + tierNames());
                    ok = false;
                }
                if (p.tier(e.to()).isEmpty()) {
                    refuse(
                            EDGE_ENDS,
                            at + "/to",
                            label + ": '" + e.to() + "' is not a tier",
                            "set to to one of " + tierNames());
                    ok = false;
                }
                if (!ok) {
                    continue;
                }
                if (fromTier.isPresent() && treeIsSound) {
                    Tier from = fromTier.get();
                    if (!e.to().equals(from.parent())) {
                        refuse(
                                EDGE_SKIPS,
                                at + "/to",
                                label + " does not lead to the parent of tier '" + from.name() + "' ("
                                        + (from.parent() == null ? "it is the root" : from.parent())
                                        + "); promotion goes one parent hop at a time",
                                from.parent() == null
                                        ? "remove this edge: nothing merges out of the root tier"
                                        : "set to: " + from.parent());
                    }
                } else if (fromTier.isEmpty()) {
                    WorkingBranchType w = fromType.get();
                    if (!w.hotfix() && !e.to().equals(w.target())) {
                        refuse(
                                EDGE_SKIPS,
                                at + "/to",
                                label + " skips the target tier of type '" + w.name() + "' (" + w.target()
                                        + "); only a type marked hotfix may merge into another tier",
                                "set to: " + w.target() + ", or mark type '" + w.name() + "' with 'hotfix: true'");
                    }
                }
            }
        }

        private void actorsAreUnique() {
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < p.actors().size(); i++) {
                Actor a = p.actors().get(i);
                if (!ids.add(a.id().toLowerCase(Locale.ROOT))) {
                    refuse(
                            UNIQUE_ACTOR,
                            "/actors/" + i + "/id",
                            "actor '" + a.id() + "' is listed twice",
                            "keep one entry per actor (merge their roles and e-mails)");
                }
            }
        }

        /** database_access names only groups, tiers and types the policy has; a group holds privileges somewhere. */
        private void accessNames() {
            DatabaseAccess a = p.databaseAccess();
            if (a == null) {
                return;
            }
            Set<String> groups = new HashSet<>();
            for (int i = 0; i < a.groups().size(); i++) {
                DatabaseAccess.Group g = a.groups().get(i);
                if (!groups.add(g.name())) {
                    refuse(
                            ACCESS_NAMES,
                            "/database_access/groups/" + i + "/name",
                            "group '" + g.name() + "' is defined twice",
                            "keep one");
                }
                if (g.schemas().isEmpty() == g.tables().isEmpty()) {
                    refuse(
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
                    refuse(
                            ACCESS_NAMES,
                            "/database_access/tiers/" + i + "/tier",
                            "database_access names tier '" + t.tier() + "', which the" + " policy does not have",
                            "use one of " + tierNames());
                }
                grantsName(groups, t.grants(), "/database_access/tiers/" + i + "/grants/");
            }
            Set<String> types = new HashSet<>(List.of(DatabaseAccess.CI));
            p.workingBranchTypes().forEach(w -> types.add(w.name()));
            for (int i = 0; i < a.working().size(); i++) {
                DatabaseAccess.WorkingAccess w = a.working().get(i);
                if (!types.contains(w.type())) {
                    refuse(
                            ACCESS_NAMES,
                            "/database_access/working/" + i + "/type",
                            "database_access names working-branch type '" + w.type()
                                    + "', which the policy does not have",
                            "use one of " + typeNames() + " or ci");
                }
                grantsName(groups, w.grants(), "/database_access/working/" + i + "/grants/");
            }
        }

        /**
         * database_access.groups hold only what reaches the database as it is: role names, table privileges, schema names,
         * schema.table. The grants' group names are judged where they are named ({@link #grantsName}).
         */
        private void accessValues() {
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
                            .ifPresent(w -> refuse(ACCESS_VALUES, at + "/name", w));
                }
                if (g.privileges().isEmpty()) {
                    refuse(
                            ACCESS_VALUES,
                            at + "/privileges",
                            AccessValues.noPrivileges(field + ".privileges", g.name()));
                }
                for (String privilege : g.privileges()) { // read in lower case, so not by their index in the file
                    AccessValues.privilege(field + ".privileges", privilege)
                            .ifPresent(w -> refuse(ACCESS_VALUES, at + "/privileges", w));
                }
                for (int j = 0; j < g.schemas().size(); j++) {
                    String pointer = at + "/schemas/" + j;
                    AccessValues.schema(
                                    field + ".schemas[" + j + "]", g.schemas().get(j))
                            .ifPresent(w -> refuse(ACCESS_VALUES, pointer, w));
                }
                for (int j = 0; j < g.tables().size(); j++) {
                    String pointer = at + "/tables/" + j;
                    AccessValues.table(field + ".tables[" + j + "]", g.tables().get(j))
                            .ifPresent(w -> refuse(ACCESS_VALUES, pointer, w));
                }
            }
        }

        private void grantsName(Set<String> groups, List<DatabaseAccess.Grant> grants, String at) {
            for (int j = 0; j < grants.size(); j++) {
                String g = grants.get(j).group();
                Optional<AccessValues.Wrong> wrong = g == null
                        ? Optional.empty()
                        : AccessValues.groupName(SchemaRefusals.plainName(at + j + "/group"), g);
                if (wrong.isPresent()) {
                    refuse(ACCESS_VALUES, at + j + "/group", wrong.get());
                } else if (!groups.contains(g)) {
                    refuse(
                            ACCESS_NAMES,
                            at + j + "/group",
                            "a grant names group '" + g + "', which database_access does not define",
                            "use one of " + new TreeSet<>(groups) + ", or add it under database_access.groups");
                }
            }
        }

        private void migrationNaming() {
            String naming = p.migrations().naming();
            if (!MigrationName.isUsableTemplate(naming)) {
                refuse(
                        MIGRATION_NAMING,
                        "/migrations/naming",
                        "migration naming '" + naming + "' must contain {timestamp}" + " and {description} once each",
                        "use the default, naming: \"" + MigrationSettings.DEFAULT_NAMING + "\" (or e.g."
                                + " \"{timestamp}_{description}.js\" for Knex, \"{timestamp}_{description}.py\" for Alembic)");
            }
        }

        private void severities() {
            for (String rule : p.severity().keySet()) {
                if (!RULES_WITH_SEVERITY.contains(rule)) {
                    refuse(
                            SEVERITY_RULE,
                            "/severity/" + rule,
                            "severity is set for '" + rule + "', which is not a rule whose severity a policy may set",
                            "use one of " + new TreeSet<>(RULES_WITH_SEVERITY) + ", or remove it");
                }
            }
        }

        private String entryTierName() {
            Set<String> parents = new HashSet<>();
            p.tiers().forEach(t -> parents.add(t.parent()));
            return p.tiers().stream()
                    .filter(t -> !parents.contains(t.name()))
                    .map(Tier::name)
                    .findFirst()
                    .orElse("staging");
        }

        /**
         * Approval rules that can be met and judged: a rule whose role no actor holds (and names no team) would keep
         * every PR it matches pending for good, so it is refused here, where the platform engineer can fix it.
         */
        private void approvalRules() {
            Set<String> names = new HashSet<>();
            Set<String> roles = new HashSet<>();
            p.actors().forEach(a -> roles.addAll(a.roles()));
            for (int i = 0; i < p.approvalRules().size(); i++) {
                ApprovalRule r = p.approvalRules().get(i);
                String at = "/approval_rules/" + i;
                String label = "approval rule '" + r.name() + "'";
                if (!names.add(r.name())) {
                    refuse(APPROVAL_RULES, at + "/name", label + " is named twice", "give each rule its own name");
                }
                for (String tier : r.into()) {
                    if (p.tier(tier).isEmpty()) {
                        refuse(
                                APPROVAL_RULES,
                                at + "/into",
                                label + " judges PRs into '" + tier + "', which is not a tier",
                                "name tiers from " + tierNames());
                    }
                }
                if (r.when().isEmpty()) {
                    refuse(
                            APPROVAL_RULES,
                            at + "/when",
                            label + " has no condition, so it would apply to every PR",
                            "give it a condition, or raise the edge's approvals instead");
                }
                for (String lint : r.when().lint()) {
                    if (Rule.byId(lint).isEmpty()) {
                        refuse(
                                APPROVAL_RULES,
                                at + "/when/lint",
                                label + " asks for lint rule '" + lint + "', which tiergate does not have",
                                "name a rule from docs/rules.md, e.g. " + Rule.SQL_PRIVILEGE_CHANGE.id());
                    }
                }
                ApprovalRule.Require need = r.require();
                if (need == null || (need.role() == null && need.team() == null)) {
                    refuse(
                            APPROVAL_RULES,
                            at + "/require",
                            label + " does not say whose approval it needs",
                            "set require.role (a role of the actors) or require.team");
                } else if (need.team() == null && !roles.contains(need.role())) {
                    refuse(
                            APPROVAL_RULES,
                            at + "/require/role",
                            label + " needs role '" + need.role() + "', which no actor holds: every PR it matches"
                                    + " would wait for good",
                            "give the role to an actor (actors[].roles) or name a team (require.team)");
                }
            }
        }

        /** Masking that can be applied: known methods, existing source tiers, one rule per column. */
        private void masking() {
            Masking m = p.masking();
            if (m == null) {
                return;
            }
            for (int i = 0; i < m.sourceTiers().size(); i++) {
                String t = m.sourceTiers().get(i);
                if (p.tier(t).isEmpty()) {
                    refuse(
                            MASKING,
                            "/masking/source_tiers/" + i,
                            "masking names source tier '" + t + "', which is not a tier",
                            "name tiers from " + tierNames());
                }
            }
            if (!m.onUnruled().equals(Masking.FAIL) && !m.onUnruled().equals(Masking.WARN)) {
                refuse(MASKING, "/masking/default", "masking.default is '" + m.onUnruled() + "'", "use fail or warn");
            }
            Set<String> ruled = new HashSet<>();
            for (int i = 0; i < m.rules().size(); i++) {
                Masking.Rule r = m.rules().get(i);
                String at = "/masking/rules/" + i;
                if (r.table() == null || r.column() == null || r.method() == null) {
                    refuse(MASKING, at, "a masking rule needs table, column and method", "write all three");
                    continue;
                }
                if (!r.table().matches("([A-Za-z_][A-Za-z0-9_$]{0,62}\\.)?[A-Za-z_][A-Za-z0-9_$]{0,62}")
                        || !r.column().matches("[A-Za-z_][A-Za-z0-9_$]{0,62}")) {
                    refuse(
                            MASKING,
                            at,
                            "masking rule " + r.table() + "." + r.column() + " is not a table and column name",
                            "name them as PostgreSQL does: letters, digits, _ and $ (table or schema.table)");
                    continue;
                }
                if (!ruled.add(r.where())) {
                    refuse(MASKING, at, "column " + r.where() + " has two masking rules", "keep one");
                }
                java.util.Optional<MaskingMethod> method = r.parsed();
                if (method.isEmpty()) {
                    refuse(
                            MASKING,
                            at + "/method",
                            "masking rule " + r.where() + " names method '" + r.method() + "', which tiergate does not"
                                    + " have",
                            "use one of " + MaskingMethod.KNOWN);
                } else if (method.get() instanceof MaskingMethod.Anon
                        && !p.migrations().extensions().contains("anon")) {
                    refuse(
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
                    refuse(
                            MASKING,
                            "/masking/personal_data/" + i,
                            "personal_data word '" + w + "' is too short or too long",
                            "use words of 2 to 40 characters");
                }
            }
        }

        private String tierNames() {
            return "[" + String.join(", ", p.tiers().stream().map(Tier::name).toList()) + "]";
        }

        private String typeNames() {
            return "["
                    + String.join(
                            ", ",
                            p.workingBranchTypes().stream()
                                    .map(WorkingBranchType::name)
                                    .toList()) + "]";
        }

        private void refuse(String rule, String pointer, AccessValues.Wrong wrong) {
            refuse(rule, pointer, wrong.message(), wrong.fix());
        }

        private void refuse(String rule, String pointer, String message, String fix) {
            String where = locations.lineOf(pointer).map(l -> path + ":" + l).orElse(path);
            refusals.add(new Refusal(rule, where, message, fix));
        }
    }
}
