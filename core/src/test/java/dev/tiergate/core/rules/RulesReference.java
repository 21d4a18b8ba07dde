package dev.tiergate.core.rules;

import dev.tiergate.core.policy.PolicyValidator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * docs/rules.md, written from the catalog ({@link Rule}) and nothing else: one table per family of rules, in the
 * catalog's order, with each rule's id, default severity, whether the policy's {@code severity} map may change it
 * ({@link PolicyValidator#RULES_WITH_SEVERITY}), its meaning and its fix. The page is generated so the ids and their
 * words live in one place; {@code RulesReferenceTest} fails when the committed page differs from what this gives.
 */
final class RulesReference {

    /** Where the page lives, from the repository's root. */
    static final String PATH = "docs/rules.md";

    /** What a reader runs to write the page again after the catalog changed. */
    static final String REGENERATE = "mvn -B -q -pl state-schemas,core test -Dtiergate.rules.write=true";

    /**
     * The families, by the first part of a rule's id, with the heading each is shown under; several prefixes may share
     * one heading. A prefix not named here gets a heading of its own (the id's prefix), so a new family never breaks
     * the page, it only asks for a better heading here.
     */
    private static final Map<String, String> FAMILY_HEADINGS = Map.ofEntries(
            Map.entry("gate", "The merge gate"),
            Map.entry("policy", "The policy file"),
            Map.entry("permissions", "Database access"),
            Map.entry("state", "State files"),
            Map.entry("migration", "Migrations"),
            Map.entry("workflow", "Workflow, hooks and the command line"),
            Map.entry("tests", "Workflow, hooks and the command line"),
            Map.entry("commit-msg", "Workflow, hooks and the command line"),
            Map.entry("push", "Workflow, hooks and the command line"),
            Map.entry("branch", "Workflow, hooks and the command line"),
            Map.entry("claim", "Workflow, hooks and the command line"),
            Map.entry("install", "Workflow, hooks and the command line"),
            Map.entry("sql", "The SQL lint"));

    private RulesReference() {}

    static String markdown() {
        Map<String, List<Rule>> families = new LinkedHashMap<>();
        for (Rule r : Rule.values()) {
            families.computeIfAbsent(headingOf(r), h -> new ArrayList<>()).add(r);
        }
        StringBuilder md = new StringBuilder();
        md.append("# Rules reference\n\n");
        md.append(
                "<!-- Generated from core/src/main/java/dev/tiergate/core/rules/Rule.java: do not edit by hand. -->\n\n");
        md.append(
                "Every rule tiergate has, as its catalog (`core/src/main/java/dev/tiergate/core/rules/Rule.java`) says it.\n");
        md.append(
                "A refusal, a commit status, an audit record and the policy's `severity` map name a rule by its id, e.g.\n");
        md.append("`[migration.immutable]` at the end of a refusal; look it up here.\n\n");
        md.append("This page is generated from the catalog: after changing `Rule.java`, run\n`")
                .append(REGENERATE)
                .append(
                        "`\nand commit the page. `mvn -B verify` fails while the page differs from the catalog (`RulesReferenceTest`).\n\n");
        md.append(
                "- **default**: what the rule does when the policy says nothing: `error` refuses (a commit, a push, a merge),\n");
        md.append("  `warning` is shown and counted but lets the change through.\n");
        md.append(
                "- **policy may change it**: `yes` when `.tiergate/policy.yaml` may set the rule to `error`, `warning` or `off`\n");
        md.append(
                "  (`severity: {sql.char-type: off}`); setting any other rule there is refused (`policy.severity.rule`).\n");
        md.append(
                "- Where each rule is checked, with the messages it prints: [hooks.md](hooks.md) (the git hooks and `tiergate check`),\n");
        md.append(
                "  [migrations.md](migrations.md) (the SQL lint and the server's rehearsal), [server.md](server.md) (the merge gate),\n");
        md.append(
                "  [agents.md](agents.md), [access.md](access.md) (database access); the file formats the rules read:\n");
        md.append(
                "  [core-rules.md](core-rules.md); the method behind them: [method.md](method.md#where-each-rule-is-checked).\n\n");
        md.append("| family | rules |\n|---|---:|\n");
        for (Map.Entry<String, List<Rule>> f : families.entrySet()) {
            md.append("| [")
                    .append(f.getKey())
                    .append("](#")
                    .append(slug(f.getKey()))
                    .append(") | ")
                    .append(f.getValue().size())
                    .append(" |\n");
        }
        md.append("| all | ").append(Rule.values().length).append(" |\n");
        for (Map.Entry<String, List<Rule>> f : families.entrySet()) {
            md.append("\n## ").append(f.getKey()).append("\n\n");
            md.append("| rule | default | policy may change it | meaning | fix |\n|---|---|---|---|---|\n");
            for (Rule r : f.getValue()) {
                md.append("| `")
                        .append(r.id())
                        .append("` | ")
                        .append(r.defaultSeverity().wireName())
                        .append(" | ")
                        .append(PolicyValidator.RULES_WITH_SEVERITY.contains(r.id()) ? "yes" : "no")
                        .append(" | ")
                        .append(cell(r.meaning()))
                        .append(" | ")
                        .append(cell(r.fix()))
                        .append(" |\n");
            }
        }
        return md.toString();
    }

    private static String headingOf(Rule r) {
        String prefix = r.id().substring(0, r.id().indexOf('.'));
        return FAMILY_HEADINGS.getOrDefault(prefix, "`" + prefix + ".*`");
    }

    /** GitHub's anchor for a heading, as .ci/check-links computes it: lower case, punctuation dropped, spaces to -. */
    static String slug(String heading) {
        return heading.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-');
    }

    /** Catalog text as one table cell: a pipe would end the cell, and a {@code <tier>} would vanish as an HTML tag. */
    private static String cell(String text) {
        return text.replace("\\", "\\\\")
                .replace("|", "\\|")
                .replace("*", "\\*")
                .replace("<", "&lt;")
                .replace(">", "&gt;");
    }
}
