package dev.tiergate.server.gate;

import dev.tiergate.core.schema.SchemaDiff;
import dev.tiergate.core.verdict.Refusal;
import dev.tiergate.server.migrate.MigrationRun;
import java.util.List;

/** The PR comment that shows what a rehearsal did: per migration and statement, the rules, and the schema diff. */
final class RehearsalComment {
    private RehearsalComment() {
    }

    static String render(String ciDb, String tier, MigrationRun run, List<Refusal> refusals, List<Refusal> warnings,
                         List<SchemaDiff.Change> diff, boolean blocking) {
        StringBuilder b = new StringBuilder(DatabaseMigrations.MARKER).append('\n');
        b.append("### tiergate: migrations rehearsed on `").append(ciDb).append("`, a fresh copy of `").append(tier).append("`\n\n");
        b.append(blocking ? "**Blocked.** " : "**Passed.** ");
        if (!run.ok()) {
            b.append("A migration failed on the copy of ").append(tier).append(": `").append(md(DatabaseMigrations.failure(run)))
                    .append("`. Nothing of it remains (the migration's transaction was rolled back).");
        } else if (run.migrations().isEmpty()) {
            b.append("No migration to run.");
        } else {
            b.append(run.migrations().size()).append(" migration(s) applied.");
        }
        b.append("\n\n");
        if (!run.migrations().isEmpty()) {
            b.append("| migration | result | time | locks taken | tables rewritten |\n|---|---|---:|---|---|\n");
            for (MigrationRun.Migration m : run.migrations()) {
                List<String> locks = m.statements().stream().flatMap(s -> s.locks().stream()).distinct().toList();
                List<String> rewritten = m.statements().stream().flatMap(s -> s.rewritten().stream()).distinct().toList();
                b.append("| `").append(md(m.file())).append("` | ").append(m.outcome().name().toLowerCase(java.util.Locale.ROOT))
                        .append(" | ").append(m.millis()).append(" ms | ").append(locks.isEmpty() ? "none held" : md(String.join(", ", locks)))
                        .append(" | ").append(rewritten.isEmpty() ? "none" : md(String.join(", ", rewritten))).append(" |\n");
            }
            b.append("\n<details><summary>Statement by statement</summary>\n\n| file:line | time | locks | rewrites | statement |\n|---|---:|---|---|---|\n");
            for (MigrationRun.Migration m : run.migrations()) {
                for (MigrationRun.Statement s : m.statements()) {
                    b.append("| `").append(md(m.file())).append(':').append(s.line()).append("` | ").append(s.millis()).append(" ms | ")
                            .append(md(String.join(", ", s.locks()))).append(" | ").append(md(String.join(", ", s.rewritten()))).append(" | `")
                            .append(md(abbreviate(s.sql()))).append('`').append(s.error() == null ? "" : " **" + md(s.error()) + "**").append(" |\n");
                }
            }
            b.append("\n</details>\n\n");
        }
        rules(b, "Rules", refusals);
        rules(b, "Warnings (the policy's severity; they do not block)", warnings);
        b.append("#### Schema of `").append(ciDb).append("` against `").append(tier).append("`\n\n");
        if (diff.isEmpty()) {
            b.append("No difference.\n");
        } else {
            b.append("```diff\n");
            diff.forEach(c -> b.append(c.render()).append('\n'));
            b.append("```\n");
        }
        return b.toString();
    }

    private static void rules(StringBuilder b, String title, List<Refusal> list) {
        if (list.isEmpty()) {
            return;
        }
        b.append("#### ").append(title).append("\n\n");
        for (Refusal r : list) {
            b.append("- `").append(r.rule()).append("` ").append(md(r.where())).append(": ").append(md(r.message()))
                    .append(" — fix: ").append(md(r.fix())).append('\n');
        }
        b.append('\n');
    }

    private static String abbreviate(String sql) {
        String one = sql.replaceAll("\\s+", " ").strip();
        return one.length() > 120 ? one.substring(0, 119) + "…" : one;
    }

    /** Table cells: no pipes or line breaks from the SQL or PostgreSQL's messages. */
    private static String md(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ").replace("`", "'");
    }
}
