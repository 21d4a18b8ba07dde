package dev.tiergate.core.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.ValidationMessage;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a policy file: first its shape against {@code policy.schema.json} (unknown, missing and wrong-typed
 * fields), then what a schema cannot say: the tiers form one tree with one root, parents exist, names and
 * branches are unique, every working-branch type targets an existing tier, every edge's ends exist, and no edge
 * skips a tier except from a type marked {@code hotfix}. Refusals carry the file's line when it is known.
 *
 * <p>Each section of the policy is checked by its own class ({@link TiersSection}, {@link WorkingBranchTypesSection},
 * {@link EdgesSection}, {@link ActorsSection}, {@link DatabaseAccessSection}, {@link MigrationsSection},
 * {@link SeveritySection}, {@link ApprovalRulesSection}, {@link MaskingSection}), into one {@link PolicyProblems}.
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
        return check(policy, path, locations);
    }

    public static Verdict validate(Policy policy, String path) {
        return check(policy, path, JsonLocations.none());
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
                String where = PolicyProblems.where(path, locations, pointer);
                out.add(new Refusal(
                        ACCESS_VALUES, where, wrong.get().message(), wrong.get().fix()));
            } else {
                out.addAll(SchemaRefusals.toRefusals(List.of(m), root, path, SCHEMA, HINTS, locations));
            }
        }
        return new ArrayList<>(out);
    }

    /**
     * The semantic checks for one policy, section by section in the order their refusals are reported; collects every
     * refusal rather than stopping at the first.
     */
    private static Verdict check(Policy policy, String path, JsonLocations locations) {
        PolicyProblems problems = new PolicyProblems(policy, path, locations);
        if (policy.tiers().isEmpty()) {
            problems.refuse(
                    ONE_ROOT,
                    "/tiers",
                    "the policy has no tiers",
                    "add at least the root tier, e.g. tiers: [{name: production, branch: main}]");
            return problems.verdict();
        }
        TiersSection.check(problems);
        // Whether a tier edge skips a tier is only meaningful once the tiers form a tree.
        boolean treeIsSound = problems.none();
        WorkingBranchTypesSection.check(problems);
        EdgesSection.check(problems, treeIsSound);
        ActorsSection.check(problems);
        DatabaseAccessSection.check(problems);
        MigrationsSection.check(problems);
        SeveritySection.check(problems);
        ApprovalRulesSection.check(problems);
        MaskingSection.check(problems);
        return problems.verdict();
    }
}
