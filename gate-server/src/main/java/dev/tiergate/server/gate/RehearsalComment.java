package dev.tiergate.server.gate;

import static dev.tiergate.core.publish.Markdown.cellCode;
import static dev.tiergate.core.publish.Markdown.code;
import static dev.tiergate.core.publish.Markdown.text;

import dev.tiergate.core.gate.ApprovalRouting;
import dev.tiergate.core.publish.Markdown;
import dev.tiergate.core.publish.PublicWords;
import dev.tiergate.core.schema.SchemaDiff;
import dev.tiergate.core.verdict.Refusal;
import dev.tiergate.server.migrate.MigrationFile;
import dev.tiergate.server.migrate.MigrationRun;
import java.util.List;
import java.util.Locale;

/**
 * The PR comment that shows what a rehearsal did: per migration and statement, the rules, and the schema diff. It is
 * public, so everything in it that came from the repository or the database is shown as text ({@link Markdown}), and
 * what came back from the database (errors, lock and table names, the schema) keeps only the words the PR's
 * migrations hold ({@link PublicWords}): a row a migration printed or turned into a name is not repeated here. The
 * comment's marker is its first line and nothing else in it can spell it.
 */
final class RehearsalComment {
    private RehearsalComment() {}

    /** As {@link #render(String, String, MigrationRun, List, List, List, List, boolean)} with the words of the statements that ran. */
    static String render(
            String ciDb,
            String tier,
            MigrationRun run,
            List<Refusal> refusals,
            List<Refusal> warnings,
            List<SchemaDiff.Change> diff,
            boolean blocking) {
        return render(ciDb, tier, run, List.of(), refusals, warnings, diff, blocking);
    }

    /** {@code files}: the head's migration files, whose words (beside those of the statements that ran) the comment may repeat. */
    static String render(
            String ciDb,
            String tier,
            MigrationRun run,
            List<MigrationFile> files,
            List<Refusal> refusals,
            List<Refusal> warnings,
            List<SchemaDiff.Change> diff,
            boolean blocking) {
        PublicWords words = run.words(files);
        StringBuilder b = new StringBuilder(DatabaseMigrations.MARKER).append('\n');
        b.append("### tiergate: migrations rehearsed on ")
                .append(code(ciDb))
                .append(", a fresh copy of ")
                .append(code(tier))
                .append("\n\n");
        b.append(blocking ? "**Blocked.** " : "**Passed.** ");
        if (!run.ok()) {
            String failure = run.publishedFailure(words).map(f -> f.text()).orElse("");
            b.append("A migration failed on ")
                    .append(code(ciDb))
                    .append(", the copy of ")
                    .append(code(tier))
                    .append(": ")
                    .append(code(failure))
                    .append(". The copy is discarded and made again from ")
                    .append(code(tier))
                    .append(" for the next rehearsal. What the failed")
                    .append(
                            " migration did on it is undone only as far as its transaction reached: a statement that ran outside a transaction")
                    .append(" (e.g. CREATE INDEX CONCURRENTLY) stays on the copy until then. Nothing ran on ")
                    .append(code(tier))
                    .append(" or anywhere else.");
        } else if (run.migrations().isEmpty()) {
            b.append("No migration to run.");
        } else {
            b.append(run.migrations().size()).append(" migration(s) applied.");
        }
        b.append("\n\n");
        if (!run.migrations().isEmpty()) {
            b.append("| migration | result | time | locks taken | tables rewritten |\n|---|---|---:|---|---|\n");
            for (MigrationRun.Migration m : run.migrations()) {
                List<String> locks = m.statements().stream()
                        .flatMap(s -> s.locks().stream())
                        .distinct()
                        .toList();
                List<String> rewritten = m.statements().stream()
                        .flatMap(s -> s.rewritten().stream())
                        .distinct()
                        .toList();
                b.append("| ")
                        .append(cellCode(m.file()))
                        .append(" | ")
                        .append(m.outcome().name().toLowerCase(Locale.ROOT))
                        .append(" | ")
                        .append(m.millis())
                        .append(" ms | ")
                        .append(names(locks, words, "none held"))
                        .append(" | ")
                        .append(names(rewritten, words, "none"))
                        .append(" |\n");
            }
            b.append(
                    "\n<details><summary>Statement by statement</summary>\n\n| file:line | time | locks | rewrites | statement |\n|---|---:|---|---|---|\n");
            for (MigrationRun.Migration m : run.migrations()) {
                for (MigrationRun.Statement s : m.statements()) {
                    b.append("| ")
                            .append(cellCode(m.file() + ":" + s.line()))
                            .append(" | ")
                            .append(s.millis())
                            .append(" ms | ")
                            .append(names(s.locks(), words, ""))
                            .append(" | ")
                            .append(names(s.rewritten(), words, ""))
                            .append(" | ")
                            .append(cellCode(abbreviate(s.sql())))
                            .append(s.published(words)
                                    .map(e -> " **failed:** " + cellCode(e.text()))
                                    .orElse(""))
                            .append(" |\n");
                }
            }
            b.append("\n</details>\n\n");
        }
        rules(b, "Rules", refusals);
        rules(b, "Warnings (the policy's severity; they do not block)", warnings);
        b.append("#### Schema of ")
                .append(code(ciDb))
                .append(" against ")
                .append(code(tier))
                .append("\n\n");
        if (diff.isEmpty()) {
            b.append("No difference.\n");
        } else {
            StringBuilder lines = new StringBuilder();
            diff.forEach(c -> lines.append(words.reduce(c.render())).append('\n'));
            b.append(Markdown.fenced("diff", lines.toString()));
        }
        return b.toString();
    }

    /** Names read back from the database (locks, tables), each with only the PR's own words, each its own code span. */
    private static String names(List<String> names, PublicWords words, String none) {
        if (names.isEmpty()) {
            return none;
        }
        return String.join(
                ", ", names.stream().map(n -> cellCode(words.reduce(n))).toList());
    }

    /**
     * The reviews the policy's approval rules ask for this head, rule by rule, with why (empty when none): the reasons
     * were made from the evidence, whose table names keep only public words already.
     */
    static String reviews(List<ApprovalRouting.Demand> demands) {
        if (demands.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("\n#### Reviews the policy asks for\n\n");
        b.append("| rule | approvals | from | why |\n|---|---|---|---|\n");
        for (ApprovalRouting.Demand d : demands) {
            b.append("| ")
                    .append(cellCode(d.rule().name()))
                    .append(" | ")
                    .append(d.rule().require().approvals())
                    .append(" | ")
                    .append(Markdown.cell(d.rule().require().from()))
                    .append(" | ")
                    .append(Markdown.cell(d.reason()))
                    .append(" |\n");
        }
        b.append(
                "\nAn approval counts when it is given on the head commit by a reviewer holding the role (or in the team),"
                        + " not the author and not an agent unless the rule allows it; a new push asks again.\n");
        return b.toString();
    }

    private static void rules(StringBuilder b, String title, List<Refusal> list) {
        if (list.isEmpty()) {
            return;
        }
        b.append("#### ").append(title).append("\n\n");
        for (Refusal r : list) {
            b.append("- ")
                    .append(code(r.rule()))
                    .append(' ')
                    .append(code(r.where()))
                    .append(": ")
                    .append(text(r.message()))
                    .append(" — fix: ")
                    .append(text(r.fix()))
                    .append('\n');
        }
        b.append('\n');
    }

    private static String abbreviate(String sql) {
        String one = sql.replaceAll("\\s+", " ").strip();
        return one.length() > 120 ? one.substring(0, 119) + "…" : one;
    }
}
