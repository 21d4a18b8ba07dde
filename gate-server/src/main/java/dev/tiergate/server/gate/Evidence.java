package dev.tiergate.server.gate;

import dev.tiergate.core.gate.PullRequestFacts;
import dev.tiergate.core.gate.RehearsalEvidence;
import dev.tiergate.core.gate.RehearsalEvidence.LintFinding;
import dev.tiergate.core.gate.RehearsalEvidence.MigrationFacts;
import dev.tiergate.core.gate.RehearsalEvidence.StatementFacts;
import dev.tiergate.core.gate.RehearsalEvidence.TableLock;
import dev.tiergate.core.gate.RehearsalEvidence.TableSize;
import dev.tiergate.core.lint.SqlLint;
import dev.tiergate.core.migration.MigrationHeader;
import dev.tiergate.core.migration.MigrationName;
import dev.tiergate.core.policy.MigrationSettings;
import dev.tiergate.core.publish.PublicWords;
import dev.tiergate.core.verdict.Refusal;
import dev.tiergate.server.migrate.MigrationFile;
import dev.tiergate.server.migrate.MigrationRun;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A rehearsal's evidence for the approval rules, from what it ran and found. Table names come back from the database,
 * so they keep only the words the PR's migrations hold ({@link PublicWords}), as in the rehearsal's comment: the
 * evidence is quoted in public statuses.
 */
final class Evidence {
    private Evidence() {}

    static RehearsalEvidence of(
            PullRequestFacts pr,
            RehearsalEvidence.Outcome outcome,
            MigrationRun run,
            List<MigrationFile> head,
            List<String> added,
            MigrationSettings settings,
            List<Refusal> refusals,
            List<Refusal> warnings) {
        PublicWords words = run.words(head);
        Map<String, MigrationFile> byFile = new HashMap<>();
        head.forEach(f -> byFile.put(f.fileName(), f));
        List<MigrationFacts> migrations = new ArrayList<>();
        for (MigrationRun.Migration m : run.migrations()) {
            MigrationFile file = byFile.get(m.file());
            migrations.add(new MigrationFacts(
                    m.version(),
                    m.file(),
                    file == null ? null : phaseOf(file),
                    m.millis(),
                    m.statements().stream().map(s -> statement(s, words)).toList()));
        }
        if (run.migrations().isEmpty()) { // not run (skipped, refused first): the phases from the files alone
            for (MigrationFile f : head) {
                MigrationName.parse(f.fileName(), settings.naming())
                        .filter(n -> added.contains(n.version()))
                        .ifPresent(n -> migrations.add(
                                new MigrationFacts(n.version(), f.fileName(), phaseOf(f), 0, List.of())));
            }
        }
        List<LintFinding> findings = new ArrayList<>();
        refusals.forEach(r -> findings.add(new LintFinding(r.rule(), r.where(), false)));
        warnings.forEach(r -> findings.add(new LintFinding(r.rule(), r.where(), false)));
        for (MigrationFile f : head) {
            boolean isAdded = MigrationName.parse(f.fileName(), settings.naming())
                    .map(n -> added.contains(n.version()))
                    .orElse(false);
            if (isAdded) {
                for (SqlLint.Waiver w : SqlLint.waivers(f.text())) {
                    findings.add(new LintFinding(w.rule(), f.path() + ":" + w.line(), true));
                }
            }
        }
        return new RehearsalEvidence(pr.headSha(), pr.baseSha(), outcome, migrations, findings);
    }

    private static StatementFacts statement(MigrationRun.Statement s, PublicWords words) {
        List<TableLock> locks = new ArrayList<>();
        for (String l : s.locks()) {
            int on = l.indexOf(" on ");
            String table = l.substring(on + 4);
            MigrationRun.TableStats t = s.statsOf(table);
            locks.add(new TableLock(l.substring(0, on), words.reduce(table), t.rows(), t.bytes()));
        }
        List<TableSize> rewrites = new ArrayList<>();
        for (String table : s.rewritten()) {
            MigrationRun.TableStats t = s.statsOf(table);
            rewrites.add(new TableSize(words.reduce(table), t.rows(), t.bytes()));
        }
        return new StatementFacts(s.line(), s.millis(), locks, rewrites);
    }

    private static String phaseOf(MigrationFile f) {
        return MigrationHeader.parse(f.text())
                .header()
                .map(h -> h.phase() == null ? null : h.phase().wireName())
                .orElse(null);
    }
}
