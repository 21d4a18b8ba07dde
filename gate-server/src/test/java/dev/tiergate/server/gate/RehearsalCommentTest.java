package dev.tiergate.server.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tiergate.core.publish.PublishedError;
import dev.tiergate.core.schema.SchemaDiff;
import dev.tiergate.core.verdict.Refusal;
import dev.tiergate.server.migrate.MigrationFile;
import dev.tiergate.server.migrate.MigrationRun;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rehearsal's PR comment is public: what a hostile migration printed, named or wrote in its file shows as text,
 * with no row of the tier's data in it. No database: the run is given as the runner reports it.
 */
class RehearsalCommentTest {
    static final String QTY = "V20260102000000__qty.sql";
    static final String QTY_SQL = "alter table inventory add column qty int not null default 0;\n";
    static final String LEAK = "V20260103000000__leak.sql";
    static final String LEAK_SQL =
            "DO $$ BEGIN RAISE EXCEPTION '%', (SELECT string_agg(card, ',') FROM customers); END $$;\n";
    static final String CARDS = "4111111111111111,5500000000000004";
    static final String INJECTED = "x\n```\n## INJECTED\n```";

    static MigrationRun.Migration applied() {
        return new MigrationRun.Migration(
                "20260102000000",
                QTY,
                MigrationRun.Outcome.APPLIED,
                12,
                List.of(new MigrationRun.Statement(
                        1,
                        QTY_SQL.strip(),
                        12,
                        List.of("AccessExclusiveLock on inventory"),
                        List.of("inventory"),
                        null,
                        null)),
                null,
                0);
    }

    static MigrationRun raising() {
        String error = "ERROR: " + CARDS + "\n  Where: PL/pgSQL function inline_code_block line 1 at RAISE";
        MigrationRun.Migration failed = new MigrationRun.Migration(
                "20260103000000",
                LEAK,
                MigrationRun.Outcome.FAILED,
                3,
                List.of(new MigrationRun.Statement(1, LEAK_SQL.strip(), 3, List.of(), List.of(), error, "P0001")),
                error,
                1);
        return new MigrationRun(
                List.of(applied(), failed),
                false,
                "Migration " + LEAK + " failed\nSQL State  : P0001\nMessage    : " + error);
    }

    static List<MigrationFile> files() {
        return List.of(
                new MigrationFile("db/migration/" + QTY, QTY_SQL.getBytes(StandardCharsets.UTF_8)),
                new MigrationFile("db/migration/" + LEAK, LEAK_SQL.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aPassingRehearsalShowsItsMigrationsLocksAndSchema() {
        String c = RehearsalComment.render(
                "ci-pr-1",
                "staging",
                new MigrationRun(List.of(applied()), true, null),
                files(),
                List.of(),
                List.of(),
                List.of(new SchemaDiff.Change('+', "column public.inventory.qty", "integer not null default 0")),
                false);
        assertTrue(c.startsWith(DatabaseMigrations.MARKER + "\n"), c);
        assertTrue(
                c.contains("| `" + QTY + "` | applied | 12 ms | `AccessExclusiveLock on inventory` | `inventory` |"),
                c);
        assertTrue(c.contains("```diff\n+ column public.inventory.qty: integer not null default 0\n```\n"), c);
        assertTrue(c.contains("**Passed.** 1 migration(s) applied."), c);
    }

    @Test
    void whatARaisePrintedIsNotInTheComment() {
        String c = RehearsalComment.render(
                "ci-pr-2", "staging", raising(), files(), List.of(), List.of(), List.of(), true);
        assertFalse(c.contains("4111") || c.contains("5500"), c);
        assertTrue(c.contains("`" + LEAK + ":1: SQLSTATE P0001: " + PublishedError.RAISED + "`"), c);
        assertTrue(
                c.contains("**failed:** `SQLSTATE P0001: " + PublishedError.RAISED + "`"),
                "statement by statement too: " + c);
        // the signature DatabaseMigrations calls today, with no files: the statements' own words
        String old = RehearsalComment.render("ci-pr-2", "staging", raising(), List.of(), List.of(), List.of(), true);
        assertFalse(old.contains("4111") || old.contains("5500"), old);
    }

    @Test
    void aFailedMigrationsCommentPromisesNoRollbackItCannotKeep() {
        String c = RehearsalComment.render(
                "ci-pr-2", "staging", raising(), files(), List.of(), List.of(), List.of(), true);
        assertTrue(c.contains("**Blocked.** A migration failed on `ci-pr-2`, the copy of `staging`"), c);
        assertFalse(c.contains("Nothing of it remains"), c);
        assertFalse(c.contains("was rolled back"), c);
        assertTrue(c.contains("The copy is discarded and made again from `staging` for the next rehearsal"), c);
        assertTrue(
                c.contains(
                        "a statement that ran outside a transaction (e.g. CREATE INDEX CONCURRENTLY) stays on the copy until then"),
                c);
        assertTrue(c.contains("Nothing ran on `staging` or anywhere else."), c);
    }

    @Test
    void aTableNamedToCloseTheDiffFenceStaysInsideIt() {
        List<SchemaDiff.Change> diff = List.of(
                new SchemaDiff.Change('+', "table public." + INJECTED, "id integer"),
                new SchemaDiff.Change('+', "table public.inventory_archive", "id integer"));
        List<MigrationFile> files = List.of(new MigrationFile(
                "db/migration/V1__x.sql",
                ("create table \"" + INJECTED + "\" (id int); create table inventory_archive (id int);")
                        .getBytes(StandardCharsets.UTF_8)));
        String c = RehearsalComment.render(
                "ci-pr-3",
                "staging",
                new MigrationRun(List.of(), true, null),
                files,
                List.of(),
                List.of(),
                diff,
                false);
        List<String> lines = c.lines().toList();
        assertFalse(
                lines.stream()
                        .anyMatch(l -> l.startsWith("## INJECTED") || l.startsWith("#") && l.contains("INJECTED")),
                c);
        int open = lines.indexOf("````diff");
        assertTrue(open > 0, "a fence longer than the backticks of the name: " + c);
        assertEquals("````", lines.get(lines.size() - 1), c);
        assertTrue(lines.subList(open + 1, lines.size() - 1).stream().noneMatch(l -> l.startsWith("````")), c);
        assertTrue(c.contains("+ table public.inventory_archive: id integer"), c);
    }

    @Test
    void aNameMadeFromARowIsNotRepeated() {
        MigrationRun.Migration dynamic = new MigrationRun.Migration(
                "20260104000000",
                "V20260104000000__dyn.sql",
                MigrationRun.Outcome.APPLIED,
                5,
                List.of(new MigrationRun.Statement(
                        1,
                        "DO $$ BEGIN EXECUTE format('create table %I ()', (select card from customers limit 1)); END $$",
                        5,
                        List.of("AccessExclusiveLock on 4111111111111111"),
                        List.of(),
                        null,
                        null)),
                null,
                0);
        String c = RehearsalComment.render(
                "ci-pr-4",
                "staging",
                new MigrationRun(List.of(dynamic), true, null),
                List.of(),
                List.of(),
                List.of(),
                List.of(new SchemaDiff.Change('+', "table public.\"4111111111111111\"", null)),
                false);
        assertFalse(c.contains("4111"), c);
        assertTrue(c.contains("`AccessExclusiveLock on …`"), c);
        assertTrue(c.contains("+ table public.\"…\"\n"), c);
    }

    @Test
    void htmlMentionsAndTheMarkerInRulesAndLocksShowAsText() {
        String hostile = "<img src=x onerror=alert(1)></details>@everyone <!-- tiergate:migrations -->";
        MigrationRun.Migration m = new MigrationRun.Migration(
                "20260105000000",
                "V20260105000000__a`b|c.sql",
                MigrationRun.Outcome.APPLIED,
                1,
                List.of(new MigrationRun.Statement(
                        1, "select 1; -- " + hostile, 1, List.of("ShareLock on " + hostile), List.of(), null, null)),
                null,
                0);
        Refusal r =
                new Refusal("sql.rename", "db/migration/" + hostile + ".sql:1", "renames " + hostile, "fix " + hostile);
        String c = RehearsalComment.render(
                "ci-pr-5",
                "staging",
                new MigrationRun(List.of(m), true, null),
                List.of(),
                List.of(r),
                List.of(r),
                List.of(),
                true);
        assertEquals(0, c.indexOf(DatabaseMigrations.MARKER));
        assertEquals(
                1, c.split("<!--", -1).length - 1, "the marker once, at the start, and no other comment opens: " + c);
        String prose = outsideCodeSpans(c);
        assertFalse(prose.contains("<img"), "raw HTML only inside code spans, where it shows as text: " + prose);
        assertEquals(1, prose.split("</details>", -1).length - 1, "only the comment's own </details>: " + prose);
        assertFalse(prose.contains("@everyone"), prose);
        assertTrue(
                c.contains(
                        "renames &lt;img src=x onerror=alert(1)&gt;&lt;/details&gt;@\u200Beveryone &lt;!-- tiergate:migrations --&gt;"),
                c);
        assertTrue(c.contains("| ``V20260105000000__a`b\\|c.sql`` |"), c);
        assertTrue(c.lines().allMatch(l -> !l.startsWith("|") || l.endsWith("|")), "every row stays one line: " + c);
    }

    /** The comment without its code spans (a run of n backticks up to the next run of exactly n). */
    static String outsideCodeSpans(String c) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < c.length()) {
            if (c.charAt(i) != '`') {
                out.append(c.charAt(i++));
                continue;
            }
            int n = run(c, i);
            int j = i + n;
            int close = -1;
            while (j < c.length()) {
                if (c.charAt(j) == '`') {
                    int k = run(c, j);
                    if (k == n) {
                        close = j;
                        break;
                    }
                    j += k;
                } else {
                    j++;
                }
            }
            if (close < 0) {
                out.append(c, i, i + n);
                i += n;
            } else {
                i = close + n;
            }
        }
        return out.toString();
    }

    private static int run(String c, int i) {
        int j = i;
        while (j < c.length() && c.charAt(j) == '`') {
            j++;
        }
        return j - i;
    }
}
