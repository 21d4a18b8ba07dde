package dev.tiergate.core.policy;

import dev.tiergate.core.verdict.Severity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The policy's records made from its parsed tree ({@link YamlTree}), field by field. Jackson's data binding did this
 * before, and its introspection of nine record types was 45 ms of every hook run that reads the policy
 * (BENCHMARKS.md, "Hooks"), more than parsing the YAML. The rules are the binding's: every field optional, {@code null} the same as absent,
 * numbers and booleans also accepted as strings, {@code pattern} one string or a list, an unknown field refused.
 */
final class PolicyTree {
    private final String where;

    private PolicyTree(String where) {
        this.where = where;
    }

    /** The policy in {@code root} (a mapping); a field of the wrong shape or name is a {@link PolicyException}. */
    static Policy policy(YamlTree root, String where) {
        return new PolicyTree(where).policy(root);
    }

    private Policy policy(YamlTree n) {
        Fields f = fields(
                n,
                "",
                "version",
                "tiers",
                "working_branch_types",
                "actors",
                "edges",
                "required_checks",
                "migrations",
                "severity",
                "hooks",
                "database_access",
                "approval_rules",
                "masking");
        return new Policy(
                integer(f, "version"),
                list(f, "tiers", this::tier),
                list(f, "working_branch_types", this::workingBranchType),
                list(f, "actors", this::actor),
                list(f, "edges", this::edge),
                list(f, "required_checks", this::text),
                f.has("migrations") ? migrations(f.get("migrations")) : null,
                severities(f),
                f.has("hooks") ? hooks(f.get("hooks")) : null,
                f.has("database_access") ? databaseAccess(f.get("database_access")) : null,
                list(f, "approval_rules", this::approvalRule),
                f.has("masking") ? masking(f.get("masking")) : null);
    }

    private Masking masking(Node n) {
        Fields f = fields(n, "source_tiers", "rules", "default", "personal_data");
        return new Masking(
                list(f, "source_tiers", this::text),
                list(f, "rules", this::maskingRule),
                f.has("default") ? string(f, "default") : null,
                list(f, "personal_data", this::text));
    }

    private Masking.Rule maskingRule(Node n) {
        Fields f = fields(n, "table", "column", "method");
        return new Masking.Rule(string(f, "table"), string(f, "column"), string(f, "method"));
    }

    private ApprovalRule approvalRule(Node n) {
        Fields f = fields(n, "name", "into", "when", "require");
        return new ApprovalRule(
                string(f, "name"),
                list(f, "into", this::text),
                f.has("when") ? when(f.get("when")) : null,
                f.has("require") ? require(f.get("require")) : null);
    }

    private ApprovalRule.When when(Node n) {
        Fields f = fields(
                n,
                "lock",
                "rewrite",
                "statement_seconds",
                "migration_seconds",
                "rehearsal",
                "phase",
                "lint",
                "files",
                "author");
        return new ApprovalRule.When(
                f.has("lock") ? lock(f.get("lock")) : null,
                f.has("rewrite") ? tableSize(f.get("rewrite")) : null,
                f.has("statement_seconds") ? decimal(f, "statement_seconds") : null,
                f.has("migration_seconds") ? decimal(f, "migration_seconds") : null,
                set(f, "rehearsal", this::text),
                set(f, "phase", this::text),
                set(f, "lint", this::text),
                list(f, "files", this::text),
                set(f, "author", this::actorClass));
    }

    private ApprovalRule.Lock lock(Node n) {
        Fields f = fields(n, "mode", "min_rows", "min_mb");
        return new ApprovalRule.Lock(
                string(f, "mode"),
                f.has("min_rows") ? (long) integer(f, "min_rows") : null,
                f.has("min_mb") ? (long) integer(f, "min_mb") : null);
    }

    private ApprovalRule.TableSize tableSize(Node n) {
        Fields f = fields(n, "min_rows", "min_mb");
        return new ApprovalRule.TableSize(
                f.has("min_rows") ? (long) integer(f, "min_rows") : null,
                f.has("min_mb") ? (long) integer(f, "min_mb") : null);
    }

    private ApprovalRule.Require require(Node n) {
        Fields f = fields(n, "approvals", "role", "team", "exclude_author", "exclude_agents");
        return new ApprovalRule.Require(
                f.has("approvals") ? integer(f, "approvals") : null,
                string(f, "role"),
                string(f, "team"),
                bool(f, "exclude_author"),
                bool(f, "exclude_agents"));
    }

    private Tier tier(Node n) {
        Fields f = fields(n, "name", "branch", "parent", "protected", "direct_push", "seed", "drift");
        return new Tier(
                string(f, "name"),
                string(f, "branch"),
                string(f, "parent"),
                bool(f, "protected"),
                f.has("direct_push") ? permission(f.get("direct_push")) : null,
                string(f, "seed"),
                string(f, "drift"));
    }

    private WorkingBranchType workingBranchType(Node n) {
        Fields f = fields(n, "name", "pattern", "target", "actors", "hotfix");
        List<String> patterns = null;
        if (f.has("pattern")) {
            Node p = f.get("pattern");
            patterns = p.node().isArray() ? elements(p, this::text) : List.of(text(p));
        }
        Boolean hotfix = bool(f, "hotfix");
        return new WorkingBranchType(
                string(f, "name"),
                patterns,
                string(f, "target"),
                set(f, "actors", this::actorClass),
                hotfix != null && hotfix);
    }

    private Actor actor(Node n) {
        Fields f = fields(n, "id", "class", "roles", "emails");
        return new Actor(
                string(f, "id"),
                f.has("class") ? actorClass(f.get("class")) : null,
                set(f, "roles", this::text),
                list(f, "emails", this::text));
    }

    private TierEdge edge(Node n) {
        Fields f = fields(n, "from", "to", "mergers", "approvals", "agent_needs_human_approval");
        return new TierEdge(
                string(f, "from"),
                string(f, "to"),
                f.has("mergers") ? permission(f.get("mergers")) : null,
                integer(f, "approvals"),
                bool(f, "agent_needs_human_approval"));
    }

    private DatabaseAccess databaseAccess(Node n) {
        Fields f = fields(n, "groups", "tiers", "working", "credential_hours");
        return new DatabaseAccess(
                list(f, "groups", this::group),
                list(f, "tiers", this::tierAccess),
                list(f, "working", this::workingAccess),
                f.has("credential_hours") ? integer(f, "credential_hours") : null);
    }

    private DatabaseAccess.Group group(Node n) {
        Fields f = fields(n, "name", "privileges", "schemas", "tables");
        return new DatabaseAccess.Group(
                string(f, "name"),
                list(f, "privileges", this::text),
                list(f, "schemas", this::text),
                list(f, "tables", this::text));
    }

    private DatabaseAccess.TierAccess tierAccess(Node n) {
        Fields f = fields(n, "tier", "grants", "drift");
        return new DatabaseAccess.TierAccess(string(f, "tier"), list(f, "grants", this::grant), string(f, "drift"));
    }

    private DatabaseAccess.WorkingAccess workingAccess(Node n) {
        Fields f = fields(n, "type", "grants");
        return new DatabaseAccess.WorkingAccess(string(f, "type"), list(f, "grants", this::grant));
    }

    private DatabaseAccess.Grant grant(Node n) {
        Fields f = fields(n, "group", "classes", "roles", "author");
        return new DatabaseAccess.Grant(
                string(f, "group"),
                set(f, "classes", this::actorClass),
                set(f, "roles", this::text),
                bool(f, "author"));
    }

    private Permission permission(Node n) {
        Fields f = fields(n, "classes", "roles");
        return new Permission(set(f, "classes", this::actorClass), set(f, "roles", this::text));
    }

    private MigrationSettings migrations(Node n) {
        Fields f =
                fields(n, "directory", "naming", "extensions", "run_minutes", "branch_size_limit_mb", "tool", "flyway");
        return new MigrationSettings(
                string(f, "directory"),
                string(f, "naming"),
                list(f, "extensions", this::text),
                f.has("run_minutes") ? decimal(f, "run_minutes") : null,
                f.has("branch_size_limit_mb") ? (long) integer(f, "branch_size_limit_mb") : null,
                f.has("tool") ? tool(f.get("tool")) : null,
                f.has("flyway") ? flyway(f.get("flyway")) : null);
    }

    private MigrationTool tool(Node n) {
        try {
            return MigrationTool.fromWireName(text(n));
        } catch (IllegalArgumentException x) {
            throw problem(n, x.getMessage());
        }
    }

    private FlywaySettings flyway(Node n) {
        Fields f = fields(n, "mixed", "transactional_lock");
        Boolean mixed = bool(f, "mixed");
        Boolean lock = bool(f, "transactional_lock");
        return new FlywaySettings(
                mixed != null ? mixed : FlywaySettings.DEFAULTS.mixed(),
                lock != null ? lock : FlywaySettings.DEFAULTS.transactionalLock());
    }

    private HookSettings hooks(Node n) {
        Fields f = fields(n, "fail_closed");
        Boolean failClosed = bool(f, "fail_closed");
        return new HookSettings(failClosed != null && failClosed);
    }

    private Map<String, Severity> severities(Fields policy) {
        if (!policy.has("severity")) {
            return null;
        }
        Node n = policy.get("severity");
        if (!n.node().isObject()) {
            throw wrong(n, "a mapping of rule id to error, warning or off");
        }
        Map<String, Severity> out = new LinkedHashMap<>();
        for (String rule : n.node().fieldNames()) {
            Node value = n.child(rule, n.node().get(rule));
            try {
                out.put(rule, Severity.fromWireName(text(value)));
            } catch (IllegalArgumentException x) {
                throw problem(value, x.getMessage());
            }
        }
        return out;
    }

    private ActorClass actorClass(Node n) {
        try {
            return ActorClass.fromWireName(text(n));
        } catch (IllegalArgumentException x) {
            throw problem(n, x.getMessage());
        }
    }

    // ---------------------------------------------------------------- shapes

    /** A node and the JSON pointer it sits at (for the line of an error). */
    private record Node(YamlTree node, String pointer) {
        Node child(String name, YamlTree value) {
            return new Node(value, pointer + "/" + name.replace("~", "~0").replace("/", "~1"));
        }
    }

    /** A mapping's fields, every one of them among the known names. */
    private record Fields(Node node) {
        boolean has(String name) {
            YamlTree v = node.node().get(name);
            return v != null && !v.isNull();
        }

        Node get(String name) {
            return node.child(name, node.node().get(name));
        }
    }

    private Fields fields(YamlTree root, String pointer, String... known) {
        return fields(new Node(root, pointer), known);
    }

    private Fields fields(Node n, String... known) {
        if (!n.node().isObject()) {
            throw wrong(n, "a mapping of " + String.join(", ", known));
        }
        Set<String> names = Set.of(known);
        for (String name : n.node().fieldNames()) {
            if (!names.contains(name)) {
                throw problem(
                        n.child(name, n.node().get(name)),
                        "unknown field '" + name + "'" + (n.pointer().isEmpty() ? "" : " in " + field(n.pointer()))
                                + " (known fields: " + String.join(", ", known) + ")");
            }
        }
        return new Fields(n);
    }

    private String text(Node n) {
        YamlTree v = n.node();
        if (v.isTextual() || v.isNumber() || v.isBoolean()) {
            return v.asText();
        }
        throw wrong(n, "a string");
    }

    private String string(Fields f, String name) {
        return f.has(name) ? text(f.get(name)) : null;
    }

    private int integer(Fields f, String name) {
        if (!f.has(name)) {
            return 0;
        }
        Node n = f.get(name);
        YamlTree v = n.node();
        if (v.isInt()) {
            return v.intValue();
        }
        if (v.isTextual() && v.asText().strip().matches("-?\\d{1,9}")) {
            return Integer.parseInt(v.asText().strip());
        }
        throw wrong(n, "a whole number");
    }

    private double decimal(Fields f, String name) {
        Node n = f.get(name);
        YamlTree v = n.node();
        // only plain decimals: YAML's .inf and .nan, and exponents, are not a deadline anyone means
        if ((v.isNumber() || v.isTextual()) && v.asText().strip().matches("\\d{1,6}(\\.\\d{1,6})?")) {
            return Double.parseDouble(v.asText().strip());
        }
        throw wrong(n, "a number");
    }

    private Boolean bool(Fields f, String name) {
        if (!f.has(name)) {
            return null;
        }
        Node n = f.get(name);
        YamlTree v = n.node();
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isTextual() && (v.asText().equals("true") || v.asText().equals("false"))) {
            return Boolean.valueOf(v.asText());
        }
        throw wrong(n, "true or false");
    }

    private <T> List<T> list(Fields f, String name, Function<Node, T> element) {
        return f.has(name) ? elements(f.get(name), element) : null;
    }

    private <T> Set<T> set(Fields f, String name, Function<Node, T> element) {
        return f.has(name) ? new LinkedHashSet<>(elements(f.get(name), element)) : null;
    }

    private <T> List<T> elements(Node n, Function<Node, T> element) {
        if (!n.node().isArray()) {
            throw wrong(n, "a list");
        }
        List<T> out = new ArrayList<>();
        for (int i = 0; i < n.node().size(); i++) {
            out.add(element.apply(n.child(Integer.toString(i), n.node().get(i))));
        }
        return out;
    }

    // ---------------------------------------------------------------- errors

    private PolicyException wrong(Node n, String expected) {
        return problem(
                n,
                (n.pointer().isEmpty() ? "the policy" : "field '" + field(n.pointer()) + "'") + " must be " + expected);
    }

    /** A pointer in the words the schema's refusals use: {@code /tiers/0/branch} is {@code tiers[0].branch}. */
    private static String field(String pointer) {
        StringBuilder b = new StringBuilder();
        for (String part : pointer.substring(1).split("/")) {
            String name = part.replace("~1", "/").replace("~0", "~");
            if (name.chars().allMatch(Character::isDigit) && !name.isEmpty()) {
                b.append('[').append(name).append(']');
            } else {
                b.append(b.length() == 0 ? "" : ".").append(name);
            }
        }
        return b.toString();
    }

    private PolicyException problem(Node n, String message) {
        String line = n.node() != null && n.node().line > 0 ? ":" + n.node().line : "";
        return new Problem(where, where + line, message);
    }

    /** A field of the wrong shape or name: where ({@code file:line}) and what, also apart for a refusal's parts. */
    static final class Problem extends PolicyException {
        private static final long serialVersionUID = 1L;
        private final String where;
        private final String problem;

        Problem(String file, String where, String problem) {
            super(where + ": policy file cannot be read: " + problem
                    + "; fix: correct the file (run 'tiergate policy validate " + file + "')");
            this.where = where;
            this.problem = problem;
        }

        String where() {
            return where;
        }

        String problem() {
            return problem;
        }
    }
}
